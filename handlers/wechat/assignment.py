"""Duty tasks in chat: `待办` lists them numbered, `签收 N` acknowledges task N.

A number means the item of the list the cadre last saw (models.shown_list), never of a list
computed afresh: a task that arrived since must not shift `上报 3` onto another task. When
that list is gone or too old, the answer says so and shows the list again.
"""

from flask import current_app

from models.clock import local_time
from handlers.labels import STATE_LABELS, WARNING_LABELS
from handlers.wechat import texts
from handlers.wechat.context import Context, bound_only, pure
from models import Assignment, Level, session
from models.assignment import Action, State, open_assignments
from models.errors import DomainError
from models.level_scheme import level_name
from models.lifecycle import transition
from models.shown_list import TASKS, recall, remember

LIST_LIMIT = 8


@pure  # it records the list shown: an upsert, safe to repeat (context.pure)
@bound_only
def on_list(ctx: Context) -> str:
    return task_list(ctx)


def task_list(ctx: Context) -> str:
    """The 待办 list, numbered; remembered as what later numbers refer to."""
    tasks = open_assignments(ctx.person)
    remember_numbering(ctx, tasks[:LIST_LIMIT])
    link = texts.WORKBENCH_LINK.format(url=current_app.config["PUBLIC_BASE_URL"] + "m/")
    if not tasks:
        return texts.NO_TASKS + link
    lines = [texts.TASKS_HEADER.format(count=len(tasks))]
    for number, task in enumerate(tasks[:LIST_LIMIT], start=1):
        lines.append(task_line(number, task))
    if len(tasks) > LIST_LIMIT:
        lines.append(texts.TASKS_MORE.format(count=len(tasks) - LIST_LIMIT))
    if any(task.warning == Level.SUPERVISION for task in tasks):
        lines.append(texts.TASKS_SUPERVISION_HINT.format(name=level_name(Level.SUPERVISION)))
    return "\n".join(lines) + "\n" + texts.TASKS_HINT + link


def task_line(number: int, task: Assignment, with_owner: bool = False) -> str:
    """One numbered task of a chat list: title (after its assignee, for a leader's list), due
    day, state and warning."""
    warning = WARNING_LABELS.get(task.warning)
    status = STATE_LABELS[State(task.state)] + (f"·{warning}" if warning else "")
    owner = f"{task.person.name if task.person else task.unit.name}：" if with_owner else ""
    return (f"{number}. {owner}{task.template.title}\n"
            f"   截止{local_time(task.due_at, '%m月%d日')}·{status}")


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
    """Task N of the list the cadre last saw, or the answer to give."""
    text = str(ctx.fields.get("Content") or "").strip().removeprefix(verb).strip()
    if not text.isdigit():
        return texts.NEED_NUMBER.format(verb=verb)
    return numbered_task(ctx, int(text))


def numbered_task(ctx: Context, number: int) -> Assignment | str:
    """Task `number` of the list the cadre last saw, or the answer: the list shown again when
    it is gone or too old, or when that task is no longer theirs to act on."""
    ids = recall(ctx.person.id, TASKS, now=ctx.now)
    if ids is None:
        return texts.LIST_GONE + "\n" + task_list(ctx)
    if not 0 < number <= len(ids):
        return texts.TASK_NOT_FOUND
    task = session.get(Assignment, ids[number - 1])
    if task is None or task.id not in {t.id for t in open_assignments(ctx.person)}:
        left = texts.TASK_LEFT_LIST.format(
            number=number, title=task.template.title if task else "",
            state=STATE_LABELS.get(State(task.state), "") if task else "")
        return left + "\n" + task_list(ctx)
    return task


def remember_numbering(ctx: Context, tasks: list[Assignment]) -> None:
    """Record a numbered task list just shown to the cadre: `签收 N` / `上报 N` refer to it."""
    remember(ctx.person.id, TASKS, [task.id for task in tasks], now=ctx.now)
