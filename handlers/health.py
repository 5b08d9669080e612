"""`GET /healthz`: 200 with {"db": "ok", "redis": "ok"}, 503 naming what is down.

"calendar" says "ok" or "missing 2027" (the holiday schedule admins must import); "duty" says
"ok" or how many (template, unit) pairs of open tasks lack an assignee or a reviewer, and
"gaps" names them (models.hierarchy.gaps). Both are alarms for an admin, not outages.
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from models import session, utcnow
from models.calendar import missing_year
from models.hierarchy import open_gaps

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {"db": _check(lambda: session.execute(sa.text("SELECT 1"))),
              "redis": _check(lambda: current_app.extensions["redis"].ping())}
    healthy = all(value == "ok" for value in checks.values())
    # A missing holiday schedule is an alarm, not an outage: it never changes the status.
    checks["calendar"] = _calendar() if checks["db"] == "ok" else "unknown"
    if checks["db"] == "ok":
        checks.update(_duty())
    session.remove()
    return jsonify(checks), 200 if healthy else 503


def _calendar() -> str:
    try:
        year = missing_year(utcnow())
    except sa.exc.SQLAlchemyError:  # e.g. not migrated yet: say so without failing the probe
        session.rollback()
        return "unknown"
    return "ok" if year is None else f"missing {year}"


def _duty() -> dict:
    try:
        found = open_gaps()
    except sa.exc.SQLAlchemyError:
        session.rollback()
        return {"duty": "unknown"}
    if not found:
        return {"duty": "ok"}
    return {"duty": f"{len(found)} gaps", "gaps": [str(gap) for gap in found[:50]]}


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
