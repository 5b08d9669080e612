"""The callback `/wechat`: verify → decode → handle once → encode (STYLE.md R2)."""

import logging
import time

from flask import Blueprint, Response, current_app, request

from handlers.wechat.inbox import handle
from models import utcnow
from wechat.inbound import MAX_BODY, Refused

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


def _gateway():
    return current_app.extensions["wechat"].gateway


def _refuse(refusal: Refused) -> Response:
    log.warning("wechat callback refused (%s): %s from %s", refusal.status, refusal.reason,
                request.remote_addr)
    return Response(f"refused: {refusal.reason}\n", refusal.status, mimetype="text/plain")


@bp.get("/wechat")
def verify():
    """URL verification: echo `echostr` when the signature is right (fact sheet §1.1)."""
    try:
        _gateway().verify(request.args, time.time())
    except Refused as refusal:
        return _refuse(refusal)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive():
    gateway, now = _gateway(), time.time()
    if (request.content_length or 0) > MAX_BODY:
        return _refuse(Refused(413, f"declared body of {request.content_length} bytes"))
    try:
        inbound = gateway.decode(request.args, request.stream.read(MAX_BODY + 1), now)
        reply = handle(inbound.message, inbound.xml, utcnow(), inbound.nonce)
    except Refused as refusal:
        return _refuse(refusal)
    return Response(gateway.encode(reply, inbound, now), mimetype="application/xml")
