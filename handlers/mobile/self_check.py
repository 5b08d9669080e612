"""月度自查 on the phone: the form built from the cadre's posts and risk points (填写自查, from
the task page), and the reported risks a discipline body follows up (/m/selfcheck-risks)."""

from flask import abort, flash, g, redirect, render_template, request, url_for

from handlers.mobile import late, texts
from handlers.mobile.access import assignment_lock, visible_assignment
from handlers.mobile.assignment import REPORTABLE, head, last_return
from handlers.mobile.auth import message_page
from handlers.mobile.refusal import recall, refuse
from models import EvidenceKind, RiskFollowUp, State, session, utcnow
from models.errors import DomainError, NotFound
from models.evidence import round_evidence
from models.hierarchy import is_assignee
from models.post import MEASURES_MAX
from models.self_check import (SUMMARY_MAX, Answer, answers_of, can_follow_up, close,
                               follow_ups, hand_in, is_self_check, may_list, questions)
from models.self_check_draft import discard

OCCURRED = {"yes": True, "no": False}
RISK_STATES = ("open", "closed", "all")


def self_check_form(assignment_id: int):
    """GET: one card per risk point (是否发生风险, 防控措施落实情况) and the 小结, with what
    was typed when the last post was refused. POST: hand it in (models.self_check.hand_in)."""
    task = visible_assignment(g.person, assignment_id)
    if not is_self_check(task):
        abort(404)
    if not is_assignee(g.person, task):
        abort(403)
    page = url_for("mobile.self_check", assignment_id=task.id)
    if task.state not in REPORTABLE:
        flash(texts.NOT_REPORTABLE.format(state=texts.STATE_LABELS[State(task.state)]), "info")
        return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)
    if request.method == "GET":
        return _form(task)
    typed = {key: value for key, value in request.form.items() if key != "csrf_token"}
    answers = {q.risk_point_id: Answer(
        q.risk_point_id, OCCURRED.get(typed.get(f"occurred_{q.risk_point_id}", "")),
        typed.get(f"measures_{q.risk_point_id}", "")) for q in questions(g.person)}
    with assignment_lock(task):
        try:
            state = hand_in(task, g.person, answers, typed.get("summary", ""), now=utcnow())
        except DomainError as refused:
            return refuse(refused.message, page, form="self_check", typed=typed)
        discard(g.person.id)  # a sequence begun in chat is answered now
        session.commit()
    flash(texts.SUBMITTED_COMPLETED if state == State.COMPLETED else texts.SUBMITTED, "success")
    return redirect(url_for("mobile.assignment", assignment_id=task.id), 303)


def _form(task):
    """The form, with what was typed when the last post was refused, else (after a return)
    what the last round handed in."""
    refusal = recall() or {}
    return render_template(
        "mobile/self_check.html", **head(task), questions=questions(g.person),
        errors=refusal.get("message", "").splitlines(), typed=refusal or _last_round(task),
        refusal=refusal, returned=last_return(task) if task.state == State.RETURNED else None,
        max_measures=MEASURES_MAX, max_summary=SUMMARY_MAX, **late.block(task, set(), utcnow()))


def _last_round(task) -> dict:
    """The form's fields as the last round handed them in ({} before the first)."""
    if not task.round:
        return {}
    typed = {"summary": next((e.text for e in round_evidence(task, EvidenceKind.TEXT,
                                                               number=task.round)), "")}
    for answer in answers_of(task):
        typed[f"occurred_{answer.risk_point_id}"] = "yes" if answer.occurred else "no"
        typed[f"measures_{answer.risk_point_id}"] = answer.measures
    return typed


def risks():
    """The reported risks the viewer follows up (?state=open|closed|all), each with its close
    form for those who may close it."""
    if not may_list(g.person):
        return message_page(texts.SELF_CHECK_RISKS_REFUSED, 403, title="无权查看")
    state = request.args.get("state", "open")
    state = state if state in RISK_STATES else "open"
    refusal = recall() or {}
    return render_template(
        "mobile/self_check_risks.html", rows=follow_ups(g.person, state=state), state=state,
        can_close=lambda row: row.closed_at is None and can_follow_up(g.person, row),
        refusal=refusal, max_note=SUMMARY_MAX)


def close_risk(follow_up_id: int):
    """核实处置 (POST): what was verified and done, and the risk is closed."""
    row = session.get(RiskFollowUp, follow_up_id)
    if row is None or not may_list(g.person):
        raise NotFound()
    page = url_for("mobile.self_check_risks")
    note = request.form.get("note", "")
    try:
        close(row, g.person, note, now=utcnow())
    except DomainError as refused:
        return refuse(refused.message, page, form=f"risk-{row.id}", anchor=f"risk-{row.id}",
                      typed={"note": note})
    session.commit()
    flash(texts.RISK_FOLLOWED_UP, "success")
    return redirect(page, 303)
