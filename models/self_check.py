"""Monthly self-checks (月度自查) [seed: 随州]: a duty task of kind `selfcheck` whose form is
the assignee's own posts and risk points (models.post.posts_of) at the time of answering.

For each risk point the cadre says whether the risk occurred (是否发生风险) and how the
prevention measures were carried out (防控措施落实情况), then writes a summary (小结). Handing
it in is the task's 上报: the summary becomes the round's text evidence, the answers are kept
with a copy of the risk point's post, description and level (so the record survives later
edits of the post), and the lifecycle's submit moves it on (review, or done at 0 levels).

A risk reported as occurred opens a follow-up (`RiskFollowUp`) for the discipline body that
supervises the person's unit (models.hierarchy): pushed to its members, listed for them, and
closed with what they verified and did (核实处置情况). Audited throughout.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models import audit
from models.assignment import OPEN_STATES, Action, Assignment, State
from models.db import Base, session
from models.duty import TemplateKind
from models.errors import Conflict, DomainError, NotAllowed
from models.evidence import EvidenceKind, attach, current_round, require_assignee
from models.hierarchy import SEES_ALL, Directory
from models.late import require_open
from models.lifecycle import transition
from models.notification import NotificationKind, notify
from models.post import MEASURES_MAX, RISK_LEVEL_LABELS, RiskLevel, posts_of
from models.unit import Person, Role, Unit

SUMMARY_MAX = 2000
MIN_SUMMARY = 5
MIN_MEASURES = 2
MIN_FOLLOW_UP = 5


class SelfCheckAnswer(Base):
    """One risk point's answer in one submission round of a self-check."""

    __tablename__ = "self_check_answer"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "round", "risk_point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    round: Mapped[int]
    # The risk point may be edited or removed later: what was asked is copied below.
    risk_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("risk_point.id", ondelete="SET NULL"))
    post_name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(300))
    level: Mapped[RiskLevel] = mapped_column(sa.String(10))
    occurred: Mapped[bool]
    measures: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]

    @property
    def level_label(self) -> str:
        return RISK_LEVEL_LABELS[RiskLevel(self.level)]


class RiskFollowUp(Base):
    """A risk a self-check reported as occurred, for the supervising discipline body to verify
    and close (核实处置)."""

    __tablename__ = "risk_follow_up"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "risk_point_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("self_check_answer.id"))
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    # One follow-up per task and risk point, however often it is handed in again.
    risk_point_key: Mapped[int]
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    created_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    answer: Mapped[SelfCheckAnswer] = relationship()
    assignment: Mapped[Assignment] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    closed_by: Mapped[Person | None] = relationship()


@dataclass(frozen=True)
class Question:
    """One risk point as the form asks about it."""

    risk_point_id: int
    post_name: str
    description: str
    level: str
    measures: str

    @property
    def level_label(self) -> str:
        return RISK_LEVEL_LABELS[RiskLevel(self.level)]


@dataclass(frozen=True)
class Answer:
    """A reply to one question; `occurred` None while unanswered."""

    risk_point_id: int
    occurred: bool | None
    measures: str


def is_self_check(assignment: Assignment) -> bool:
    """Whether the task is a 月度自查 (its form is the assignee's risk points)."""
    return assignment.template.kind == TemplateKind.SELFCHECK


def questions(person: Person) -> list[Question]:
    """The form for `person` now: every risk point of their posts, posts and points in order."""
    return [Question(point.id, post.name, point.description, point.level, point.measures)
            for post in posts_of(person) for point in post.risk_points]


def problems(asked: list[Question], answers: dict[int, Answer], summary: str) -> list[str]:
    """Why these answers cannot be handed in, each naming the risk point by number; [] if
    they can."""
    found = []
    for number, question in enumerate(asked, start=1):
        answer = answers.get(question.risk_point_id)
        if answer is None or answer.occurred is None:
            found.append(f"第{number}项风险点：请选择是否发生风险。")
        measures = answer.measures.strip() if answer else ""
        if len(measures) < MIN_MEASURES:
            found.append(f"第{number}项风险点：请填写防控措施落实情况。")
        elif len(measures) > MEASURES_MAX:
            found.append(f"第{number}项风险点：防控措施落实情况不超过{MEASURES_MAX}个字。")
    if len(summary.strip()) < MIN_SUMMARY:
        found.append(f"请填写本月自查小结（至少{MIN_SUMMARY}个字）。")
    elif len(summary.strip()) > SUMMARY_MAX:
        found.append(f"自查小结不超过{SUMMARY_MAX}个字。")
    return found


def hand_in(assignment: Assignment, person: Person, answers: dict[int, Answer], summary: str,
            *, now: datetime) -> State:
    """上报 a self-check: the answers to the person's risk points as they stand now and the
    summary, then the lifecycle's submit. Refused (DomainError) unless every risk point is
    answered; opens a follow-up for every risk reported as occurred. The caller commits."""
    if not is_self_check(assignment):
        raise DomainError("该任务不是月度自查。")
    require_assignee(assignment, person)
    if assignment.state not in OPEN_STATES:
        raise Conflict("该自查已上报。")
    require_open(assignment, now)
    asked = questions(person)
    if found := problems(asked, answers, summary):
        raise DomainError("\n".join(found))
    number = current_round(assignment)
    attach(assignment, EvidenceKind.TEXT, person, now=now, text=summary.strip())
    rows = [SelfCheckAnswer(
        assignment_id=assignment.id, round=number, risk_point_id=q.risk_point_id,
        post_name=q.post_name, description=q.description, level=q.level,
        occurred=bool(answers[q.risk_point_id].occurred),
        measures=answers[q.risk_point_id].measures.strip(), created_at=now) for q in asked]
    session.add_all(rows)
    session.flush()
    audit.record("self_check.answer", f"assignment:{assignment.id}", now=now, actor=person,
                 round=number, answers=len(rows), occurred=sum(row.occurred for row in rows))
    state = transition(assignment, Action.SUBMIT, person, now=now)
    for row in rows:
        if row.occurred:
            _open_follow_up(assignment, row, now)
    return state


def _open_follow_up(assignment: Assignment, answer: SelfCheckAnswer, now: datetime) -> None:
    """A reported risk for the supervising body, pushed to its members; once per task and risk
    point."""
    key = answer.risk_point_id or -answer.id
    if session.scalar(sa.select(RiskFollowUp.id).where(
            RiskFollowUp.assignment_id == assignment.id, RiskFollowUp.risk_point_key == key)):
        return
    found = Directory()
    follow_up = RiskFollowUp(answer_id=answer.id, assignment_id=assignment.id,
                             risk_point_key=key, unit_id=assignment.unit_id,
                             body_id=found.body_of(assignment.unit_id), created_at=now)
    session.add(follow_up)
    session.flush()
    audit.record("self_check.risk_reported", f"risk_follow_up:{follow_up.id}", now=now,
                 assignment=assignment.id, description=answer.description,
                 body=follow_up.body_id)
    for person_id in found.discipline(assignment.unit_id) or found.inspectors():
        notify(NotificationKind.SELF_CHECK_RISK, person_id, now=now,
               assignment_id=assignment.id, step=f"self_check_risk:{follow_up.id}")


def follow_up_of(step: str | None) -> RiskFollowUp | None:
    """The follow-up a SELF_CHECK_RISK push is about (its step is "self_check_risk:<id>")."""
    _, _, number = (step or "").partition(":")
    return session.get(RiskFollowUp, int(number)) if number.isdigit() else None


def answers_of(assignment: Assignment, number: int | None = None) -> list[SelfCheckAnswer]:
    """The answers handed in with round `number` (default: the last one handed in)."""
    number = assignment.round if number is None else number
    return list(session.scalars(sa.select(SelfCheckAnswer).where(
        SelfCheckAnswer.assignment_id == assignment.id, SelfCheckAnswer.round == number)
        .order_by(SelfCheckAnswer.id)))


# Follow-ups (核实处置)

def can_follow_up(person: Person, follow_up: RiskFollowUp,
                  found: Directory | None = None) -> bool:
    """The supervising body's members (or, for a vacant body, whoever the ladder's rule
    reaches) and the county inspectors follow a reported risk up."""
    if person.role == Role.INSPECTOR:
        return True
    if person.role != Role.DISCIPLINE:
        return False
    return person.id in (found or Directory()).discipline(follow_up.unit_id)


def may_list(person: Person) -> bool:
    """Who may read the reported risks: discipline bodies (their own units'), inspectors and
    admins (all)."""
    return person.role in (Role.DISCIPLINE, *SEES_ALL)


def follow_ups(person: Person, *, state: str = "open", limit: int = 100,
               offset: int = 0) -> list[RiskFollowUp]:
    """The reported risks `person` sees, oldest open first: a discipline body's own units',
    everything for inspectors and admins. `state` is open, closed or all."""
    query = sa.select(RiskFollowUp).options(
        joinedload(RiskFollowUp.answer), joinedload(RiskFollowUp.unit),
        joinedload(RiskFollowUp.assignment).joinedload(Assignment.person))
    if person.role not in SEES_ALL:
        query = query.where(RiskFollowUp.body_id == person.unit_id)
    if state == "open":
        query = query.where(RiskFollowUp.closed_at.is_(None))
    elif state == "closed":
        query = query.where(RiskFollowUp.closed_at.is_not(None))
    query = query.order_by(RiskFollowUp.closed_at.is_not(None), RiskFollowUp.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def close(follow_up: RiskFollowUp, person: Person, note: str, *, now: datetime) -> RiskFollowUp:
    """Record what was verified and done about a reported risk and close it; audited. The
    caller commits."""
    if not can_follow_up(person, follow_up):
        raise NotAllowed("只有监督该单位的纪检监察人员或县纪委监委审核人员可以跟进。")
    if follow_up.closed_at is not None:
        raise Conflict("该风险已跟进办结。")
    note = note.strip()
    if len(note) < MIN_FOLLOW_UP:
        raise DomainError(f"请填写核实处置情况（至少{MIN_FOLLOW_UP}个字）。")
    if len(note) > SUMMARY_MAX:
        raise DomainError(f"核实处置情况不超过{SUMMARY_MAX}个字。")
    follow_up.note, follow_up.closed_at, follow_up.closed_by_id = note, now, person.id
    audit.record("self_check.follow_up", f"risk_follow_up:{follow_up.id}", now=now, actor=person,
                 assignment=follow_up.assignment_id, note=note)
    return follow_up


def totals(year: int) -> dict[str, int]:
    """The dashboard's 自查报告风险 N 项，待跟进 M 项 for self-checks of `year`."""
    reported, open_ = session.execute(sa.select(
        sa.func.count(RiskFollowUp.id),
        sa.func.count(RiskFollowUp.id).filter(RiskFollowUp.closed_at.is_(None)))
        .join(Assignment, Assignment.id == RiskFollowUp.assignment_id)
        .where(Assignment.period.like(f"{year}-%"))).one()
    return {"reported": reported, "open": open_}


def _months(start: date, end: date) -> list[str]:
    """The monthly period keys whose first day falls in [start, end)."""
    keys, year, month = [], start.year, start.month
    if start.day > 1:
        month += 1
    while True:
        if month > 12:
            year, month = year + 1, 1
        if date(year, month, 1) >= end:
            return keys
        keys.append(f"{year}-{month:02d}")
        month += 1


def risk_counts(unit_ids: list[int], start: date, end: date,
                as_of: datetime) -> dict[int, tuple[int, int]]:
    """Per unit, (reported, followed_up): risks self-checks of a month starting in [start, end)
    reported as occurred, and how many of them were followed up and closed, as known at `as_of`
    (only rows recorded, and closures made, before it: a past month recomputes the same).

    For the political-ecology index (models.eco_index); every unit asked for has a row."""
    counts = {unit_id: (0, 0) for unit_id in unit_ids}
    months = _months(start, end)
    if not unit_ids or not months:
        return counts
    closed = (RiskFollowUp.closed_at.is_not(None)) & (RiskFollowUp.closed_at < as_of)
    rows = session.execute(
        sa.select(RiskFollowUp.unit_id, sa.func.count(RiskFollowUp.id),
                  sa.func.count(RiskFollowUp.id).filter(closed))
        .join(Assignment, Assignment.id == RiskFollowUp.assignment_id)
        .where(RiskFollowUp.unit_id.in_(unit_ids), Assignment.period.in_(months),
               RiskFollowUp.created_at < as_of)
        .group_by(RiskFollowUp.unit_id))
    for unit_id, reported, followed in rows:
        counts[unit_id] = (reported, followed)
    return counts

