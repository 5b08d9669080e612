"""扣分加分 (`/admin/deductions`): a year's deductions and bonuses, in force and revoked, who
recorded or revoked each and why; inspectors record and revoke (models.deduction), admins read.
A refused form is shown again with its answer (400) and saves nothing.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from handlers.admin import texts
from handlers.admin.scoring import year_arg
from handlers.labels import DEDUCTION_KIND_LABELS, UNIT_KIND_LABELS
from models import Deduction, DeductionKind, Person, Unit, session, utcnow
from models.clock import local_date
from models.deduction import may_record, record, revoke
from models.errors import DomainError, NotFound
from models.scoring import RANKED_KINDS


def deductions(errors: dict | None = None, values: dict | None = None, status: int = 200):
    """The list and, for inspectors, the form; `errors` ({"record" or a row's id: message})
    and `values` are a refused form's, shown with its `status`."""
    year = year_arg(values)
    chosen = request.args.get("unit") or (values or {}).get("unit_id") or ""
    unit_id = int(chosen) if str(chosen).isdigit() else None
    query = (sa.select(Deduction)
             .options(joinedload(Deduction.unit), joinedload(Deduction.person),
                      joinedload(Deduction.recorded_by), joinedload(Deduction.revoked_by))
             .where(Deduction.day >= date(year, 1, 1), Deduction.day <= date(year, 12, 31))
             .order_by(Deduction.day.desc(), Deduction.id.desc()))
    if unit_id:
        query = query.where(Deduction.unit_id == unit_id)
    units = session.scalars(sa.select(Unit).where(Unit.kind.in_(RANKED_KINDS),
                                                  Unit.active.is_(True))
                            .order_by(Unit.kind, Unit.name, Unit.id)).all()
    people = session.scalars(sa.select(Person).where(
        Person.active.is_(True), Person.unit_id.in_([unit.id for unit in units]))
        .order_by(Person.unit_id, Person.id)).all()
    today = local_date(utcnow())
    form = {"unit_id": str(unit_id or ""), "person_id": "", "kind": DeductionKind.DEDUCTION.value,
            "points": "", "reason": "", "reference": "", "day": today.isoformat(),
            **(values or {})}
    return render_template(
        "admin/deductions.html", year=year, unit_id=unit_id,
        rows=session.scalars(query).unique().all(), units=units, people=people,
        unit_kinds=UNIT_KIND_LABELS, kinds=DEDUCTION_KIND_LABELS, form=form,
        errors=errors or {}, can_record=may_record(g.person),
        refusal=texts.ONLY_INSPECTORS_RECORD, today=today), status


def record_post():
    """登记扣分或加分."""
    form = request.form.to_dict()
    try:
        row = record(unit=_unit(form.get("unit_id")), person=_person(form.get("person_id")),
                     kind=_kind(form.get("kind")), points=form.get("points", ""),
                     reason=form.get("reason", ""), reference=form.get("reference", ""),
                     day=_day(form.get("day")), actor=g.person, now=utcnow())
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return deductions({"record": refusal.message}, {**form, "year": form.get("year", "")},
                          refusal.status)
    session.commit()
    flash(texts.DEDUCTION_SAVED.format(**_named(row)), "ok")
    return redirect(url_for("admin.deductions", year=row.day.year, unit=row.unit_id), 303)


def revoke_post(deduction_id: int):
    """撤销 with a reason; the row stays, marked revoked."""
    row = session.get(Deduction, deduction_id)
    if row is None:
        raise NotFound(texts.DEDUCTION_GONE)
    try:
        revoke(row, actor=g.person, reason=request.form.get("reason", ""), now=utcnow())
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return deductions({row.id: refusal.message}, {"year": str(row.day.year)},
                          refusal.status)
    session.commit()
    flash(texts.DEDUCTION_REVOKED.format(**_named(row)), "ok")
    return redirect(url_for("admin.deductions", year=row.day.year,
                            unit=request.args.get("unit", type=int)), 303)


def _named(row: Deduction) -> dict:
    return {"unit": row.unit.name, "person": f"（{row.person.name}）" if row.person else "",
            "kind": DEDUCTION_KIND_LABELS[row.kind], "points": f"{row.points.normalize():f}"}


def _unit(value) -> Unit:
    unit = session.get(Unit, int(value)) if str(value or "").isdigit() else None
    if unit is None or unit.kind not in RANKED_KINDS:
        raise DomainError(texts.PICK_UNIT)
    return unit


def _person(value) -> Person | None:
    if not value:
        return None
    person = session.get(Person, int(value)) if str(value).isdigit() else None
    if person is None:
        raise DomainError(texts.PICK_PERSON)
    return person


def _kind(value) -> DeductionKind:
    try:
        return DeductionKind(value)
    except ValueError:
        raise DomainError(texts.PICK_KIND) from None


def _day(value) -> date:
    try:
        return datetime.strptime((value or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise DomainError(texts.BAD_DAY) from None
