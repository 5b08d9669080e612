"""Duty tasks in chat: `待办` lists them numbered, `签收 N` acknowledges task N."""

import json

from flask import current_app

from handlers import local_time
from handlers.labels import STATE_LABELS, WARNING_LABELS
from handlers.wechat import texts
from handlers.wechat.context import Context, bound_only, pure
from jobs import redis_connection
from models import Assignment, Warning, session
from models.assignment import Action, State, open_assignments
from models.lifecycle import transition
from models.errors import DomainError

LIST_LIMIT = 8
NUMBERING_SECONDS = 1800  # `签收 2` refers to the list the cadre last saw, for 30 minutes


@pure
@bound_only
def on_list(ctx: Context) -> str:
    tasks = open_assignments(ctx.person)
    remember_numbering(ctx.openid, tasks)
    link = texts.WORKBENCH_LINK.format(url=current_app.config["PUBLIC_BASE_URL"] + "m/")
    if not tasks:
        return texts.NO_TASKS + link
    lines = [texts.TASKS_HEADER.format(count=len(tasks))]
    for number, task in enumerate(tasks[:LIST_LIMIT], start=1):
        lines.append(_line(number, task))
    if len(tasks) > LIST_LIMIT:
        lines.append(texts.TASKS_MORE.format(count=len(tasks) - LIST_LIMIT))
    if any(task.warning == Warning.SUPERVISION for task in tasks):
        lines.append(texts.TASKS_SUPERVISION_HINT)
    return "\n".join(lines) + "\n" + texts.TASKS_HINT + link


def _line(number: int, task: Assignment) -> str:
    warning = WARNING_LABELS.get(task.warning)
    status = STATE_LABELS[State(task.state)] + (f"·{warning}" if warning else "")
    return f"{number}. {task.template.title}\n   截止{local_time(task.due_at, '%m月%d日')}·{status}"


@bound_only
def on_acknowledge(ctx: Context) -> str:
    task = task_by_number(ctx, "签收")
    if isinstance(task, str):
        return task
    if task.state != State.DISPATCHED:
        return texts.ALREADY_ACKNOWLEDGED.format(title=task.template.title,
                                                 state=STATE_LABELS.get(State(task.state), ""))
    try:
        transition(task, Action.ACKNOWLEDGE, ctx.person, now=ctx.now)
    except DomainError as error:
        return error.message
    return texts.ACKNOWLEDGED.format(title=task.template.title,
                                     due=local_time(task.due_at, "%m月%d日 %H:%M"))


def task_by_number(ctx: Context, verb: str) -> Assignment | str:
    """Task N of the list the cadre last saw (or of the current list), or the answer to give."""
    text = str(ctx.fields.get("Content") or "").strip().removeprefix(verb).strip()
    if not text.isdigit():
        return texts.NEED_NUMBER.format(verb=verb)
    return numbered_task(ctx, int(text))


def numbered_task(ctx: Context, number: int) -> Assignment | str:
    """Task `number` of the list the cadre last saw (or of the current list), or the answer."""
    ids = _numbering(ctx.openid) or [task.id for task in open_assignments(ctx.person)]
    task = session.get(Assignment, ids[number - 1]) if 0 < number <= len(ids) else None
    mine = {t.id for t in open_assignments(ctx.person)}
    if task is None or task.id not in mine:
        return texts.TASK_NOT_FOUND
    return task


def remember_numbering(openid: str, tasks: list[Assignment]) -> None:
    """The list the cadre is shown now: `签收 N` / `上报 N` refer to it."""
    redis_connection().set(f"wechat:tasks:{openid}", json.dumps([t.id for t in tasks]),
                           ex=NUMBERING_SECONDS)


def _numbering(openid: str) -> list[int]:
    value = redis_connection().get(f"wechat:tasks:{openid}")
    return json.loads(value) if value else []
