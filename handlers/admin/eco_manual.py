"""录入指标 (`/admin/eco-index/manual`): the month's grid of manual indicators per unit, each
value with its source (来源), and the changes made to earlier entries (models.eco_manual keeps
every entry; an edit is audited). A refused grid saves nothing."""

from flask import flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.admin.eco_index import month_choices
from models import Unit, session, utcnow
from models import eco_index, eco_manual
from models.eco_indicator import INDICATORS
from models.errors import DomainError

MANUAL = [key for key, indicator in INDICATORS.items() if indicator.manual]


def _month(values) -> str:
    month = values.get("month") or eco_index.previous_month(utcnow())
    eco_index.parse_month(month)
    return month


def manual():
    posted = request.method == "POST"
    error = None
    try:
        month = _month(request.form if posted else request.args)
    except DomainError:
        month, error = eco_index.previous_month(utcnow()), None
    units = eco_index.units()
    if posted:
        try:
            saved = _save(month, units)
        except DomainError as refusal:
            session.rollback()
            error = refusal.message
        else:
            session.commit()
            flash(texts.ECO_MANUAL_SAVED.format(count=saved) if saved
                  else texts.ECO_MANUAL_UNCHANGED, "ok")
            return redirect(url_for("admin.eco_manual", month=month), 303)
    entered = eco_manual.values(month, {unit.id for unit in units})
    cells = {(unit.id, key): {"value": f"{row.value:.0f}", "source": row.source}
             for (unit_id, key), row in entered.items() for unit in units if unit.id == unit_id}
    if posted and error:
        cells = {(unit.id, key): {"value": request.form.get(f"value-{unit.id}-{key}", ""),
                                  "source": request.form.get(f"source-{unit.id}-{key}", "")}
                 for unit in units for key in MANUAL}
    return render_template(
        "admin/eco_manual.html", month=month, months=month_choices(month), units=units,
        keys=MANUAL, indicators=INDICATORS, cells=cells, error=error,
        changes=eco_manual.history(month), can_enter=eco_manual.may_enter(g.person),
        names={unit.id: unit.name for unit in units}), 400 if error else 200


def _save(month: str, units: list[Unit]) -> int:
    """Every filled cell of the grid entered (unchanged ones skipped); how many changed."""
    saved = 0
    for unit in units:
        for key in MANUAL:
            value = request.form.get(f"value-{unit.id}-{key}", "").strip()
            if not value:
                continue
            source = request.form.get(f"source-{unit.id}-{key}", "")
            if eco_manual.enter(unit, month, key, value, source, actor=g.person, now=utcnow()):
                saved += 1
    return saved
