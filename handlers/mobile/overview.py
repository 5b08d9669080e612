"""任务总览 (/m/overview): the tasks a leader answers for, as the pushes name them.

A secretary sees her unit's (本单位), a discipline body the units it supervises (监督单位), an
inspector or admin the whole county (全县): the same rows `models.hierarchy.visible_filter`
lets them open. Counts per warning level on top, each a link to its rows; filters by level,
state (未提交, 已逾期, 审核中) and unit; `?digest=ID` lists exactly the tasks one "您有N项任务提醒"
push carried.
"""

import sqlalchemy as sa
from flask import g, render_template, request, url_for
from sqlalchemy.orm import joinedload

from handlers.labels import SCOPE_LABELS
from handlers.mobile import texts
from handlers.mobile.workbench import row
from models import Assignment, Level, Notification, Role, Unit, session, utcnow
from models.assignment import OPEN_STATES, WORST_FIRST, severity
from models.hierarchy import REVIEW_STATES, Directory, visible_filter

LIST_LIMIT = 100
LEVELS = WORST_FIRST


def scope_name(person) -> str:
    """The overview's name for `person` (a cadre who leads nobody sees their own: 我的)."""
    return SCOPE_LABELS.get(Role(person.role), "我的")


def overview():
    """The leader's open tasks by warning level, filtered by the query string."""
    person = g.person
    found = Directory()
    base = sa.select(Assignment).where(visible_filter(person, found))
    digest = request.args.get("digest", type=int)
    if digest:
        carried = sa.select(Notification.assignment_id).where(
            Notification.digest_id == digest, Notification.person_id == person.id)
        base = base.where(Assignment.id.in_(carried))
    else:
        base = base.where(Assignment.state.in_(OPEN_STATES + REVIEW_STATES))
    listed = base.subquery()
    counts = dict(session.execute(sa.select(listed.c.warning, sa.func.count())
                                  .group_by(listed.c.warning)).all())
    now = utcnow()
    query, chosen = _filtered(base, now)
    tasks = session.scalars(query.options(joinedload(Assignment.template),
                                          joinedload(Assignment.unit),
                                          joinedload(Assignment.person))
                            .order_by(severity(), Assignment.due_at, Assignment.id)
                            .limit(LIST_LIMIT + 1)).all()
    return render_template(
        "mobile/overview.html", person=person, scope=scope_name(person), digest=digest,
        tiles=[_tile(level, counts.get(level, 0), digest) for level in LEVELS[:-1]],
        total=sum(counts.values()), rows=[row(task, now) for task in tasks[:LIST_LIMIT]],
        more=len(tasks) > LIST_LIMIT, limit=LIST_LIMIT, chosen=chosen,
        units=_units(person, found), states=texts.OVERVIEW_STATES, empty=texts.OVERVIEW_EMPTY)


def _filtered(query, now) -> tuple[sa.Select, dict]:
    """Apply ?level=, ?state= and ?unit= (unknown values are ignored, not errors)."""
    chosen = {}
    level = request.args.get("level", "")
    if level == "warned":
        query = query.where(Assignment.warning.in_(LEVELS[:4]))
    elif level in {value.value for value in LEVELS}:
        query = query.where(Assignment.warning == level)
    else:
        level = ""
    state = request.args.get("state", "")
    if state == "open":
        query = query.where(Assignment.state.in_(OPEN_STATES))
    elif state == "overdue":
        query = query.where(Assignment.state.in_(OPEN_STATES), Assignment.due_at < now)
    elif state == "review":
        query = query.where(Assignment.state.in_(REVIEW_STATES))
    else:
        state = ""
    unit = request.args.get("unit", type=int)
    if unit:
        query = query.where(Assignment.unit_id == unit)
    chosen.update(level=level, state=state, unit=unit or "")
    return query, chosen


def _tile(level: Level, count: int, digest: int | None) -> dict:
    args = {"level": level.value, **({"digest": digest} if digest else {})}
    return {"level": level.value, "label": texts.WARNING_LABELS[level.value], "count": count,
            "url": url_for("mobile.overview", **args)}


def _units(person, found: Directory) -> list[Unit]:
    """The units a discipline body or an inspector may filter by (a secretary has one)."""
    if person.role == Role.SECRETARY:
        return []
    ids = found.supervised_by(person.unit_id) if person.role == Role.DISCIPLINE else None
    query = sa.select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)
    if ids is not None:
        query = query.where(Unit.id.in_(ids))
    return list(session.scalars(query))

