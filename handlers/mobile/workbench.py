"""个人工作台: what the person owes (待办, 预警, 督办), what waits for review, and for reviewers
what waits for them (待我审核)."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g, render_template, url_for
from sqlalchemy.orm import joinedload

from models.clock import SHANGHAI
from handlers.labels import SCOPE_LABELS
from handlers.mobile.texts import STATE_LABELS, WARNING_LABELS
from models import Assignment, Level, Role, State, session, utcnow
from models.assignment import OPEN_STATES, WARNED, open_assignments
from models.hierarchy import Directory, review_filter, visible_filter
from models.notice_lifecycle import issuer_queue, replying_items
from models.level_scheme import level_name
from models.review import sign_review_token

REVIEW_LIST_LIMIT = 50
SITUATION_VIEWERS = (Role.INSPECTOR, Role.ADMIN)  # who sees 全县态势 (/m/situation)


def workbench():
    """The person's tasks in sections, with the counts on top as large tiles."""
    now = utcnow()
    tasks = open_assignments(g.person)
    todo = [t for t in tasks if t.state in OPEN_STATES]
    sections = [
        ("todo", "待办任务", todo, "暂无待办任务"),
        ("warned", "预警提醒", [t for t in todo if t.warning in WARNED], "暂无预警"),
        ("supervised", level_name(Level.SUPERVISION), [t for t in todo if t.warning == Level.SUPERVISION],
         "暂无督办"),
        ("waiting", "审核中", [t for t in tasks if t.state not in OPEN_STATES], "暂无"),
    ]
    found = Directory()  # one read of the organisation for the whole page
    reviews = awaiting_my_review(g.person, found)
    if g.person.role in (Role.DISCIPLINE, Role.INSPECTOR):
        sections.append(("reviews", "待我审核", reviews, "暂无待审核任务"))
    rows = {key: [row(t, now, review=key == "reviews") for t in items]
            for key, _, items, _ in sections}
    return render_template("mobile/workbench.html", person=g.person, sections=sections,
                           rows=rows, overview=leader_overview(g.person, found),
                           situation=g.person.role in SITUATION_VIEWERS,
                           notices_owed=len(replying_items(g.person, now=now)),
                           notices_waiting=len(issuer_queue(g.person)))


def leader_overview(person, found: Directory) -> dict | None:
    """For a secretary, a discipline body or an inspector: how many of the tasks they answer
    for carry a warning, linking to 任务总览 (handlers/mobile/overview.py)."""
    scope = SCOPE_LABELS.get(Role(person.role))
    if scope is None:
        return None
    warned = session.scalar(sa.select(sa.func.count(Assignment.id)).where(
        visible_filter(person, found), Assignment.state.in_(OPEN_STATES),
        Assignment.warning.in_(WARNED)))
    return {"scope": scope, "warned": warned, "url": url_for("mobile.overview"),
            "warned_url": url_for("mobile.overview", level="warned")}


def awaiting_my_review(person, found: Directory) -> list[Assignment]:
    """Tasks whose current review level is `person`'s (models.hierarchy.review_filter)."""
    return list(session.scalars(
        sa.select(Assignment).where(review_filter(person, found))
        .options(joinedload(Assignment.template), joinedload(Assignment.unit))
        .order_by(Assignment.submitted_at, Assignment.id).limit(REVIEW_LIST_LIMIT)))


def row(task: Assignment, now: datetime, review: bool = False) -> dict:
    """One list row: title, unit, due, state, warning colour and the 剩余/逾期 chip; rows of
    待我审核 open the review page."""
    return {
        "task": task,
        "url": review_url(task) if review else url_for("mobile.assignment",
                                                        assignment_id=task.id),
        "state": STATE_LABELS.get(State(task.state), ""),
        "warning": task.warning if task.warning in WARNING_LABELS else "",
        "warning_label": WARNING_LABELS.get(task.warning, ""),
        "chip": due_chip(task.due_at, now) if task.state in OPEN_STATES else "",
        "overdue": task.due_at < now and task.state in OPEN_STATES,
    }


def review_url(task: Assignment) -> str:
    token = sign_review_token(task.id, current_app.config["SECRET_KEY"])
    return url_for("mobile.review", token=token)


def due_chip(due_at: datetime, now: datetime) -> str:
    """"剩余N天" / "今天截止" / "逾期N天", counted in calendar days in Asia/Shanghai."""
    days = (due_at.astimezone(SHANGHAI).date() - now.astimezone(SHANGHAI).date()).days
    if due_at < now:
        return f"逾期{max(1, -days)}天"
    return "今天截止" if days == 0 else f"剩余{days}天"
