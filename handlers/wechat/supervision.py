"""督办回复 in chat: the assignee answers a 工作督办 in writing (models.supervision.respond).

`督办回复 N 内容` answers the 督办 of task N of the 待办 list, numbered as for `签收 N`;
`督办回复 内容` is enough while exactly one 督办 awaits a response.
"""

import re

from handlers.wechat import texts
from handlers.wechat.assignment import numbered_task
from handlers.wechat.context import Context, bound_only
from models import Assignment, session
from models.assignment import open_assignments
from models.errors import DomainError
from models.lifecycle import respond
from models.supervision import open_supervision

VERB = "督办回复"
# "督办回复 2 已整改……" names task 2; "督办回复 2026年12月已整改……" is all response.
NUMBERED = re.compile(r"(\d{1,3})(?:[\s,，、:：]+(.*)|)", re.S)


@bound_only
def on_respond(ctx: Context) -> str:
    text = str(ctx.fields.get("Content") or "").strip().removeprefix(VERB).strip()
    numbered = NUMBERED.fullmatch(text)
    if numbered:
        task, text = numbered_task(ctx, int(numbered.group(1))), numbered.group(2) or ""
    else:
        task = _the_open_one(ctx)
    if isinstance(task, str):
        return task
    try:
        respond(task, ctx.person, text, now=ctx.now)
    except DomainError as refusal:
        session.rollback()
        return f"{refusal.message}\n{texts.SUPERVISION_FORMAT}"
    return texts.SUPERVISION_RESPONDED.format(title=task.template.title)


def _the_open_one(ctx: Context) -> Assignment | str:
    """The one task of the cadre's whose 督办 awaits a response, or the answer to give."""
    waiting = [task for task in open_assignments(ctx.person) if open_supervision(task)]
    if not waiting:
        return texts.NO_OPEN_SUPERVISION
    if len(waiting) > 1:
        return texts.SUPERVISION_WHICH.format(count=len(waiting))
    return waiting[0]
