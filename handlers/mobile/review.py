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
from handlers.mobile.integrity import flag_view
from handlers.mobile.refusal import recall, refuse
from models import Assignment, Role, State, session, utcnow
from models.assignment import MIN_RETURN_REASON, Action
from models.errors import DomainError
from models.evidence import round_changes, round_evidence
from models.self_check import answers_of, is_self_check
from models.hierarchy import can_review, review_level
from models.integrity import (MIN_DISMISS_REASON, FlagState, IntegrityFlag, being_checked,
                              can_decide, cite, dismiss, round_flags)
from models.lifecycle import transition
from models.review import BadReviewLink, ReviewLinkExpired, load_review_token

DONE = {State.FIRST_APPROVED: texts.APPROVED_FIRST, State.COMPLETED: texts.APPROVED_FINAL,
        State.RETURNED: texts.RETURNED}


def review(token: str):
    """GET shows the submitted round's evidence and the two decisions; POST applies one."""
    task = _linked_task(token)
    if not isinstance(task, Assignment):
        return task
    if request.method == "GET":
        return _page(task, token)
    with assignment_lock(task):
        return _decide(task, token)


def dismiss_flag(token: str, flag_id: int):
    """排除 (POST) a 照搬照抄 flag of the linked task, with a reason (models.integrity)."""
    task = _linked_task(token)
    if not isinstance(task, Assignment):
        return task
    back = url_for("mobile.review", token=token)
    flag = session.get(IntegrityFlag, flag_id)
    if flag is None or flag.assignment_id != task.id:
        return refuse(texts.FLAG_GONE, back)
    reason = request.form.get("reason", "").strip()
    if len(reason) < MIN_DISMISS_REASON:
        return refuse(texts.DISMISS_REASON_TOO_SHORT.format(count=MIN_DISMISS_REASON), back,
                      form=f"dismiss-{flag.id}", anchor=f"flag-{flag.id}",
                      typed={"reason": reason})
    try:
        dismiss(flag, g.person, reason, now=utcnow())
    except DomainError as refusal:  # not theirs to decide, or decided meanwhile
        return refuse(refusal.message, back, anchor=f"flag-{flag.id}")
    session.commit()
    flash(texts.FLAG_DISMISSED, "success")
    return redirect(f"{back}#flag-{flag.id}", 303)


def _linked_task(token: str):
    """The task a review link names if the viewer reviews it, else the answer to give."""
    try:
        assignment_id = load_review_token(token, current_app.config["SECRET_KEY"])
    except BadReviewLink as error:
        if request.method == "POST":  # the link's own page says what is wrong with it
            return redirect(url_for("mobile.review", token=token), 303)
        title = "链接已过期" if isinstance(error, ReviewLinkExpired) else "链接无效"
        return message_page(error.message, error.status, title, back=url_for("mobile.workbench"))
    task = session.get(Assignment, assignment_id)
    if task is None or not is_reviewer(g.person, task):
        if request.method == "POST":
            return redirect(url_for("mobile.review", token=token), 303)
        return message_page(texts.NO_REVIEW_RIGHT, 403, "无权审核")
    return task


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
    cited = _cited_flag(task) if action == Action.RETURN else None
    if cited is not None:
        cite(cited, g.person, reason, now=utcnow())
    state = transition(task, action, g.person, now=utcnow(),
                       reason=reason if action == Action.RETURN else "")
    session.commit()
    flash(DONE[state], "success")
    return redirect(url_for("mobile.workbench") + "#reviews", 303)


def _cited_flag(task: Assignment, source=None) -> IntegrityFlag | None:
    """The open flag of this task a 退回 cites (`cite` in the form or the query), if any."""
    flag_id = (source or request.form).get("cite", type=int)
    flag = session.get(IntegrityFlag, flag_id) if flag_id else None
    if flag is None or flag.assignment_id != task.id or flag.state != FlagState.OPEN:
        return None
    return flag


def _page(task: Assignment, token: str):
    if not can_review(g.person, task):
        return _not_your_turn(task)
    refusal = recall() or {}
    if refusal.get("form", "").startswith("dismiss-"):  # shown at its flag instead
        error, reason = "", ""
    else:
        error, reason = refusal.get("message", ""), refusal.get("reason", "")
    cited = _cited_flag(task, request.args)
    if cited is not None and refusal.get("form") != "review":
        reason = cited.description + "。"
    changes = round_changes(task, task.round) if task.round > 1 else None
    return render_template(
        "mobile/review.html", **head(task), token=token,
        evidence=round_evidence(task, number=task.round), changes=changes and {
            "added": describe_evidence(changes.added) or "无",
            "carried": describe_evidence(changes.carried) or "无",
            "removed": describe_evidence(changes.removed)},
        level=texts.LEVEL_LABELS[review_level(task)], instructions=instructions(task),
        history=history(task), error=error, reason=reason, refusal=refusal,
        min_reason=MIN_RETURN_REASON, flags=[flag_view(f) for f in round_flags(task)],
        checking=being_checked(task), cited=cited, can_decide_flags=can_decide(g.person, task),
        min_dismiss=MIN_DISMISS_REASON,
        answers=answers_of(task) if is_self_check(task) else [],
        assignee=task.person.name if task.person else task.unit.name)


def _not_your_turn(task: Assignment):
    """A reviewer of this task whose turn it is not (any more): nothing to do here."""
    detail = url_for("mobile.assignment", assignment_id=task.id)
    if task.state == State.SUBMITTED and g.person.role == Role.INSPECTOR:
        return message_page(texts.NOT_YET_FINAL, 409, "尚未到终审", back=detail)
    state = texts.STATE_LABELS.get(State(task.state), "")
    return message_page(texts.ALREADY_HANDLED.format(state=state), 409, "该任务已处理",
                        back=detail)
