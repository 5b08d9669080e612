"""Dispatch (派单): a duty template and a period become assignments, once.

Periods are `2026-11` (monthly), `2026Q4` (quarterly), `2026` (yearly) or `once`. Due times
are 17:00 Asia/Shanghai on the day the template's due rule names (DESIGN.md example), stored
in UTC; a template that counts working days moves a due day on a weekend or holiday to the
working day before. Dispatching the same template and period again creates nothing new, and a
due time already past is refused unless the dispatcher says so: tasks born overdue would set
the whole warning ladder off at once.
"""

import calendar
import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import audit
from models.assignment import Assignment, State
from models.calendar import WorkCalendar, load_calendar
from models.clock import local_time
from models.db import session
from models.duty import TARGETED_BY_RULE, DutyTemplate, Period, TemplateKind
from models.errors import DomainError
from models.escalation import Ladder, plan
from models.hierarchy import Directory, Gap, assignees, gaps
from models.notification import NotificationKind, notify
from models.post import risk_point_holders
from models.unit import Person, Role, Unit, UnitKind

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE_CLOCK = time(17, 0)
PERIOD_FORMS = {
    Period.MONTHLY: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    Period.QUARTERLY: re.compile(r"^(\d{4})Q([1-4])$"),
    Period.YEARLY: re.compile(r"^(\d{4})$"),
    Period.ONCE: re.compile(r"^once$"),
}
UNIT_KINDS_WITH_DUTIES = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.VILLAGE)


class BadPeriod(DomainError):
    pass


class DueInPast(DomainError):
    """The period's due time has already passed: its tasks would be overdue on arrival."""

    status = 409

    def __init__(self, due: datetime, now: datetime):
        late = now - due
        ago = f"已过去{late.days}天" if late.days else "已过"
        super().__init__(f"截止时间 {local_time(due)} {ago}，"
                         "派发后任务立即逾期，承办人会马上收到预警乃至督办。")
        self.due_at = due


def period_of(template: DutyTemplate, day: date) -> str:
    """The period key that contains `day` for this template's periodicity."""
    return {
        Period.MONTHLY: f"{day.year}-{day.month:02d}",
        Period.QUARTERLY: f"{day.year}Q{(day.month - 1) // 3 + 1}",
        Period.YEARLY: f"{day.year}",
        Period.ONCE: "once",
    }[Period(template.period)]


def due_at(template: DutyTemplate, period: str, now: datetime,
           workdays: WorkCalendar | None = None) -> datetime:
    """When an assignment of `template` for `period` is due (aware UTC).

    Counting working days, a due day off moves back to the working day before it; a year
    without a known schedule counts by the calendar's lenient form (models.calendar).
    """
    start, end = period_bounds(template, period, now)
    rule, _, value = template.due_rule.partition(":")
    if rule == "day":
        day = start.replace(day=min(int(value), calendar.monthrange(start.year, start.month)[1]))
    elif rule in ("quarter_end", "period_end"):
        day = end
    elif rule == "date":
        parts = [int(x) for x in value.split("-")]
        day = date(*parts) if len(parts) == 3 else date(start.year, parts[0], parts[1])
    elif rule == "after":
        day = now.astimezone(SHANGHAI).date() + timedelta(days=int(value))
    else:
        raise DomainError(f"无法识别的截止规则：{template.due_rule}")
    if template.working_days:
        day = (workdays or load_calendar()).lenient().workday_on_or_before(day)
    return datetime.combine(day, DUE_CLOCK, SHANGHAI).astimezone(UTC)


def period_bounds(template: DutyTemplate, period: str, now: datetime) -> tuple[date, date]:
    """The first and last day of `period` (a `once` period is the day of `now`)."""
    return bounds(Period(template.period), period, now.astimezone(SHANGHAI).date())


def bounds(kind: Period, period: str, once_day: date) -> tuple[date, date]:
    """The first and last day of `period`, a key of periodicity `kind`; a `once` period is
    `once_day`."""
    match = PERIOD_FORMS[kind].match(period)
    if match is None:
        raise BadPeriod(f"周期“{period}”与该任务的周期类型不符。")
    if kind == Period.ONCE:
        return once_day, once_day
    year = int(match.group(1))
    if kind == Period.MONTHLY:
        month = int(match.group(2))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if kind == Period.QUARTERLY:
        last = int(match.group(2)) * 3
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    return date(year, 1, 1), date(year, 12, 31)


def targets(template: DutyTemplate, units: list[Unit] | None = None,
            people: list[Person] | None = None) -> list[tuple[Unit, Person | None]]:
    """Who gets the task: named units/people (specific, ad-hoc), else for a self-check every
    active person holding a post with risk points, else every unit (committee duties, handled
    by the liaison) or every person of the target role (common)."""
    if units or people:
        if gone := [person.name for person in people or [] if not person.active]:
            raise DomainError(f"{'、'.join(gone)}已停用，不能派发任务。")
        if gone := [unit.name for unit in units or [] if not unit.active]:
            raise DomainError(f"{'、'.join(gone)}已停用，不能派发任务。")
        return [(unit, None) for unit in units or []] + [(p.unit, p) for p in people or []]
    if TemplateKind(template.kind) == TemplateKind.SELFCHECK:
        return [(person.unit, person) for person in risk_point_holders()]
    if TemplateKind(template.kind) != TemplateKind.COMMON:
        raise DomainError("个性任务和临时任务需要指定单位或人员。")
    if template.target_role in (None, Role.COMMITTEE):
        kinds = [template.target_unit_kind] if template.target_unit_kind else \
            list(UNIT_KINDS_WITH_DUTIES)
        found = session.scalars(sa.select(Unit).where(Unit.kind.in_(kinds), Unit.active.is_(True))
                               .order_by(Unit.id))
        return [(unit, None) for unit in found]
    found = session.scalars(sa.select(Person).where(
        Person.role == template.target_role, Person.active.is_(True)).order_by(Person.id))
    return [(person.unit, person) for person in found]


def coverage_gaps(template: DutyTemplate, created: list[Assignment] | None = None,
                  found: Directory | None = None) -> list[Gap]:
    """Who is missing for `template` (models.hierarchy.gaps): over the tasks just `created`,
    or over every target of a common template and every open task of any template. A list of
    templates shares one `found` directory."""
    if created is not None:
        return gaps([(template, a.unit_id, a.person_id) for a in created], found)
    pairs = {(a_unit, a_person) for a_unit, a_person in session.execute(
        sa.select(Assignment.unit_id, Assignment.person_id).where(
            Assignment.template_id == template.id,
            Assignment.state.not_in((State.COMPLETED, State.CANCELLED))))}
    if TemplateKind(template.kind) in TARGETED_BY_RULE and template.active:
        pairs |= {(unit.id, person.id if person else None) for unit, person in targets(template)}
    return gaps([(template, unit_id, person_id) for unit_id, person_id in sorted(
        pairs, key=lambda pair: (pair[0], pair[1] or 0))], found)


def dispatch(template: DutyTemplate, period: str, *, now: datetime, actor: Person | None = None,
             units: list[Unit] | None = None, people: list[Person] | None = None,
             allow_past: bool = False) -> list[Assignment]:
    """Create the assignments of `template` for `period` that do not exist yet.

    Each new assignment gets a pending "dispatched" notification for its assignee and its
    first ladder step planned. A due time already past raises DueInPast unless `allow_past`
    (a repeat that creates nothing does not). Returns only what was created; the caller
    commits.
    """
    if not template.active:
        raise DomainError("该任务清单已停用，不能派发。")
    due = due_at(template, period, now)
    existing = set(session.execute(
        sa.select(Assignment.unit_id, Assignment.person_key)
        .where(Assignment.template_id == template.id, Assignment.period == period)).all())
    new = {}
    for unit, person in targets(template, units, people):
        new.setdefault((unit.id, person.id if person else 0), (unit, person))
    new = {key: target for key, target in new.items() if key not in existing}
    if new and due <= now and not allow_past:
        raise DueInPast(due, now)
    created = [Assignment(template_id=template.id, unit_id=unit.id,
                          person_id=person.id if person else None, person_key=key[1],
                          period=period, due_at=due, state=State.DISPATCHED, created_at=now)
               for key, (unit, person) in new.items()]
    session.add_all(created)
    session.flush()
    ladder, found = Ladder(), Directory()
    for assignment in created:
        plan(assignment, now, ladder=ladder)
        for recipient in assignees(assignment, found):
            notify(NotificationKind.DISPATCHED, recipient.id, now=now, assignment_id=assignment.id)
    if created:
        audit.record("assignment.dispatch", f"template:{template.id}", now=now, actor=actor,
                     period=period, assignments=[a.id for a in created])
    return created


def dispatch_due(now: datetime) -> dict[str, int]:
    """Dispatch every active common or self-check periodic template for the period `now`
    falls in.

    Safe to run any number of times (dispatch is idempotent); a period missed while the system
    was down is dispatched on the next run, unless its due time has passed meanwhile: tasks
    born overdue are an inspector's decision, never the clock's. Returns created counts by
    "template:period".
    """
    today = now.astimezone(SHANGHAI).date()
    templates = session.scalars(sa.select(DutyTemplate).where(
        DutyTemplate.active.is_(True),
        DutyTemplate.kind.in_(TARGETED_BY_RULE),
        DutyTemplate.period != Period.ONCE).order_by(DutyTemplate.id))
    created = {}
    for template in templates:
        period = period_of(template, today)
        try:
            made = dispatch(template, period, now=now)
        except DueInPast:
            log.info("template %s, period %s: due time passed, not dispatched by itself",
                     template.id, period)
            continue
        if made:
            created[f"{template.id}:{period}"] = len(made)
    return created
