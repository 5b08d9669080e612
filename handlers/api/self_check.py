"""月度自查 through the API (issue 12): the answers of a visible self-check, round by round,
and the reported risks with their follow-up (核实处置), for whoever may list them."""


from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import iso_time, page, query_choice
from handlers.api.visibility import find_assignment
from models.errors import NotAllowed, NotFound
from models.self_check import (RiskFollowUp, SelfCheckAnswer, answers_of, follow_ups,
                               is_self_check, may_list)

RISK_STATES = ("open", "closed", "all")



def answer_json(answer: SelfCheckAnswer) -> dict:
    return {"id": answer.id, "round": answer.round, "risk_point_id": answer.risk_point_id,
            "post": answer.post_name, "description": answer.description,
            "level": answer.level, "level_label": answer.level_label,
            "occurred": answer.occurred, "measures": answer.measures,
            "created_at": iso_time(answer.created_at)}


def follow_up_json(row: RiskFollowUp) -> dict:
    task = row.assignment
    return {"id": row.id, "assignment_id": row.assignment_id, "period": task.period,
            "person_id": task.person_id, "unit_id": row.unit_id, "body_id": row.body_id,
            "answer": answer_json(row.answer), "reported_at": iso_time(row.created_at),
            "note": row.note, "closed_at": iso_time(row.closed_at),
            "closed_by_id": row.closed_by_id}


def show_self_check(assignment_id: int):
    """A visible self-check's answers: the last round handed in (?round= another)."""
    assignment = find_assignment(current_person(), assignment_id)
    if not is_self_check(assignment):
        raise NotFound(texts.NOT_SELF_CHECK)
    return {"assignment_id": assignment.id, "round": assignment.round,
            "answers": [answer_json(a) for a in answers_of(assignment)]}


def list_self_check_risks():
    """Reported risks the caller follows up or oversees (?state=open|closed|all)."""
    person = current_person()
    if not may_list(person):
        raise NotAllowed(texts.SELF_CHECK_RISK_READERS)
    limit, offset = page()
    state = query_choice("state", RISK_STATES) or "open"
    return {"items": [follow_up_json(row) for row in follow_ups(
        person, state=state, limit=limit, offset=offset)]}
