"""Admin pages for people (`/admin/people/...`): create, edit (name, title, phone, role), move
to another unit, deactivate and reactivate (models.account). Moving or deactivating someone
with unfinished tasks asks, task by task, whom it goes to (改派) or why it is cancelled (撤销)
(models.handover); nothing is saved until every task has an answer."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from handlers.admin import texts
from handlers.admin.access import editors_only
from handlers.labels import ROLE_LABELS
from models import Person, Role, Unit, utcnow
from models import session as db
from models.account import (PersonFields, create_person, deactivate, move_person, reactivate,
                            update_person)
from models.errors import DomainError
from models.handover import CANCEL, REASSIGN, Choice, ChoiceMissing, colleagues, unfinished
from models.organisation import active_units
from handlers.admin.organisation import attempt


class PersonForm(FlaskForm):
    name = StringField("姓名")
    unit_id = SelectField("所属单位", coerce=int)
    # validate_choice off: models.account says in Chinese what is wrong with a tampered value.
    role = SelectField("角色", choices=[SelectChoice(role.value, ROLE_LABELS[role])
                                      for role in Role], validate_choice=False)
    title = StringField("职务")
    phone = StringField("手机号", description="选填；填写后批量导入时可按手机号识别本人。")


def _person_form(person: Person | None) -> PersonForm:
    form = PersonForm(obj=person) if request.method == "GET" else PersonForm()
    if person is not None:
        del form.unit_id  # moving is its own page: it may hand tasks over
    else:
        form.unit_id.choices = [SelectChoice(u.id, f"{u.name}（{u.kind_label}）")
                                for u in active_units()]
        if request.method == "GET":
            form.unit_id.data = request.args.get("unit", type=int)
    return form


@editors_only
def person_edit(person_id: int | None = None):
    """新增人员 / 修改人员."""
    person = (db.get(Person, person_id) or abort(404)) if person_id else None
    form = _person_form(person)
    heading = f"修改人员：{person.name}" if person else "新增人员"
    if form.validate_on_submit():
        unit = person.unit if person else db.get(Unit, form.unit_id.data or 0)
        fields = PersonFields(name=form.name.data or "", unit=unit, role=form.role.data,
                              title=form.title.data or "", phone=form.phone.data or "")
        try:
            if person is None:
                person = create_person(fields, now=utcnow(), actor=g.person)
                message = texts.PERSON_CREATED.format(name=person.name)
            else:
                changed = update_person(person, fields, now=utcnow(), actor=g.person)
                message = (texts.PERSON_SAVED if changed else texts.PERSON_UNCHANGED).format(
                    name=person.name)
        except DomainError as refusal:
            db.rollback()
            form.name.errors = [refusal.message]
            return _form_page(form, heading, 422)
        db.commit()
        flash(message, "ok")
        return redirect(url_for("admin.people", unit=person.unit_id) + f"#p{person.id}", 303)
    return _form_page(form, heading, 422 if form.is_submitted() else 200)


def _form_page(form, heading: str, status: int):
    return render_template("admin/form.html", form=form, heading=heading,
                           back=url_for("admin.people")), status


def _choices(person: Person) -> dict[int, Choice]:
    """The handover the page's form asked for: per task `task-ID` = person id or "cancel",
    and `reason-ID` for a cancel."""
    choices = {}
    for task in unfinished(person):
        picked = request.form.get(f"task-{task.id}", "")
        if picked == CANCEL:
            choices[task.id] = Choice(CANCEL, reason=request.form.get(f"reason-{task.id}", ""))
        elif picked.isdigit():
            choices[task.id] = Choice(REASSIGN, person=db.get(Person, int(picked)))
    return choices


def _handover_page(person: Person, action: str, *, status: int = 200, problems=(),
                   units=()):
    tasks = [(task, colleagues(task, person)) for task in unfinished(person)]
    return render_template("admin/person_handover.html", person=person, action=action,
                           tasks=tasks, units=units, problems=list(problems),
                           picked=request.form), status


@editors_only
def person_move(person_id: int):
    """调动: GET the unit to move to and the handover; POST applies both or nothing."""
    person = db.get(Person, person_id) or abort(404)
    units = [u for u in active_units() if u.id != person.unit_id]
    if request.method == "GET":
        return _handover_page(person, "move", units=units)
    unit = db.get(Unit, request.form.get("unit_id", type=int) or 0)
    try:
        if unit is None:
            raise DomainError(texts.PICK_UNIT)
        old = person.unit.name
        done = move_person(person, unit, _choices(person), now=utcnow(), actor=g.person)
    except ChoiceMissing as missing:
        db.rollback()
        return _handover_page(person, "move", status=422, problems=missing.problems, units=units)
    except DomainError as refusal:
        db.rollback()
        return _handover_page(person, "move", status=422, problems=[refusal.message],
                              units=units)
    db.commit()
    flash(texts.PERSON_MOVED.format(name=person.name, old=old, unit=unit.name)
          + texts.handed_over(**done), "ok")
    return redirect(url_for("admin.people", unit=unit.id) + f"#p{person.id}", 303)


@editors_only
def person_deactivate(person_id: int):
    """停用: GET the handover of unfinished tasks; POST deactivates, or shows the handover
    again saying which tasks still need an answer."""
    person = db.get(Person, person_id) or abort(404)
    if request.method == "GET":
        return _handover_page(person, "deactivate")
    try:
        count = deactivate(person, now=utcnow(), actor=g.person, choices=_choices(person))
    except ChoiceMissing as missing:
        db.rollback()
        return _handover_page(person, "deactivate", status=409, problems=missing.problems)
    db.commit()
    flash((texts.DEACTIVATED_TOKENS if count else texts.DEACTIVATED).format(
        name=person.name, count=count), "ok")
    return redirect(url_for("admin.people"), 303)


@editors_only
def person_reactivate(person_id: int):
    person = db.get(Person, person_id) or abort(404)
    return attempt(lambda: reactivate(person, now=utcnow(), actor=g.person),
                   texts.REACTIVATED.format(name=person.name),
                   url_for("admin.people", unit=person.unit_id) + f"#p{person.id}")
