"""`GET /healthz`: 200 with {"db": "ok", "redis": "ok"}, 503 naming what is down."""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from models import session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {"db": _check(lambda: session.execute(sa.text("SELECT 1"))),
              "redis": _check(lambda: current_app.extensions["redis"].ping())}
    session.remove()
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(checks), 200 if healthy else 503


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
