"""Spot checks (抽查核实, issue 11): an inspector's round draws a random sample of completed
tasks with a recorded seed (models.spot_draw says how, so anyone can redo it), and each drawn
task is re-verified 属实 / 部分属实 / 不实.

The population is the scope's assignments completed at the draw instant (state completed,
completed_at <= drawn_at), as sorted ids. Opening a round draws at once, in the same
transaction, and audits the seed, scope, population sha256 and drawn ids before any result can
be entered: there is no redraw. `check_draw()` is `flask spot-check verify ROUND`.
"""

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.assignment import Action, Assignment, State
from models.audit import AuditEvent
from models.clock import local_date, local_time
from models.db import Base, session
from models.deduction import Deduction, record
from models.duty import DutyTemplate, period_label
from models.errors import Conflict, DomainError, NotAllowed, NotFound
from models.evidence import USABLE, Evidence, EvidenceKind, EvidenceStatus
from models.hierarchy import Directory, assignees, is_assignee
from models.lifecycle import transition
from models.notification import NotificationKind, notify
from models.scoring import in_year
from models.spot_draw import draw, population_sha256, sample_count
from models.unit import Person, Role, Unit

MIN_REASON = 5
DEFAULT_POINTS_FALSE, DEFAULT_POINTS_PARTIAL = Decimal(2), Decimal(0)
ALGORITHM = "hmac-sha256-stratified-v1"


class Result(StrEnum):
    TRUE = "true"  # 属实
    PARTIAL = "partial"  # 部分属实
    FALSE = "false"  # 不实


RESULT_LABELS = {Result.TRUE: "属实", Result.PARTIAL: "部分属实", Result.FALSE: "不实"}
PENDING_LABEL = "待核实"


class SpotCheckRound(Base):
    """One round: its scope, sample size and points as data, the seed and the population it
    was drawn from, who opened it and when (the draw instant)."""

    __tablename__ = "spot_check_round"
    __table_args__ = (sa.UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    number: Mapped[int]  # 第N轮 of the year
    # Scope: empty lists mean the whole year, every category, every unit kind.
    periods: Mapped[list] = mapped_column(sa.JSON, default=list)
    category_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    unit_kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    sample_size: Mapped[int | None]
    sample_percent: Mapped[int | None]
    points_false: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    points_partial: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    seed: Mapped[str] = mapped_column(sa.String(32))
    drawn_at: Mapped[datetime]
    population: Mapped[list] = mapped_column(sa.JSON)  # sorted assignment ids
    population_sha256: Mapped[str] = mapped_column(sa.String(64))
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))

    opened_by: Mapped[Person] = relationship()
    items: Mapped[list["SpotCheckItem"]] = relationship(
        back_populates="round", order_by="SpotCheckItem.id")

    @property
    def name(self) -> str:
        return f"{self.year}年第{self.number}轮抽查"


class SpotCheckItem(Base):
    """One drawn task and, once an inspector re-verified it, the result and its reason."""

    __tablename__ = "spot_check_item"
    __table_args__ = (sa.UniqueConstraint("round_id", "assignment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("spot_check_round.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    key: Mapped[str] = mapped_column(sa.String(64))  # HMAC(seed, "assignment:<id>")
    result: Mapped[Result | None] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    verified_at: Mapped[datetime | None]
    deduction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deduction.id"))

    round: Mapped[SpotCheckRound] = relationship(back_populates="items")
    assignment: Mapped[Assignment] = relationship()
    unit: Mapped[Unit] = relationship()
    verified_by: Mapped[Person | None] = relationship()
    deduction: Mapped[Deduction | None] = relationship()


# Opening a round

@dataclass
class Scope:
    """What a round samples: a year, and optionally period keys, categories and unit kinds."""

    year: int
    periods: list[str] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    unit_kinds: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"year": self.year, "periods": sorted(self.periods),
                "category_ids": sorted(self.category_ids), "unit_kinds": sorted(self.unit_kinds)}


def candidates(scope: Scope, at: datetime) -> list[tuple[int, int]]:
    """(id, unit id) of the scope's tasks completed at `at`, by id."""
    query = (sa.select(Assignment.id, Assignment.unit_id)
             .join(DutyTemplate, DutyTemplate.id == Assignment.template_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .where(in_year(scope.year), Assignment.state == State.COMPLETED,
                    Assignment.completed_at <= at).order_by(Assignment.id))
    if scope.periods:
        query = query.where(Assignment.period.in_(scope.periods))
    if scope.category_ids:
        query = query.where(DutyTemplate.category_id.in_(scope.category_ids))
    if scope.unit_kinds:
        query = query.where(Unit.kind.in_(scope.unit_kinds))
    return [tuple(row) for row in session.execute(query)]


def may_open(person: Person | None) -> bool:
    return person is not None and person.role == Role.INSPECTOR


def parse_sample(text) -> tuple[int | None, int | None]:
    """"10" → 10 tasks, "10%" → ten percent: (size, percent)."""
    raw = str(text or "").strip().replace("％", "%")
    percent = raw.endswith("%")
    digits = raw.rstrip("%").strip()
    if not digits.isdigit() or int(digits) < 1 or (percent and int(digits) > 100) \
            or int(digits) > 10000:
        raise DomainError("抽查数量请填写正整数（如 10），或1%至100%的比例（如 10%）。")
    return (None, int(digits)) if percent else (int(digits), None)


def parse_points(text, default: Decimal) -> Decimal:
    """Points for a finding: 0 to 100, at most two decimals; empty means `default`."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        return default
    try:
        points = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise DomainError("扣分分值请填写数字，如 2 或 0.5。") from None
    if not points.is_finite() or points < 0 or points > 100 \
            or points != points.quantize(Decimal("0.01")):
        raise DomainError("扣分分值须在0至100分之间，最多两位小数。")
    return points.quantize(Decimal("0.01"))


def open_round(scope: Scope, *, size: int | None, percent: int | None, actor: Person,
               now: datetime, points_false: Decimal = DEFAULT_POINTS_FALSE,
               points_partial: Decimal = DEFAULT_POINTS_PARTIAL) -> SpotCheckRound:
    """Open a round and draw its sample at once, audited with everything needed to redo the
    draw. The caller commits."""
    if not may_open(actor):
        raise NotAllowed("只有县纪委监委审核人员可以开展抽查。")
    if (size is None) == (percent is None):
        raise DomainError("请填写抽查数量或比例（二选一）。")
    found = candidates(scope, now)
    if not found:
        raise DomainError("所选范围内没有已完成的任务，无法抽查。")
    seed = secrets.token_hex(16)
    population = [aid for aid, _ in found]
    n = sample_count(size, percent, len(population))
    number = (session.scalar(sa.select(sa.func.max(SpotCheckRound.number))
                             .where(SpotCheckRound.year == scope.year)) or 0) + 1
    row = SpotCheckRound(
        year=scope.year, number=number, periods=sorted(scope.periods),
        category_ids=sorted(scope.category_ids), unit_kinds=sorted(scope.unit_kinds),
        sample_size=size, sample_percent=percent, points_false=points_false,
        points_partial=points_partial, seed=seed, drawn_at=now, population=population,
        population_sha256=population_sha256(population), opened_by_id=actor.id)
    session.add(row)
    session.flush()
    draw_sample(row, found, n, actor=actor, now=now)
    return row


def draw_sample(row: SpotCheckRound, found: list[tuple[int, int]], n: int, *, actor: Person,
                now: datetime) -> list[SpotCheckItem]:
    """Draw `row`'s sample of `n` from `found` (its population with units) and audit it; a
    round is drawn once, when it is opened: a second draw is refused."""
    if row.items or draw_event(row) is not None:
        raise Conflict(f"{row.name}已于{local_time(row.drawn_at)}抽取，抽取结果不能重抽或更改。")
    drawn = draw(row.seed, found, n)
    items = [SpotCheckItem(round=row, assignment_id=aid, unit_id=uid, key=digest)
             for aid, uid, digest in drawn]
    session.add_all(items)
    audit.record("spot_check.draw", subject(row), now=now, actor=actor, algorithm=ALGORITHM,
                 seed=row.seed, scope=scope_of(row).as_dict(), size=row.sample_size,
                 percent=row.sample_percent, n=n, population_size=len(row.population),
                 population_sha256=row.population_sha256,
                 drawn=[aid for aid, _, _ in drawn], points_false=str(row.points_false),
                 points_partial=str(row.points_partial))
    session.flush()
    return items


def subject(row: SpotCheckRound) -> str:
    return f"spot_check:{row.id}"


def scope_of(row: SpotCheckRound) -> Scope:
    return Scope(row.year, list(row.periods), list(row.category_ids), list(row.unit_kinds))


def get(round_id: int) -> SpotCheckRound:
    row = session.get(SpotCheckRound, round_id)
    if row is None:
        raise NotFound("未找到该抽查轮次。")
    return row


def rounds(year: int | None = None) -> list[SpotCheckRound]:
    query = sa.select(SpotCheckRound).order_by(SpotCheckRound.year.desc(),
                                               SpotCheckRound.number.desc())
    if year is not None:
        query = query.where(SpotCheckRound.year == year)
    return list(session.scalars(query))


def draw_event(row: SpotCheckRound) -> AuditEvent | None:
    return session.scalar(sa.select(AuditEvent).where(
        AuditEvent.subject == subject(row), AuditEvent.action == "spot_check.draw")
        .order_by(AuditEvent.id).limit(1))


# Re-verifying a drawn task (核实)

def may_verify(person: Person | None, item: SpotCheckItem) -> bool:
    """County inspectors, never on a task of their own unit or their own."""
    return person is not None and person.role == Role.INSPECTOR and \
        item.unit_id != person.unit_id and not is_assignee(person, item.assignment)


def verify(item: SpotCheckItem, result: Result | str, reason: str, *, actor: Person,
           now: datetime) -> SpotCheckItem:
    """Enter an item's result once. 不实 (and 部分属实 when the round gives it points) records a
    deduction; 不实 reopens the task as returned with the reason; the unit's secretary is told.
    Audited. The caller commits."""
    if not may_verify(actor, item):
        raise NotAllowed("只有县纪委监委审核人员可以核实抽查任务，且不能核实本单位的任务。")
    session.refresh(item, with_for_update=True)
    if item.result is not None:
        raise Conflict(f"该任务已于{local_time(item.verified_at)}核实为"
                       f"“{RESULT_LABELS[Result(item.result)]}”，不能重复录入。")
    try:
        result = Result(result)
    except ValueError:
        raise DomainError("请选择核实结果：属实、部分属实或不实。") from None
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(f"请写明核实情况（至少{MIN_REASON}个字）。")
    task, spot = item.assignment, item.round
    points = {Result.FALSE: spot.points_false, Result.PARTIAL: spot.points_partial}.get(result)
    if points:
        item.deduction = record(
            unit=task.unit, person=task.person, points=points, actor=actor, now=now,
            day=local_date(now), reference=spot.name, source=f"spot_check:{item.id}",
            reason=f"抽查核实{RESULT_LABELS[result]}：{task.template.title}"
                   f"（{period_label(task.period)}）：{reason}")
    told = set()
    if result == Result.FALSE and task.state == State.COMPLETED:
        transition(task, Action.REOPEN, actor, now=now, reason=f"抽查核实不实：{reason}")
        told = {person.id for person in assignees(task)}
    item.result, item.reason = result, reason[:1000]
    item.verified_by_id, item.verified_at = actor.id, now
    audit.record("spot_check.verify", subject(spot), now=now, actor=actor, item=item.id,
                 assignment=task.id, result=result.value, reason=item.reason,
                 deduction=item.deduction.id if item.deduction else None,
                 reopened=bool(told))
    if result != Result.TRUE:
        for person_id in Directory().secretaries(task.unit_id):
            if person_id not in told:
                notify(NotificationKind.SPOT_CHECK, person_id, now=now, assignment_id=task.id,
                       step=f"spot_check:{item.id}")
    return item


def attach_photo(item: SpotCheckItem, actor: Person, *, now: datetime) -> Evidence:
    """A photo taken re-verifying `item`, by whoever entered its result, as it is entered (the
    bytes kept for the media job by the caller, who commits, then queues it)."""
    if item.verified_by_id != actor.id:
        raise NotAllowed("只有录入核实结果的审核人员可以附照片。")
    evidence = Evidence(spot_check_item_id=item.id, kind=EvidenceKind.PHOTO,
                        created_by_id=actor.id, created_at=now, status=EvidenceStatus.RECEIVED)
    session.add(evidence)
    session.flush()
    audit.record("spot_check.photo", subject(item.round), now=now, actor=actor, item=item.id,
                 evidence=evidence.id)
    return evidence


def photos(items) -> dict[int, list[Evidence]]:
    """Each item's photos that are stored or still being processed, by item id."""
    ids = [item.id for item in items]
    found: dict[int, list[Evidence]] = {item_id: [] for item_id in ids}
    if ids:
        for evidence in session.scalars(sa.select(Evidence).where(
                Evidence.spot_check_item_id.in_(ids), Evidence.status.in_(USABLE))
                .order_by(Evidence.id)):
            found[evidence.spot_check_item_id].append(evidence)
    return found


def item_of(step: str) -> SpotCheckItem | None:
    """The item a SPOT_CHECK push is about (its step is "spot_check:<item id>")."""
    _, _, number = (step or "").partition(":")
    return session.get(SpotCheckItem, int(number)) if number.isdigit() else None


# Results per unit

def unit_results(row: SpotCheckRound, as_of: datetime | None = None) -> list[dict]:
    """Per unit drawn: drawn / 属实 / 部分属实 / 不实 / 待核实, by unit id; with `as_of`, a
    result entered after it counts as 待核实."""
    counts: dict[int, dict] = {}
    for item in row.items:
        unit = counts.setdefault(item.unit_id, {
            "unit_id": item.unit_id, "unit": item.unit.name, "drawn": 0,
            **{str(result): 0 for result in Result}, "pending": 0})
        unit["drawn"] += 1
        done = item.result is not None and (as_of is None or item.verified_at <= as_of)
        unit[str(item.result) if done else "pending"] += 1
    return [counts[uid] for uid in sorted(counts)]


def year_rows(year: int, as_of: datetime) -> list[dict]:
    """Every round of `year` drawn by `as_of` with its per-unit results as of then (a result
    entered later counts as 待核实): the assessment's 抽查核实 rows."""
    found = session.scalars(sa.select(SpotCheckRound).where(
        SpotCheckRound.year == year, SpotCheckRound.drawn_at <= as_of)
        .order_by(SpotCheckRound.number))
    rows = []
    for spot in found:
        for unit in unit_results(spot, as_of):
            rows.append({"round_id": spot.id, "round": spot.name, "seed": spot.seed,
                         "drawn_at": spot.drawn_at.isoformat(), **unit})
    return rows


def year_items(year: int, result: str = "all") -> list[SpotCheckItem]:
    """The year's drawn tasks with `result` ("pending": not yet verified; "all"), by round."""
    query = (sa.select(SpotCheckItem).join(SpotCheckRound)
             .where(SpotCheckRound.year == year)
             .order_by(SpotCheckRound.number, SpotCheckItem.id))
    if result == "pending":
        query = query.where(SpotCheckItem.result.is_(None))
    elif result in set(Result):
        query = query.where(SpotCheckItem.result == result)
    return list(session.scalars(query))


def totals(year: int) -> dict:
    """The year's items: drawn, each result, pending (the dashboard's counts)."""
    rows = session.execute(sa.select(SpotCheckItem.result, sa.func.count(SpotCheckItem.id))
                           .join(SpotCheckRound, SpotCheckRound.id == SpotCheckItem.round_id)
                           .where(SpotCheckRound.year == year)
                           .group_by(SpotCheckItem.result)).all()
    found = {str(result) if result else "pending": number for result, number in rows}
    return {"rounds": session.scalar(sa.select(sa.func.count(SpotCheckRound.id)).where(
        SpotCheckRound.year == year)), "drawn": sum(found.values()),
        **{str(result): found.get(str(result), 0) for result in Result},
        "pending": found.get("pending", 0)}


# Redoing the draw (flask spot-check verify ROUND)

@dataclass
class DrawCheck:
    """What re-deriving a round's draw found. `problems` empty: the sample is the one its seed
    and population give. `missing`: tasks of the population not completed as of the draw
    instant when the scope is asked again today, each with (id, state now, reopened by a spot
    check); `extra`: tasks the scope gives today that the population lacks."""

    population_size: int
    n: int
    stored: list[int]
    redrawn: list[int]
    problems: list[str] = field(default_factory=list)
    missing: list[tuple[int, str, bool]] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_draw(row: SpotCheckRound) -> DrawCheck:
    """Redo `row`'s draw from its recorded seed and population and compare with its items and
    its audit event; ask the scope again as of the draw instant and explain what differs."""
    event = draw_event(row)
    data = json.loads(event.data) if event is not None else {}
    population = sorted(row.population)
    units = dict(session.execute(sa.select(Assignment.id, Assignment.unit_id)
                                 .where(Assignment.id.in_(population))).all())
    n = sample_count(row.sample_size, row.sample_percent, len(population))
    redrawn = sorted(aid for aid, _, _ in draw(row.seed, [(aid, units[aid]) for aid in population
                                                          if aid in units], n))
    stored = sorted(item.assignment_id for item in row.items)
    found = DrawCheck(len(population), n, stored, redrawn)
    if event is None:
        found.problems.append("未找到该轮抽取的留痕记录。")
    elif event.compute_hash() != event.hash:
        found.problems.append("抽取留痕记录的内容与其哈希不符（记录被改动）。")
    else:
        expected = {"seed": row.seed, "population_sha256": population_sha256(population),
                    "n": n, "drawn": stored}
        for name, value in expected.items():
            recorded = sorted(data.get(name) or []) if name == "drawn" else data.get(name)
            if recorded != value:
                found.problems.append(_DIFFERS[name])
    if row.population_sha256 != population_sha256(population):
        found.problems.append("总体名单与其记录的 sha256 不符（名单被改动）。")
    if len(units) != len(population):
        found.problems.append("总体名单中有任务已不存在。")
    if redrawn != stored:
        found.problems.append("按种子重新抽取的样本与保存的样本不一致。")
    _explain(row, population, found)
    return found


_DIFFERS = {"seed": "留痕记录中的种子与本轮保存的种子不一致。",
            "population_sha256": "总体名单的 sha256 与留痕记录不一致（名单被改动）。",
            "n": "样本量与留痕记录不一致。",
            "drawn": "保存的样本与留痕记录中的抽取结果不一致。"}


def _explain(row: SpotCheckRound, population: list[int], found: DrawCheck) -> None:
    again = {aid for aid, _ in candidates(scope_of(row), row.drawn_at)}
    missing = [aid for aid in population if aid not in again]
    reopened = set(session.scalars(sa.select(AuditEvent.subject).where(
        AuditEvent.action == "assignment.reopen",
        AuditEvent.subject.in_([f"assignment:{aid}" for aid in missing]))))
    states = dict(session.execute(sa.select(Assignment.id, Assignment.state)
                                  .where(Assignment.id.in_(missing))).all())
    found.missing = [(aid, states.get(aid, ""), f"assignment:{aid}" in reopened)
                     for aid in missing]
    found.extra = sorted(again - set(population))
