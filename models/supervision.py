"""工作督办: the formal escalation after red. Opening one asks the assignee for a written
response (in chat or on the task page); inspectors and the supervising body read it."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db import Base, session
from models.unit import Person

MIN_RESPONSE = 10
RESPONSE_DAYS = 3  # the 督办 notice asks for a written response within this many days


class Supervision(Base):
    """One 督办 of an assignment per ladder cycle, with the assignee's written response."""

    __tablename__ = "supervision"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime]
    response: Mapped[str] = mapped_column(sa.Text, default="")
    responded_at: Mapped[datetime | None]
    responder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    responder: Mapped[Person | None] = relationship()


def open_supervision(assignment) -> Supervision | None:
    """The assignment's 督办 awaiting a response, if any."""
    return session.scalar(sa.select(Supervision).where(
        Supervision.assignment_id == assignment.id, Supervision.responded_at.is_(None))
        .order_by(Supervision.id.desc()).limit(1))


def supervisions(assignment) -> list[Supervision]:
    return list(session.scalars(sa.select(Supervision).where(
        Supervision.assignment_id == assignment.id).order_by(Supervision.id)))
