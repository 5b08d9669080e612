"""Admin pages 组织机构 (`/admin/org`): the unit tree with its kind, supervising body, people
and open tasks; admins create, edit (rename, move, kind, supervising body), merge and
deactivate units (models.organisation), inspectors look. Every change is audited there and
committed here; a refusal says why and saves nothing."""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from handlers.admin.access import editors_only
from handlers.admin import texts
from handlers.labels import UNIT_KIND_LABELS
from models import Assignment, Person, Role, Unit, UnitKind, utcnow
from models import session as db
from models.assignment import FINAL_STATES
from models.duty import period_label
from models.errors import DomainError
from models.lifecycle import withdraw
from models.organisation import (SUPERVISING_KINDS, MergeClash, UnitFields, active_units,
                                 clashes, create_unit, deactivate_unit, merge_units,
                                 reactivate_unit, update_unit)


class UnitForm(FlaskForm):
    name = StringField("单位名称")
    # validate_choice off: models.organisation says in Chinese what is wrong with a value.
    kind = SelectField("单位类别", choices=[SelectChoice(kind.value, UNIT_KIND_LABELS[kind])
                                          for kind in UnitKind], validate_choice=False)
    parent_id = SelectField("上级单位", coerce=int, validate_choice=False)
    supervisor_id = SelectField("监督单位", coerce=int, validate_choice=False,
                                description="乡镇、部门由其纪委或派驻纪检监察组监督；"
                                            "不选则随上级单位（村随乡镇）。")


def tree() -> list[tuple[Unit, int]]:
    """Every unit with its depth, parents before children, siblings by kind and name."""
    units = db.scalars(sa.select(Unit).order_by(Unit.kind, Unit.name, Unit.id)).all()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered, seen = [], set()

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            if unit.id not in seen:
                seen.add(unit.id)
                ordered.append((unit, depth))
                walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered + [(unit, 0) for unit in units if unit.id not in seen]


def units_page():
    people = dict(db.execute(sa.select(Person.unit_id, sa.func.count()).where(
        Person.active.is_(True)).group_by(Person.unit_id)).all())
    open_tasks = dict(db.execute(sa.select(Assignment.unit_id, sa.func.count()).where(
        Assignment.state.not_in(FINAL_STATES)).group_by(Assignment.unit_id)).all())
    names = dict(db.execute(sa.select(Unit.id, Unit.name)).all())
    return render_template("admin/organisation.html", rows=tree(), people=people,
                           open_tasks=open_tasks, names=names,
                           can_edit=g.person.role == Role.ADMIN)


def _unit_form(unit: Unit | None) -> UnitForm:
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    if request.method == "GET" and unit is not None:
        form.parent_id.data, form.supervisor_id.data = unit.parent_id or 0, unit.supervisor_id or 0
    units = [u for u in active_units() if unit is None or u.id != unit.id]
    form.parent_id.choices = [SelectChoice(0, "（无，顶层单位）")] + [
        SelectChoice(u.id, f"{u.name}（{u.kind_label}）") for u in units]
    form.supervisor_id.choices = [SelectChoice(0, "（随上级单位）")] + [
        SelectChoice(u.id, u.name) for u in units if u.kind in SUPERVISING_KINDS]
    return form


@editors_only
def unit_edit(unit_id: int | None = None):
    """新建单位 / 修改单位: name, kind, parent (a move), supervising body."""
    unit = (db.get(Unit, unit_id) or abort(404)) if unit_id else None
    form = _unit_form(unit)
    heading = f"修改单位：{unit.name}" if unit else "新建单位"
    if form.validate_on_submit():
        fields = UnitFields(name=form.name.data or "", kind=form.kind.data,
                            parent=db.get(Unit, form.parent_id.data or 0),
                            supervisor=db.get(Unit, form.supervisor_id.data or 0))
        try:
            if unit is None:
                unit = create_unit(fields, now=utcnow(), actor=g.person)
                message = texts.UNIT_CREATED.format(name=unit.name)
            else:
                changed = update_unit(unit, fields, now=utcnow(), actor=g.person)
                message = texts.UNIT_SAVED.format(name=unit.name) if changed else \
                    texts.UNIT_UNCHANGED.format(name=unit.name)
        except DomainError as refusal:
            db.rollback()
            form.name.errors = [refusal.message]
            return _form_page(form, heading, 422)
        db.commit()
        flash(message, "ok")
        return redirect(url_for("admin.org_units") + f"#u{unit.id}", 303)
    return _form_page(form, heading, 422 if form.is_submitted() else 200)


def _form_page(form, heading: str, status: int):
    return render_template("admin/form.html", form=form, heading=heading,
                           back=url_for("admin.org_units")), status


@editors_only
def unit_merge(unit_id: int):
    """合并: GET shows the choice of unit and any clashing tasks (each side can be cancelled
    here); POST merges, or says which tasks still clash."""
    unit = db.get(Unit, unit_id) or abort(404)
    targets = [u for u in active_units() if u.id != unit.id]
    target = db.get(Unit, request.values.get("into", type=int) or 0)
    problems, status = [], 200
    if request.method == "POST":
        try:
            if target is None or not target.active or target.id == unit.id:
                raise DomainError(texts.MERGE_PICK)
            moved = merge_units(unit, target, now=utcnow(), actor=g.person)
        except DomainError as refusal:
            db.rollback()
            problems, status = [refusal.message], 409 if isinstance(refusal, MergeClash) else 422
        else:
            db.commit()
            flash(texts.MERGED.format(unit=unit.name, into=target.name, **moved), "ok")
            return redirect(url_for("admin.org_units") + f"#u{target.id}", 303)
    found = clashes(unit, target) if target is not None and target.id != unit.id else []
    return render_template("admin/unit_merge.html", unit=unit, targets=targets, target=target,
                           clashes=found, problems=problems), status


def attempt(change, message: str, back: str):
    """Run a domain `change`; commit it and flash `message`, or roll back and flash why it
    was refused; either way go `back` (the pages' one-button changes)."""
    try:
        change()
    except DomainError as refusal:
        db.rollback()
        flash(refusal.message, "error")
    else:
        db.commit()
        flash(message, "ok")
    return redirect(back, 303)


@editors_only
def task_withdraw(assignment_id: int):
    """撤销 one side of a merge clash, with a reason; back to the merge page."""
    task = db.get(Assignment, assignment_id) or abort(404)
    back = request.form.get("back", "")
    return attempt(lambda: withdraw(task, g.person, request.form.get("reason", ""), now=utcnow()),
                   texts.TASK_WITHDRAWN.format(title=task.template.title,
                                               period=period_label(task.period),
                                               unit=task.unit.name),
                   back if back.startswith("/admin/") else url_for("admin.org_units"))


@editors_only
def unit_deactivate(unit_id: int):
    unit = db.get(Unit, unit_id) or abort(404)
    return attempt(lambda: deactivate_unit(unit, now=utcnow(), actor=g.person),
                   texts.UNIT_DEACTIVATED.format(name=unit.name),
                   url_for("admin.org_units") + f"#u{unit.id}")


@editors_only
def unit_reactivate(unit_id: int):
    unit = db.get(Unit, unit_id) or abort(404)
    return attempt(lambda: reactivate_unit(unit, now=utcnow(), actor=g.person),
                   texts.UNIT_REACTIVATED.format(name=unit.name),
                   url_for("admin.org_units") + f"#u{unit.id}")
