"""Admin page 任务派发 (`/admin/dispatch`): every template with its current period, and one
template's dispatch form: the period and its due time, the units and people a 个性/临时 task
goes to, and an explicit confirmation when the due time has already passed."""

import itertools

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from handlers.labels import dispatched_text
from models.duty import TARGETED_BY_RULE
from models import Assignment, DutyTemplate, Person, Role, Unit, UnitKind, utcnow
from models import session as db
from models.clock import local_date
from models.dispatch import DueInPast, coverage_gaps, dispatch, due_at, period_of
from models.errors import DomainError

PICKED_ROLES = (Role.INSPECTOR, Role.ADMIN)  # dispatchers, never assignees


def dispatch_page():
    """Every template with its current period, due time and tasks already dispatched there."""
    now = utcnow()
    today = local_date(now)
    templates = db.scalars(sa.select(DutyTemplate).options(joinedload(DutyTemplate.category))
                           .order_by(DutyTemplate.id)).all()
    rows = []
    for template in templates:
        period = period_of(template, today)
        count = db.scalar(sa.select(sa.func.count(Assignment.id)).where(
            Assignment.template_id == template.id, Assignment.period == period))
        rows.append((template, period, _due(template, period, now), count))
    return render_template("admin/dispatch.html", rows=rows, now=now)


def dispatch_form(template_id: int):
    """One template's dispatch: period, due time, whom (个性/临时), confirmation if late."""
    template = db.get(DutyTemplate, template_id) or abort(404)
    now = utcnow()
    period = request.args.get("period") or period_of(template, local_date(now))
    due = _due(template, period, now)
    named = template.kind not in TARGETED_BY_RULE
    return render_template(
        "admin/dispatch_form.html", template=template, period=period, due=due,
        late=DueInPast(due, now).message if due and due <= now else "",
        units=_units_by_kind() if named else [], groups=_people_by_unit() if named else [],
        chosen_units=set(request.args.getlist("unit_id", type=int)),
        chosen_people=set(request.args.getlist("person_id", type=int)))


def dispatch_post():
    """Dispatch; a refusal (bad period, nobody chosen, due time past) goes back to the form
    with what was entered, saying why."""
    form = request.form
    template = db.get(DutyTemplate, form.get("template_id", type=int) or 0) or abort(404)
    period = form.get("period", "").strip()
    unit_ids, person_ids = form.getlist("unit_id", type=int), form.getlist("person_id", type=int)
    try:
        created = dispatch(template, period, now=utcnow(), actor=g.person,
                           units=_chosen(Unit, unit_ids, "单位"),
                           people=_chosen(Person, person_ids, "人员"),
                           allow_past=form.get("allow_past") == "y")
    except DomainError as refusal:
        db.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("admin.dispatch_form", template_id=template.id, period=period,
                                unit_id=unit_ids, person_id=person_ids))
    db.commit()
    missing = coverage_gaps(template, created)
    flash(dispatched_text(template, period, created, missing), "warn" if missing else "ok")
    return redirect(url_for("admin.dispatch_page"))


def _due(template: DutyTemplate, period: str, now):
    """The period's due time, or None when the period or the due rule cannot give one."""
    try:
        return due_at(template, period, now)
    except DomainError:
        return None


def _units_by_kind() -> list[tuple[UnitKind, list[Unit]]]:
    units = db.scalars(sa.select(Unit).where(Unit.kind != UnitKind.COUNTY,
                                             Unit.active.is_(True))).all()
    return [(kind, [unit for unit in units if unit.kind == kind]) for kind in UnitKind
            if any(unit.kind == kind for unit in units)]


def _people_by_unit() -> list[tuple[Unit, list[Person]]]:
    people = db.scalars(sa.select(Person).options(joinedload(Person.unit)).where(
        Person.active.is_(True), Person.role.not_in(PICKED_ROLES))
        .order_by(Person.unit_id, Person.id)).all()
    return [(unit, list(members))
            for unit, members in itertools.groupby(people, key=lambda person: person.unit)]


def _chosen(model, ids: list[int], label: str) -> list:
    """The rows picked on the form, or a DomainError naming what no longer exists."""
    found = {row.id: row for row in db.scalars(sa.select(model).where(model.id.in_(ids)))}
    if missing := [str(i) for i in ids if i not in found]:
        raise DomainError(f"所选{label}不存在（编号 {'、'.join(missing)}），请刷新页面后重新选择。")
    return [found[i] for i in dict.fromkeys(ids)]
