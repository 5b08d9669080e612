"""What a notification says: the template message for each kind, within the 2023 rules.

Category templates have typed keys; a `thing` value is at most 20 characters and a `phrase`
at most 5 (fact sheet §3.2): values are cut to fit here so WeChat never answers 47003. Each
kind's template is chosen by its purpose (models.notification.PURPOSE), configurable per
purpose through WECHAT_TEMPLATE_<PURPOSE>.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from jobs import texts
from models import assessment
from models import (Assignment, AuditEvent, Notice, NoticeItem, Notification, Person, Review,
                    session)
from models.clock import local_date, local_time
from models.hierarchy import assignees, review_level
from models.notice_lifecycle import is_unit_side
from models.notification import KIND_LABELS, PURPOSE, NotificationKind
from models.review import LEVEL_LABELS, sign_review_token
from models.self_check import follow_up_of
from models.spot_check import RESULT_LABELS, Result, item_of
from models.supervision import RESPONSE_DAYS

THING, PHRASE = 20, 5
# The keyword keys of each purpose's category template, in order (README: 模板消息).
KEYS = {"task": ("thing1", "time2", "thing3"), "review": ("thing1", "thing2", "time3"),
        "result": ("thing1", "phrase2", "thing3"),
        "warning": ("thing1", "phrase2", "time3", "thing4"),
        "supervision": ("thing1", "thing2", "time3")}
LEVEL_ORDER = [
    NotificationKind.REMINDER,
    NotificationKind.URGE,
    NotificationKind.BLUE,
    NotificationKind.YELLOW,
    NotificationKind.RED,
    NotificationKind.SUPERVISION,
]


def thing(text: str, limit: int = THING) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(value: datetime | None) -> str:
    """A template message's time value (the `time` keyword: YYYY-MM-DD HH:MM, county time)."""
    return local_time(value)


def render(note: Notification) -> tuple[str, dict, str]:
    """(template id, data, link) for a template notification."""
    base, ids = current_app.config["PUBLIC_BASE_URL"], current_app.config["WECHAT_TEMPLATE_IDS"]
    kind = NotificationKind(note.kind)
    purpose = PURPOSE[kind]
    if kind == NotificationKind.DIGEST:
        return ids[purpose], _digest(note), f"{base}m/overview?digest={note.id}"
    if note.notice_id is not None:
        return ids[purpose], _notice(note, kind), f"{base}m/notices/{note.notice_id}"
    if kind == NotificationKind.ASSESSMENT:
        row = assessment.get(int(note.step.partition(":")[2]))
        return ids[purpose], _assessment(note, row), f"{base}m/score?year={row.year}"
    assignment = session.get(Assignment, note.assignment_id) if note.assignment_id else None
    if kind == NotificationKind.UNREACHABLE:
        return ids[purpose], _unreachable(note, assignment), \
            f"{base}m/tasks/{assignment.id}" if assignment else f"{base}m/"
    title, task_url = thing(assignment.template.title), f"{base}m/tasks/{assignment.id}"
    owner = _owner(assignment)
    mine = note.person_id in _assignee_ids(assignment)
    if kind in (NotificationKind.REVIEW_REQUEST, NotificationKind.REVIEW_OVERDUE):
        token = sign_review_token(assignment.id, current_app.config["SECRET_KEY"])
        level = LEVEL_LABELS[_review_level(note, assignment)]
        title = thing(
            (
                texts.REVIEW_OVERDUE
                if kind == NotificationKind.REVIEW_OVERDUE
                else texts.REVIEW_REQUEST
            ).format(level=level, title=assignment.template.title)
        )
        return ids[purpose], _data(purpose, title, thing(_submitter(assignment)),
                                   when(assignment.submitted_at)), f"{base}m/review/{token}"
    if kind in (NotificationKind.RETURNED, NotificationKind.COMPLETED):
        reason = session.scalar(sa.select(Review.reason).where(
            Review.assignment_id == assignment.id).order_by(Review.id.desc()).limit(1)) or ""
        returned = kind == NotificationKind.RETURNED
        verdict = texts.RETURNED_VERDICT if returned else texts.COMPLETED_VERDICT
        detail = thing(texts.RETURN_REASON.format(reason=reason)) if returned \
            else texts.COMPLETED_DETAIL
        return ids[purpose], _data(purpose, title, verdict, detail), task_url
    if kind == NotificationKind.UNLOCKED:
        return ids[purpose], _data(purpose, title, texts.UNLOCKED_VERDICT,
                                   texts.UNLOCKED_DETAIL), task_url
    if kind == NotificationKind.SPOT_CHECK:
        return ids[purpose], _spot_check(note, title), task_url
    if kind == NotificationKind.SELF_CHECK_RISK:
        return ids[purpose], _self_check_risk(note, assignment, owner), \
            f"{base}m/selfcheck-risks"
    if kind == NotificationKind.SUPERVISION:
        return ids[purpose], _data(purpose, title, thing(owner),
                                   when(note.created_at + timedelta(days=RESPONSE_DAYS))), task_url
    if kind == NotificationKind.DISPATCHED:
        return ids[purpose], _data(purpose, title, when(assignment.due_at),
                                   thing(assignment.unit.name)), task_url
    if kind == NotificationKind.URGE:
        ask = texts.URGED.format(by=(note.data or {}).get("by_name", ""))
    else:
        ask = _ask(kind, assignment.due_at, note.created_at, owner if not mine else None)
    return ids[purpose], _data(purpose, title, thing(KIND_LABELS[kind], PHRASE),
                               when(assignment.due_at), thing(ask)), task_url


def plain_text(note: Notification) -> str:
    """The same message as one line of text, for the SMS fallback."""
    if note.kind == NotificationKind.DIGEST:
        return texts.SMS.format(text=note.content)
    _, data, _ = render(note)
    return texts.SMS.format(text="，".join(value["value"] for value in data.values()
                                          if value["value"]))


def _unreachable(note: Notification, assignment: Assignment | None) -> dict:
    """无法送达告知 on the warning template: the task the lost push was about and its due
    time, and who cannot be reached (a digest's lost push names no one task)."""
    who = note.data or {}
    name, unit, tasks = who.get("name", ""), who.get("unit", ""), who.get("tasks", 1)
    if assignment is None:  # recorded before the card named its task
        title, due = texts.UNREACHABLE_TITLE.format(name=name), note.created_at
    else:
        title, due = assignment.template.title, assignment.due_at
    if tasks > 1:
        more = texts.MORE_TASKS.format(count=tasks)
        title = thing(title, THING - len(more)) + more
    return _data("warning", thing(title), texts.UNDELIVERABLE_PHRASE, when(due),
                 thing(texts.UNREACHABLE.format(name=name, unit=unit)))


def _assessment(note: Notification, row: assessment.Assessment) -> dict:
    """年度考核结果 to a unit's secretary: the year, the unit's score and its rank in its kind."""
    person = session.get(Person, note.person_id)
    unit = assessment.unit_row(row.rows(), person.unit_id) or {}
    return _data("result", thing(texts.ASSESSMENT_TITLE.format(year=row.year)),
                 texts.ASSESSMENT_PHRASE,
                 thing(texts.ASSESSMENT_DETAIL.format(score=unit.get("score", "—"),
                                                      rank=unit.get("rank", "—"),
                                                      among=unit.get("ranked_among", "—"))))


def _notice(note: Notification, kind: NotificationKind) -> dict:
    """A push about a notice: issued and 回访 on the task template, a reply to verify on the
    review template, returned and closed on the result template, its ladder's steps on the
    warning template (督办 on its own)."""
    notice = session.get(Notice, note.notice_id)
    name, unit, purpose = thing(notice.name), thing(notice.unit.name), PURPOSE[kind]
    item = session.get(NoticeItem, (note.data or {}).get("item") or 0)
    if kind == NotificationKind.NOTICE_ISSUED:
        return _data(purpose, name, when(notice.reply_due_at), unit)
    if kind == NotificationKind.NOTICE_FOLLOW_UP:
        return _data(purpose, thing(texts.NOTICE_FOLLOW_UP_TITLE.format(name=notice.name)),
                     when(notice.follow_up_due_at), unit)
    if kind == NotificationKind.NOTICE_REPLIED:
        return _data(purpose, thing(texts.NOTICE_REPLIED_TITLE.format(name=notice.name)), unit,
                     when(notice.replied_at))
    if kind == NotificationKind.NOTICE_RETURNED:
        return _data(purpose, name, texts.NOTICE_RETURNED_VERDICT, thing(
            texts.NOTICE_RETURNED_DETAIL.format(item=item.label, reason=item.return_reason)))
    if kind == NotificationKind.NOTICE_CLOSED:
        return _data(purpose, name, texts.NOTICE_CLOSED_VERDICT, texts.NOTICE_CLOSED_DETAIL)
    title = thing(texts.NOTICE_ITEM_TITLE.format(name=notice.name, item=item.label)) if item \
        else name
    due = item.due_at if item else notice.reply_due_at
    if kind == NotificationKind.SUPERVISION:
        return _data(purpose, title, unit, when(due))
    days = (local_date(due) - local_date(note.created_at)).days
    mine = is_unit_side(session.get(Person, note.person_id), notice, item)
    ask = (texts.NOTICE_DUE_SOON.format(days=max(days, 0)) if days >= 0
           else texts.NOTICE_LATE.format(days=-days) if mine
           else texts.NOTICE_OTHERS_LATE.format(unit=notice.unit.name, days=-days))
    return _data(purpose, title, thing(KIND_LABELS[kind], PHRASE), when(due), thing(ask))


def _spot_check(note: Notification, title: str) -> dict:
    """抽查核实结果 to a unit's secretary: the task, 不实 or 部分属实, the points and whether
    it went back for rework, and the inspector's reason."""
    item = item_of(note.step)
    points = item.deduction.points.normalize() if item.deduction else None
    detail = texts.SPOT_CHECK_DETAIL.format(
        deducted=texts.SPOT_CHECK_DEDUCTED.format(points=f"{points:f}") if points else "",
        reopened=texts.SPOT_CHECK_REOPENED if item.result == Result.FALSE else "",
        reason=item.reason)
    return _data("result", title, RESULT_LABELS[item.result], thing(detail))


def _self_check_risk(note: Notification, assignment: Assignment, owner: str) -> dict:
    """自查报告风险 to the supervising body: the risk point, who reported it, when."""
    follow_up = follow_up_of(note.step)
    description = follow_up.answer.description if follow_up else assignment.template.title
    return _data("review", thing(texts.SELF_CHECK_RISK_TITLE.format(description=description)),
                 thing(owner), when(assignment.submitted_at))


def _digest(note: Notification) -> dict:
    data = note.data or {}
    kinds = [NotificationKind(kind) for kind in data.get("kinds", [])]
    worst = max(kinds, key=lambda k: LEVEL_ORDER.index(k) if k in LEVEL_ORDER else -1,
                default=NotificationKind.REMINDER)
    count, due = session.execute(
        sa.select(sa.func.count(Notification.id), sa.func.min(Assignment.due_at))
        .join(Assignment, Notification.assignment_id == Assignment.id)
        .where(Notification.digest_id == note.id)).one()
    return _data("warning", thing(texts.DIGEST_TITLE.format(count=count)),
                 thing(KIND_LABELS[worst], PHRASE), when(due), texts.DIGEST_ASK)


def _ask(kind: NotificationKind, due_at: datetime, at: datetime, owner: str | None) -> str:
    """What a ladder step says: to the assignee (`owner` None) what to do and how many days
    are left or late; to the others who is late and by how many days."""
    days = (local_date(due_at) - local_date(at)).days
    if kind == NotificationKind.REMINDER:
        return (
            texts.DUE_SOON.format(days=days)
            if days > 0
            else texts.DUE_TODAY
            if days == 0
            else texts.PAST_DUE
        )
    late = max(1, -days)
    return (
        texts.ASK[kind].format(days=late)
        if owner is None
        else texts.OTHERS_LATE.format(owner=owner, days=late)
    )


def _review_level(note: Notification, assignment: Assignment) -> int:
    """The level a review push is about: a request names it in its step ("review:2"), so it
    stays right if the review moved on before the push went out; else the current one."""
    step = note.step or ""
    if step.startswith("review:") and step[len("review:"):].isdigit():
        return int(step[len("review:"):])
    return review_level(assignment)


def _submitter(assignment: Assignment) -> str:
    """Who handed the task in, with their unit: the person of a person's task, for a unit's
    task whoever submitted it last (the audit trail knows)."""
    who = session.get(Person, assignment.person_id) if assignment.person_id else None
    if who is None:
        actor = session.scalar(sa.select(AuditEvent.actor_id).where(
            AuditEvent.subject == f"assignment:{assignment.id}",
            AuditEvent.action == "assignment.submit").order_by(AuditEvent.id.desc()).limit(1))
        who = session.get(Person, actor) if actor else None
    return f"{who.name}（{assignment.unit.name}）" if who else assignment.unit.name


def _assignee_ids(assignment: Assignment) -> set[int]:
    return {person.id for person in assignees(assignment)}


def _owner(assignment: Assignment) -> str:
    who = session.get(Person, assignment.person_id) if assignment.person_id else None
    return f"{who.name if who else ''} {assignment.unit.name}".strip()


def _data(purpose: str, *values: str) -> dict:
    return {key: {"value": value} for key, value in zip(KEYS[purpose], values, strict=True)}
