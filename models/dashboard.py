"""全县态势 (the commission's dashboard, issue 10): every series `/admin/` and `/m/situation`
show, and the tasks behind each of their numbers.

Each series is one aggregate query, or one pass over the scoring lines `models.scoring.current`
already holds, so a year of 250,000 tasks stays cheap; no series loads tasks as objects. Values
are raw keys (levels, kinds, outcomes); the handlers put words and links on them.

What is counted:
- a unit's tile: its tasks open now (OPEN_STATES, any year: what the assignee still owes; a task
  waiting for review is handed in and no longer chased), by the highest warning level reached,
  how many are past due and how many are under 督办. Its colour is the worst open warning
  (blue, yellow, red, 督办), or `none` when nothing is overdue (DESIGN.md "Unit colour": green
  by default; models.level_scheme names and colours it as the county does); a task overdue by
  less than the blue step's day already turns the unit blue, since `none` means nothing
  overdue;
- warnings per month: the tasks that reached each ladder step (blue, yellow, red, 督办) in each
  Shanghai month of the year, counted from the pushes (`notification`): a task once per step
  and month however many people the step went to;
- 督办: the tasks a 督办 record was opened for in the year (models.supervision); 催办: the
  presses in the year (one press pushes to every assignee: counted once);
- per duty category: the year's scored tasks (models.scoring lines: on time, late, not done) and
  on-time and completion rates over them;
- the ranking: models.assessment.unit_rows, the rows the assessment pages and the API show;
- 月度自查: the risks the year's self-checks reported, and how many still wait for follow-up
  (models.self_check.totals).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import audit, integrity, self_check, spot_check
from models.assessment import unit_rows
from models.assignment import (FINAL_STATES, OPEN_STATES, WARNED, WORST_FIRST, Assignment, State,
                               severity)
from models.clock import SHANGHAI
from models.db import session
from models.deduction import Deduction
from models.duty import DutyCategory, DutyTemplate
from models.errors import DomainError
from models.escalation import UrgedRecently, urge
from models.hierarchy import REVIEW_STATES
from models.ladder import Level
from models.notice_ledger import Filters, counts
from models.notification import Channel, Notification, NotificationKind
from models.scoring import (SCORED, Outcome, Scores, compute, current, data_version, in_year,
                            month_ends)
from models.supervision import Supervision
from models.unit import Person, Unit, UnitKind

COLOURING = WORST_FIRST[:4]  # the warnings that colour a unit: 督办, red, yellow, blue
WARNING_KINDS = (NotificationKind.BLUE, NotificationKind.YELLOW, NotificationKind.RED,
                 NotificationKind.SUPERVISION)
TILE_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.DISCIPLINE, UnitKind.VILLAGE)
RANKING_TOP = 10


def series(year: int, now: datetime, *, top: int = RANKING_TOP) -> dict:
    """Everything the dashboard shows for `year` as of `now`, as plain JSON values."""
    scores = current(year, now)
    pushes = pushes_by_month(year)
    return {
        "year": year, "as_of": now.isoformat(),
        "tiles": tiles(scores, now),
        "warnings": {str(kind): pushes[kind] for kind in WARNING_KINDS},
        "supervised": supervised(year), "urged": sum(pushes[NotificationKind.URGE]),
        "categories": categories(scores),
        "ranking": ranking(scores, top),
        "notices": notice_counts(year, now),
        "spot_checks": spot_check.totals(year),
        "integrity": integrity_counts(),
        "self_checks": self_check.totals(year),
    }


def integrity_counts() -> dict:
    """材料雷同预警 (issue 13): flags on handed-in evidence, and how many wait for a reviewer
    (/admin/integrity, open or all). Every year's: a flag waits until someone decides it."""
    found = integrity.counts()
    return {"total": found.total, "open": found.open}


def notice_counts(year: int, now: datetime) -> dict:
    """监督建议书 / 整改通知书 of `year` (issue 11): the ledger's counts, each the rows of
    /admin/notices?year=…, and the points they cost the units."""
    found = counts(Filters(year=year), now)
    points = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Deduction.points), 0)).where(
        Deduction.source.like("notice:%"), Deduction.revoked_at.is_(None),
        Deduction.day >= date(year, 1, 1), Deduction.day <= date(year, 12, 31)))
    return {**found, "deducted": f"{points:.2f}"}


# ---------------------------------------------------------------------------------------------
# The series


def tiles(scores: Scores, now: datetime) -> list[dict]:
    """One tile per unit with tasks (the year's, or any open now), the county excluded, by
    unit kind then unit."""
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    overdue: Counter = Counter()
    late = sa.func.sum(sa.case((Assignment.due_at < now, 1), else_=0))
    for unit_id, warning, count, past in session.execute(
            sa.select(Assignment.unit_id, Assignment.warning, sa.func.count(), late)
            .where(Assignment.state.in_(OPEN_STATES))
            .group_by(Assignment.unit_id, Assignment.warning)):
        levels[unit_id][str(warning)] = count
        overdue[unit_id] += past or 0
    units = session.execute(sa.select(Unit.id, Unit.name, Unit.kind).where(
        Unit.id.in_(set(scores.units) | set(levels)), Unit.kind.in_(TILE_KINDS),
        Unit.active.is_(True)))
    found = [{"unit_id": uid, "name": name, "kind": str(kind),
              "colour": colour(levels[uid], overdue[uid]), "open": sum(levels[uid].values()),
              "overdue": overdue[uid], "supervised": levels[uid].get(Level.SUPERVISION, 0),
              "levels": levels[uid]} for uid, name, kind in units]
    return sorted(found, key=lambda tile: (TILE_KINDS.index(tile["kind"]), tile["unit_id"]))


def colour(levels: dict[str, int], overdue: int) -> str:
    """The worst warning among a unit's open tasks; blue when only overdue; else none (the
    scheme's "nothing overdue", green by default)."""
    worst = next((level for level in COLOURING if levels.get(level)), None)
    if worst is not None:
        return str(worst)
    return str(Level.BLUE if overdue else Level.NONE)


def month_start(year: int, month: int) -> datetime:
    """The first instant of a Shanghai month (month 13: the next January), aware UTC."""
    first = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return datetime.combine(first, time(0), SHANGHAI).astimezone(UTC)


_pushes: dict = {}  # the last count, by (year, models.scoring.data_version())


def pushes_by_month(year: int) -> dict[str, list[int]]:
    """Per kind (the ladder's warnings and 催办), twelve monthly counts: a warning counts its
    task once per month, a 催办 press once however many it went to.

    The count reads every push of the year (no index narrows it to these kinds), so it is
    kept until a push is added or something is audited: pushes are only ever added, never
    moved between months or kinds."""
    key = (year, *data_version())
    if key not in _pushes:
        _pushes.clear()
        _pushes[key] = _count_pushes(year)
    return _pushes[key]


def _count_pushes(year: int) -> dict[str, list[int]]:
    starts = [month_start(year, month) for month in range(1, 14)]
    kinds = (*WARNING_KINDS, NotificationKind.URGE)
    month = sa.case(*[(Notification.created_at < starts[m], m) for m in range(1, 12)], else_=12)
    press = sa.case((Notification.kind == NotificationKind.URGE, Notification.step), else_="")
    once = (sa.select(Notification.kind, month.label("month"), Notification.assignment_id,
                      press.label("press"))
            .where(Notification.kind.in_(kinds), Notification.assignment_id.is_not(None),
                   Notification.created_at >= starts[0],
                   Notification.created_at < starts[12], Notification.channel != Channel.SMS)
            .distinct().subquery())
    found = {kind: [0] * 12 for kind in kinds}
    for kind, number, count in session.execute(
            sa.select(once.c.kind, once.c.month, sa.func.count())
            .group_by(once.c.kind, once.c.month)):
        found[NotificationKind(kind)][number - 1] = count
    return found


def supervised(year: int) -> int:
    """How many tasks a 督办 was opened for in `year`."""
    start, end = month_start(year, 1), month_start(year, 13)
    return session.scalar(sa.select(sa.func.count(sa.distinct(Supervision.assignment_id)))
                          .where(Supervision.opened_at >= start, Supervision.opened_at < end))


_by_category: list = [None, None]  # (the Scores object, its rows): `current` hands out one


def categories(scores: Scores) -> list[dict]:
    """Per duty category with scored tasks: how many were on time, late and not done, and the
    on-time and completion rates (percent, one decimal) over them."""
    if _by_category[0] is scores:
        return _by_category[1]
    category_of = dict(session.execute(sa.select(DutyTemplate.id, DutyTemplate.category_id)).all())
    tally: dict[int, Counter] = defaultdict(Counter)
    for line in scores.lines:
        if line.unit_id in scores.unit_kinds:
            tally[category_of[line.template_id]][line.outcome] += 1
    rows = []
    for category in session.scalars(sa.select(DutyCategory).order_by(DutyCategory.position,
                                                                      DutyCategory.id)):
        counts = tally.get(category.id)
        scored = sum(counts[outcome] for outcome in SCORED) if counts else 0
        if not scored:
            continue
        done = counts[Outcome.ON_TIME] + counts[Outcome.LATE]
        rows.append({"category_id": category.id, "name": category.name, "scored": scored,
                     **{str(outcome): counts[outcome] for outcome in SCORED},
                     "on_time_rate": round(100 * counts[Outcome.ON_TIME] / scored, 1),
                     "completion_rate": round(100 * done / scored, 1)})
    _by_category[:] = [scores, rows]
    return rows


def ranking(scores: Scores, top: int = RANKING_TOP) -> list[dict]:
    """The first `top` rows of each unit kind's ranking, the assessment's own rows."""
    shown: Counter = Counter()
    rows = []
    for row in unit_rows(scores):
        shown[row["kind"]] += 1
        if shown[row["kind"]] <= top:
            rows.append(row)
    return rows


def trend(year: int, unit_id: int, now: datetime) -> list[dict]:
    """A unit's score at each month's end of `year` so far, and now: the one computation at
    each instant, over the unit's own tasks and deductions (its rank needs the whole county,
    so only the last point, from `current`, has one)."""
    points = []
    for instant in month_ends(year, now)[:-1]:
        score = compute(year, instant, unit_ids=[unit_id]).units.get(unit_id)
        points.append({"as_of": instant.isoformat(),
                       "score": str(score.score) if score else None})
    score = current(year, now).units.get(unit_id)
    return [*points, {"as_of": now.isoformat(), "score": str(score.score) if score else None}]


# ---------------------------------------------------------------------------------------------
# The tasks behind a number


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a number counts. `year`: tasks of that year (models.scoring.in_year);
    `month` ("2026-11", or a whole year "2026"): the window in which the `level` was reached
    or the task was put under 督办 or urged; without `month`, `level` is the highest level
    reached. `outcome` (the scoring's, or "scored") reads the `year`'s scoring lines."""

    year: int | None = None
    unit_id: int | None = None
    category_id: int | None = None
    state: str = ""  # open, overdue, review, unfinished, completed, cancelled, supervised, urged
    level: str = ""  # a Level, or "warned" (blue and above)
    month: str = ""
    outcome: str = ""  # on_time, late, unfinished, scored


STATES = ("open", "overdue", "review", "unfinished", "completed", "cancelled", "supervised",
          "urged")
OUTCOMES = (*(str(outcome) for outcome in SCORED), "scored")


def window(month: str) -> tuple[datetime, datetime] | None:
    """The instants a `month` ("2026-11" or "2026") spans, or None when it is neither."""
    try:
        if len(month) == 4:
            year = int(month)
            return month_start(year, 1), month_start(year, 13)
        year, number = (int(part) for part in month.split("-"))
        if len(month) == 7 and 1 <= number <= 12:
            return month_start(year, number), month_start(year, number + 1)
    except ValueError:
        pass
    return None


def conditions(chosen: TaskFilter, now: datetime) -> list:
    """The WHERE clauses selecting exactly the tasks `chosen` names."""
    where = []
    if chosen.year is not None:
        where.append(in_year(chosen.year))
    if chosen.unit_id is not None:
        where.append(Assignment.unit_id == chosen.unit_id)
    if chosen.category_id is not None:
        where.append(Assignment.template_id.in_(sa.select(DutyTemplate.id).where(
            DutyTemplate.category_id == chosen.category_id)))
    span = window(chosen.month)
    where += _state(chosen.state, now, span) + _level(chosen.level, span)
    if chosen.outcome:
        where.append(Assignment.id.in_(sa.bindparam(
            "outcome_ids", _outcome_ids(chosen, now), expanding=True, literal_execute=True)))
    return where


def _state(state: str, now: datetime, span) -> list:
    if state == "open":
        return [Assignment.state.in_(OPEN_STATES)]
    if state == "overdue":
        return [Assignment.state.in_(OPEN_STATES), Assignment.due_at < now]
    if state == "review":
        return [Assignment.state.in_(REVIEW_STATES)]
    if state == "unfinished":  # 未办结: neither completed nor cancelled
        return [Assignment.state.not_in(FINAL_STATES)]
    if state in (State.COMPLETED, State.CANCELLED):
        return [Assignment.state == state]
    if state == "supervised":
        opened = sa.select(Supervision.assignment_id)
        if span:
            opened = opened.where(Supervision.opened_at >= span[0],
                                  Supervision.opened_at < span[1])
        return [Assignment.id.in_(opened)]
    if state == "urged":
        return [Assignment.id.in_(_pushed((NotificationKind.URGE,), span))]
    return []


def _level(level: str, span) -> list:
    levels = WARNED if level == "warned" else (level,) if level in set(Level) else ()
    if not levels:
        return []
    if span is None:
        return [Assignment.warning.in_(levels)]
    return [Assignment.id.in_(_pushed(levels, span))]


def _pushed(kinds, span) -> sa.Select:
    query = sa.select(Notification.assignment_id).where(Notification.kind.in_(kinds),
                                                        Notification.channel != Channel.SMS)
    if span:
        query = query.where(Notification.created_at >= span[0], Notification.created_at < span[1])
    return query


def _outcome_ids(chosen: TaskFilter, now: datetime) -> list[int]:
    """The tasks of the outcome among the lines `categories` counts (units with a score),
    narrowed here by unit and category too, so the list of ids stays short."""
    scores = current(chosen.year or now.astimezone(SHANGHAI).year, now)
    wanted = set(SCORED) if chosen.outcome == "scored" else {chosen.outcome}
    templates = None
    if chosen.category_id is not None:
        templates = set(session.scalars(sa.select(DutyTemplate.id).where(
            DutyTemplate.category_id == chosen.category_id)))
    return [line.assignment_id for line in scores.lines
            if line.outcome in wanted and line.unit_id in scores.unit_kinds
            and chosen.unit_id in (None, line.unit_id)
            and (templates is None or line.template_id in templates)]


def tasks(chosen: TaskFilter, now: datetime, *, limit: int, offset: int = 0
          ) -> tuple[list[Assignment], int]:
    """One page of the tasks `chosen` names, worst warning and earliest due first, and how many
    there are in all."""
    where = conditions(chosen, now)
    total = session.scalar(sa.select(sa.func.count(Assignment.id)).where(*where))
    page = session.scalars(
        sa.select(Assignment).where(*where)
        .options(joinedload(Assignment.template), joinedload(Assignment.unit),
                 joinedload(Assignment.person))
        .order_by(severity(), Assignment.due_at, Assignment.id).limit(limit).offset(offset))
    return list(page), total


# ---------------------------------------------------------------------------------------------
# 谁还没交: who still owes one template's period, and 全部催办


def owed_query(template_id: int, period: str) -> sa.Select:
    return sa.select(Assignment).where(Assignment.template_id == template_id,
                                       Assignment.period == period,
                                       Assignment.state.in_(OPEN_STATES))


def owed(template_id: int, period: str, *, limit: int, offset: int = 0
         ) -> tuple[list[Assignment], int]:
    """One page of the tasks of a template and period not handed in yet (OPEN_STATES), by
    unit and person, both loaded, and how many there are in all."""
    query = owed_query(template_id, period)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = session.scalars(
        query.options(joinedload(Assignment.unit), joinedload(Assignment.person))
        .order_by(Assignment.unit_id, Assignment.person_id.nulls_first(), Assignment.id)
        .limit(limit).offset(offset))
    return list(page), total


@dataclass
class UrgeReport:
    urged: list[int]  # tasks urged now
    too_soon: list[int]  # urged by the same person less than 5 minutes ago: skipped
    refused: list[tuple[int, str]]  # not the actor's to urge, with the reason


def urge_owed(template_id: int, period: str, actor: Person, *, now: datetime) -> UrgeReport:
    """全部催办: models.escalation.urge for every task still owed, each under its own 5-minute
    rule; audited as one press besides each task's own record. The caller commits."""
    report = UrgeReport([], [], [])
    for task in session.scalars(owed_query(template_id, period).order_by(Assignment.id)):
        try:
            urge(task, actor, now=now)
        except UrgedRecently:
            report.too_soon.append(task.id)
        except DomainError as refusal:
            report.refused.append((task.id, refusal.message))
        else:
            report.urged.append(task.id)
    audit.record("assignment.urge_all", f"template:{template_id}", now=now, actor=actor,
                 period=period, urged=report.urged, too_soon=report.too_soon,
                 refused=[task_id for task_id, _ in report.refused])
    return report
