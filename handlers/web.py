"""What every page and API call shares: sessions (none on the WeChat callback), CSRF, and
errors answered in words (JSON for the API, a page otherwise; a 500 is a bug, logged)."""

import logging

from flask import jsonify, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
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


def start_session(**values) -> None:
    """Sign in: a fresh session holding `values` and, from its first response on, its CSRF
    secret. Requests a page makes at once (the page, a favicon) then all carry the same
    secret, so a later response can never replace the one a form was rendered with."""
    session.clear()
    session.update(values)
    generate_csrf()


def init_app(app) -> None:
    """Sessions, CSRF and the error handlers."""
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


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
