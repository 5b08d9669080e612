"""Menu clicks (CLICK events): each key of wechat/menu.py answers here."""

from flask import current_app

from handlers.wechat import assignment, command, texts
from handlers.wechat.context import bound_only, pure
from models.assignment import workload
from models.hierarchy import awaiting_review
from wechat import menu


@pure
@bound_only
def on_click(ctx) -> str:
    key = str(ctx.fields.get("EventKey") or "")
    answer = ANSWERS.get(key)
    return answer(ctx) if answer else texts.HELP


def _workbench_link() -> str:
    return texts.WORKBENCH_LINK.format(url=current_app.config["PUBLIC_BASE_URL"] + "m/")


def _count(label: str, field: str):
    def answer(ctx) -> str:
        return texts.COUNT.format(label=label, count=workload(ctx.person)[field]) + _workbench_link()

    return answer


def _reviews(ctx) -> str:
    return texts.COUNT.format(label="待您审核的任务", count=awaiting_review(ctx.person)) + \
        _workbench_link()


ANSWERS = {
    menu.ME: command.me,
    menu.HELP: command.help_text,
    menu.TASKS: assignment.on_list,
    menu.WARNINGS: _count("有预警的任务", "warned"),
    menu.SUPERVISION: _count("督办事项", "supervised"),
    menu.REVIEWS: _reviews,
}
