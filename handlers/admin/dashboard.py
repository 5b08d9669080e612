"""全县态势 on the PC (`/admin/`), the tasks behind each of its numbers (`/admin/tasks`), a
unit's own page (`/admin/units/<id>`) and 谁还没交 with 催办 (`/admin/owed`).

The series are models.dashboard's; `/admin/dashboard.json` hands out the same ones. 催办 is
models.escalation.urge, one task or every task still owed, each under its 5-minute rule.
"""

import sqlalchemy as sa
from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.admin.spot_check import result_labels
from handlers.dashboard import (OUTCOME_COLUMNS, categories_chart, chosen_year, colour_counts,
                                flag_list, grouped, task_list, trend_chart, warnings_chart,
                                years)
from handlers.labels import UNIT_KIND_LABELS, period_label
from handlers.mobile.access import assignment_lock
from handlers.mobile.supervision import urged
from handlers.mobile.workbench import row
from models import Assignment, DutyTemplate, Period, Unit, session, utcnow
from models.assessment import unit_detail
from models.clock import local_date
from models.assignment import Action
from models.dashboard import RANKING_TOP, TaskFilter, owed, series, tiles, trend, urge_owed
from models.dashboard import tasks as task_page
from models.errors import DomainError
from models.escalation import urge
from models.hierarchy import Directory, allowed
from models.scoring import current

PER_PAGE = 50
UNIT_TASKS = 20


def index():
    """The dashboard: tiles by unit kind, the charts, 督办 and 催办, the ranking, 谁还没交."""
    now = utcnow()
    year = chosen_year(now)
    data = series(year, now)
    return render_template(
        "admin/index.html", data=data, year=year, years=years(now),
        groups=grouped(data["tiles"]), colours=colour_counts(data["tiles"]),
        ranks=grouped(data["ranking"]), top=RANKING_TOP,
        warnings=warnings_chart(data, lambda kind, month: url_for(
            "admin.tasks", level=kind, month=month)),
        rates=categories_chart(data, lambda outcome, category: url_for(
            "admin.tasks", year=year, category=category, outcome=outcome)),
        outcomes=OUTCOME_COLUMNS, picker=picker(year, now), spot_labels=result_labels())


def dashboard_json():
    """The same series as JSON (?year=)."""
    now = utcnow()
    return jsonify(series(chosen_year(now), now))


def picker(year: int, now) -> dict:
    """谁还没交's choices: every template, and the periods of `year` for each periodicity, the
    ones running today marked (the page's script picks the template's one)."""
    templates = session.execute(sa.select(DutyTemplate.id, DutyTemplate.title,
                                          DutyTemplate.period)
                                .order_by(DutyTemplate.active.desc(), DutyTemplate.id)).all()
    periods = {Period.MONTHLY: [f"{year}-{month:02d}" for month in range(1, 13)],
               Period.QUARTERLY: [f"{year}Q{quarter}" for quarter in range(1, 5)],
               Period.YEARLY: [str(year)], Period.ONCE: ["once"]}
    today = local_date(now)
    running = {f"{today.year}-{today.month:02d}", f"{today.year}Q{(today.month - 1) // 3 + 1}",
               str(today.year), "once"}
    return {"templates": templates, "periods": [
        (str(kind), key, period_label(key), key in running)
        for kind, keys in periods.items() for key in keys]}


# The tasks behind a number

def tasks():
    """A page of the tasks a dashboard number counts, each linking to its task page."""
    return render_template("admin/tasks.html", **task_list(PER_PAGE, utcnow(), row))


def integrity_flags():
    """材料雷同预警 behind the dashboard's two numbers (?state=open or all)."""
    return render_template("admin/integrity.html", **flag_list())


# A unit's own page

def unit(unit_id: int):
    """单位详情: its tiles' counts, score and rank and deductions in force (the rows of the
    API's unit score, models.assessment.unit_detail), its trend, its tasks."""
    found = session.get(Unit, unit_id) or abort(404)
    now = utcnow()
    year = chosen_year(now)
    scores = current(year, now)
    detail = unit_detail(scores, unit_id)
    tile = next((t for t in tiles(scores, now) if t["unit_id"] == unit_id), None)
    listed, total = task_page(TaskFilter(unit_id=unit_id), now, limit=UNIT_TASKS)
    return render_template(
        "admin/unit.html", unit=found, year=year, years=years(now), score=detail["unit"],
        tile=tile, deductions=detail["deductions"], trend=trend_chart(trend(year, unit_id, now)),
        rows=[row(task, now) for task in listed], total=total,
        kind_label=UNIT_KIND_LABELS.get(found.kind, ""))


# 谁还没交 and 催办

def owed_page():
    """The tasks of one template and period still owed, with 催办 for one or all."""
    template, period = _owed_choice()
    page_number = max(request.args.get("page", 1, type=int), 1)
    listed, total = owed(template.id, period, limit=PER_PAGE * 2,
                         offset=(page_number - 1) * PER_PAGE * 2)
    directory, now = Directory(), utcnow()
    rows = [(task, Action.URGE in allowed(g.person, task, directory, now=now)) for task in listed]
    return render_template(
        "admin/owed.html", template=template, period=period, total=total, page=page_number,
        pages=max(1, -(-total // (PER_PAGE * 2))), rows=rows,
        can_urge_any=any(can for _, can in rows))


def _owed_choice() -> tuple[DutyTemplate, str]:
    source = request.form if request.method == "POST" else request.args
    template = session.get(DutyTemplate, source.get("template", type=int) or 0)
    if template is None:
        raise DomainError(texts.OWED_PICK_TEMPLATE)
    period = source.get("period", "").strip()
    if not period:
        raise DomainError(texts.OWED_PICK_PERIOD)
    return template, period


def urge_one(assignment_id: int):
    """催办 one task from 谁还没交 (POST); back to the list with what happened."""
    template, period = _owed_choice()
    task = session.get(Assignment, assignment_id) or abort(404)
    with assignment_lock(task):
        try:
            notes = urge(task, g.person, now=utcnow())
        except DomainError as refusal:
            session.rollback()
            flash(refusal.message, "error")
        else:
            session.commit()
            for category, message in urged(notes):
                flash(message, "ok" if category == "success" else category)
    return _back_to_owed(template, period)


def urge_all():
    """全部催办 (POST): every task still owed, each once; says how many were skipped."""
    template, period = _owed_choice()
    report = urge_owed(template.id, period, g.person, now=utcnow())
    session.commit()
    flash(texts.urged_all(len(report.urged), len(report.too_soon), len(report.refused)),
          "ok" if report.urged else "warn")
    return _back_to_owed(template, period)


def _back_to_owed(template: DutyTemplate, period: str):
    return redirect(url_for("admin.owed", template=template.id, period=period), 303)
