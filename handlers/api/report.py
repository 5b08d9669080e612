"""上报 through the API: the assignee adds a summary to the round being prepared and hands the
task in, under the same rules as chat and pages (models.evidence, models.lifecycle, and the
late policy of models.late: once input has closed, both answer 409 saying when)."""

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.assignment import detail, evidence_json
from handlers.api.payload import BadInput, json_body, required
from handlers.api.visibility import find_assignment
from handlers.labels import STATE_LABELS, missing_words
from models import Assignment, EvidenceKind, Person, State, session, utcnow
from models.assignment import OPEN_STATES, Action
from models.errors import Conflict, NotAllowed
from models.evidence import attach, missing_proof
from models.self_check import is_self_check
from models.hierarchy import is_assignee
from models.late import require_open
from models.lifecycle import transition

MAX_SUMMARY = 2000


def add_evidence(assignment_id: int):
    """A summary paragraph (工作小结) for the round being prepared; the assignee only."""
    person = current_person()
    assignment = _reportable(person, assignment_id)
    text = required(json_body(), "text", str, "工作小结").strip()
    if not text or len(text) > MAX_SUMMARY:
        raise BadInput(texts.SUMMARY_LENGTH.format(count=MAX_SUMMARY))
    evidence = attach(assignment, EvidenceKind.TEXT, person, now=utcnow(), text=text)
    session.commit()
    return evidence_json(evidence, person), 201


def submit_assignment(assignment_id: int):
    """Hand the task in (提交审核) once the template's proof is there; the assignee only."""
    person = current_person()
    assignment = _reportable(person, assignment_id)
    now = utcnow()
    require_open(assignment, now)  # before what is missing: nothing more can be added
    if is_self_check(assignment):  # answered risk point by risk point, on the page or in chat
        raise Conflict(texts.SELF_CHECK_ELSEWHERE)
    if missing := missing_proof(assignment):
        raise Conflict(texts.PROOF_MISSING.format(missing="；".join(missing_words(missing))))
    transition(assignment, Action.SUBMIT, person, now=now)
    session.commit()
    return detail(assignment)


def _reportable(person: Person, assignment_id: int) -> Assignment:
    """A visible task `person` hands in, still owed: else 403 or 409 in words."""
    assignment = find_assignment(person, assignment_id)
    if not is_assignee(person, assignment):
        raise NotAllowed(texts.ASSIGNEES_ONLY)
    if assignment.state not in OPEN_STATES:
        raise Conflict(texts.NOT_REPORTABLE.format(state=STATE_LABELS[State(assignment.state)]))
    return assignment
