"""The escalation engine: the warning ladder run against the database (DESIGN.md, issue 4).

Escalation state lives in the assignment row: `warning` is the highest step reached and
`next_step_at` (indexed) when the sweep must next look at it. The sweep reads only the rows
whose time has come, takes the highest step now due (steps missed while the system was down
collapse into it), records one Notification per (assignment, step, recipient, cycle) through
an INSERT that ignores conflicts with the unique constraint, and moves `next_step_at` on. The
queue only wakes it up: running it twice, concurrently, or after Redis lost everything sends
nothing twice and loses nothing.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from models.clock import SHANGHAI
from models import audit
from models.assignment import OPEN_STATES, Action, Assignment
from models.calendar import CalendarMissing, WorkCalendar, load_calendar
from models.db import session
from models.duty import DutyTemplate
from models.errors import DomainError, NotAllowed
from models.hierarchy import REVIEW_STATES, Directory, allowed, assignees, reviewers
from models.late import closing, input_closed
from models.ladder import (Level, after_quiet_hours, highest_due, next_after, parse_ladder,
                           quiet_hours, schedule)
from models.level_scheme import scheme
from models.notification import (
    KIND_LABELS,
    Channel,
    NotificationKind,
    Notification,
    NotificationStatus,
    notify,
)
from models.supervision import Supervision
from models.unit import Person, Role

log = logging.getLogger(__name__)
REVIEW_OVERDUE = timedelta(days=3)  # a review pending longer gets its reviewers reminded
REVIEW_REPEAT = timedelta(days=1)  # and again at most once a day
URGE_INTERVAL = timedelta(minutes=5)
SWEEP_BATCH = 2000

# Who hears of each step (DESIGN.md, warning ladder): each adds to the one before.
AUDIENCE = {
    Level.REMINDER: ("assignee",),
    Level.BLUE: ("assignee",),
    Level.YELLOW: ("assignee", "secretary"),
    Level.RED: ("assignee", "secretary", "discipline"),
    Level.SUPERVISION: ("assignee", "secretary", "discipline", "inspector"),
}


def audience(directory: Directory, assignment: Assignment, step: Level) -> list[int]:
    """Everyone a step goes to, each once, the assignee first."""
    found: list[int] = []
    for post in AUDIENCE[step]:
        if post == "assignee":
            found += directory.assignees(assignment)
        elif post == "secretary":
            found += directory.secretaries(assignment.unit_id)
        elif post == "discipline":
            found += directory.discipline(assignment.unit_id)
        else:
            found += directory.inspectors()
    return list(dict.fromkeys(found))


class Ladder:
    """Each (due time, day counting, ladder days)'s step schedule, computed once: a sweep sees
    thousands of tasks sharing a few due times. The calendar is read only when working days are
    counted."""

    def __init__(self, calendar: WorkCalendar | None = None, quiet=None):
        self._calendar, self.quiet = calendar, quiet or quiet_hours()
        self._schedules: dict[tuple[datetime, bool], list[tuple[Level, datetime]]] = {}

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = load_calendar()
        return self._calendar

    def steps(self, assignment: Assignment) -> list[tuple[Level, datetime]]:
        template = assignment.template
        # The template's own days, else the county's default (预警等级与颜色), else DESIGN's.
        working_days = template.working_days
        days = template.ladder_days or scheme().ladder_days
        key = (assignment.due_at, working_days, days)
        if key not in self._schedules:
            calendar, ladder = self.calendar if working_days else WorkCalendar(), parse_ladder(days)
            try:
                found = schedule(assignment.due_at, working_days=working_days,
                                 calendar=calendar, quiet=self.quiet, ladder=ladder)
            except CalendarMissing as missing:  # the admin pages and /healthz raise the alarm
                log.warning("no %s holiday schedule: counting Monday to Friday without the "
                            "fixed-date holidays until an admin imports it", missing.year)
                found = schedule(assignment.due_at, working_days=working_days,
                                 calendar=calendar.lenient(), quiet=self.quiet, ladder=ladder)
            self._schedules[key] = found
        return self._schedules[key]


def _before_closing(assignment: Assignment, at: datetime | None) -> datetime | None:
    """`at`, unless the late policy closes input by then: the ladder runs while the assignee
    can act (DESIGN.md), and an unlock plans it again (models.late)."""
    closes = closing(assignment)
    return None if at is not None and closes is not None and at >= closes else at


def reached(assignment: Assignment) -> Level | None:
    return Level(assignment.warning) if assignment.warning != Level.NONE else None


def plan(assignment: Assignment, now: datetime, *, ladder: Ladder | None = None) -> None:
    """Set when the sweep must next look at `assignment`, from its state (the caller commits).

    Open: the next ladder step. Waiting for review: the reviewers' reminder 3 days after it
    entered review (call this at that moment). Finished: never.
    """
    ladder = ladder or Ladder()
    if assignment.state in OPEN_STATES:
        assignment.next_step_at = _before_closing(
            assignment, next_after(ladder.steps(assignment), reached(assignment)))
    elif assignment.state in REVIEW_STATES:
        assignment.next_step_at = after_quiet_hours(
            NotificationKind.REVIEW_OVERDUE, now + REVIEW_OVERDUE, ladder.quiet
        )
    else:
        assignment.next_step_at = None


@dataclass
class SweepReport:
    now: datetime
    looked_at: int = 0
    steps: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pushes: list[dict] = field(default_factory=list)  # what was (or, dry, would be) recorded
    created: int = 0  # rows actually inserted (a re-run or a race inserts none)
    digests: int = 0
    deferred: int = 0  # due in quiet hours: waits for the morning
    supervisions: list[dict] = field(default_factory=list)  # 督办 records, inserted at the end
    titles: dict[int, str] = field(default_factory=dict)  # assignment id → its task's title

    def lines(self) -> list[str]:
        names = {}
        if self.pushes:
            ids = {push["person_id"] for push in self.pushes}
            names = dict(session.execute(sa.select(Person.id, Person.name)
                                         .where(Person.id.in_(ids))).all())
        return [f"{push['assignment_id']:>8}  {KIND_LABELS[NotificationKind(push['kind'])]:<6}  "
                f"→ {names.get(push['person_id'], push['person_id'])}" for push in self.pushes]


def sweep(now: datetime, *, dry_run: bool = False, batch: int = SWEEP_BATCH) -> SweepReport:
    """Run the ladder once at `now`: one transaction, committed unless `dry_run`.

    Rows are read in keyset pages over the (next_step_at, id) index and, on PostgreSQL,
    locked with SKIP LOCKED, so a concurrent sweep takes other rows or none.
    """
    report = SweepReport(now)
    ladder, directory = Ladder(), Directory()
    after: tuple[datetime, int] | None = None
    while True:
        query = (sa.select(Assignment).where(Assignment.next_step_at <= now)
                 .options(joinedload(Assignment.template))
                 .order_by(Assignment.next_step_at, Assignment.id).limit(batch))
        if after is not None:
            query = query.where(sa.tuple_(Assignment.next_step_at, Assignment.id) > after)
        if not dry_run:
            query = query.with_for_update(skip_locked=True, of=Assignment)
        rows = session.scalars(query).all()
        if not rows:
            break
        after = (rows[-1].next_step_at, rows[-1].id)
        for assignment in rows:
            report.looked_at += 1
            report.pushes += _advance(assignment, now, ladder, directory, report)
    if dry_run:
        session.rollback()
        per_person = defaultdict(int)
        for push in report.pushes:
            per_person[push["person_id"]] += 1
        report.digests = sum(1 for count in per_person.values() if count > 1)
        return report
    _insert_ignoring(Supervision, report.supervisions)
    report.created, report.digests = _record(report.pushes, report.titles, now)
    session.commit()
    return report


def _advance(assignment: Assignment, now: datetime, ladder: Ladder, directory: Directory,
             report: SweepReport) -> list[dict]:
    """Fire what is due for one assignment and move its next_step_at on."""
    quiet = ladder.quiet
    if assignment.state in OPEN_STATES:
        if input_closed(assignment, now):  # planned before the policy closed it
            assignment.next_step_at = None
            return []
        steps = ladder.steps(assignment)
        step = highest_due(steps, now, reached(assignment))
        if step is None:
            assignment.next_step_at = _before_closing(assignment,
                                                      next_after(steps, reached(assignment)))
            return []
        if (later := after_quiet_hours(step, now, quiet)) != now:
            assignment.next_step_at, report.deferred = later, report.deferred + 1
            return []
        assignment.warning = Level(step)
        assignment.next_step_at = _before_closing(assignment, next_after(steps, step))
        report.steps[step] += 1
        report.titles[assignment.id] = assignment.template.title
        if step == Level.SUPERVISION:
            report.supervisions.append({"assignment_id": assignment.id, "opened_at": now,
                                        "cycle": assignment.ladder_cycle, "response": ""})
        return [_push(NotificationKind(step), assignment, pid, step, assignment.ladder_cycle)
                for pid in audience(directory, assignment, step)]
    if assignment.state in REVIEW_STATES:
        if (later := after_quiet_hours(NotificationKind.REVIEW_OVERDUE, now, quiet)) != now:
            assignment.next_step_at, report.deferred = later, report.deferred + 1
            return []
        assignment.next_step_at = after_quiet_hours(
            NotificationKind.REVIEW_OVERDUE, now + REVIEW_REPEAT, quiet
        )
        report.steps[NotificationKind.REVIEW_OVERDUE] += 1
        report.titles[assignment.id] = assignment.template.title
        day = now.astimezone(SHANGHAI).date().isoformat()
        return [
            _push(
                NotificationKind.REVIEW_OVERDUE,
                assignment,
                person.id,
                f"review_overdue:{day}",
                assignment.round,
            )
            for person in reviewers(assignment, directory)
        ]
    assignment.next_step_at = None
    return []


def _push(
    kind: NotificationKind, assignment: Assignment, person_id: int, step: str, cycle: int
) -> dict:
    return {
        "kind": kind.value,
        "assignment_id": assignment.id,
        "person_id": person_id,
        "step": str(step),
        "cycle": cycle,
    }


def _insert_ignoring(model, rows: list[dict], returning=None, shared: dict | None = None) -> list:
    """INSERT … ON CONFLICT DO NOTHING: the unique constraints decide what already exists.
    `shared`: column values written into the statement once, for every row."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    statement = (insert.values(shared) if shared else insert).on_conflict_do_nothing()
    if returning is None:
        session.execute(statement, rows)
        return []
    return [row[0] for row in session.execute(statement.returning(returning), rows)]


def _record(pushes: list[dict], titles: dict[int, str], now: datetime) -> tuple[int, int]:
    """Insert the sweep's notifications, digests decided first: a person with several pushes
    gets one digest, and those pushes go in already marked `digested` with its id, so no row
    is written twice. Returns (rows that did not exist yet, digests).

    What every row shares is SQL text in the statement, not a value bound for each row: the
    driver's handling of bound values was most of a large sweep's time (benchmarks/sweep.py).
    """
    by_person: dict[int, list[dict]] = defaultdict(list)
    for push in pushes:
        by_person[push["person_id"]].append(push)
    digests = {person_id: _new_digest(person_id, mine, titles, now)
               for person_id, mine in by_person.items() if len(mine) > 1}
    session.flush()  # the digests' ids, in one batch
    single = [{**push, "created_at": now} for push in pushes if push["person_id"] not in digests]
    carried = [{**push, "created_at": now, "digest_id": digests[push["person_id"]].id}
               for push in pushes if push["person_id"] in digests]
    new_ids = _insert_new(single, NotificationStatus.PENDING)
    carried_new = _insert_new(carried, NotificationStatus.DIGESTED)
    session.info.setdefault("new_notification_ids", []).extend(new_ids)
    return len(new_ids) + len(carried_new), _settle_digests(digests, carried_new)


def _new_digest(person_id: int, mine: list[dict], titles: dict[int, str],
                now: datetime) -> Notification:
    summary = "；".join(
        f"{titles[push['assignment_id']]}（{KIND_LABELS[NotificationKind(push['kind'])]}）"
        for push in mine
    )
    return notify(NotificationKind.DIGEST, person_id, now=now, step=f"digest:{now.isoformat()}",
                  content=f"您有{len(mine)}项任务提醒：{summary}"[:1000],
                  data={"kinds": sorted({push["kind"] for push in mine})})


def _insert_new(rows: list[dict], status: NotificationStatus) -> list[int]:
    """INSERT the rows not recorded yet (1000 a statement); returns the new ids."""
    shared = {"channel": f"'{Channel.TEMPLATE.value}'", "status": f"'{status.value}'",
              "content": "''", "data": "'{}'", "url": "''", "attempts": "0", "error": "''"}
    shared = {column: sa.literal_column(sql) for column, sql in shared.items()}
    new_ids = []
    for start in range(0, len(rows), 1000):
        new_ids += _insert_ignoring(Notification, rows[start:start + 1000],
                                    returning=Notification.id, shared=shared)
    return new_ids


def _settle_digests(digests: dict[int, Notification], carried_new: list[int]) -> int:
    """A race or a re-run may have recorded some pushes already (the unique constraint kept
    them out): a digest left with one new push gives way to it, one with none goes."""
    if not digests:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(carried_new), 1000):
        for note_id, digest_id in session.execute(
                sa.select(Notification.id, Notification.digest_id)
                .where(Notification.id.in_(_ids(carried_new[start:start + 1000])))):
            members[digest_id].append(note_id)
    kept = 0
    for digest in digests.values():
        mine = members.get(digest.id, [])
        if len(mine) == 1:
            session.execute(sa.update(Notification).where(Notification.id == mine[0])
                            .values(status=NotificationStatus.PENDING, digest_id=None))
            session.info.setdefault("new_notification_ids", []).append(mine[0])
        if len(mine) < 2:
            session.delete(digest)
        else:
            kept += 1
    return kept


def _ids(ids: list[int]):
    """Ids written into the SQL as numbers: the driver's handling of a bound value each was
    a good part of a large sweep's time."""
    return sa.bindparam("ids", ids, expanding=True, literal_execute=True)


def urge(assignment: Assignment, actor: Person, *, now: datetime) -> list[Notification]:
    """催办: the unit's secretary or an inspector (models.hierarchy.is_above, never the assignee
    themselves) pushes a reminder to the assignee now.

    At most once per 5 minutes per task and person; recorded like every other push. The
    assignment row is locked so two taps cannot both pass the check. The caller commits.
    """
    if assignment.state not in OPEN_STATES:
        raise DomainError("该任务当前无需催办。")
    if Action.URGE not in allowed(actor, assignment, now=now):
        raise NotAllowed("只有本单位党组织书记或县纪委监委审核人员可以催办他人的任务。")
    session.execute(sa.select(Assignment.id).where(Assignment.id == assignment.id)
                    .with_for_update())
    earlier = session.scalars(sa.select(Notification.created_at).where(
        Notification.assignment_id == assignment.id, Notification.kind == NotificationKind.URGE,
        Notification.data["by"].as_integer() == actor.id)
        .order_by(Notification.created_at.desc()).limit(1)).first()
    if earlier is not None and now - earlier < URGE_INTERVAL:
        wait = int((URGE_INTERVAL - (now - earlier)).total_seconds() // 60) + 1
        raise UrgedRecently(f"您刚催办过该任务，请{wait}分钟后再试。")
    count = session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.assignment_id == assignment.id, Notification.kind == NotificationKind.URGE))
    try:
        with session.begin_nested():  # SQLite has no row lock: the unique constraint decides
            notes = [notify(NotificationKind.URGE, person.id, now=now, assignment_id=assignment.id,
                            step=f"urge:{count + 1}", cycle=assignment.ladder_cycle,
                            data={"by": actor.id, "by_name": actor.name})
                     for person in assignees(assignment)]
    except IntegrityError:
        raise UrgedRecently("该任务刚刚已被催办，请稍后再试。") from None
    audit.record("assignment.urge", f"assignment:{assignment.id}", now=now, actor=actor,
                 recipients=[note.person_id for note in notes])
    return notes


class UrgedRecently(DomainError):
    status = 429


def extend_due(assignment: Assignment, due: datetime, actor: Person, *, now: datetime,
               reason: str = "") -> None:
    """An inspector moves the due time: the ladder starts afresh in a new cycle."""
    if actor.role != Role.INSPECTOR:
        raise NotAllowed("只有县纪委监委审核人员可以调整截止时间。")
    if Action.EXTEND not in allowed(actor, assignment, now=now):
        raise DomainError("该任务已提交或已结束，不能调整截止时间。")
    if due <= now:
        raise DomainError("新的截止时间须晚于现在。")
    old = assignment.due_at
    assignment.due_at, assignment.warning = due, Level.NONE
    assignment.ladder_cycle += 1
    plan(assignment, now)
    audit.record("assignment.extend", f"assignment:{assignment.id}", now=now, actor=actor,
                 old_due=old.isoformat(), due=due.isoformat(), reason=reason)


def reassign(assignment: Assignment, person: Person, actor: Person, *, now: datetime) -> None:
    """An inspector hands a person's task to another person of the same unit; the new
    assignee is told, and the ladder goes on from the step reached, now to them."""
    if actor.role != Role.INSPECTOR:
        raise NotAllowed("只有县纪委监委审核人员可以调整承办人。")
    if assignment.person_id is None:
        raise DomainError("单位任务由本单位联络员办理，不能转给个人。")
    if Action.REASSIGN not in allowed(actor, assignment, now=now):
        raise DomainError("该任务已提交或已结束，不能调整承办人。")
    hand_to(assignment, person, actor, now=now)


def hand_to(assignment: Assignment, person: Person, actor: Person, *, now: datetime,
            **details) -> None:
    """Make `person` (active, of the task's unit) the assignee of a person's task: told as if
    dispatched to them, the ladder replanned, audited as 改派. `reassign` checks who may;
    an organisation change (models.handover) calls this directly. The caller commits."""
    if (
        not person.active
        or person.unit_id != assignment.unit_id
        or person.id == assignment.person_id
    ):
        raise DomainError("请选择本单位的另一名在职人员。")
    if session.scalar(sa.select(Assignment.id).where(
            Assignment.template_id == assignment.template_id,
            Assignment.period == assignment.period, Assignment.person_key == person.id)):
        raise DomainError(f"{person.name}已有本期的同一任务。")
    old = assignment.person_id
    assignment.person_id = assignment.person_key = person.id
    notify(NotificationKind.DISPATCHED, person.id, now=now, assignment_id=assignment.id,
           step=f"dispatched:{old}", cycle=assignment.ladder_cycle)
    plan(assignment, now)
    audit.record("assignment.reassign", f"assignment:{assignment.id}", now=now, actor=actor,
                 old_person=old, person=person.id, **details)


def replan_working_days(now: datetime) -> int:
    """After the calendar changed: recompute every open working-day assignment's next step."""
    return _replan(DutyTemplate.working_days.is_(True), now)


def replan_template(template: DutyTemplate, now: datetime) -> int:
    """After a template's day counting changed: recompute its open assignments' next step."""
    return _replan(Assignment.template_id == template.id, now)


def replan_default_ladder(now: datetime) -> int:
    """After the county's default ladder days changed: replan the open assignments of every
    template that has no days of its own."""
    return _replan(sa.or_(DutyTemplate.ladder_days.is_(None), DutyTemplate.ladder_days == ""),
                   now)


def _replan(which, now: datetime) -> int:
    ladder, count = Ladder(), 0
    query = (sa.select(Assignment).join(Assignment.template)
             .where(which, Assignment.state.in_(OPEN_STATES))
             .options(joinedload(Assignment.template)))
    for assignment in session.scalars(query):
        plan(assignment, now, ladder=ladder)
        count += 1
    return count
