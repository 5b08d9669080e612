"""What a notification says: the template message for each kind, within the 2023 rules.

Category templates have typed keys; a `thing` value is at most 20 characters and a `phrase`
at most 5 (fact sheet §3.2): values are cut to fit here so WeChat never answers 47003. Each
kind's template is chosen by its purpose (models.notification.PURPOSE), configurable per
purpose through WECHAT_TEMPLATE_<PURPOSE>.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from models import Assignment, Notification, Person, Review, session
from models.notification import KIND_LABELS, PURPOSE, Kind
from models.review import sign_review_token
from models.supervision import RESPONSE_DAYS

SHANGHAI = ZoneInfo("Asia/Shanghai")
THING, PHRASE = 20, 5
# The keyword keys of each purpose's category template, in order (README: 模板消息).
KEYS = {"task": ("thing1", "time2", "thing3"), "review": ("thing1", "thing2", "time3"),
        "result": ("thing1", "phrase2", "thing3"),
        "warning": ("thing1", "phrase2", "time3", "thing4"),
        "supervision": ("thing1", "thing2", "time3")}
# What each ladder step asks of the assignee (thing4 of the warning template).
ASK = {Kind.REMINDER: "即将到期，请按时完成", Kind.BLUE: "已逾期，请尽快办理",
       Kind.YELLOW: "已逾期3天，请立即办理", Kind.RED: "已逾期5天，请立即办理"}
LEVEL_ORDER = [Kind.REMINDER, Kind.URGE, Kind.BLUE, Kind.YELLOW, Kind.RED, Kind.SUPERVISION]


def thing(text: str, limit: int = THING) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def render(note: Notification) -> tuple[str, dict, str]:
    """(template id, data, link) for a template notification."""
    base, ids = current_app.config["PUBLIC_BASE_URL"], current_app.config["WECHAT_TEMPLATE_IDS"]
    kind = Kind(note.kind)
    purpose = PURPOSE[kind]
    if kind == Kind.DIGEST:
        return ids[purpose], _digest(note), f"{base}m/overview?digest={note.id}"
    if kind == Kind.UNREACHABLE:
        who = note.data or {}
        link = f"{base}m/tasks/{note.assignment_id}" if note.assignment_id else f"{base}m/"
        return ids[purpose], _data(purpose, thing(f"{who.get('name', '')}无法接收微信提醒"),
                                   "无法送达", when(note.created_at),
                                   thing(f"{who.get('unit', '')}，请电话通知本人")), link
    assignment = session.get(Assignment, note.assignment_id)
    title, task_url = thing(assignment.template.title), f"{base}m/tasks/{assignment.id}"
    owner = _owner(assignment)
    mine = note.person_id in _assignee_ids(assignment)
    if kind in (Kind.REVIEW_REQUEST, Kind.REVIEW_OVERDUE):
        token = sign_review_token(assignment.id, current_app.config["SECRET_KEY"])
        if kind == Kind.REVIEW_OVERDUE:
            title = thing(f"超期待审：{assignment.template.title}")
        return ids[purpose], _data(purpose, title, thing(owner), when(assignment.submitted_at)), \
            f"{base}m/review/{token}"
    if kind in (Kind.RETURNED, Kind.COMPLETED):
        reason = session.scalar(sa.select(Review.reason).where(
            Review.assignment_id == assignment.id).order_by(Review.id.desc()).limit(1)) or ""
        verdict = "退回整改" if kind == Kind.RETURNED else "审核通过"
        detail = thing(f"理由：{reason}") if kind == Kind.RETURNED else "任务已完成"
        return ids[purpose], _data(purpose, title, verdict, detail), task_url
    if kind == Kind.SUPERVISION:
        return ids[purpose], _data(purpose, title, thing(owner),
                                   when(note.created_at + timedelta(days=RESPONSE_DAYS))), task_url
    if kind == Kind.DISPATCHED:
        return ids[purpose], _data(purpose, title, when(assignment.due_at),
                                   thing(assignment.unit.name)), task_url
    if kind == Kind.URGE:
        ask = f"{(note.data or {}).get('by_name', '')}催办，请尽快办理"
    else:
        ask = ASK[kind] if mine else f"{owner}逾期未办"
    return ids[purpose], _data(purpose, title, thing(KIND_LABELS[kind], PHRASE),
                               when(assignment.due_at), thing(ask)), task_url


def plain_text(note: Notification) -> str:
    """The same message as one line of text, for the SMS fallback."""
    if note.kind == Kind.DIGEST:
        return f"【清廉】{note.content}。请打开“清廉”公众号处理。"
    _, data, _ = render(note)
    return "【清廉】" + "，".join(value["value"] for value in data.values() if value["value"]) + \
        "。请打开“清廉”公众号处理。"


def _digest(note: Notification) -> dict:
    data = note.data or {}
    kinds = [Kind(kind) for kind in data.get("kinds", [])]
    worst = max(kinds, key=lambda k: LEVEL_ORDER.index(k) if k in LEVEL_ORDER else -1,
                default=Kind.REMINDER)
    count, due = session.execute(
        sa.select(sa.func.count(Notification.id), sa.func.min(Assignment.due_at))
        .join(Assignment, Notification.assignment_id == Assignment.id)
        .where(Notification.digest_id == note.id)).one()
    return _data("warning", thing(f"您有{count}项任务提醒"),
                 thing(KIND_LABELS[worst], PHRASE), when(due), "请点击详情逐项查看")


def _assignee_ids(assignment: Assignment) -> set[int]:
    from models.hierarchy import assignees

    return {person.id for person in assignees(assignment)}


def _owner(assignment: Assignment) -> str:
    who = session.get(Person, assignment.person_id) if assignment.person_id else None
    return f"{who.name if who else ''} {assignment.unit.name}".strip()


def _data(purpose: str, *values: str) -> dict:
    return {key: {"value": value} for key, value in zip(KEYS[purpose], values, strict=True)}
