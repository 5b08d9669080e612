"""The warning ladder for notices (issue 11): a late reply and each late item climb the same
steps as an assignment (models.ladder: the county's default days, named by its level scheme),
reaching the issuing body at yellow, the unit's supervising body at red, and at the last step
the unit's superior and the county inspectors. Like an assignment, each row keeps the highest
step reached (`warning`) and when to look next (`next_step_at`, indexed); a sweep fires only
the highest step now due, once per (notice, step, person, cycle) by the unique constraint.

A reply that becomes late (its first overdue step) costs the unit the scoring policy's points
(models.deduction.record, source notice:<id>). A notice accepted in full reminds its issuer on
the 回访 day.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import deduction
from models.clock import local_date
from models.db import session
from models.hierarchy import Directory
from models.ladder import Level, highest_due, next_after, parse_ladder, schedule
from models.level_scheme import scheme
from models.notice import OWED, Notice, NoticeItem, NoticeState
from models.notification import NotificationKind, notify
from models.scoring import policy_for
from models.unit import Role

REPLY_OWED = (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED)
ITEMS_LIVE = (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED, NoticeState.REPLIED)
OVERDUE = (Level.BLUE, Level.YELLOW, Level.RED, Level.SUPERVISION)
# Who hears of each step: each adds to the one before ("谁提出、谁负责、谁督办").
AUDIENCE = {
    Level.REMINDER: ("unit",),
    Level.BLUE: ("unit",),
    Level.YELLOW: ("unit", "issuer"),
    Level.RED: ("unit", "issuer", "discipline"),
    Level.SUPERVISION: ("unit", "issuer", "discipline", "superior", "inspector"),
}


def _steps(due_at: datetime) -> list[tuple[Level, datetime]]:
    return schedule(due_at, ladder=parse_ladder(scheme().ladder_days))


def _reached(row) -> Level | None:
    return Level(row.warning) if row.warning != Level.NONE else None


def _owes(row) -> bool:
    """An item owes its reply while open or returned; the notice owes its written reply
    (限期回复) until every item has been answered once: a later return is the item's."""
    if isinstance(row, NoticeItem):
        return row.state in OWED and row.notice.state in ITEMS_LIVE
    return row.state in REPLY_OWED and row.replied_at is None


def plan(row: Notice | NoticeItem, now: datetime) -> None:
    """When the sweep must next look at a notice (its reply) or an item: the next ladder step
    while it is owed, the 回访 day for a notice awaiting it, else never."""
    if _owes(row):
        row.next_step_at = next_after(_steps(_due(row)), _reached(row))
    elif isinstance(row, Notice) and row.state == NoticeState.FOLLOW_UP:
        row.next_step_at = row.follow_up_due_at
    else:
        row.next_step_at = None


def _due(row) -> datetime:
    return row.due_at if isinstance(row, NoticeItem) else row.reply_due_at


@dataclass
class NoticeSweep:
    looked_at: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    pushes: list = field(default_factory=list)
    deductions: int = 0


def sweep_notices(now: datetime) -> NoticeSweep:
    """Fire what is due for notices and items at `now`; the caller commits (or rolls back for
    a dry run). Rows are locked with SKIP LOCKED, so a concurrent sweep takes others."""
    report, found = NoticeSweep(), Directory()
    for model in (Notice, NoticeItem):
        query = sa.select(model).where(model.next_step_at <= now).order_by(model.id)
        if model is NoticeItem:
            query = query.options(joinedload(NoticeItem.notice))
        for row in session.scalars(query.with_for_update(skip_locked=True, of=model)).all():
            report.looked_at += 1
            _advance(row, now, found, report)
    return report


def _advance(row, now: datetime, found: Directory, report: NoticeSweep) -> None:
    notice = row.notice if isinstance(row, NoticeItem) else row
    if isinstance(row, Notice) and row.state == NoticeState.FOLLOW_UP:
        row.next_step_at = None
        report.pushes += [notify(NotificationKind.NOTICE_FOLLOW_UP, pid, now=now,
                                 notice_id=row.id, step="follow_up")
                          for pid in _issuers(found, notice)]
        return
    if not _owes(row):
        row.next_step_at = None
        return
    steps = _steps(_due(row))
    step = highest_due(steps, now, _reached(row))
    if step is None:
        row.next_step_at = next_after(steps, _reached(row))
        return
    first_overdue = step in OVERDUE and _reached(row) not in OVERDUE
    row.warning = step
    row.next_step_at = next_after(steps, step)
    report.steps[step] = report.steps.get(step, 0) + 1
    is_item = isinstance(row, NoticeItem)
    where = f"item:{row.id}" if is_item else "reply"
    report.pushes += [
        notify(NotificationKind(step), pid, now=now, notice_id=notice.id, step=f"{where}:{step}",
               cycle=row.ladder_cycle if is_item else 0,
               data={"item": row.id} if is_item else {})
        for pid in audience(found, notice, step, row.person_id if is_item else None)]
    if first_overdue and not is_item:
        report.deductions += _late_reply(notice, now)


def audience(found: Directory, notice: Notice, step: Level, person_id: int | None) -> list[int]:
    """Everyone a step goes to, each once: the unit's liaison and secretary (and an item's
    responsible person) first."""
    people: list[int] = []
    for post in AUDIENCE[step]:
        if post == "unit":
            people += found.posts.get((notice.unit_id, Role.COMMITTEE), [])
            people += found.secretaries(notice.unit_id)
            people += [person_id] if person_id else []
        elif post == "issuer":
            people += _issuers(found, notice)
        elif post == "discipline":
            people += found.discipline(notice.unit_id)
        elif post == "superior":
            parent = found.units.get(notice.unit_id, (None, None, None))[0]
            people += found.secretaries(parent) if parent is not None else []
        else:
            people += found.inspectors()
    return list(dict.fromkeys(people))


def _issuers(found: Directory, notice: Notice) -> list[int]:
    return [pid for role in (Role.DISCIPLINE, Role.INSPECTOR)
            for pid in found.posts.get((notice.issuer_id, role), [])]


def _late_reply(notice: Notice, now: datetime) -> int:
    points = policy_for(local_date(now).year).notice_late_points
    if points <= 0:
        return 0
    deduction.record(unit=notice.unit, points=points, day=local_date(now), actor=None, now=now,
                     reason=f"{notice.name}逾期未回复", reference=notice.reference,
                     source=f"notice:{notice.id}")
    return 1
