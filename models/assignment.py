"""Assignments (任务): one template for one assignee for one period, and its lifecycle states."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models.db import Base, session
from models.errors import Conflict
from models.duty import DutyTemplate
from models.ladder import Level
from models.unit import Person, Role, Unit


class State(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    SUBMITTED = "submitted"
    FIRST_APPROVED = "first_approved"
    RETURNED = "returned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


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
    warning: Mapped[Level] = mapped_column(sa.String(20), default=Level.NONE)
    # When the sweep must next look at it: the next ladder step, or a reviewer reminder;
    # empty once nothing more can fall due. Maintained by models.escalation.plan().
    next_step_at: Mapped[datetime | None]
    # A due-date extension starts the ladder afresh: its pushes carry the new cycle.
    ladder_cycle: Mapped[int] = mapped_column(default=0)
    # Submission rounds: 0 before the first submission; a return and resubmission adds one.
    round: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # 补报: an inspector reopened input the template's late policy had closed (models.late).
    unlocked_at: Mapped[datetime | None]
    unlocked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    template: Mapped[DutyTemplate] = relationship()
    unit: Mapped[Unit] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])


OPEN_STATES = (State.DISPATCHED, State.ACKNOWLEDGED, State.RETURNED)
WARNED = (Level.BLUE, Level.YELLOW, Level.RED, Level.SUPERVISION)
WORST_FIRST = (Level.SUPERVISION, Level.RED, Level.YELLOW, Level.BLUE, Level.REMINDER,
               Level.NONE)


def severity() -> sa.Case:
    """An ORDER BY for the worst warning first (督办, red, yellow, blue, reminder, none)."""
    return sa.case({str(level): rank for rank, level in enumerate(WORST_FIRST)},
                   value=Assignment.warning, else_=len(WORST_FIRST))


def workload(person) -> dict[str, int]:
    """What `person` owes: open tasks (待办), those with a warning (预警), under 督办."""
    mine = sa.select(sa.func.count(Assignment.id)).where(
        Assignment.person_id == person.id, Assignment.state.in_(OPEN_STATES))
    return {
        "todo": session.scalar(mine),
        "warned": session.scalar(mine.where(Assignment.warning.in_(WARNED))),
        "supervised": session.scalar(mine.where(Assignment.warning == Level.SUPERVISION)),
    }


class Action(StrEnum):
    """What a person may do with an assignment: the lifecycle's transitions, then the actions
    that leave the state alone (models.hierarchy.allowed says who may do which)."""

    ACKNOWLEDGE = "acknowledge"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CANCEL = "cancel"
    REOPEN = "reopen"  # 抽查核实不实: a completed task goes back for rework (models.spot_check)
    URGE = "urge"  # 催办
    INSTRUCT = "instruct"  # 领导批示
    RESPOND = "respond"  # 督办回复
    EXTEND = "extend"  # a new due time
    REASSIGN = "reassign"  # 改派
    UNLOCK = "unlock"  # 补报: reopen input closed by the template's late policy


# The lifecycle (DESIGN.md): the one table that says which action leads where (STYLE R4).
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DISPATCHED, Action.ACKNOWLEDGE): State.ACKNOWLEDGED,
    (State.DISPATCHED, Action.SUBMIT): State.SUBMITTED,
    (State.ACKNOWLEDGED, Action.SUBMIT): State.SUBMITTED,
    (State.RETURNED, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.APPROVE): State.FIRST_APPROVED,
    (State.FIRST_APPROVED, Action.APPROVE): State.COMPLETED,
    (State.SUBMITTED, Action.RETURN): State.RETURNED,
    (State.FIRST_APPROVED, Action.RETURN): State.RETURNED,
    (State.COMPLETED, Action.REOPEN): State.RETURNED,
    **{(state, Action.CANCEL): State.CANCELLED for state in (
        State.DISPATCHED, State.ACKNOWLEDGED, State.SUBMITTED, State.FIRST_APPROVED,
        State.RETURNED)},
}
MIN_RETURN_REASON = 5


class AlreadyHandled(Conflict):
    message = "该任务已处理。"


FINAL_STATES = (State.COMPLETED, State.CANCELLED)


def open_assignments(person) -> list[Assignment]:
    """The person's unfinished tasks (theirs, or their unit's when they act for it), by due time."""
    mine = Assignment.person_id == person.id
    if person.role in (Role.SECRETARY, Role.COMMITTEE):
        mine = mine | ((Assignment.person_id.is_(None)) & (Assignment.unit_id == person.unit_id))
    return list(session.scalars(
        sa.select(Assignment).where(mine, Assignment.state.not_in(FINAL_STATES))
        .options(joinedload(Assignment.template))
        .order_by(Assignment.due_at, Assignment.id)))


