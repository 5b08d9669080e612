"""Assignments through the API: list with filters, one in full, reviews and instructions."""

import sqlalchemy as sa

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import (MAX_REASON, BadInput, iso_time, json_body, optional_text, page,
                                  query_choice, query_int, query_text, required, required_id)
from handlers.api.integrity import cited_flag
from handlers.api.visibility import find_assignment, visible_assignments
from models import Assignment, Evidence, Instruction, Level, Review, State, session, utcnow
from models.assignment import Action
from models.late import closes_at, input_closed
from models.location import sees_location
from models.lifecycle import transition
from models.instruction import instruct
from models.integrity import cite

DECISIONS = {"approve": Action.APPROVE, "return": Action.RETURN}


def assignment_json(assignment: Assignment) -> dict:
    return {"id": assignment.id, "template_id": assignment.template_id,
            "title": assignment.template.title, "unit_id": assignment.unit_id,
            "person_id": assignment.person_id, "period": assignment.period,
            "due_at": iso_time(assignment.due_at), "state": assignment.state,
            "warning": assignment.warning, "round": assignment.round,
            "created_at": iso_time(assignment.created_at),
            "acknowledged_at": iso_time(assignment.acknowledged_at),
            "submitted_at": iso_time(assignment.submitted_at),
            "completed_at": iso_time(assignment.completed_at),
            "closes_at": iso_time(closes_at(assignment)),
            "input_closed": input_closed(assignment, utcnow()),
            "unlocked_at": iso_time(assignment.unlocked_at),
            "unlocked_by_id": assignment.unlocked_by_id}


def evidence_json(evidence: Evidence, viewer) -> dict:
    """Evidence metadata (never the bytes; those are at /evidence/<id>/file); where a photo was
    taken only for those who see locations (models.location)."""
    located = sees_location(viewer)
    return {"id": evidence.id, "assignment_id": evidence.assignment_id,
            "round": evidence.round, "removed_round": evidence.removed_round,
            "kind": evidence.kind, "text": evidence.text,
            "status": evidence.status, "sha256": evidence.sha256,
            "content_type": evidence.content_type, "size_bytes": evidence.size_bytes,
            "width": evidence.width, "height": evidence.height,
            "taken_at": iso_time(evidence.taken_at),
            "gps_lat": evidence.gps_lat if located else None,
            "gps_lng": evidence.gps_lng if located else None, "error": evidence.error,
            "created_by_id": evidence.created_by_id, "created_at": iso_time(evidence.created_at)}


def review_json(review: Review) -> dict:
    return {"id": review.id, "level": review.level, "reviewer_id": review.reviewer_id,
            "decision": review.decision, "reason": review.reason,
            "created_at": iso_time(review.created_at)}


def instruction_json(instruction: Instruction) -> dict:
    return {"id": instruction.id, "author_id": instruction.author_id,
            "author_name": instruction.author.name, "text": instruction.text,
            "created_at": iso_time(instruction.created_at)}


def list_assignments():
    """Visible assignments, filtered by unit, person, state, warning and period, paginated."""
    query = _filtered(visible_assignments(current_person()))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    limit, offset = page()
    rows = session.scalars(query.order_by(Assignment.due_at, Assignment.id)
                           .limit(limit).offset(offset))
    return {"items": [assignment_json(a) for a in rows], "total": total, "limit": limit,
            "offset": offset}


def _filtered(query: sa.Select) -> sa.Select:
    filters = {
        Assignment.unit_id: query_int("unit", low=1),
        Assignment.person_id: query_int("person", low=1),
        Assignment.state: query_choice("state", State),
        Assignment.warning: query_choice("warning", Level),
        Assignment.period: query_text("period"),
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    return query


def show_assignment(assignment_id: int):
    """One visible assignment with its evidence metadata, reviews and instructions."""
    assignment = find_assignment(current_person(), assignment_id)
    return detail(assignment)


def detail(assignment: Assignment) -> dict:
    def rows(model):
        return session.scalars(sa.select(model).where(model.assignment_id == assignment.id)
                               .order_by(model.id))

    return {**assignment_json(assignment),
            "evidence": [evidence_json(e, current_person()) for e in rows(Evidence)],
            "reviews": [review_json(r) for r in rows(Review)],
            "instructions": [instruction_json(i) for i in rows(Instruction)]}


def review_assignment(assignment_id: int):
    """Approve or return a submitted assignment (first or final review, models.assignment)."""
    person = current_person()
    assignment = find_assignment(person, assignment_id)
    body = json_body()
    decision = required(body, "decision", str, "审核结论")
    if decision not in DECISIONS:
        raise BadInput(texts.BAD_DECISION)
    reason = optional_text(body, "reason", "理由", max_length=MAX_REASON)
    now = utcnow()
    if decision == "return" and body.get("cite_flag_id") is not None:  # 照搬照抄 (issue 13)
        cite(cited_flag(assignment, required_id(body, "cite_flag_id", "引用的雷同预警")),
             person, reason, now=now)
    transition(assignment, DECISIONS[decision], person, now=now, reason=reason)
    session.commit()
    return detail(assignment), 201


def instruct_assignment(assignment_id: int):
    """Add a leader's instruction (领导批示) to a visible assignment; audited."""
    person = current_person()
    assignment = find_assignment(person, assignment_id)
    text = required(json_body(), "text", str, "批示内容")
    instruction = instruct(assignment, person, text, now=utcnow())
    session.commit()
    return instruction_json(instruction), 201
