"""The cgi-bin API surface, at WeChat's own paths (fact sheet §10).

Errors are HTTP 200 JSON {"errcode", "errmsg"}; every call is counted, delayed by the latency
knob and may be failed by fail_next() before anything else is checked.
"""

import json
import time

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from wechat.emulator.errors import ApiError

bp = Blueprint("emu_api", __name__, url_prefix="/cgi-bin")
UNGATED = ("/cgi-bin/showqrcode",)


def api_gate():
    """before_request for API blueprints: stats, latency, injected faults."""
    path = request.path
    if not path.startswith(("/cgi-bin/", "/sns/")) or path in UNGATED:
        return None
    latency, errcode = current_app.emulator.begin_api_call(path)
    if latency:
        time.sleep(latency)
    if errcode is not None:
        return jsonify(ApiError(errcode).body())
    return None


def _emulator():
    return current_app.emulator


def _authorized():
    """The Emulator, after checking the access_token query parameter."""
    emulator = _emulator()
    emulator.check_token(request.args.get("access_token"))
    return emulator


def _json_body() -> dict:
    """The request's JSON object: 44002 when empty, 47001 when not a JSON object."""
    data = request.get_data()
    if not data.strip():
        raise ApiError(44002)
    try:
        body = json.loads(data)
    except ValueError:
        raise ApiError(47001) from None
    if not isinstance(body, dict):
        raise ApiError(47001)
    return body


bp.before_request(api_gate)


@bp.get("/token")
def token():
    """Classic access_token."""
    args = request.args
    return jsonify(_emulator().fetch_token(args.get("grant_type"), args.get("appid"),
                                           args.get("secret")))


@bp.post("/stable_token")
def stable_token():
    """Stable access_token."""
    return jsonify(_emulator().fetch_stable_token(_json_body()))


@bp.post("/message/template/send")
def template_send():
    """Template message."""
    emulator = _authorized()
    return jsonify(emulator.send_template(_json_body()))


@bp.post("/message/custom/send")
def custom_send():
    """Customer-service message."""
    emulator = _authorized()
    return jsonify(emulator.send_custom(_json_body()))


@bp.post("/message/subscribe/bizsend")
def subscribe_send():
    """Subscribe notification."""
    emulator = _authorized()
    return jsonify(emulator.send_subscribe(_json_body()))


@bp.post("/media/upload")
def media_upload():
    """Temporary media upload (multipart field `media`)."""
    emulator = _authorized()
    upload = request.files.get("media")
    data = upload.read() if upload else None
    filename = upload.filename if upload else ""
    return jsonify(emulator.upload_media(request.args.get("type"), data, filename or ""))


@bp.get("/media/get")
def media_get():
    """Temporary media download: bytes, or {"video_url"} for video."""
    emulator = _authorized()
    media = emulator.get_media(request.args.get("media_id"))
    if media.kind == "video":
        return jsonify({"video_url": emulator.media_url(media.media_id)})
    disposition = f'attachment; filename="{media.media_id}.{media.extension}"'
    return Response(media.data, content_type=media.content_type,
                    headers={"Content-disposition": disposition})


@bp.post("/menu/create")
def menu_create():
    """Publish the custom menu."""
    emulator = _authorized()
    return jsonify(emulator.create_menu(_json_body()))


@bp.get("/menu/get")
def menu_get():
    """The published menu (46003 when none)."""
    return jsonify(_authorized().get_menu())


@bp.get("/menu/delete")
def menu_delete():
    """Remove the custom menu."""
    return jsonify(_authorized().delete_menu())


@bp.post("/qrcode/create")
def qrcode_create():
    """Parametric QR code."""
    emulator = _authorized()
    return jsonify(emulator.create_qrcode(_json_body()))


@bp.get("/showqrcode")
def showqrcode():
    """The QR image (mp.weixin.qq.com/cgi-bin/showqrcode in production; no token)."""
    png = _emulator().qrcode_png(request.args.get("ticket", ""))
    if png is None:
        return Response("invalid ticket", status=404, content_type="text/plain")
    return Response(png, content_type="image/png")


@bp.get("/ticket/getticket")
def getticket():
    """JS-SDK ticket."""
    return jsonify(_authorized().jsapi_ticket(request.args.get("type", "jsapi")))


@bp.post("/template/api_add_template")
def add_template():
    """Add a (category) template by short id and keyword names."""
    emulator = _authorized()
    return jsonify(emulator.add_template(_json_body()))


@bp.get("/template/get_all_private_template")
def private_templates():
    """The account's templates."""
    return jsonify(_authorized().private_templates())


@bp.get("/user/info")
def user_info():
    """Basic user info (subscribe flag; no nickname since 2021)."""
    return jsonify(_authorized().user_info(request.args.get("openid")))


@bp.get("/user/get")
def user_get():
    """Follower openids, 10000 per page after next_openid."""
    followers = _authorized().followers()
    after = request.args.get("next_openid") or ""
    start = followers.index(after) + 1 if after in followers else 0
    page = followers[start:start + 10000]
    body = {"total": len(followers), "count": len(page),
            "next_openid": page[-1] if page else ""}
    if page:
        body["data"] = {"openid": page}
    return jsonify(body)
