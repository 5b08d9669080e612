"""The menu's 预警提醒 / 督办事项 / 待我审核 clicks (routed by handlers/wechat/routes.py).

预警提醒 / 督办事项 / 待我审核 answer with the tasks themselves (numbered, at most
MENU_LIMIT, then a link to the page holding all of them): first the person's own, numbered as
in 待办 so 上报 N still means what it says, then for a leader the tasks of those they answer
for (本单位 / 监督单位 / 全县, models.hierarchy.visible_filter).
"""

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from handlers.labels import SCOPE_LABELS
from handlers.wechat import assignment, texts
from handlers.wechat.context import bound_only, pure
from models import Assignment, Level, Role, session
from models.assignment import OPEN_STATES, WARNED, open_assignments
from models.clock import local_time
from models.hierarchy import is_assignee, review_filter, visible_filter

MENU_LIMIT = 10


def _link(path: str, label: str) -> str:
    return texts.MENU_LINK.format(url=current_app.config["PUBLIC_BASE_URL"] + path, label=label)


def _listing(ctx, label: str, levels: tuple[Level, ...], level_arg: str) -> str:
    mine = open_assignments(ctx.person)
    assignment.remember_numbering(ctx, mine)
    own = [(number, task) for number, task in enumerate(mine, start=1)
           if task.state in OPEN_STATES and task.warning in levels]
    lines = [texts.MENU_OWN_HEADER.format(label=label, count=len(own)) if own
             else texts.MENU_OWN_NONE.format(label=label)]
    lines += [assignment.task_line(number, task) for number, task in own[:MENU_LIMIT]]
    scope = SCOPE_LABELS.get(Role(ctx.person.role))
    if scope is None:
        return "\n".join(lines) + _link("m/", "打开个人工作台查看详情")
    query = (sa.select(Assignment).where(visible_filter(ctx.person),
                                         Assignment.state.in_(OPEN_STATES),
                                         Assignment.warning.in_(levels))
             .order_by(Assignment.due_at, Assignment.id))
    theirs = [task for task in session.scalars(
        query.options(joinedload(Assignment.template), joinedload(Assignment.person),
                      joinedload(Assignment.unit)).limit(MENU_LIMIT + len(own) + 1))
        if not is_assignee(ctx.person, task)]
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) - len(own)
    lines.append(texts.MENU_SCOPE_HEADER.format(scope=scope, label=label, count=max(total, 0))
                 if theirs else texts.MENU_SCOPE_NONE.format(scope=scope, label=label))
    lines += [assignment.task_line(number, task, with_owner=True)
              for number, task in enumerate(theirs[:MENU_LIMIT], start=1)]
    if total > MENU_LIMIT:
        lines.append(texts.MENU_MORE.format(count=total - MENU_LIMIT))
    return "\n".join(lines) + _link(f"m/overview?level={level_arg}", f"查看{scope}全部{label}")


@pure
@bound_only
def on_warnings(ctx) -> str:
    return _listing(ctx, "有预警的任务", WARNED, "warned")


@pure
@bound_only
def on_supervision(ctx) -> str:
    return _listing(ctx, "督办事项", (Level.SUPERVISION,), Level.SUPERVISION.value)


@pure
@bound_only
def on_reviews(ctx) -> str:
    query = sa.select(Assignment).where(review_filter(ctx.person))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    if not total:
        return texts.MENU_NO_REVIEWS + _link("m/", "打开个人工作台查看详情")
    tasks = session.scalars(query.options(joinedload(Assignment.template),
                                          joinedload(Assignment.person),
                                          joinedload(Assignment.unit))
                            .order_by(Assignment.submitted_at, Assignment.id)
                            .limit(MENU_LIMIT)).all()
    lines = [texts.MENU_REVIEWS_HEADER.format(count=total)]
    lines += [f"{number}. {task.person.name if task.person else task.unit.name}："
              f"{task.template.title}" + (f"（{local_time(task.submitted_at, '%m月%d日')}提交）"
                                          if task.submitted_at else "")
              for number, task in enumerate(tasks, start=1)]
    if total > MENU_LIMIT:
        lines.append(texts.MENU_MORE.format(count=total - MENU_LIMIT))
    return "\n".join(lines) + _link("m/#reviews", "打开“待我审核”逐项审核")

