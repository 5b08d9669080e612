"""Notifications: every push to a person (template or customer-service message), an outbox row.

Rows are committed before anything is sent; a sender job moves them on. The unique constraint
(assignment, step, person, cycle) is what makes a ladder step go out at most once.
"""

from datetime import datetime, time, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.assignment import Assignment
from models.clock import SHANGHAI
from models.db import Base, session
from models.duty import DutyTemplate
from models.ladder import Level, after_quiet_hours
from models.level_scheme import Labels
from models.notice import Notice
from models.unit import Person, Unit


class Channel(StrEnum):
    TEMPLATE = "template"  # 模板消息
    CUSTOM = "custom"  # 客服消息 (48 h after the user's last interaction)
    SMS = "sms"  # the fallback channel for people WeChat cannot reach


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"
    DIGESTED = "digested"  # sent inside a digest (digest_id) instead of on its own
    UNKNOWN = "unknown"  # WeChat may or may not have sent it; an admin checks


class NotificationKind(StrEnum):
    """What a push is about; each kind has a template purpose (WECHAT_TEMPLATE_<PURPOSE>)."""

    DISPATCHED = "dispatched"
    REMINDER = "reminder"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    SUPERVISION = "supervision"
    URGE = "urge"
    REVIEW_REQUEST = "review_request"
    REVIEW_OVERDUE = "review_overdue"
    RETURNED = "returned"
    COMPLETED = "completed"
    UNLOCKED = "unlocked"  # 补报解锁: input closed by the late policy is open again
    DIGEST = "digest"
    UNREACHABLE = "unreachable"
    ASSESSMENT = "assessment"  # 年度考核结果 published: the unit's score and rank
    # Notices (models.notice_lifecycle); their ladder uses the level kinds above.
    NOTICE_ISSUED = "notice_issued"
    NOTICE_REPLIED = "notice_replied"
    NOTICE_RETURNED = "notice_returned"
    NOTICE_FOLLOW_UP = "notice_follow_up"
    NOTICE_CLOSED = "notice_closed"
    SPOT_CHECK = "spot_check"  # 抽查核实 found a task 不实 or 部分属实: to the unit's secretary
    SELF_CHECK_RISK = "self_check_risk"  # 月度自查 reported a risk: to the supervising body
    # Customer-service messages (channel custom): a late chat reply, a photo that failed.
    REPLY = "reply"
    EVIDENCE_PROBLEM = "evidence_problem"


# The ladder's overdue kinds are named by the county's scheme (models.level_scheme).
KIND_LABELS = Labels({
    NotificationKind.DISPATCHED: "任务派发",
    NotificationKind.REMINDER: "预警提醒",
    NotificationKind.BLUE: Level.BLUE,
    NotificationKind.YELLOW: Level.YELLOW,
    NotificationKind.RED: Level.RED,
    NotificationKind.SUPERVISION: Level.SUPERVISION,
    NotificationKind.URGE: "催办",
    NotificationKind.REVIEW_REQUEST: "待审核提醒",
    NotificationKind.REVIEW_OVERDUE: "审核超期提醒",
    NotificationKind.RETURNED: "退回整改",
    NotificationKind.COMPLETED: "审核通过",
    NotificationKind.UNLOCKED: "补报解锁",
    NotificationKind.DIGEST: "合并提醒",
    NotificationKind.UNREACHABLE: "无法送达告知",
    NotificationKind.ASSESSMENT: "考核结果通知",
    NotificationKind.NOTICE_ISSUED: "整改通知下发",
    NotificationKind.NOTICE_REPLIED: "整改回复提醒",
    NotificationKind.NOTICE_RETURNED: "整改退回",
    NotificationKind.NOTICE_FOLLOW_UP: "回访提醒",
    NotificationKind.NOTICE_CLOSED: "整改销账",
    NotificationKind.SPOT_CHECK: "抽查核实结果",
    NotificationKind.SELF_CHECK_RISK: "自查风险跟进",
    NotificationKind.REPLY: "消息回复",
    NotificationKind.EVIDENCE_PROBLEM: "照片问题提醒",
})
STATUS_LABELS = {
    NotificationStatus.PENDING: "待发送",
    NotificationStatus.SENDING: "发送中",
    NotificationStatus.SENT: "已发送",
    NotificationStatus.DELIVERED: "已送达",
    NotificationStatus.FAILED: "发送失败",
    NotificationStatus.UNDELIVERABLE: "无法送达",
    NotificationStatus.DIGESTED: "已合并发送",
    NotificationStatus.UNKNOWN: "结果未知",
}
# Each kind's template purpose (app.DEFAULT_TEMPLATE_IDS).
PURPOSE = {
    NotificationKind.DISPATCHED: "task",
    NotificationKind.REMINDER: "warning",
    NotificationKind.BLUE: "warning",
    NotificationKind.YELLOW: "warning",
    NotificationKind.RED: "warning",
    NotificationKind.URGE: "warning",
    NotificationKind.DIGEST: "warning",
    NotificationKind.UNREACHABLE: "warning",
    NotificationKind.SUPERVISION: "supervision",
    NotificationKind.REVIEW_REQUEST: "review",
    NotificationKind.REVIEW_OVERDUE: "review",
    NotificationKind.RETURNED: "result",
    NotificationKind.COMPLETED: "result",
    NotificationKind.ASSESSMENT: "result",
    NotificationKind.UNLOCKED: "result",
    NotificationKind.NOTICE_ISSUED: "task",
    NotificationKind.NOTICE_FOLLOW_UP: "task",
    NotificationKind.NOTICE_REPLIED: "review",
    NotificationKind.NOTICE_RETURNED: "result",
    NotificationKind.NOTICE_CLOSED: "result",
    NotificationKind.SPOT_CHECK: "result",
    NotificationKind.SELF_CHECK_RISK: "review",
}


class Notification(Base):
    """One message to one person or openid; at most once per (assignment, step, person, cycle)."""

    __tablename__ = "notification"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "step", "person_id", "cycle"),
                      sa.UniqueConstraint("notice_id", "step", "person_id", "cycle"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    channel: Mapped[Channel] = mapped_column(sa.String(10))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    openid: Mapped[str | None] = mapped_column(sa.String(64))
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    # A push about a notice (监督建议书/整改通知书): its ladder's steps, issue, reply, return.
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notice.id"), index=True)
    step: Mapped[str | None] = mapped_column(sa.String(40))
    cycle: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    url: Mapped[str] = mapped_column(sa.String(1024), default="")
    status: Mapped[NotificationStatus] = mapped_column(
        sa.String(20), default=NotificationStatus.PENDING, index=True
    )
    # Not before this time: quiet hours (22:00–07:30) and retry backoff push it later.
    send_after: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # The first send attempt opens WeChat's 10-minute client_msg_id window for safe retries.
    first_attempt_at: Mapped[datetime | None]
    sending_since: Mapped[datetime | None]
    digest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notification.id"))
    msgid: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    @property
    def client_msg_id(self) -> str:
        """WeChat's per-openid re-entry guard for template sends (fact sheet §3.1)."""
        return f"ql-{self.id}"


def notify(
    kind: NotificationKind,
    person_id: int,
    *,
    now: datetime,
    assignment_id: int | None = None,
    notice_id: int | None = None,
    step: str | None = None,
    cycle: int = 0,
    quiet=None,
    **fields,
) -> Notification:
    """A pending template notification, held until quiet hours end (except 督办). Added to the
    session; the caller commits, and the outbox relay sends it after the commit."""
    send_after = after_quiet_hours(kind, now, quiet)
    note = Notification(
        kind=kind,
        channel=fields.pop("channel", Channel.TEMPLATE),
        person_id=person_id,
        assignment_id=assignment_id,
        notice_id=notice_id,
        step=step or kind,
        cycle=cycle,
        created_at=now,
        send_after=send_after if send_after != now else None,
        **fields,
    )
    session.add(note)
    return note


def record_delivery(msgid: str, status: str, now: datetime) -> Notification | None:
    """TEMPLATESENDJOBFINISH: `success` → delivered, anything else → failed with WeChat's words."""
    note = session.scalar(sa.select(Notification).where(Notification.msgid == msgid))
    if note is None:
        return None
    if status == "success":
        note.status, note.delivered_at = NotificationStatus.DELIVERED, now
    else:
        note.status, note.error = NotificationStatus.FAILED, status[:200]
    return note


# Reading the outbox: one filter for the admin page and the API, the seed counts, a task's timeline.

# The ladder kinds whose totals the seed platforms publish ("预警提醒 N 次，蓝色预警 N 次…").
COUNTED_KINDS = (
    NotificationKind.REMINDER,
    NotificationKind.BLUE,
    NotificationKind.YELLOW,
    NotificationKind.RED,
    NotificationKind.SUPERVISION,
)


def filtered(*, status: str | None = None, kind: str | None = None, unit_id: int | None = None,
             person_id: int | None = None, name: str | None = None, since=None,
             until=None) -> sa.Select:
    """Notifications newest first, narrowed by whichever filters are given.

    `unit_id` and `name` (contained in the name) are the recipient's; `since` and `until` are
    Asia/Shanghai dates, both included, compared with when the push was recorded.
    """
    query = _with_recipient()
    for column, value in ((Notification.status, status), (Notification.kind, kind),
                          (Person.unit_id, unit_id), (Notification.person_id, person_id)):
        if value is not None:
            query = query.where(column == value)
    if name:
        query = query.where(Person.name.contains(name, autoescape=True))
    if since is not None:
        query = query.where(Notification.created_at >= _day_start(since))
    if until is not None:
        query = query.where(Notification.created_at < _day_start(until, days=1))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def _with_recipient() -> sa.Select:
    """Notifications joined to their recipient (none for a bare openid), as `described` needs."""
    return sa.select(Notification).outerjoin(Person, Person.id == Notification.person_id)


def _day_start(day, days: int = 0) -> datetime:
    """Midnight in Asia/Shanghai at the start of `day` (+ `days`), as an aware datetime."""
    return datetime.combine(day + timedelta(days=days), time(), SHANGHAI)


def counts(**filters) -> dict[str, dict[str, int]]:
    """The seed platforms' published totals over `filtered(**filters)`: pushes per ladder kind
    and per status.

    Each push counts once: a step sent inside a digest counts under its own kind (and as
    digested), an SMS fallback copy of a push does not count again.
    """
    rows = filtered(**filters).order_by(None).where(Notification.channel != Channel.SMS).subquery()
    kinds: dict[str, int] = dict.fromkeys(COUNTED_KINDS, 0)
    statuses: dict[str, int] = dict.fromkeys(NotificationStatus, 0)
    for kind, status, number in session.execute(
            sa.select(rows.c.kind, rows.c.status, sa.func.count())
            .group_by(rows.c.kind, rows.c.status)):
        if kind in kinds:
            kinds[kind] += number
        statuses[status] = statuses.get(status, 0) + number
    return {"kinds": {str(k): n for k, n in kinds.items()},
            "statuses": {str(s): n for s, n in statuses.items()}}


def described(query: sa.Select) -> sa.Select:
    """`query` (from `filtered` or `_with_recipient`) with what a reader needs on each row: the
    recipient's name and unit, the task's (or notice's) title, and the kind and status in
    words."""
    return (query.outerjoin(Unit, Unit.id == Person.unit_id)
            .outerjoin(Assignment, Assignment.id == Notification.assignment_id)
            .outerjoin(DutyTemplate, DutyTemplate.id == Assignment.template_id)
            .outerjoin(Notice, Notice.id == Notification.notice_id)
            .add_columns(Person.name.label("person_name"), Unit.name.label("unit_name"),
                         sa.func.coalesce(DutyTemplate.title, Notice.title).label("title"),
                         sa.case(dict(KIND_LABELS), value=Notification.kind,
                                 else_=Notification.kind).label("kind_label"),
                         sa.case(STATUS_LABELS, value=Notification.status,
                                 else_=Notification.status).label("status_label")))


def timeline(assignment_id: int) -> list[sa.Row]:
    """Every push about one task in the order they were recorded, with the digests that
    carried any of them, each row `described`."""
    carried = (sa.select(Notification.digest_id)
               .where(Notification.assignment_id == assignment_id,
                      Notification.digest_id.is_not(None)))
    query = (_with_recipient()
             .where((Notification.assignment_id == assignment_id) | Notification.id.in_(carried))
             # A digest is recorded just before the pushes it carries; it reads after them.
             .order_by(Notification.created_at, Notification.kind == NotificationKind.DIGEST,
                       Notification.id))
    return list(session.execute(described(query)))
