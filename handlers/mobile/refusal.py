"""Refused form posts answer with a redirect (Post/Redirect/Get), never a page at the POST URL.

A refusal rolls back, flashes its sentence and sends the browser (303) to the page the form
lives on: the task page, or the form's own page when the POST URL also answers GET (上报,
审核). A reload there shows the page again and re-posts nothing. The sentence can name its
form (`form`), so the page shows it next to that form; what the person typed (`typed`, up to
a 2000-character 督办回复 or 小结, too much for the session cookie) waits in Redis for the
next page of this person, for ten minutes.

The blueprint's error handlers do the same for refusals raised from deeper down (a
DomainError from the models, a 403 or 429, an expired CSRF token), so every POST of /m/
ends the same way; anything a person may not see stays a 404.
"""

import json

from flask import flash, g, get_flashed_messages, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from handlers.web import HTTP_MESSAGES, answer
from jobs import redis_connection
from models import session
from models.errors import DomainError, NotAllowed

CATEGORY = "refusal:"  # flash category prefix; what follows names the form
TYPED_SECONDS = 600
PAGE_EXPIRED = "页面已过期，请刷新页面后重新操作。"


def refuse(message: str, to: str, *, form: str = "", anchor: str = "",
           typed: dict | None = None):
    """Undo, say why next to `form` (or at the top), keep what was typed, and redirect."""
    session.rollback()
    flash(message, CATEGORY + form if form else "warn")
    if typed:
        _keep(typed)
    return redirect(to + (f"#{anchor}" if anchor else ""), 303)


def recall() -> dict | None:
    """The refusal `refuse` carried to this page: {"form", "message", **typed}, or None."""
    for category, message in get_flashed_messages(with_categories=True):
        if category.startswith(CATEGORY):
            return {"form": category.removeprefix(CATEGORY), "message": message, **_typed()}
    return None


def form_page() -> str:
    """Where a refused POST goes: its own URL when that answers GET too (上报, 审核), else
    the task page it was posted from, else the workbench."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.path
    if "assignment_id" in (request.view_args or {}):
        return url_for("mobile.assignment", assignment_id=request.view_args["assignment_id"])
    return url_for("mobile.workbench")


def init_app(bp) -> None:
    """Refusals raised inside the blueprint's form posts end in a redirect too."""
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(CSRFError, _csrf_error)
    bp.register_error_handler(HTTPException, _http_error)


def _form_post() -> bool:
    return request.method == "POST" and not request.is_json


def _domain_error(error: DomainError):
    if _form_post() and error.status != 404:
        return refuse(error.message, form_page())
    return answer(error.status, error.message)


def _csrf_error(error: CSRFError):
    if _form_post():
        return refuse(PAGE_EXPIRED, form_page())
    return answer(400, PAGE_EXPIRED)


def _http_error(error: HTTPException):
    if _form_post() and error.code in (403, 409, 429):
        message = NotAllowed.message if error.code == 403 else _text(error)
        return refuse(message, form_page())
    return answer(error.code or 500, _text(error))


def _text(error: HTTPException) -> str:
    return HTTP_MESSAGES.get(error.code, error.description or "出错了")


def _key() -> str:
    return f"mobile:typed:{g.person.id}"


def _keep(typed: dict) -> None:
    if getattr(g, "person", None) is None:
        return
    try:
        redis_connection().set(_key(), json.dumps(typed, ensure_ascii=False), ex=TYPED_SECONDS)
    except RedisError:  # the refusal still shows; only the typed text is lost
        pass


def _typed() -> dict:
    if getattr(g, "person", None) is None:
        return {}
    try:
        kept, _ = redis_connection().pipeline().get(_key()).delete(_key()).execute()
    except RedisError:
        return {}
    return json.loads(kept) if kept else {}
