"""Scoring (DESIGN.md "Scoring", issue 10): the policy as data, versioned per year, and the one
computation of every assignment's, person's and unit's score as of any instant.

The rules, for the tasks of one year (a task belongs to the year of its period; a one-off task
to the year of its due day) looked at as of an instant `t`:

- cancelled by `t`: out of the total (应得分 does not count it);
- approved by `t`, handed in before the deadline (the day after the period ends, 00:00
  Shanghai, plus the policy's grace days): its points × (1 − the penalty of the highest warning
  level it reached: blue 10 %, yellow 30 %, red 50 %, 督办 100 % by default). A due-date
  extension starts the ladder afresh, so lateness is measured against the extended due time;
- handed in after the deadline, or still not done at the deadline: 0 (逾期未完成), except a
  task handed in before the deadline and still awaiting review, which waits (待审核);
- a task whose template closes input after its due time (late policy `close`), still not
  handed in when input closed and not reopened by then: 0 at once (截止后未报); reopened by an
  inspector (补报) and then done, it scores as late work, or 0 if the policy says so;
- otherwise it is still in progress (进行中) and counts neither way yet.

A unit's score covers its own tasks and its people's: 100 × 实得分 / 应得分 − 扣分 + 加分 (加分
capped by the policy), deductions being points on that 100-point scale as counties write them
("扣3分"); never below 0. A unit with nothing scored yet starts from 100. Units are ranked
within their kind by: score, then on-time rate, then fewer 督办, then fewer red warnings, then
fewer points deducted; units equal on all of them share a rank (1, 1, 3).
"""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models import audit
from models.assignment import Assignment, State
from models.audit import AuditEvent
from models.clock import SHANGHAI
from models.db import Base, session
from models.deduction import Deduction, DeductionKind, in_force
from models.dispatch import bounds
from models.duty import DutyTemplate, LatePolicy, Period
from models.errors import DomainError, NotAllowed
from models.ladder import Level
from models.notification import KIND_LABELS, Notification
from models.unit import Person, Role, Unit, UnitKind

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PENALTY_LEVELS = (Level.BLUE, Level.YELLOW, Level.RED, Level.SUPERVISION)
LEVEL_ORDER = {level: i for i, level in enumerate(Level)}
LEVELS = {str(level): level for level in Level}  # a stored value → its Level, without Level()
# The penalty levels a task at each level has reached (its Score.warnings counts).
REACHED = {level: tuple(p for p in PENALTY_LEVELS if LEVEL_ORDER[level] >= LEVEL_ORDER[p])
           for level in Level}
RANKED_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.DISCIPLINE, UnitKind.VILLAGE)


class UnlockedRule(StrEnum):
    """How work handed in after an inspector reopened a closed task (补报) scores."""

    PENALTY = "penalty"  # like any late work: by the highest warning level reached
    ZERO = "zero"  # 0, as 富宁 scores work after the deadline


UNLOCKED_RULE_LABELS = {UnlockedRule.PENALTY: "按预警等级扣分", UnlockedRule.ZERO: "按0分计"}


class ScoringPolicy(Base):
    """One version of a year's scoring rules; a change adds a version, none is ever edited."""

    __tablename__ = "scoring_policy"
    __table_args__ = (sa.UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    version: Mapped[int]
    penalty_blue: Mapped[int]
    penalty_yellow: Mapped[int]
    penalty_red: Mapped[int]
    penalty_supervision: Mapped[int]
    grace_days: Mapped[int]
    unlocked_rule: Mapped[UnlockedRule] = mapped_column(sa.String(20))
    bonus_cap: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    # Notices (issue 11): points off the unit for a reply past its deadline and for each
    # item returned as not put right; 0 turns either off.
    notice_late_points: Mapped[Decimal] = mapped_column(
        sa.Numeric(6, 2), default=Decimal(1), server_default="1")
    notice_return_points: Mapped[Decimal] = mapped_column(
        sa.Numeric(6, 2), default=Decimal("0.5"), server_default="0.5")
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))


@dataclass(frozen=True)
class Rules:
    """The rules one computation uses: a stored policy version, or DESIGN's defaults
    (version 0)."""

    year: int
    penalties: dict  # Level → percent taken off
    grace_days: int = 0
    unlocked_rule: UnlockedRule = UnlockedRule.PENALTY
    bonus_cap: Decimal = Decimal(5)
    notice_late_points: Decimal = Decimal(1)
    notice_return_points: Decimal = Decimal("0.5")
    version: int = 0
    policy_id: int | None = None
    from_year: int | None = None  # when carried over from an earlier year's policy

    def penalty(self, level) -> int:
        return self.penalties.get(LEVELS[level], 0)

    def as_dict(self) -> dict:
        return {"year": self.year, "version": self.version, "policy_id": self.policy_id,
                "from_year": self.from_year, "grace_days": self.grace_days,
                "unlocked_rule": str(self.unlocked_rule), "bonus_cap": f"{self.bonus_cap:.2f}",
                "notice_late_points": f"{self.notice_late_points:.2f}",
                "notice_return_points": f"{self.notice_return_points:.2f}",
                "penalties": {str(level): self.penalties[level] for level in PENALTY_LEVELS}}


DEFAULT_PENALTIES = {Level.BLUE: 10, Level.YELLOW: 30, Level.RED: 50, Level.SUPERVISION: 100}


def _rules(row: ScoringPolicy | None, year: int) -> Rules:
    if row is None:
        return Rules(year=year, penalties=dict(DEFAULT_PENALTIES))
    return Rules(year=year, penalties={
        Level.BLUE: row.penalty_blue, Level.YELLOW: row.penalty_yellow,
        Level.RED: row.penalty_red, Level.SUPERVISION: row.penalty_supervision},
        grace_days=row.grace_days, unlocked_rule=UnlockedRule(row.unlocked_rule),
        bonus_cap=Decimal(row.bonus_cap), version=row.version, policy_id=row.id,
        notice_late_points=Decimal(row.notice_late_points or 0),
        notice_return_points=Decimal(row.notice_return_points or 0),
        from_year=row.year if row.year != year else None)


def policy_for(year: int) -> Rules:
    """The year's newest policy version; else the newest of the latest earlier year (carried
    over); else DESIGN's defaults."""
    row = session.scalars(sa.select(ScoringPolicy).where(ScoringPolicy.year <= year).order_by(
        ScoringPolicy.year.desc(), ScoringPolicy.version.desc()).limit(1)).first()
    return _rules(row, year)


def versions(year: int) -> list[ScoringPolicy]:
    return list(session.scalars(sa.select(ScoringPolicy).where(ScoringPolicy.year == year)
                                .order_by(ScoringPolicy.version.desc())))


def save_policy(year: int, *, actor: Person, now: datetime, penalties: dict, grace_days,
                unlocked_rule, bonus_cap, note: str = "", notice_late_points=None,
                notice_return_points=None) -> ScoringPolicy:
    """A new version of `year`'s rules, validated and audited. The caller commits."""
    if actor is None or actor.role not in (Role.INSPECTOR, Role.ADMIN):
        raise NotAllowed("只有县纪委监委审核人员或系统管理员可以修改评分规则。")
    if not 2000 <= int(year) <= 2100:
        raise DomainError("年度不正确。")
    values = [_whole(penalties.get(level, penalties.get(str(level))), "扣分比例", 0, 100)
              for level in PENALTY_LEVELS]
    if any(b < a for a, b in zip(values, values[1:])):
        raise DomainError("扣分比例须随预警等级升高而不减："
                          + " ≤ ".join(KIND_LABELS[level] for level in PENALTY_LEVELS) + "。")
    try:
        rule = UnlockedRule(unlocked_rule)
    except ValueError:
        raise DomainError("请选择补报的计分方式。") from None
    cap = _decimal(bonus_cap, "加分上限", 0, 20)
    carried = policy_for(int(year))  # a form without the notice fields keeps the current ones
    late = _decimal(carried.notice_late_points if notice_late_points in (None, "")
                    else notice_late_points, "整改回复逾期扣分", 0, 20)
    returned = _decimal(carried.notice_return_points if notice_return_points in (None, "")
                        else notice_return_points, "整改退回扣分", 0, 20)
    latest = session.scalar(sa.select(sa.func.max(ScoringPolicy.version))
                            .where(ScoringPolicy.year == year)) or 0
    row = ScoringPolicy(year=year, version=latest + 1, penalty_blue=values[0],
                        penalty_yellow=values[1], penalty_red=values[2],
                        penalty_supervision=values[3],
                        grace_days=_whole(grace_days, "宽限天数", 0, 60), unlocked_rule=rule,
                        bonus_cap=cap, notice_late_points=late, notice_return_points=returned,
                        note=(note or "").strip()[:200], created_at=now,
                        created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record("scoring_policy.save", f"scoring_policy:{row.id}", now=now, actor=actor,
                 **_rules(row, year).as_dict())
    return row


def _whole(value, name: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(f"{name}请填写{low}到{high}之间的整数。") from None
    if not low <= number <= high:
        raise DomainError(f"{name}请填写{low}到{high}之间的整数。")
    return number


def _decimal(value, name: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise DomainError(f"{name}请填写{low}到{high}之间的数字。") from None
    if not number.is_finite() or not low <= number <= high:
        raise DomainError(f"{name}请填写{low}到{high}之间的数字。")
    return number.quantize(CENT, ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# The computation


class Outcome(StrEnum):
    ON_TIME = "on_time"  # 按时完成: full points
    LATE = "late"  # 逾期完成: points less the penalty of the level reached
    UNFINISHED = "unfinished"  # 逾期未完成: 0
    REVIEWING = "reviewing"  # handed in before the deadline, awaiting review: not yet scored
    OPEN = "open"  # in progress: not yet scored
    CANCELLED = "cancelled"  # out of the total

    __hash__ = str.__hash__  # as Level's: the stored string's hash, not Enum's (in Python)


SCORED = (Outcome.ON_TIME, Outcome.LATE, Outcome.UNFINISHED)
OUTCOME_LABELS = {Outcome.ON_TIME: "按时完成", Outcome.LATE: "逾期完成",
                  Outcome.UNFINISHED: "逾期未完成", Outcome.REVIEWING: "待审核",
                  Outcome.OPEN: "进行中", Outcome.CANCELLED: "已撤销"}


class Line(NamedTuple):
    """One assignment's score: its points, what it earned (None: not scored) and why.
    (A named tuple: a city's year makes 250,000 of them, at half a frozen dataclass's cost.)"""

    assignment_id: int
    unit_id: int
    person_id: int | None
    template_id: int
    period: str
    points: int
    outcome: Outcome
    level: Level
    cents: int | None  # what it earned in hundredths of a point (None: not scored)
    reason: str  # 失分原因, empty when nothing was lost

    @property
    def earned(self) -> Decimal | None:
        return None if self.cents is None else Decimal(self.cents).scaleb(-2)


@dataclass
class Score:
    """A unit's or a person's year so far."""

    unit_id: int
    person_id: int | None = None
    possible: int = 0  # 应得分: points of the scored tasks
    cents: int = 0  # 实得分 in hundredths of a point (exact: points × (100 − penalty %))
    deducted: Decimal = Decimal(0)  # 扣分
    bonus: Decimal = Decimal(0)  # 加分 (before the cap)
    counts: dict = field(default_factory=lambda: defaultdict(int))  # Outcome → tasks
    warnings: dict = field(default_factory=lambda: defaultdict(int))  # Level → tasks reaching it
    score: Decimal = HUNDRED
    rank: int = 0
    ranked_among: int = 0

    @property
    def scored(self) -> int:
        return sum(self.counts[outcome] for outcome in SCORED)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Share of the scored tasks done on time, as a percentage; None before any is scored."""
        if not self.scored:
            return None
        return (HUNDRED * self.counts[Outcome.ON_TIME] / self.scored).quantize(CENT, ROUND_HALF_UP)

    @property
    def earned(self) -> Decimal:  # 实得分
        return Decimal(self.cents).scaleb(-2)

    def add(self, line: Line) -> None:
        outcome = line.outcome
        self.counts[outcome] += 1
        if outcome == Outcome.CANCELLED:
            return
        for level in REACHED[line.level]:
            self.warnings[level] += 1
        if line.cents is not None:
            self.possible += line.points
            self.cents += line.cents

    def merge(self, other: "Score") -> None:
        """Count `other`'s lines in this score too (a unit's: its people's)."""
        for outcome, tasks in other.counts.items():
            self.counts[outcome] += tasks
        for level, tasks in other.warnings.items():
            self.warnings[level] += tasks
        self.possible += other.possible
        self.cents += other.cents

    def finish(self, bonus_cap: Decimal) -> None:
        base = Decimal(self.cents) / self.possible if self.possible else HUNDRED
        total = base - self.deducted + min(self.bonus, bonus_cap)
        self.score = max(total, Decimal(0)).quantize(CENT, ROUND_HALF_UP)

    def tie_key(self) -> tuple:
        rate = self.on_time_rate
        return (-self.score, -(rate if rate is not None else Decimal(-1)),
                self.warnings[Level.SUPERVISION], self.warnings[Level.RED], self.deducted)


@dataclass
class Scores:
    """Everything one computation produced for a year as of an instant."""

    year: int
    as_of: datetime
    rules: Rules
    lines: list[Line]
    units: dict[int, Score]  # unit id → score, ranked within its kind
    people: dict[int, Score]  # person id → score, ranked within their unit
    deductions: list[Deduction]
    unit_kinds: dict[int, str]

    def ranking(self, kind: str | None = None) -> list[Score]:
        rows = [s for uid, s in self.units.items() if kind is None or self.unit_kinds[uid] == kind]
        return sorted(rows, key=lambda s: (RANKED_KINDS.index(self.unit_kinds[s.unit_id]),
                                           s.rank, s.unit_id))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year's first instant and the next year's, Shanghai time, as aware UTC."""
    start = datetime.combine(date(year, 1, 1), time(0), SHANGHAI).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(0), SHANGHAI).astimezone(UTC)
    return start, end


def in_year(year: int):
    """The assignments that belong to `year`: its periods, and one-off tasks due in it."""
    start, end = year_bounds(year)
    return sa.or_(
        sa.and_(Assignment.period != "once", Assignment.period.like(f"{year}%")),
        sa.and_(Assignment.period == "once", Assignment.due_at >= start, Assignment.due_at < end))


def _stored(column):
    """A UTC time column read as stored (naive UTC), without UTCDateTime's per-value step."""
    return sa.type_coerce(column, sa.DateTime).label(column.key)


# What judge() reads of an assignment, in its order. Times come naive UTC: a city's year has
# over a million of them, and making each one aware cost more than fetching the rows. What it
# reads of the template comes once per template (TEMPLATE_COLUMNS), not on every row.
_COLUMNS = (Assignment.id, Assignment.unit_id, Assignment.person_id, Assignment.template_id,
            Assignment.period, _stored(Assignment.due_at), Assignment.state, Assignment.warning,
            _stored(Assignment.submitted_at), _stored(Assignment.completed_at),
            _stored(Assignment.cancelled_at), _stored(Assignment.unlocked_at))
_TEMPLATE_COLUMNS = (DutyTemplate.points, DutyTemplate.period, DutyTemplate.late_policy,
                     DutyTemplate.close_after_days)


def assignment_rows(year: int, unit_ids=None):
    """The columns the computation reads, for the year's assignments, times naive UTC
    (benchmarks read the same query as their floor). Run on the session's connection: the
    ORM would only add a cost per row to a select of columns; pending changes are flushed
    first, as the ORM would."""
    query = sa.select(*_COLUMNS).where(in_year(year))
    if unit_ids is not None:
        query = query.where(Assignment.unit_id.in_(unit_ids))
    session.flush()
    return session.connection().execute(query)


@contextmanager
def _no_cycle_collection():
    """Without the cyclic garbage collector: the lines hold no cycles, and building a city's
    250,000 of them set it off again and again over everything alive (a tenth of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fetched(result) -> list:
    """All of `result`'s rows. On PostgreSQL the driver's own tuples, already what judge()
    reads (SQLAlchemy would wrap each in a Row: a quarter of a second for a city's year);
    elsewhere (SQLite keeps times as text) converted by SQLAlchemy."""
    if result.context.dialect.name == "postgresql":
        return result.cursor.fetchall()
    return result.all()


class _Deadlines:
    """The deadline of each (periodicity, period): the day after the period ends, 00:00
    Shanghai, plus the grace days. One-off tasks use their due day."""

    def __init__(self, grace_days: int):
        self.grace = timedelta(days=grace_days)
        self.known: dict = {}
        self.reasons: dict = {}

    def late_reason(self, level: Level, penalty: int) -> str:
        """Worded once per computation (the level's name is the county's, read live)."""
        if level not in self.reasons:
            self.reasons[level] = LATE_REASON.format(level=KIND_LABELS[level], penalty=penalty)
        return self.reasons[level]

    def of(self, kind: str, period: str, due_at: datetime) -> datetime:
        """The deadline as naive UTC, like `due_at` and the other times of the rows."""
        once_day = None if period != "once" else \
            due_at.replace(tzinfo=UTC).astimezone(SHANGHAI).date()
        key = (kind, period, once_day)
        if key not in self.known:
            _, last = bounds(Period(kind), period, once_day)
            midnight = datetime.combine(last + timedelta(days=1) + self.grace, time(0), SHANGHAI)
            self.known[key] = midnight.astimezone(UTC).replace(tzinfo=None)
        return self.known[key]


def template_terms() -> dict[int, tuple]:
    """Each template's (points, periodicity, late policy, days until input closes)."""
    return {tid: tuple(terms) for tid, *terms in session.execute(
        sa.select(DutyTemplate.id, *_TEMPLATE_COLUMNS))}


def judge(row, t: datetime, rules: Rules, deadlines: _Deadlines, templates: dict) -> Line:
    """One assignment's line as of `t` (the rules in this module's docstring); `row` as
    assignment_rows reads it, `templates` as template_terms, `t` naive UTC like the times.
    (Lines are built in place, not through a helper: this runs 250,000 times for a city's
    year.)"""
    (aid, unit_id, person_id, template_id, period, due_at, state, warning, submitted_at,
     completed_at, cancelled_at, unlocked_at) = row
    points, kind, late_policy, close_days = templates[template_id]
    level = LEVELS[warning]
    deadline = deadlines.of(kind, period, due_at)
    handed = submitted_at or completed_at
    if cancelled_at is not None and cancelled_at <= t:
        outcome, cents, reason = Outcome.CANCELLED, None, REASONS["cancelled"]
    elif completed_at is not None and completed_at <= t:
        penalty = rules.penalties.get(level, 0)
        if handed >= deadline:
            outcome, cents, reason = Outcome.UNFINISHED, 0, REASONS["after_period"]
        elif unlocked_at is not None and rules.unlocked_rule == UnlockedRule.ZERO:
            outcome, cents, reason = Outcome.UNFINISHED, 0, REASONS["unlocked_zero"]
        elif not penalty:
            outcome, cents, reason = Outcome.ON_TIME, points * 100, ""
        else:
            outcome, cents = Outcome.LATE, points * (100 - penalty)
            reason = deadlines.late_reason(level, penalty)
    elif late_policy == LatePolicy.CLOSE and t >= due_at + timedelta(days=close_days or 0) \
            and (submitted_at is None or submitted_at > t) \
            and (unlocked_at is None or unlocked_at > t):
        outcome, cents, reason = Outcome.UNFINISHED, 0, REASONS["closed"]
    elif t < deadline:
        outcome, cents, reason = Outcome.OPEN, None, ""
    elif handed is not None and handed < deadline and (
            state in (State.SUBMITTED, State.FIRST_APPROVED)
            or (completed_at is not None and completed_at > t)):
        outcome, cents, reason = Outcome.REVIEWING, None, ""
    else:
        outcome, cents, reason = Outcome.UNFINISHED, 0, REASONS["unfinished"]
    return Line(aid, unit_id, person_id, template_id, period, points, outcome, level, cents,
                reason)


# 失分原因 (a late task's names its level: Deadlines.late_reason).
REASONS = {"cancelled": "已撤销，不计分", "after_period": "周期结束后才完成，不得分",
           "unlocked_zero": "填报关闭后解锁补报，按规则不得分",
           "closed": "截止后未报，填报已关闭，不得分", "unfinished": "周期结束未完成，不得分"}
LATE_REASON = "逾期完成，达到{level}，扣{penalty}%"


def compute(year: int, as_of: datetime, *, rules: Rules | None = None,
            unit_ids=None) -> Scores:
    """Every score of `year` as of `as_of`: lines, people, units, ranking (pure over the rows).

    `unit_ids`: only those units' tasks and deductions (one unit's trend reads its own rows,
    not the county's); ranks are then among those units alone."""
    rules = rules or policy_for(year)
    deadlines = _Deadlines(rules.grace_days)
    t = as_of.astimezone(UTC).replace(tzinfo=None)
    # All rows in one fetch: iterating the result fetches them one driver call at a time.
    templates = template_terms()
    with _no_cycle_collection():
        lines = [judge(row, t, rules, deadlines, templates)
                 for row in _fetched(assignment_rows(year, unit_ids))]
    kinds = dict(session.execute(
        sa.select(Unit.id, Unit.kind).where(Unit.kind.in_(RANKED_KINDS),
                                             Unit.active.is_(True))).all())
    person_units = dict(session.execute(sa.select(Person.id, Person.unit_id)).all())
    units: dict[int, Score] = {}
    people: dict[int, Score] = {}
    # Each line counts once, for its person or else its unit; a unit's score then takes in its
    # people's (a city's year: 250,000 lines, 6,000 people).
    for line in lines:
        if line.unit_id not in kinds:
            continue
        if line.person_id is None:
            key, scores = line.unit_id, units
        else:
            key, scores = line.person_id, people
        # Not setdefault(key, Score(...)): that builds a Score for every line.
        score = scores.get(key) or scores.setdefault(key, Score(line.unit_id, line.person_id))
        score.add(line)
    for person in people.values():
        unit = units.get(person.unit_id) or units.setdefault(
            person.unit_id, Score(person.unit_id))
        unit.merge(person)
    forced = in_force(year, as_of)
    if unit_ids is not None:
        forced = forced.where(Deduction.unit_id.in_(unit_ids))
    deductions = list(session.scalars(forced.order_by(Deduction.day, Deduction.id)))
    for row in deductions:
        if row.unit_id not in kinds:
            continue
        targets = [units.setdefault(row.unit_id, Score(row.unit_id))]
        if row.person_id is not None:
            targets.append(people.setdefault(
                row.person_id, Score(person_units.get(row.person_id, row.unit_id), row.person_id)))
        for score in targets:
            if row.kind == DeductionKind.BONUS:
                score.bonus += row.points
            else:
                score.deducted += row.points
    for score in (*units.values(), *people.values()):
        score.finish(rules.bonus_cap)
    _rank(units.values(), key=lambda s: kinds[s.unit_id])
    _rank(people.values(), key=lambda s: s.unit_id)
    return Scores(year, as_of, rules, lines, units, people, deductions, kinds)


def _rank(scores, key) -> None:
    """Competition ranking (1, 1, 3) within each group, by Score.tie_key."""
    groups = defaultdict(list)
    for score in scores:
        groups[key(score)].append(score)
    for group in groups.values():
        group.sort(key=lambda s: (s.tie_key(), s.unit_id, s.person_id or 0))
        for i, score in enumerate(group):
            same = i and group[i - 1].tie_key() == score.tie_key()
            score.rank = group[i - 1].rank if same else i + 1
            score.ranked_among = len(group)


# The last computation per (year, Shanghai day, newest audit event, newest push): outcomes only
# change when something is audited (a review, a cancellation, a deduction), when a day ends (a
# deadline passes) or when the sweep raises a warning, so a repeat asks two index lookups.
_recent: dict = {}


def data_version() -> tuple:
    """What names the data a reading of the year depends on, in two index lookups: the newest
    audit event (every review, cancellation and deduction is audited; its hash names the whole
    chain, so two databases never share a key) and the newest push (the sweep's warnings)."""
    head = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return head, session.scalar(sa.select(sa.func.max(Notification.id)))


def current(year: int, now: datetime) -> Scores:
    """The scores as of `now`, from the last computation when nothing has changed since."""
    rules = policy_for(year)
    key = (year, now.astimezone(SHANGHAI).date(), *data_version(), rules.policy_id)
    hit = _recent.get(key)
    if hit is None:
        hit = compute(year, now, rules=rules)
        _recent.clear()
        _recent[key] = hit
    return hit


def month_ends(year: int, now: datetime) -> list[datetime]:
    """The instants a trend is computed at: each month's end in `year` up to `now`, and now."""
    points = []
    for month in range(1, 13):
        first_next = date(year + month // 12, month % 12 + 1, 1)
        instant = datetime.combine(first_next, time(0), SHANGHAI).astimezone(UTC) \
            - timedelta(microseconds=1)
        if instant >= now:
            break
        points.append(instant)
    return [*points, now]
