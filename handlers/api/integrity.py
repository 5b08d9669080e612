"""照搬照抄 flags through the API (issue 13): a task's flags, read by whoever sees the task,
and 排除 (dismiss with a reason) by its reviewers. A refusal rolls back and answers its
status (R9)."""


from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import iso_time, json_body, required
from handlers.api.visibility import find_assignment
from models import IntegrityFlag, session, utcnow
from models.errors import NotFound
from models.integrity import assignment_flags, being_checked, dismiss



def flag_json(flag: IntegrityFlag) -> dict:
    return {"id": flag.id, "assignment_id": flag.assignment_id, "evidence_id": flag.evidence_id,
            "kind": flag.kind, "matched_evidence_id": flag.matched_evidence_id,
            "matched_label": flag.matched_label, "similarity": flag.similarity,
            "description": flag.description, "state": flag.state,
            "decided_by_id": flag.decided_by_id, "reason": flag.reason,
            "decided_at": iso_time(flag.decided_at), "created_at": iso_time(flag.created_at)}


def assignment_integrity_flags(assignment_id: int):
    """The flags on the task's handed-in evidence, newest first, and how many items of its
    last round are still being compared (more flags may come)."""
    task = find_assignment(current_person(), assignment_id)
    return {"items": [flag_json(flag) for flag in assignment_flags(task)],
            "checking": being_checked(task)}


def cited_flag(task, flag_id: int) -> IntegrityFlag:
    """The task's flag a 退回 cites, else NotFound."""
    flag = session.get(IntegrityFlag, flag_id)
    if flag is None or flag.assignment_id != task.id:
        raise NotFound(texts.NO_FLAG)
    return flag


def dismiss_integrity_flag(flag_id: int):
    """排除: the task's reviewer says why the flag is harmless (at least 5 characters)."""
    person = current_person()
    flag = session.get(IntegrityFlag, flag_id)
    if flag is None:
        raise NotFound(texts.NO_FLAG)
    find_assignment(person, flag.assignment_id)  # 404 unless the task is visible
    reason = required(json_body(), "reason", str, "排除理由")
    dismiss(flag, person, reason, now=utcnow())
    session.commit()
    return flag_json(flag)
