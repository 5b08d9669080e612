"""`GET /healthz`: 200 with {"db": "ok", "redis": "ok"}, 503 naming what is down.

"calendar" says "ok" or "missing 2027" (the holiday schedule admins must import); "duty" says
"ok" or how many (template, unit) pairs of open tasks lack an assignee or a reviewer, and
"gaps" names them (models.hierarchy.gaps). Both are alarms for an admin, not outages.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from models import session, utcnow
from models.calendar import missing_year
from models.hierarchy import open_gaps

bp = Blueprint("health", __name__)


# Each probe gets this long: a database or Redis that accepts connections but never answers
# is reported down (503) instead of holding the probe, and the worker, until gunicorn kills it.
PROBE_SECONDS = 3
_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


@bp.get("/healthz")
def healthz():
    engine, redis = current_app.extensions["db_engine"], current_app.extensions["redis"]
    checks = {"db": _check(lambda: _ping_database(engine)), "redis": _check(redis.ping)}
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


def _ping_database(engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _check(probe) -> str:
    """"ok", or "down: <why>" when the probe fails or takes longer than PROBE_SECONDS (it is
    left to finish on its own thread)."""
    try:
        _probes.submit(probe).result(timeout=PROBE_SECONDS)
        return "ok"
    except FutureTimeout:
        return "down: timeout"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
