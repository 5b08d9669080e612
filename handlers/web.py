"""What every page and API call shares: sessions (none on the WeChat callback), CSRF, and
errors answered in words (JSON for the API, a page otherwise; a 500 is a bug, logged)."""

import logging

from flask import jsonify, make_response, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from models import Person, Role
from models import session as db
from models.errors import DomainError
from models.wechat_binding import person_for_openid

csrf = CSRFProtect()
COOKIELESS_PATHS = frozenset({"/wechat", "/healthz"})


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions for pages; none for the WeChat callback, which never has cookies
    and must stay cheap (it is the hottest path: every message and event)."""

    def open_session(self, app, request):
        if request.path in COOKIELESS_PATHS:
            return self.null_session_class()
        return super().open_session(app, request)


# Who may use the admin pages (a one-time link from `flask admin-link`); their sign-in also
# opens the mobile pages, so the PC dashboard's task links work outside WeChat.
ADMIN_ROLES = (Role.ADMIN, Role.INSPECTOR)


def session_person() -> Person | None:
    """Who this request's session signs in, re-checked against the database on every request
    (the cookie lives 7 days, a binding or a role may change any minute): a WeChat sign-in's
    openid must still be bound to the same person, an admin sign-in's person must still be an
    admin or inspector, and either must still be active. A session that fails is ended."""
    openid, admin_id = session.get("openid"), session.get("admin_id")
    if openid:
        person = person_for_openid(openid)
        valid = person is not None and person.id == session.get("person_id")
    elif admin_id:
        person = db.get(Person, admin_id)
        valid = person is not None and person.role in ADMIN_ROLES
    else:
        return None
    if not valid or not person.active:
        session.clear()  # unbound, rebound, deactivated or demoted since it was issued
        return None
    return person


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
    app.register_error_handler(OperationalError, _database_busy)
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
    """The status in words, keeping the exception's own headers (a 405's `Allow`)."""
    response = make_response(answer(error.code or 500,
                                    HTTP_MESSAGES.get(error.code, error.description or "出错了")))
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _database_busy(error: OperationalError):
    """The database did not answer in time (a statement timeout, a lock another change holds,
    a lost connection): nothing was saved, so the user may simply try again."""
    db.rollback()
    logging.getLogger(__name__).warning("database busy on %s: %s", request.path,
                                        type(error.orig).__name__)
    response = make_response(answer(503, "系统繁忙，本次操作未保存，请稍后再试。"))
    response.headers["Retry-After"] = "5"
    return response


def _unexpected(error: Exception):
    logging.getLogger(__name__).exception("unhandled error on %s", request.path)
    return answer(500, "系统暂时繁忙，请稍后再试。")
