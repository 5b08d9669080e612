"""The RQ dashboard (rq-dashboard) at /admin/rq: queues, workers, failed jobs; admins only.

rq-dashboard brings no authentication of its own: every request of its blueprint passes
`_admins_only` first. Its buttons post by XHR without our CSRF token, so the blueprint is
exempt from CSRF and instead refuses posts from another origin (the session cookie is
SameSite=Lax as well).
"""

from urllib.parse import urlsplit

import rq_dashboard
from flask import abort, g, request
from rq_dashboard.web import setup_rq_connection

from handlers.web import csrf
from handlers.admin import admin_required
from models import Role

URL_PREFIX = "/admin/rq"


@rq_dashboard.blueprint.before_request
def _admins_only():
    admin_required(lambda: None)()  # signed in as an admin or inspector, or 403; sets g.person
    if g.person.role != Role.ADMIN:
        abort(403)
    if request.method == "POST" and request.origin and \
            urlsplit(request.origin).netloc != request.host:
        abort(403)
    if request.endpoint == "rq_dashboard.requeue_all" and request.method != "POST":
        abort(405)  # it also answers GET, which a link on another site could trigger


def init_app(app) -> None:
    """Mount the dashboard on the app's own Redis (redis:// or the embedded unix:// socket)."""
    app.config["RQ_DASHBOARD_REDIS_URL"] = app.config["REDIS_URL"]
    setup_rq_connection(app)
    csrf.exempt(rq_dashboard.blueprint)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=URL_PREFIX)
