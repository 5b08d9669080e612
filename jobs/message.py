"""What a notification says: the template message for each kind, within the 2023 rules.

Category templates have typed keys; a `thing` value is at most 20 characters and a `phrase`
at most 5 (fact sheet §3.2): values are cut to fit here so WeChat never answers 47003.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from models import Assignment, Notification, Person, Review, session
from models.review import sign_review_token

SHANGHAI = ZoneInfo("Asia/Shanghai")
THING = 20
# The keyword keys of each purpose's category template, in order (README: 模板消息).
KEYS = {"task": ("thing1", "time2", "thing3"), "review": ("thing1", "thing2", "time3"),
        "result": ("thing1", "phrase2", "thing3")}


def thing(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= THING else text[: THING - 1] + "…"


def when(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def render(note: Notification) -> tuple[str, dict, str]:
    """(template id, data, link) for a template notification about an assignment."""
    assignment = session.get(Assignment, note.assignment_id)
    base, ids = current_app.config["PUBLIC_BASE_URL"], current_app.config["WECHAT_TEMPLATE_IDS"]
    title, task_url = thing(assignment.template.title), f"{base}m/tasks/{assignment.id}"
    if note.kind == "review_request":
        who = session.get(Person, assignment.person_id) if assignment.person_id else None
        token = sign_review_token(assignment.id, current_app.config["SECRET_KEY"])
        sender = thing(f"{who.name if who else ''} {assignment.unit.name}".strip())
        return ids["review"], _data("review", title, sender, when(assignment.submitted_at)), \
            f"{base}m/review/{token}"
    if note.kind in ("returned", "completed"):
        reason = session.scalar(sa.select(Review.reason).where(
            Review.assignment_id == assignment.id).order_by(Review.id.desc()).limit(1)) or ""
        verdict = "退回整改" if note.kind == "returned" else "审核通过"
        detail = thing(f"理由：{reason}") if note.kind == "returned" else "任务已完成"
        return ids["result"], _data("result", title, verdict, detail), task_url
    return ids["task"], _data("task", title, when(assignment.due_at), thing(assignment.unit.name)), \
        task_url


def _data(purpose: str, *values: str) -> dict:
    return {key: {"value": value} for key, value in zip(KEYS[purpose], values, strict=True)}
