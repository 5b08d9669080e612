"""催办 and inspectors' adjustments through the API: urge an assignment's assignees now,
PATCH an assignment's due time (models.escalation.extend_due) or assignee (reassign), and
unlock input the late policy closed (补报, models.lifecycle.unlock).

The rules and the audit are the models'; a refusal rolls back and answers its status (R9).
"""

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.assignment import assignment_json
from handlers.api.payload import (MAX_REASON, BadInput, json_body, optional_text, required_id,
                                  required_zoned_time)
from handlers.api.visibility import find_assignment
from models import Person, session, utcnow
from models.errors import DomainError
from models.escalation import extend_due, reassign, urge
from models.lifecycle import unlock
from models.wechat_binding import unreachable


def urge_assignment(assignment_id: int):
    """催办: a push to each assignee now; 429 within 5 minutes of the caller's last one."""
    person = current_person()
    assignment = find_assignment(person, assignment_id)
    try:
        notes = urge(assignment, person, now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    lost = unreachable(note.person_id for note in notes)
    return {"assignment_id": assignment.id, "notifications": [
        {"id": note.id, "person_id": note.person_id,
         "person_name": session.get(Person, note.person_id).name,
         "undeliverable": lost.get(note.person_id)} for note in notes]}, 201


def unlock_assignment(assignment_id: int):
    """补报: an inspector reopens closed input with a reason (at least 5 characters)."""
    person = current_person()
    assignment = find_assignment(person, assignment_id)
    reason = optional_text(json_body(), "reason", "解锁理由", max_length=MAX_REASON)
    try:
        unlock(assignment, person, reason, now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return assignment_json(assignment)


def adjust_assignment(assignment_id: int):
    """A new due time (with a reason) and/or a new assignee of the same unit; inspectors only."""
    person = current_person()
    assignment = find_assignment(person, assignment_id)
    body = json_body()
    if body.get("due_at") is None and body.get("person_id") is None:
        raise BadInput(texts.NOTHING_TO_ADJUST)
    due = (required_zoned_time(body, "due_at", "截止时间")
           if body.get("due_at") is not None else None)
    reason = optional_text(body, "reason", "理由", max_length=MAX_REASON)
    new_person = None
    if body.get("person_id") is not None:
        new_person = session.get(Person, required_id(body, "person_id", "承办人"))
        if new_person is None:
            raise BadInput(texts.NO_SUCH_PERSON)
    now = utcnow()
    try:
        if due is not None:
            extend_due(assignment, due, person, now=now, reason=reason.strip())
        if new_person is not None:
            reassign(assignment, new_person, person, now=now)
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return assignment_json(assignment)

