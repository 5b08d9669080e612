"""Every way a request enters: chat callback, mobile pages, admin pages, health, CLI."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from models.errors import DomainError

csrf = CSRFProtect()
COOKIELESS_PATHS = frozenset({"/wechat", "/healthz"})


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions for pages; none for the WeChat callback, which never has cookies
    and must stay cheap (it is the hottest path: every message and event)."""

    def open_session(self, app, request):
        if request.path in COOKIELESS_PATHS:
            return self.null_session_class()
        return super().open_session(app, request)


def init_app(app) -> None:
    from handlers import admin, cli, health, labels, mobile, wechat
    from handlers import api
    from handlers.admin import rq as admin_rq
    from handlers.wechat import identity

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    csrf.exempt(wechat.bp)
    identity.init_app(app)
    for blueprint in (wechat.bp, mobile.bp, admin.bp, health.bp, cli.bp, api.bp):
        app.register_blueprint(blueprint)
    admin_rq.init_app(app)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.add_template_filter(local_time)
    app.add_template_filter(labels.due_rule_label)
    app.add_template_filter(labels.period_label)
    app.add_template_global(labels, "labels")


SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in Asia/Shanghai."""
    return value.astimezone(SHANGHAI).strftime(fmt) if value else ""


def answer(status: int, message: str):
    """An error in words: JSON for the API and JSON callers, else a page."""
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), status
    return render_template("message.html", title="提示", message=message), status


def _domain_error(error: DomainError):
    return answer(error.status, error.message)


def _csrf_error(error: CSRFError):
    return answer(400, "页面已过期，请返回后刷新页面再试。")


HTTP_MESSAGES = {
    400: "请求有误，请检查后重试。",
    403: "无权访问该页面。",
    404: "未找到该页面或内容。",
    405: "不支持该操作。",
    413: "上传的内容过大。",
    429: "操作过于频繁，请稍后再试。",
}


def _http_error(error: HTTPException):
    return answer(error.code or 500, HTTP_MESSAGES.get(error.code, error.description or "出错了"))


def _unexpected(error: Exception):
    logging.getLogger(__name__).exception("unhandled error on %s", request.path)
    return answer(500, "系统暂时繁忙，请稍后再试。")
