"""The callback `/wechat`: verify → decode → handle once → encode (STYLE.md R2).

POST /wechat is the hottest path (every message and event, each within WeChat's 5 s), so it
is served straight from WSGI (`CallbackRoute`, in front of Flask) with an application context
and nothing else: no request context, URL routing, session or CSRF, none of which it uses.
Everything else, GET /wechat's URL check included, is Flask's as usual.
"""

import logging
import time
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from handlers.wechat.inbox import handle
from models import utcnow
from wechat.inbound import MAX_BODY, Refused

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


def _gateway():
    return current_app.extensions["wechat"].gateway


def _refuse(refusal: Refused) -> Response:
    _log_refusal(refusal, request.remote_addr)
    return Response(f"refused: {refusal.reason}\n", refusal.status, mimetype="text/plain")


def _log_refusal(refusal: Refused, address: str | None) -> None:
    log.warning("wechat callback refused (%s): %s from %s", refusal.status, refusal.reason,
                address)


@bp.get("/wechat")
def verify():
    """URL verification: echo `echostr` when the signature is right (fact sheet §1.1)."""
    try:
        _gateway().verify(request.args, time.time())
    except Refused as refusal:
        return _refuse(refusal)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


class CallbackRoute:
    """WSGI middleware in front of Flask: POST /wechat is answered here, anything else goes
    on to Flask."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/wechat" or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():  # the database session is released when it ends
            try:
                status, mimetype, body = receive(environ)
            except Exception:  # handle() answers every failure it expects: this is a bug
                log.exception("wechat callback failed")
                status, mimetype, body = 500, "text/plain", "error\n"
        data = body.encode()
        start_response(f"{status} {HTTP_STATUS_CODES[status]}",
                       [("Content-Type", f"{mimetype}; charset=utf-8"),
                        ("Content-Length", str(len(data)))])
        return [data]


def receive(environ) -> tuple[int, str, str]:
    """One POSTed message or event: (status, mimetype, body)."""
    gateway, now = _gateway(), time.time()
    try:
        declared = get_content_length(environ) or 0
        if declared > MAX_BODY:
            raise Refused(413, f"declared body of {declared} bytes")
        # As werkzeug reads a query string: WSGI hands it over as latin-1 (PEP 3333).
        query = environ.get("QUERY_STRING", "").encode("latin-1", "replace").decode("utf-8", "replace")
        body = get_input_stream(environ, max_content_length=MAX_BODY + 1).read(MAX_BODY + 1)
        inbound = gateway.decode(dict(parse_qsl(query)), body, now)
        reply = handle(inbound.message, inbound.xml, utcnow(), inbound.nonce)
    except Refused as refusal:
        _log_refusal(refusal, environ.get("REMOTE_ADDR"))
        return refusal.status, "text/plain", f"refused: {refusal.reason}\n"
    return 200, "application/xml", gateway.encode(reply, inbound, now)
