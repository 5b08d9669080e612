"""The task detail page (任务详情) and the plain actions on it: 签收, 提交审核, 领导批示."""

import json

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for

from handlers.labels import missing_words
from handlers.mobile import late, supervision, texts
from handlers.mobile.access import assignment_lock, visible_assignment
from handlers.mobile.refusal import recall, refuse
from handlers.mobile.workbench import due_chip, review_url
from models import (AuditEvent, Decision, Evidence, Instruction, Person, Review, State, session,
                    utcnow)
from models.assignment import OPEN_STATES, Action
from models.errors import DomainError
from models.evidence import current_round, missing_proof, round_changes, round_evidence
from models.hierarchy import allowed, is_assignee
from models.instruction import MAX_TEXT
from models.instruction import instruct as add_instruction
from models.late import require_open
from models.lifecycle import transition
from models.notification import timeline
from models.self_check import answers_of, is_self_check

REPORTABLE = OPEN_STATES
MAX_INSTRUCTION = MAX_TEXT
# The page's own forms, by the action that shows them (the 督办 block minds its own).
FORMS = {"instruct": Action.INSTRUCT, "unlock": Action.UNLOCK}


def assignment(assignment_id: int):
    """What, why, due, 领导批示, 督办, the late policy, the evidence of every round, the
    history, and what the viewer may do next, with why a form on it was just refused
    (handlers.mobile.refusal)."""
    task = visible_assignment(g.person, assignment_id)
    now = utcnow()
    actions = allowed(g.person, task, now=now)
    self_check = is_self_check(task)
    refusal = recall()
    if refusal and refusal["form"] in FORMS and FORMS[refusal["form"]] not in actions:
        refusal = {**refusal, "form": "top"}
    return render_template(
        "mobile/assignment.html", **head(task), person=g.person,
        returned=last_return(task) if task.state == State.RETURNED else None,
        instructions=instructions(task), rounds=evidence_rounds(task), history=history(task),
        pushes=timeline(task.id),
        can_acknowledge=Action.ACKNOWLEDGE in actions,
        can_report=Action.SUBMIT in actions,
        missing=missing_for_page(task) if Action.SUBMIT in actions and not self_check else [],
        self_check=self_check, answers=answers_of(task) if self_check else [],
        review_url=review_url(task) if Action.APPROVE in actions else None,
        can_instruct=Action.INSTRUCT in actions, max_instruction=MAX_INSTRUCTION,
        **late.block(task, actions, now), **supervision.block(task, g.person, actions, refusal))


def head(task) -> dict:
    """What the shared task header (_task_head.html) shows: state, warning and due chip."""
    return {"task": task, "state": texts.STATE_LABELS.get(State(task.state), ""),
            "warning_label": texts.WARNING_LABELS.get(task.warning, ""),
            "chip": due_chip(task.due_at, utcnow()) if task.state in OPEN_STATES else ""}


def acknowledge(assignment_id: int):
    """签收 (POST). A second tap finds it already acknowledged and says so politely."""
    task = visible_assignment(g.person, assignment_id)
    with assignment_lock(task):
        if is_assignee(g.person, task) and task.state != State.DISPATCHED:
            flash(texts.ALREADY_ACKNOWLEDGED, "info")
        else:
            transition(task, Action.ACKNOWLEDGE, g.person, now=utcnow())
            session.commit()
            flash(texts.ACKNOWLEDGED, "success")
    return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)


def submit(assignment_id: int):
    """提交审核 (POST): hands the task in once the template's proof is there."""
    task = visible_assignment(g.person, assignment_id)
    if not is_assignee(g.person, task):
        abort(403)
    with assignment_lock(task):
        return submit_locked(task)


def submit_locked(task):
    """Submit `task` (the caller holds its lock): a repeated submission is told, not applied;
    a self-check is handed in through its own form."""
    if task.state not in REPORTABLE:
        flash(texts.ALREADY_SUBMITTED, "info")
        return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)
    if is_self_check(task):
        flash(texts.SELF_CHECK_BY_FORM, "info")
        return redirect(url_for("mobile.self_check", assignment_id=task.id), 303)
    require_open(task, utcnow())  # before what is missing: nothing more can be added
    missing = missing_for_page(task)
    if missing:
        flash(texts.PROOF_MISSING + "；".join(missing), "warn")
        return redirect(url_for("mobile.report", assignment_id=task.id), 303)
    state = transition(task, Action.SUBMIT, g.person, now=utcnow())
    session.commit()
    flash(texts.SUBMITTED_COMPLETED if state == State.COMPLETED else texts.SUBMITTED, "success")
    return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)


def instruct(assignment_id: int):
    """领导批示 (POST): the unit's secretary or an inspector comments; the assignee sees it."""
    task = visible_assignment(g.person, assignment_id)
    if Action.INSTRUCT not in allowed(g.person, task, now=utcnow()):
        abort(403)
    text = request.form.get("text", "")
    try:
        add_instruction(task, g.person, text, now=utcnow())
    except DomainError as refusal:
        return refuse(refusal.message, url_for("mobile.assignment", assignment_id=task.id),
                      form="instruct", anchor="instruct", typed={"text": text})
    session.commit()
    flash(texts.INSTRUCTION_ADDED, "success")
    return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)


def missing_for_page(task) -> list[str]:
    """models.evidence.missing_proof in page words."""
    return missing_words(missing_proof(task), texts.MISSING_SUMMARY)


def last_return(task) -> Review | None:
    return session.scalar(sa.select(Review).where(
        Review.assignment_id == task.id, Review.decision == Decision.RETURN)
        .order_by(Review.id.desc()).limit(1))


def instructions(task) -> list[Instruction]:
    return list(session.scalars(sa.select(Instruction).where(Instruction.assignment_id == task.id)
                                .order_by(Instruction.id)))


def evidence_rounds(task) -> list[tuple[int, list[Evidence]]]:
    """Each round's evidence as handed in, newest round first; the round being prepared only
    once it differs from the last one handed in (a reworked round starts as its copy)."""
    last = current_round(task) if task.state in REPORTABLE else task.round
    rounds = []
    for number in range(last, 0, -1):
        if number > max(task.round, 1):
            changes = round_changes(task, number)
            if not changes.added and not changes.removed:
                continue
        items = round_evidence(task, number=number)
        if items:
            rounds.append((number, items))
    return rounds


def history(task) -> list[dict]:
    """The task's audit trail in words: when, what, who, and a return's reason."""
    events = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject == f"assignment:{task.id}").order_by(AuditEvent.id)).all()
    names = dict(session.execute(sa.select(Person.id, Person.name).where(
        Person.id.in_({e.actor_id for e in events if e.actor_id}))).all())
    lines = [{"at": task.created_at, "label": "派发任务", "who": "", "reason": ""}]
    for event in events:
        label = texts.HISTORY_LABELS.get(event.action)
        if label is None:
            continue
        data = json.loads(event.data or "{}")
        if event.action == "assignment.approve":
            label = "初审通过" if data.get("state") == State.FIRST_APPROVED else "审核通过，任务完成"
        lines.append({"at": event.created_at, "label": label,
                      "who": names.get(event.actor_id, ""), "reason": data.get("reason", "")})
    return lines
