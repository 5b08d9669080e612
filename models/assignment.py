"""Assignments (任务): one template for one assignee for one period, and its lifecycle states."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db import Base, session
from models.duty import DutyTemplate
from models.unit import Person, Role, Unit


class State(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    SUBMITTED = "submitted"
    FIRST_APPROVED = "first_approved"
    RETURNED = "returned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Warning(StrEnum):
    NONE = "none"
    REMINDER = "reminder"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    SUPERVISION = "supervision"


class Assignment(Base):
    """A dated duty task for a unit (person_id empty) or for one person of that unit."""

    __tablename__ = "assignment"
    __table_args__ = (
        sa.UniqueConstraint("template_id", "period", "unit_id", "person_key"),
        sa.Index("ix_assignment_open_next_step", "next_step_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_template.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # 0 for unit assignments: a unique constraint does not compare NULLs.
    person_key: Mapped[int] = mapped_column(default=0)
    period: Mapped[str] = mapped_column(sa.String(10))
    due_at: Mapped[datetime]
    state: Mapped[State] = mapped_column(sa.String(20), default=State.DISPATCHED, index=True)
    warning: Mapped[Warning] = mapped_column(sa.String(20), default=Warning.NONE)
    next_step_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    template: Mapped[DutyTemplate] = relationship()
    unit: Mapped[Unit] = relationship()
    person: Mapped[Person | None] = relationship()


OPEN_STATES = (State.DISPATCHED, State.ACKNOWLEDGED, State.RETURNED)
WARNED = (Warning.BLUE, Warning.YELLOW, Warning.RED, Warning.SUPERVISION)


def workload(person) -> dict[str, int]:
    """What `person` owes: open tasks (待办), those with a warning (预警), under 督办."""
    mine = sa.select(sa.func.count(Assignment.id)).where(
        Assignment.person_id == person.id, Assignment.state.in_(OPEN_STATES))
    return {
        "todo": session.scalar(mine),
        "warned": session.scalar(mine.where(Assignment.warning.in_(WARNED))),
        "supervised": session.scalar(mine.where(Assignment.warning == Warning.SUPERVISION)),
    }


def awaiting_review(person) -> int:
    """Submitted tasks waiting for `person`'s review (DESIGN: first level = the unit's
    supervising discipline body, final level = county inspectors)."""
    query = sa.select(sa.func.count(Assignment.id)).join(Assignment.unit)
    if person.role == Role.DISCIPLINE:
        return session.scalar(query.where(Assignment.state == State.SUBMITTED,
                                          Unit.supervisor_id == person.unit_id))
    if person.role == Role.INSPECTOR:
        return session.scalar(query.where(Assignment.state == State.FIRST_APPROVED))
    return 0
