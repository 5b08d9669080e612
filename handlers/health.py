"""`GET /healthz`: 200 with {"db": "ok", "redis": "ok"}, 503 naming what is down.

"calendar" says "ok" or "missing 2027" (the holiday schedule admins must import).
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from models import session, utcnow
from models.calendar import missing_year

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {"db": _check(lambda: session.execute(sa.text("SELECT 1"))),
              "redis": _check(lambda: current_app.extensions["redis"].ping())}
    healthy = all(value == "ok" for value in checks.values())
    # A missing holiday schedule is an alarm, not an outage: it never changes the status.
    checks["calendar"] = _calendar() if checks["db"] == "ok" else "unknown"
    session.remove()
    return jsonify(checks), 200 if healthy else 503


def _calendar() -> str:
    try:
        year = missing_year(utcnow())
    except sa.exc.SQLAlchemyError:  # e.g. not migrated yet: say so without failing the probe
        session.rollback()
        return "unknown"
    return "ok" if year is None else f"missing {year}"


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
