"""Assignments (任务): one template for one assignee for one period, and its lifecycle states."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models.db import Base, session
from models.errors import Conflict, DomainError, NotAllowed
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


def review_filter(person) -> sa.ColumnElement[bool]:
    """Tasks whose current review level is `person`'s (DESIGN: first level = the unit's
    supervising discipline body, final level = county inspectors); needs a join to Unit."""
    if person.role == Role.DISCIPLINE:
        return (Assignment.state == State.SUBMITTED) & (Unit.supervisor_id == person.unit_id)
    if person.role == Role.INSPECTOR:
        return Assignment.state == State.FIRST_APPROVED
    return sa.false()


def awaiting_review(person) -> int:
    """How many tasks wait for `person`'s review."""
    return session.scalar(sa.select(sa.func.count(Assignment.id)).join(Assignment.unit)
                          .where(review_filter(person)))


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CANCEL = "cancel"


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
    **{(state, Action.CANCEL): State.CANCELLED for state in (
        State.DISPATCHED, State.ACKNOWLEDGED, State.SUBMITTED, State.FIRST_APPROVED,
        State.RETURNED)},
}
MIN_RETURN_REASON = 5


class AlreadyHandled(Conflict):
    message = "该任务已处理。"


def review_level(assignment: Assignment) -> int:
    """Which review is due: 1 (the supervising discipline body) or 2 (county inspectors).

    With one review level the supervising discipline body's approval completes the task.
    """
    return 2 if assignment.state == State.FIRST_APPROVED else 1


def is_assignee(person, assignment: Assignment) -> bool:
    """The assignee: the person, or for a unit's task its secretary or its liaison (committee)."""
    if assignment.person_id is not None:
        return assignment.person_id == person.id
    return person.unit_id == assignment.unit_id and person.role in (Role.SECRETARY, Role.COMMITTEE)


def can_review(person, assignment: Assignment) -> bool:
    """First level: a member of the unit's supervising discipline body; final: an inspector."""
    if assignment.state not in (State.SUBMITTED, State.FIRST_APPROVED):
        return False
    if review_level(assignment) == 1:
        return person.role == Role.DISCIPLINE and person.unit_id == assignment.unit.supervisor_id
    return person.role == Role.INSPECTOR


def can(person, action: Action, assignment: Assignment) -> bool:
    if action in (Action.ACKNOWLEDGE, Action.SUBMIT):
        return is_assignee(person, assignment)
    if action in (Action.APPROVE, Action.RETURN):
        return can_review(person, assignment)
    return person.role == Role.INSPECTOR  # cancel


def transition(assignment: Assignment, action: Action, actor, *, now: datetime,
               reason: str = "") -> State:
    """Apply `action` by `actor`: checks who and from which state, moves the state, records a
    Review for reviews and an audit event for everything. The caller commits."""
    from models import audit
    from models.review import Decision, Review

    target = TRANSITIONS.get((State(assignment.state), action))
    if target is None:
        raise AlreadyHandled()
    if not can(actor, action, assignment):
        raise NotAllowed("无权进行此操作。")
    if action == Action.RETURN and len(reason.strip()) < MIN_RETURN_REASON:
        raise DomainError(f"请填写退回理由（至少{MIN_RETURN_REASON}个字）。")
    if action in (Action.APPROVE, Action.RETURN):
        session.add(Review(assignment_id=assignment.id, level=review_level(assignment),
                           reviewer_id=actor.id, created_at=now, reason=reason.strip(),
                           decision=Decision.APPROVE if action == Action.APPROVE
                           else Decision.RETURN))
    target = _skip_missing_levels(target, assignment.template.review_levels)
    _stamp(assignment, target, now)
    audit.record(f"assignment.{action}", f"assignment:{assignment.id}", now=now, actor=actor,
                 state=target.value, reason=reason.strip())
    _notify_next(assignment, target, now)
    from models.escalation import plan

    plan(assignment, now)
    return target


# Who must act next, by the state a transition leads to (DESIGN: "notifies whoever must act
# next"). Rows are pending for the ladder's sender; one per round and person (unique constraint).
NEXT_NOTICE = {State.SUBMITTED: "review_request", State.FIRST_APPROVED: "review_request",
               State.RETURNED: "returned", State.COMPLETED: "completed"}


def _notify_next(assignment: Assignment, target: State, now: datetime) -> None:
    from models.notification import notify

    kind = NEXT_NOTICE.get(target)
    if kind is None:
        return
    if kind == "review_request":
        recipients, step = reviewers(assignment), f"review:{review_level(assignment)}"
    else:
        recipients, step = assignees(assignment), kind
    for person in recipients:
        notify(kind, person.id, now=now, assignment_id=assignment.id, step=step,
               cycle=assignment.round)


def reviewers(assignment: Assignment) -> list[Person]:
    """Who reviews it now: the supervising discipline body's members, then county inspectors."""
    if review_level(assignment) == 1:
        query = sa.select(Person).where(Person.role == Role.DISCIPLINE,
                                        Person.unit_id == assignment.unit.supervisor_id)
    else:
        query = sa.select(Person).where(Person.role == Role.INSPECTOR)
    return list(session.scalars(query.where(Person.active.is_(True)).order_by(Person.id)))


def assignees(assignment: Assignment) -> list[Person]:
    """Who acts on it: the person, or for a unit's task its liaison (else its secretary)."""
    if assignment.person_id is not None:
        return [session.get(Person, assignment.person_id)]
    for role in (Role.COMMITTEE, Role.SECRETARY):
        found = session.scalars(sa.select(Person).where(
            Person.unit_id == assignment.unit_id, Person.role == role,
            Person.active.is_(True)).order_by(Person.id)).all()
        if found:
            return list(found)
    return []


def _skip_missing_levels(target: State, levels: int) -> State:
    """Templates with fewer review levels complete earlier (0: on submission; 1: first approval)."""
    if target == State.SUBMITTED and levels == 0:
        return State.COMPLETED
    if target == State.FIRST_APPROVED and levels <= 1:
        return State.COMPLETED
    return target


def _stamp(assignment: Assignment, target: State, now: datetime) -> None:
    if target == State.ACKNOWLEDGED:
        assignment.acknowledged_at = now
    if target == State.SUBMITTED or (target == State.COMPLETED and assignment.submitted_at is None):
        assignment.submitted_at, assignment.round = now, assignment.round + 1
    if target == State.COMPLETED:
        assignment.completed_at = now
    assignment.state = target


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


SEES_ALL = (Role.INSPECTOR, Role.ADMIN)


def can_see(person, assignment: Assignment) -> bool:
    """Issue §7: the assignee, the unit's secretary, the supervising discipline body's members,
    inspectors and admins. `visible_filter` is the same rule for queries."""
    if person.role in SEES_ALL or is_assignee(person, assignment):
        return True
    if person.role == Role.SECRETARY and person.unit_id == assignment.unit_id:
        return True
    return person.role == Role.DISCIPLINE and person.unit_id == assignment.unit.supervisor_id


def visible_filter(person) -> sa.ColumnElement[bool]:
    """The WHERE clause selecting exactly the assignments `can_see` allows."""
    if person.role in SEES_ALL:
        return sa.true()
    clauses = [Assignment.person_id == person.id]
    if person.role in (Role.SECRETARY, Role.COMMITTEE):
        clauses.append(Assignment.person_id.is_(None) & (Assignment.unit_id == person.unit_id))
    if person.role == Role.SECRETARY:
        clauses.append(Assignment.unit_id == person.unit_id)
    if person.role == Role.DISCIPLINE:
        clauses.append(Assignment.unit_id.in_(
            sa.select(Unit.id).where(Unit.supervisor_id == person.unit_id)))
    return sa.or_(*clauses)
