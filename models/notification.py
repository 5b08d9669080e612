"""Notifications: every push to a person (template or customer-service message), an outbox row.

Rows are committed before anything is sent; a sender job moves them on. The unique constraint
(assignment, step, person, cycle) is what makes a ladder step go out at most once.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session


class Channel(StrEnum):
    TEMPLATE = "template"  # 模板消息
    CUSTOM = "custom"  # 客服消息 (48 h after the user's last interaction)
    SMS = "sms"  # the fallback channel for people WeChat cannot reach


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"
    DIGESTED = "digested"  # sent inside a digest (digest_id) instead of on its own
    UNKNOWN = "unknown"  # WeChat may or may not have sent it; an admin checks


class Kind(StrEnum):
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
    DIGEST = "digest"
    UNREACHABLE = "unreachable"


KIND_LABELS = {
    Kind.DISPATCHED: "任务派发", Kind.REMINDER: "预警提醒", Kind.BLUE: "蓝色预警",
    Kind.YELLOW: "黄色预警", Kind.RED: "红色预警", Kind.SUPERVISION: "工作督办",
    Kind.URGE: "催办", Kind.REVIEW_REQUEST: "待审核提醒", Kind.REVIEW_OVERDUE: "审核超期提醒",
    Kind.RETURNED: "退回整改", Kind.COMPLETED: "审核通过", Kind.DIGEST: "合并提醒",
    Kind.UNREACHABLE: "无法送达告知",
}
STATUS_LABELS = {
    Status.PENDING: "待发送", Status.SENDING: "发送中", Status.SENT: "已发送",
    Status.DELIVERED: "已送达", Status.FAILED: "发送失败", Status.UNDELIVERABLE: "无法送达",
    Status.DIGESTED: "已合并发送", Status.UNKNOWN: "结果未知",
}
# Each kind's template purpose (app.DEFAULT_TEMPLATE_IDS).
PURPOSE = {
    Kind.DISPATCHED: "task", Kind.REMINDER: "warning", Kind.BLUE: "warning",
    Kind.YELLOW: "warning", Kind.RED: "warning", Kind.URGE: "warning", Kind.DIGEST: "warning",
    Kind.UNREACHABLE: "warning", Kind.SUPERVISION: "supervision",
    Kind.REVIEW_REQUEST: "review", Kind.REVIEW_OVERDUE: "review",
    Kind.RETURNED: "result", Kind.COMPLETED: "result",
}


class Notification(Base):
    """One message to one person or openid; at most once per (assignment, step, person, cycle)."""

    __tablename__ = "notification"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "step", "person_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    channel: Mapped[Channel] = mapped_column(sa.String(10))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    openid: Mapped[str | None] = mapped_column(sa.String(64))
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    step: Mapped[str | None] = mapped_column(sa.String(20))
    cycle: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    url: Mapped[str] = mapped_column(sa.String(1024), default="")
    status: Mapped[Status] = mapped_column(sa.String(20), default=Status.PENDING, index=True)
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


def notify(kind: Kind, person_id: int, *, now: datetime, assignment_id: int | None = None,
           step: str | None = None, cycle: int = 0, quiet=None, **fields) -> Notification:
    """A pending template notification, held until quiet hours end (except 督办). Added to the
    session; the caller commits, and the outbox relay sends it after the commit."""
    from models.ladder import after_quiet_hours

    send_after = after_quiet_hours(kind, now, quiet)
    note = Notification(kind=kind, channel=fields.pop("channel", Channel.TEMPLATE),
                        person_id=person_id, assignment_id=assignment_id, step=step or kind,
                        cycle=cycle, created_at=now,
                        send_after=send_after if send_after != now else None, **fields)
    session.add(note)
    return note


def record_delivery(msgid: str, status: str, now: datetime) -> Notification | None:
    """TEMPLATESENDJOBFINISH: `success` → delivered, anything else → failed with WeChat's words."""
    note = session.scalar(sa.select(Notification).where(Notification.msgid == msgid))
    if note is None:
        return None
    if status == "success":
        note.status, note.delivered_at = Status.DELIVERED, now
    else:
        note.status, note.error = Status.FAILED, status[:200]
    return note
