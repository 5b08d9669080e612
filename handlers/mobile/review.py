"""审核 through the link in a review request: `/m/review/<token>`.

The token (models.review) only names the task; the reviewer's own WeChat identity decides. A
forwarded link shows 无权审核, a task already dealt with shows 该任务已处理, an expired or
tampered link a clear page; none of them changes anything, and a refused post redirects
to the link's page (GET), which says why.
"""

from flask import current_app, flash, g, redirect, render_template, request, url_for

from handlers.mobile import texts
from handlers.mobile.access import assignment_lock, is_reviewer
from handlers.labels import describe_evidence
from handlers.mobile.assignment import head, history, instructions
from handlers.mobile.auth import message_page
from handlers.mobile.refusal import recall, refuse
from models import Assignment, Role, State, session, utcnow
from models.assignment import MIN_RETURN_REASON, Action
from models.evidence import round_changes, round_evidence
from models.self_check import answers_of, is_self_check
from models.hierarchy import can_review, review_level
from models.lifecycle import transition
from models.review import BadReviewLink, ReviewLinkExpired, load_review_token

DONE = {State.FIRST_APPROVED: texts.APPROVED_FIRST, State.COMPLETED: texts.APPROVED_FINAL,
        State.RETURNED: texts.RETURNED}


def review(token: str):
    """GET shows the submitted round's evidence and the two decisions; POST applies one."""
    try:
        assignment_id = load_review_token(token, current_app.config["SECRET_KEY"])
    except BadReviewLink as error:
        if request.method == "POST":  # the link's own page says what is wrong with it
            return redirect(request.path, 303)
        title = "链接已过期" if isinstance(error, ReviewLinkExpired) else "链接无效"
        return message_page(error.message, error.status, title, back=url_for("mobile.workbench"))
    task = session.get(Assignment, assignment_id)
    if task is None or not is_reviewer(g.person, task):
        if request.method == "POST":
            return redirect(request.path, 303)
        return message_page(texts.NO_REVIEW_RIGHT, 403, "无权审核")
    if request.method == "GET":
        return _page(task, token)
    with assignment_lock(task):
        return _decide(task, token)


def _decide(task: Assignment, token: str):
    """Apply the decision posted; a refusal goes back to the review page (GET), which says
    why: not (or no longer) this reviewer's turn, or the reason too short, kept as typed."""
    if not can_review(g.person, task):
        return redirect(request.path, 303)
    decision = request.form.get("decision")
    reason = request.form.get("reason", "").strip()
    if decision not in ("approve", "return"):
        return refuse(texts.PICK_DECISION, request.path, form="review", typed={"reason": reason})
    if decision == "return" and len(reason) < MIN_RETURN_REASON:
        error = texts.REASON_TOO_SHORT.format(count=MIN_RETURN_REASON)
        return refuse(error, request.path, form="review", typed={"reason": reason})
    action = Action.APPROVE if decision == "approve" else Action.RETURN
    state = transition(task, action, g.person, now=utcnow(),
                       reason=reason if action == Action.RETURN else "")
    session.commit()
    flash(DONE[state], "success")
    return redirect(url_for("mobile.workbench") + "#reviews", 303)


def _page(task: Assignment, token: str):
    if not can_review(g.person, task):
        return _not_your_turn(task)
    refusal = recall() or {}
    error, reason = refusal.get("message", ""), refusal.get("reason", "")
    changes = round_changes(task, task.round) if task.round > 1 else None
    return render_template(
        "mobile/review.html", **head(task), token=token,
        evidence=round_evidence(task, number=task.round), changes=changes and {
            "added": describe_evidence(changes.added) or "无",
            "carried": describe_evidence(changes.carried) or "无",
            "removed": describe_evidence(changes.removed)},
        level=texts.LEVEL_LABELS[review_level(task)], instructions=instructions(task),
        history=history(task), error=error, reason=reason, refusal=refusal,
        min_reason=MIN_RETURN_REASON, answers=answers_of(task) if is_self_check(task) else [],
        assignee=task.person.name if task.person else task.unit.name)


def _not_your_turn(task: Assignment):
    """A reviewer of this task whose turn it is not (any more): nothing to do here."""
    detail = url_for("mobile.assignment", assignment_id=task.id)
    if task.state == State.SUBMITTED and g.person.role == Role.INSPECTOR:
        return message_page(texts.NOT_YET_FINAL, 409, "尚未到终审", back=detail)
    state = texts.STATE_LABELS.get(State(task.state), "")
    return message_page(texts.ALREADY_HANDLED.format(state=state), 409, "该任务已处理",
                        back=detail)
