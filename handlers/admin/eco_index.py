"""政治生态指数 (`/admin/eco-index`, 常山 "一图一表一指数"): the grid of units coloured by index
(一图), the table with every indicator (一表), the trend over months, a unit's explanation, the
indicator tree and the manual values. Every number is read from a frozen month
(models.eco_index), the rows the API and the xlsx read too."""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.exports import xlsx_response
from jobs.eco_index import write_xlsx
from models import Assignment, DutyTemplate, Unit, audit, session, utcnow
from models import eco_index, eco_manual
from models.eco_indicator import INDICATORS
from models.eco_tree import COLOUR_LABELS, COLOURS
from models.errors import DomainError, NotFound
from models.unit import UNIT_KIND_LABELS


def _month() -> str:
    """?month=, else the newest computed month, else the month that ended last."""
    text = request.args.get("month") or next(iter(eco_index.months()), None) \
        or eco_index.previous_month(utcnow())
    try:
        eco_index.parse_month(text)
    except DomainError:
        abort(404)
    return text


def month_choices(month: str) -> list[str]:
    return sorted({*eco_index.months(), eco_index.previous_month(utcnow()), month},
                  reverse=True)


def ref_links(kind: str, refs: list, unit_id: int, month: str) -> list[tuple[str, str]]:
    """Where the tasks, notices or deductions an indicator counted can be read."""
    if kind == "notices":
        return [(f"通知书{ref}", url_for("mobile.notice", notice_id=ref)) for ref in refs]
    if kind == "deductions":
        return [("扣分记录", url_for("admin.deductions", year=month[:4], unit=unit_id))] \
            if refs else []
    titles = dict(session.execute(
        sa.select(Assignment.id, DutyTemplate.title).join(
            DutyTemplate, DutyTemplate.id == Assignment.template_id)
        .where(Assignment.id.in_(refs))).all()) if refs else {}
    return [(titles.get(ref, f"任务{ref}"), url_for("mobile.assignment", assignment_id=ref))
            for ref in refs]


def colour_chart(points: list[dict]) -> dict:
    return {"kind": "stack", "x": [p["month"] for p in points],
            "series": [{"key": f"eco_{colour}", "name": COLOUR_LABELS[colour],
                        "data": [p[colour] for p in points]} for colour in COLOURS]}


def index():
    """一图一表: the month's grid and table, the colours' trend over the computed months."""
    month = _month()
    row = eco_index.latest(month)
    content = row.content if row else None
    counts = {colour: sum(1 for u in content["units"] if u["colour"] == colour)
              for colour in COLOURS} if content else {}
    return render_template(
        "admin/eco_index.html", month=month, row=row, content=content, counts=counts,
        months=month_choices(month), labels=COLOUR_LABELS, kinds=UNIT_KIND_LABELS,
        can_compute=eco_index.may_compute(g.person), trend=colour_chart(eco_index.trend()),
        not_computed=texts.ECO_NOT_COMPUTED.format(month=month))


def compute():
    month = request.form.get("month", "")
    try:
        row = eco_index.freeze(month, actor=g.person, now=utcnow())
    except DomainError as refusal:
        session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("admin.eco_index", month=month if eco_index.MONTH.match(
            month) else None), 303)
    session.commit()
    flash(texts.ECO_COMPUTED.format(month=month, version=row.version), "ok")
    return redirect(url_for("admin.eco_index", month=month), 303)


def unit(unit_id: int):
    """为什么是橙色？ one unit's month, indicator by indicator, and its trend."""
    month = _month()
    found = session.get(Unit, unit_id) or abort(404)
    row = eco_index.latest(month)
    try:
        explained = eco_index.explain(row.content, unit_id) if row else None
    except NotFound:
        explained = None
    items = [{**item, "links": ref_links(item["ref_kind"], item["refs"], unit_id, month)}
             for item in (explained or {}).get("items", [])]
    points = eco_index.trend(unit_id)
    trend = {"kind": "line", "x": [p["month"] for p in points],
             "series": [{"key": "score", "name": "政治生态指数",
                         "data": [float(p["index"]) for p in points]}]}
    return render_template(
        "admin/eco_index_unit.html", unit=found, month=month, row=row, explained=explained,
        items=items, labels=COLOUR_LABELS, trend=trend, points=points,
        changes=eco_manual.history(month, [unit_id]), names=_indicator_names(),
        not_computed=texts.ECO_NOT_COMPUTED.format(month=month))


def _indicator_names() -> dict:
    return {key: indicator.name for key, indicator in INDICATORS.items()}


def workbook():
    month = _month()
    row = eco_index.latest(month) or abort(404)
    audit.record("eco_index.export", f"index_month:{row.id}", now=utcnow(), actor=g.person,
                 month=month, version=row.version, sha256=row.sha256)
    session.commit()
    return xlsx_response(write_xlsx(row.content), f"{month}政治生态指数（第{row.version}版）.xlsx",
                         f"eco-index-{month}-v{row.version}.xlsx")
