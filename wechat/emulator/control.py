"""/_emu/*: JSON control and inspection for the launcher, other processes and the phone page."""

import dataclasses
from urllib.parse import quote

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request

from wechat.emulator.errors import UserActionError

bp = Blueprint("emu_control", __name__, url_prefix="/_emu")


def _emulator():
    return current_app.emulator


def _body() -> dict:
    return request.get_json(silent=True) or {}


def _result(result):
    """A CallbackResult (or a list of them) as JSON."""
    if isinstance(result, list):
        return jsonify([dataclasses.asdict(item) for item in result])
    return jsonify(dataclasses.asdict(result))


@bp.errorhandler(UserActionError)
def user_action_error(exc):
    """An action the user cannot take in WeChat: 409 with the reason."""
    return jsonify({"error": str(exc)}), 409


@bp.get("/users")
def users():
    """Every user, followed or not."""
    return jsonify(_emulator().users())


@bp.get("/inbox")
def inboxes():
    """Every user's non-empty inbox."""
    return jsonify(_emulator().inboxes())


@bp.get("/inbox/<openid>")
def inbox(openid):
    """What one user received."""
    return jsonify(_emulator().inbox(openid))


@bp.get("/chat/<openid>")
def chat(openid):
    """One user's whole conversation after entry `after` (the phone page polls this)."""
    return jsonify(_emulator().chat(openid, request.args.get("after", 0, type=int)))


def _photos() -> list[bytes]:
    return [upload.read() for upload in request.files.getlist("photo") if upload]


ACTIONS = {
    "text": lambda emu, openid, body: emu.send_text(openid, body.get("content", "")),
    "click": lambda emu, openid, body: emu.click(openid, body.get("key", "")),
    "view": lambda emu, openid, body: emu.view(openid, body.get("url", "")),
    "subscribe": lambda emu, openid, body: emu.subscribe(openid, body.get("scene")),
    "unsubscribe": lambda emu, openid, body: emu.unsubscribe(openid),
    "scan": lambda emu, openid, body: (
        emu.scan_qrcode(openid, body["ticket"]) if body.get("ticket")
        else emu.scan(openid, body.get("scene", ""))),
    "location": lambda emu, openid, body: emu.send_location(
        openid, body.get("lat", 25.383), body.get("lng", 114.922), body.get("scale", 15),
        body.get("label", "")),
    "location_event": lambda emu, openid, body: emu.location_event(
        openid, body.get("lat", 25.383), body.get("lng", 114.922)),
    "location_select": lambda emu, openid, body: emu.location_select_event(
        openid, body.get("key", ""), body.get("lat", 25.383), body.get("lng", 114.922),
        body.get("label", ""), body.get("poiname", "")),
    "scancode": lambda emu, openid, body: emu.scancode_event(
        openid, body.get("key", ""), body.get("result", ""), body.get("event", "scancode_push")),
    "voice": lambda emu, openid, body: emu.send_voice(openid, recognition=body.get("recognition")),
    "event": lambda emu, openid, body: emu.send_event(
        openid, body.get("event", ""), **(body.get("fields") or {})),
}


@bp.post("/users/<openid>/<action>")
def user_action(openid, action):
    """A user action; JSON body mirrors the Python method; answers the CallbackResult."""
    emulator = _emulator()
    if action == "image":
        photos = _photos()
        return _result(emulator.send_image(openid, photos[0] if photos else None))
    if action == "pic":
        event = request.form.get("event") or _body().get("event", "pic_photo_or_album")
        key = request.form.get("key") or _body().get("key", "")
        return _result(emulator.pic_event(openid, event, key, _photos() or None))
    handler = ACTIONS.get(action)
    if handler is None:
        return jsonify({"error": f"unknown action {action}"}), 404
    return _result(handler(emulator, openid, _body()))


@bp.post("/faults")
def faults():
    """Set knobs: latency_ms, fail {errcode, count, path}, drop_send_results, blocked, ..."""
    emulator, body = _emulator(), _body()
    if "latency_ms" in body:
        emulator.set_latency(body["latency_ms"])
    if body.get("fail"):
        fail = body["fail"]
        emulator.fail_next(fail["errcode"], fail.get("count", 1), fail.get("path"))
    if "drop_send_results" in body:
        emulator.drop_send_results(bool(body["drop_send_results"]))
    if "system_failed" in body:
        emulator.fail_deliveries(int(body["system_failed"]))
    for openid, flag in (body.get("blocked") or {}).items():
        emulator.set_blocked(openid, bool(flag))
    for openid, flag in (body.get("snapshot") or {}).items():
        emulator.set_snapshot(openid, bool(flag))
    return jsonify({"ok": True})


@bp.post("/opt_in")
def opt_in():
    """A user accepts a subscribe notification template."""
    body = _body()
    _emulator().opt_in(body["openid"], body["template_id"], bool(body.get("long_term")))
    return jsonify({"ok": True})


@bp.post("/clock")
def clock():
    """Advance the emulator's clock by `advance` seconds."""
    emulator = _emulator()
    offset = emulator.advance_clock(float(_body().get("advance", 0)))
    return jsonify({"offset": offset, "now": emulator.now()})


@bp.post("/flush")
def flush():
    """Post pending send-result events now."""
    results = _emulator().flush()
    return jsonify({"posted": len(results),
                    "results": [dataclasses.asdict(item) for item in results]})


@bp.post("/reset")
def reset():
    """Back to the initial state."""
    _emulator().reset()
    return jsonify({"ok": True})


@bp.post("/verify")
def verify():
    """The callback URL handshake (GET with echostr)."""
    return jsonify({"ok": _emulator().verify_url()})


@bp.get("/stats")
def stats():
    """Counters."""
    return jsonify(_emulator().stats())


@bp.get("/qrcodes")
def qrcodes():
    """Created QR codes, newest first, with their showqrcode image URL."""
    emulator = _emulator()
    codes = emulator.qrcodes()
    for code in codes:
        code["image"] = f"{emulator.public_url}cgi-bin/showqrcode?ticket={quote(code['ticket'])}"
    return jsonify(codes)


@bp.get("/menu")
def menu():
    """The published menu's buttons ([] when none)."""
    emulator = _emulator()
    return jsonify({"button": emulator.published_menu(), "menuid": emulator.menu_id})


@bp.get("/config")
def config():
    """What the phone page needs to know about the account."""
    emulator = _emulator()
    return jsonify({"appid": emulator.appid, "original_id": emulator.original_id,
                    "mode": emulator.mode, "callback_url": emulator.callback_url,
                    "public_url": emulator.public_url})
