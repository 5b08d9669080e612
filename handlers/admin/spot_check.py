"""抽查核实 (`/admin/spot-checks`): a year's rounds and the form that opens (and so draws) one;
a round's page with its scope, seed, population and the command that redoes the draw, the
results per unit and a 核实 form per drawn task. Inspectors open and verify, admins look. A
refused form is shown again with its answer and saves nothing.
"""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.admin.scoring import year_arg
from handlers.mobile.evidence import checked_photos
from handlers.labels import (PENDING_LABEL, RESULT_LABELS, STATE_LABELS, UNIT_KIND_LABELS,
                             period_label, sample_words, scope_words)
from jobs.evidence import keep_upload, queue_fetch
from models import Assignment, DutyCategory, SpotCheckItem, session, spot_check, utcnow
from models.clock import local_date
from models.errors import DomainError, NotFound
from models.scoring import RANKED_KINDS
from models.spot_check import Result, Scope

RESULT_KEYS = (*map(str, Result), "pending")


def spot_checks(error: str = "", values: dict | None = None, status: int = 200):
    """The year's rounds, newest first, each with its counts, and the open form."""
    year = year_arg(values)
    rows = spot_check.rounds(year)
    chosen = request.args.get("result", "")
    form = {"sample": "", "points_false": "2", "points_partial": "0", "periods": [],
            "category_ids": [], "unit_kinds": [], **(values or {})}
    return render_template(
        "admin/spot_checks.html", year=year, years=_years(year), rows=rows,
        counts={row.id: totals(row) for row in rows}, scope_words=scope_words,
        sample_words=sample_words, result_keys=RESULT_KEYS, labels=result_labels(),
        periods=[(key, period_label(key)) for key in year_periods(year)],
        categories=session.scalars(sa.select(DutyCategory).order_by(
            DutyCategory.position, DutyCategory.id)).all(),
        unit_kinds=[(str(kind), UNIT_KIND_LABELS[kind]) for kind in RANKED_KINDS],
        can_open=spot_check.may_open(g.person), refusal=texts.ONLY_INSPECTORS_SPOT_CHECK,
        form=form, error=error, chosen=chosen, results=RESULT_LABELS, states=STATE_LABELS,
        items=spot_check.year_items(year, chosen) if chosen in ("all", *RESULT_KEYS) else None
        ), status


def open_post():
    """开展抽查: the round is opened and drawn in one step; there is no redraw."""
    values = {"year": request.form.get("year", ""), "sample": request.form.get("sample", ""),
              "points_false": request.form.get("points_false", ""),
              "points_partial": request.form.get("points_partial", ""),
              "periods": request.form.getlist("periods"),
              "category_ids": request.form.getlist("category_ids"),
              "unit_kinds": request.form.getlist("unit_kinds")}
    try:
        year = year_arg(values)
        size, percent = spot_check.parse_sample(values["sample"])
        row = spot_check.open_round(
            Scope(year, [p for p in values["periods"] if p in year_periods(year)],
                  [int(c) for c in values["category_ids"] if c.isdigit()],
                  [k for k in values["unit_kinds"] if k in map(str, RANKED_KINDS)]),
            size=size, percent=percent, actor=g.person, now=utcnow(),
            points_false=spot_check.parse_points(values["points_false"],
                                                 spot_check.DEFAULT_POINTS_FALSE),
            points_partial=spot_check.parse_points(values["points_partial"],
                                                   spot_check.DEFAULT_POINTS_PARTIAL))
    except DomainError as refusal:
        if refusal.status == 403:
            raise
        session.rollback()
        return spot_checks(refusal.message, values, refusal.status)
    session.commit()
    flash(texts.SPOT_CHECK_DRAWN.format(name=row.name, count=len(row.items),
                                        population=len(row.population)), "ok")
    return redirect(url_for("admin.spot_check", round_id=row.id), 303)


def detail(round_id: int, errors: dict | None = None, values: dict | None = None,
           status: int = 200):
    """A round: how it was drawn, the results per unit, the drawn tasks (?unit=, ?result=)
    each with its 核实 form."""
    row = spot_check.get(round_id)
    unit_id = request.args.get("unit", type=int)
    result = request.args.get("result", "")
    items = [item for item in row.items if (not unit_id or item.unit_id == unit_id)
             and (not result or (str(item.result) if item.result else "pending") == result)]
    tasks = {task.id: task for task in session.scalars(sa.select(Assignment).where(
        Assignment.id.in_(row.population)))} if request.args.get("show") == "population" else {}
    return render_template(
        "admin/spot_check.html", row=row, items=items, units=spot_check.unit_results(row),
        total=totals(row), scope=scope_words(row), sample=sample_words(row),
        result_keys=RESULT_KEYS, labels=result_labels(), results=RESULT_LABELS,
        states=STATE_LABELS, unit_id=unit_id, result=result, population=tasks,
        may_verify={item.id: spot_check.may_verify(g.person, item) for item in row.items},
        photos=spot_check.photos(items),
        errors=errors or {}, values=values or {}, min_reason=spot_check.MIN_REASON), status


def verify_post(round_id: int, item_id: int):
    """核实 one drawn task: 属实 / 部分属实 / 不实 with the reason, entered once."""
    item = session.get(SpotCheckItem, item_id)
    if item is None or item.round_id != round_id:
        raise NotFound(texts.SPOT_CHECK_ITEM_GONE)
    values = {"result": request.form.get("result", ""), "reason": request.form.get("reason", "")}
    photos, errors = checked_photos(request.files.getlist("photos"))
    now, kept = utcnow(), []
    try:
        if errors:
            raise DomainError("\n".join(errors))
        spot_check.verify(item, values["result"], values["reason"], actor=g.person, now=now)
        for data, header in photos:
            evidence = spot_check.attach_photo(item, g.person, now=now)
            keep_upload(evidence, data, header)
            kept.append(evidence.id)
    except DomainError as refusal:
        session.rollback()
        return detail(round_id, {item_id: refusal.message}, {item_id: values}, refusal.status)
    session.commit()
    for evidence_id in kept:
        queue_fetch(evidence_id)
    flash(texts.SPOT_CHECK_VERIFIED.format(task=item.assignment.template.title,
                                           result=RESULT_LABELS[item.result]), "ok")
    return redirect(url_for("admin.spot_check", round_id=round_id, _anchor=f"i{item.id}"), 303)


def totals(row) -> dict:
    """The round's counts over its units: drawn and each result."""
    units = spot_check.unit_results(row)
    return {key: sum(unit[key] for unit in units) for key in ("drawn", *RESULT_KEYS)}


def result_labels() -> dict:
    return {**{str(result): label for result, label in RESULT_LABELS.items()},
            "pending": PENDING_LABEL}


def year_periods(year: int) -> list[str]:
    """The period keys a round's scope may name: the year's months, quarters and the year."""
    return [*(f"{year}-{month:02d}" for month in range(1, 13)),
            *(f"{year}Q{quarter}" for quarter in range(1, 5)), str(year)]


def _years(year: int) -> list[int]:
    return sorted({year, local_date(utcnow()).year,
                   *session.scalars(sa.select(spot_check.SpotCheckRound.year).distinct())},
                  reverse=True)
