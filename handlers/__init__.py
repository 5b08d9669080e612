"""Every way a request enters: chat callback, mobile pages, admin pages, health, CLI. This
package only wires them (STYLE.md §12: nothing imports from it)."""

import logging

from handlers import admin, api, cli, health, labels, mobile, wechat, web
from handlers.admin import rq as admin_rq
from handlers.wechat import identity
from models.clock import local_time
from models.level_scheme import scheme


def init_app(app) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.init_app(app)
    web.csrf.exempt(wechat.bp)
    identity.init_app(app)
    for blueprint in (wechat.bp, mobile.bp, admin.bp, health.bp, cli.bp, api.bp):
        app.register_blueprint(blueprint)
    admin_rq.init_app(app)
    app.add_template_filter(local_time)
    app.add_template_filter(labels.due_rule_label)
    app.add_template_filter(labels.period_label)
    app.add_template_filter(labels.amount)
    app.add_template_global(labels, "labels")
    app.add_template_global(scheme, "level_scheme")
    app.wsgi_app = wechat.CallbackRoute(app, app.wsgi_app)
