"""The late policy on the task page (models.late): a banner once input has closed, 已解锁补报
with its reason, and an inspector's 解锁补报 form (models.lifecycle.unlock)."""

import json

import sqlalchemy as sa
from flask import flash, g, redirect, request, url_for

from handlers.mobile import texts
from handlers.mobile.access import assignment_lock, visible_assignment
from handlers.mobile.refusal import refuse
from models import Assignment, AuditEvent, Person, session, utcnow
from models.assignment import Action
from models.errors import DomainError
from models.late import closes_at, input_closed
from models.lifecycle import MIN_UNLOCK_REASON, unlock


def block(task: Assignment, actions: set[Action], now) -> dict:
    """What _late.html shows: when input closed (None while open), the unlock, and whether
    the viewer may unlock (what models.hierarchy.allowed says)."""
    return {"closed_at": closes_at(task) if input_closed(task, now) else None,
            "unlocked": unlocked(task) if task.unlocked_at else None,
            "can_unlock": Action.UNLOCK in actions, "min_unlock_reason": MIN_UNLOCK_REASON}


def unlocked(task: Assignment) -> dict:
    """When, by whom and why input was reopened (the reason is the audit record's)."""
    data = session.scalar(sa.select(AuditEvent.data).where(
        AuditEvent.subject == f"assignment:{task.id}", AuditEvent.action == "assignment.unlock")
        .order_by(AuditEvent.id.desc()).limit(1))
    by = session.get(Person, task.unlocked_by_id) if task.unlocked_by_id else None
    return {"at": task.unlocked_at, "by": by.name if by else "",
            "reason": json.loads(data or "{}").get("reason", "")}


def unlock_assignment(assignment_id: int):
    """解锁补报 (POST): an inspector reopens input with a reason; the assignees are told."""
    task = visible_assignment(g.person, assignment_id)
    reason = request.form.get("reason", "")
    with assignment_lock(task):
        try:
            notes = unlock(task, g.person, reason, now=utcnow())
        except DomainError as refusal:
            return refuse(refusal.message, url_for("mobile.assignment", assignment_id=task.id),
                          form="unlock", anchor="unlock", typed={"reason": reason})
        session.commit()
    names = "、".join(session.get(Person, note.person_id).name for note in notes)
    flash(texts.UNLOCKED.format(names=names) if notes else texts.UNLOCKED_NOBODY, "success")
    return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)
