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


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"


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
    attempts: Mapped[int] = mapped_column(default=0)
    msgid: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    @property
    def client_msg_id(self) -> str:
        """WeChat's per-openid re-entry guard for template sends (fact sheet §3.1)."""
        return f"ql-{self.id}"


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
