"""The 督办 block of the task page and the actions next to it: the assignee's written 督办回复,
催办 by the unit secretary or an inspector, and an inspector's 调整 (new due date, 改派).

The rules are the models' (models.lifecycle.respond, models.escalation.urge / extend_due /
reassign; which forms show is models.hierarchy.allowed); these views parse the form, make the
one call, commit, and say what happened. A refusal rolls back and redirects to the task page,
the reason next to its form.
"""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, request, url_for

from models.clock import SHANGHAI, local_time
from handlers.mobile import texts
from handlers.mobile.access import assignment_lock, visible_assignment
from handlers.mobile.refusal import refuse
from models import Assignment, Person, session, utcnow
from models.assignment import Action
from models.errors import DomainError
from models.escalation import extend_due, reassign, urge
from models.lifecycle import respond
from models.supervision import MIN_RESPONSE, RESPONSE_DAYS, supervisions
from models.wechat_binding import unreachable

MAX_RESPONSE = 2000  # models.supervision.respond keeps this much


def block(task: Assignment, person: Person, actions: set[Action],
          refusal: dict | None = None) -> dict:
    """What _supervision.html shows `person`: the 督办 records and the forms `actions` (what
    models.hierarchy.allowed lets them do) include.

    Everyone who may see the task sees the records and the responses (issue §7)."""
    forms = {"supervision": Action.RESPOND in actions, "urge": Action.URGE in actions,
             "adjust": Action.EXTEND in actions}
    if refusal and refusal["form"] in forms and not forms[refusal["form"]]:
        refusal = {**refusal, "form": "top"}  # e.g. 催办 by someone who has no such button
    return {
        "supervisions": [{"record": record, "respond_by": record.opened_at + timedelta(
            days=RESPONSE_DAYS)} for record in supervisions(task)],
        "can_respond": forms["supervision"], "can_urge": forms["urge"],
        "can_adjust": forms["adjust"],
        "colleagues": colleagues(task) if forms["adjust"] and task.person_id else [],
        "earliest_due": utcnow().astimezone(SHANGHAI).date().isoformat(),
        "min_response": MIN_RESPONSE, "max_response": MAX_RESPONSE,
        "refusal": refusal or {},
    }


def colleagues(task: Assignment) -> list[Person]:
    """Whom an inspector may hand a person's task to: the unit's other active people."""
    return list(session.scalars(sa.select(Person).where(
        Person.unit_id == task.unit_id, Person.active.is_(True), Person.id != task.person_id)
        .order_by(Person.id)))


def respond_supervision(assignment_id: int):
    """督办回复 (POST): the assignee answers the open 督办 in writing."""
    task = visible_assignment(g.person, assignment_id)
    text = request.form.get("response", "")
    with assignment_lock(task):
        try:
            respond(task, g.person, text, now=utcnow())
        except DomainError as refusal:
            return _refused(task, refusal, "supervision", text=text)
        session.commit()
    flash(texts.SUPERVISION_RESPONDED, "success")
    return _back(task, "supervision")


def urge_assignment(assignment_id: int):
    """催办 (POST): a push to the assignee now, at most once per 5 minutes per urger."""
    task = visible_assignment(g.person, assignment_id)
    with assignment_lock(task):
        try:
            notes = urge(task, g.person, now=utcnow())
        except DomainError as refusal:
            return _refused(task, refusal, "urge")
        session.commit()
    for category, message in urged(notes):
        flash(message, category)
    return _back(task)


def urged(notes) -> list[tuple[str, str]]:
    """What the urger is told, as (flash category, sentence): whom the reminder went to, and
    up front who WeChat cannot reach and why (it would only fail a moment later)."""
    people = [session.get(Person, note.person_id) for note in notes]
    lost = unreachable(person.id for person in people)
    sms = current_app.extensions.get("fallback") is not None
    said = [("success", texts.URGED.format(names="、".join(
        person.name for person in people if person.id not in lost)))] \
        if len(lost) < len(people) else []
    for person in people:
        if person.id in lost:
            words = texts.URGE_BY_SMS if sms and person.phone else texts.URGE_UNDELIVERABLE
            said.append(("warn", words.format(name=person.name, why=lost[person.id])))
    return said or [("warn", texts.URGED_NOBODY)]


def extend(assignment_id: int):
    """调整截止时间 (POST): a new due date at the same clock time; the ladder starts afresh."""
    task = visible_assignment(g.person, assignment_id)
    with assignment_lock(task):
        try:
            due = _due_on(request.form.get("due_date", ""), task.due_at)
            extend_due(task, due, g.person, now=utcnow(),
                       reason=request.form.get("reason", "").strip())
        except DomainError as refusal:
            return _refused(task, refusal, "adjust")
        session.commit()
    flash(texts.DUE_EXTENDED.format(due=local_time(task.due_at)), "success")
    return _back(task)


def reassign_assignment(assignment_id: int):
    """改派 (POST): the task goes to another person of the same unit, who is told."""
    task = visible_assignment(g.person, assignment_id)
    with assignment_lock(task):
        person = session.get(Person, request.form.get("person_id", type=int) or 0)
        try:
            if person is None:
                raise DomainError(texts.REASSIGN_PICK)
            reassign(task, person, g.person, now=utcnow())
        except DomainError as refusal:
            return _refused(task, refusal, "adjust")
        session.commit()
    flash(texts.REASSIGNED.format(name=person.name), "success")
    return _back(task)


def _due_on(text: str, due_at: datetime) -> datetime:
    """The date picked on the form at the task's current clock time (Asia/Shanghai), in UTC."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(texts.DUE_DATE_BAD) from None
    clock = due_at.astimezone(SHANGHAI).time()
    return datetime.combine(day, clock, SHANGHAI).astimezone(UTC)


def _refused(task: Assignment, refusal: DomainError, form: str, **typed):
    """Undo, and send the browser back to the task page with the reason next to `form` and
    what was typed still there (handlers.mobile.refusal)."""
    return refuse(refusal.message, url_for("mobile.assignment", assignment_id=task.id),
                  form=form, anchor=form if form != "supervision" else "supervision-form",
                  typed=typed)


def _back(task: Assignment, anchor: str = ""):
    url = url_for("mobile.assignment", assignment_id=task.id)
    return redirect(url + (f"#{anchor}" if anchor else ""), 303)
