"""Notices (监督建议书 / 整改通知书): a discipline body's or the county inspectors' written
finding to a unit, with items to rectify, each with its own deadline and responsible person
(issue 11; reference/domain.md §1.3: 整改要求, 责任人, 整改时限, 限期回复, 回访, 销账).

The tables, their states and the two transition tables (the notice's and each item's, STYLE R4).
Who may do which, and the actions themselves, are models.notice_lifecycle.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db import Base, session
from models.ladder import Level
from models.unit import Person, Unit


class NoticeKind(StrEnum):
    SUGGESTION = "suggestion"  # 监督建议书
    RECTIFICATION = "rectification"  # 整改通知书


class NoticeState(StrEnum):
    DRAFTED = "drafted"  # 草稿: no number yet, seen by the issuer only
    ISSUED = "issued"  # 已下发: numbered, the unit told
    ACKNOWLEDGED = "acknowledged"  # 已签收 / 整改中: some item still owes a reply
    REPLIED = "replied"  # 已回复: every item answered, some awaiting verification
    FOLLOW_UP = "follow_up"  # 待回访: every item accepted; the issuer checks back on a date
    CLOSED = "closed"  # 已销账
    DISCARDED = "discarded"  # a draft thrown away (never numbered)


class ItemState(StrEnum):
    OPEN = "open"  # 待整改
    REPLIED = "replied"  # 已回复, awaiting the issuer's verification
    ACCEPTED = "accepted"  # 核实通过
    RETURNED = "returned"  # 退回重改, with a reason


class NoticeAction(StrEnum):
    EDIT = "edit"  # the draft's words and items
    ISSUE = "issue"
    DISCARD = "discard"
    ACKNOWLEDGE = "acknowledge"  # 签收
    REPLY = "reply"  # an item's reply (text, photos, files)
    ACCEPT = "accept"  # an item verified
    RETURN = "return"  # an item sent back with a reason
    CLOSE = "close"  # 回访 recorded and 销账


KIND_LABELS = {NoticeKind.SUGGESTION: "监督建议书", NoticeKind.RECTIFICATION: "整改通知书"}
STATE_LABELS = {NoticeState.DRAFTED: "草稿", NoticeState.ISSUED: "已下发",
                NoticeState.ACKNOWLEDGED: "整改中", NoticeState.REPLIED: "已回复待核实",
                NoticeState.FOLLOW_UP: "待回访", NoticeState.CLOSED: "已销账",
                NoticeState.DISCARDED: "已删除"}
ITEM_STATE_LABELS = {ItemState.OPEN: "待整改", ItemState.REPLIED: "已回复待核实",
                     ItemState.ACCEPTED: "核实通过", ItemState.RETURNED: "退回重改"}


# The notice's lifecycle. REPLY, ACCEPT and RETURN are done to items; the notice follows when
# the item's move settles it (the last open item answered, the last reply accepted, a return).
TRANSITIONS: dict[tuple[NoticeState, NoticeAction], NoticeState] = {
    (NoticeState.DRAFTED, NoticeAction.EDIT): NoticeState.DRAFTED,
    (NoticeState.DRAFTED, NoticeAction.ISSUE): NoticeState.ISSUED,
    (NoticeState.DRAFTED, NoticeAction.DISCARD): NoticeState.DISCARDED,
    (NoticeState.ISSUED, NoticeAction.ACKNOWLEDGE): NoticeState.ACKNOWLEDGED,
    (NoticeState.ACKNOWLEDGED, NoticeAction.REPLY): NoticeState.REPLIED,
    (NoticeState.ACKNOWLEDGED, NoticeAction.ACCEPT): NoticeState.ACKNOWLEDGED,
    (NoticeState.ACKNOWLEDGED, NoticeAction.RETURN): NoticeState.ACKNOWLEDGED,
    (NoticeState.REPLIED, NoticeAction.ACCEPT): NoticeState.FOLLOW_UP,
    (NoticeState.REPLIED, NoticeAction.RETURN): NoticeState.ACKNOWLEDGED,
    (NoticeState.FOLLOW_UP, NoticeAction.CLOSE): NoticeState.CLOSED,
}
ITEM_TRANSITIONS: dict[tuple[ItemState, NoticeAction], ItemState] = {
    (ItemState.OPEN, NoticeAction.REPLY): ItemState.REPLIED,
    (ItemState.RETURNED, NoticeAction.REPLY): ItemState.REPLIED,
    (ItemState.REPLIED, NoticeAction.ACCEPT): ItemState.ACCEPTED,
    (ItemState.REPLIED, NoticeAction.RETURN): ItemState.RETURNED,
}
ITEM_ACTIONS = (NoticeAction.REPLY, NoticeAction.ACCEPT, NoticeAction.RETURN)
# The unit owes these; the ladder runs on them.
OWED = (ItemState.OPEN, ItemState.RETURNED)
LIVE = (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED, NoticeState.REPLIED, NoticeState.FOLLOW_UP)


class Notice(Base):
    """One notice from an issuing body (a discipline body or the county commission) to one
    unit. Numbered 〔year〕第N号 when issued, per issuer and year, never reused: the unique
    constraint is the guard."""

    __tablename__ = "notice"
    __table_args__ = (sa.UniqueConstraint("issuer_id", "year", "number"),
                      sa.Index("ix_notice_next_step_at", "next_step_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(sa.String(20))
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    year: Mapped[int | None]
    number: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(80))
    facts: Mapped[str] = mapped_column(sa.Text, default="")  # 发现的问题
    basis: Mapped[str] = mapped_column(sa.Text, default="")  # 依据
    reply_due_at: Mapped[datetime]  # 限期回复
    follow_up_days: Mapped[int] = mapped_column(default=30)  # 回访: days after acceptance
    state: Mapped[NoticeState] = mapped_column(sa.String(20), default=NoticeState.DRAFTED,
                                               index=True)
    # The reply deadline's ladder (models.notice_escalation), like an assignment's.
    warning: Mapped[Level] = mapped_column(sa.String(20), default=Level.NONE)
    next_step_at: Mapped[datetime | None]
    drafted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime]
    issued_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    replied_at: Mapped[datetime | None]  # every item answered (the latest time it became so)
    accepted_at: Mapped[datetime | None]  # every item accepted
    follow_up_due_at: Mapped[datetime | None]
    follow_up_note: Mapped[str] = mapped_column(sa.Text, default="")  # 回访情况
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    issuer: Mapped[Unit] = relationship(foreign_keys=[issuer_id])
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    drafted_by: Mapped[Person] = relationship(foreign_keys=[drafted_by_id])
    items: Mapped[list["NoticeItem"]] = relationship(
        back_populates="notice", order_by="NoticeItem.position", cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        """文号: 〔2026〕第3号, empty for a draft."""
        return f"〔{self.year}〕第{self.number}号" if self.number else ""

    @property
    def name(self) -> str:
        """整改通知书〔2026〕第3号; a draft: 整改通知书（草稿）."""
        return KIND_LABELS[NoticeKind(self.kind)] + (self.reference or "（草稿）")


class NoticeItem(Base):
    """One 整改要求: what to put right, by when, who answers for it, and its reply rounds."""

    __tablename__ = "notice_item"
    __table_args__ = (sa.Index("ix_notice_item_next_step_at", "next_step_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notice.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    requirement: Mapped[str] = mapped_column(sa.Text)
    due_at: Mapped[datetime]  # 整改时限
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))  # 责任人
    state: Mapped[ItemState] = mapped_column(sa.String(20), default=ItemState.OPEN)
    # Replies: round 1 is the first; a return and a new reply add one (evidence rows carry it).
    round: Mapped[int] = mapped_column(default=0)
    reply: Mapped[str] = mapped_column(sa.Text, default="")  # the latest round's text
    replied_at: Mapped[datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")
    returns: Mapped[int] = mapped_column(default=0)
    warning: Mapped[Level] = mapped_column(sa.String(20), default=Level.NONE)
    next_step_at: Mapped[datetime | None]
    ladder_cycle: Mapped[int] = mapped_column(default=0)

    notice: Mapped[Notice] = relationship(back_populates="items")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])

    @property
    def label(self) -> str:
        return f"第{self.position}项"


def next_number(issuer_id: int, year: int) -> int:
    """The issuer's next number in `year`: one past the highest ever given (a discarded or
    deleted notice never frees its number; drafts have none)."""
    highest = session.scalar(sa.select(sa.func.max(Notice.number)).where(
        Notice.issuer_id == issuer_id, Notice.year == year))
    return (highest or 0) + 1

