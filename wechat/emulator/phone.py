"""The phone simulator page (GET /) and the CDN-like media URLs (PicUrl)."""

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import render_template

bp = Blueprint("emu_phone", __name__)


@bp.get("/")
def phone():
    """A phone-shaped chat with the account: messages, photos, menu, QR scan, web view."""
    emulator = current_app.emulator
    return render_template("phone.html", appid=emulator.appid, mode=emulator.mode,
                           callback_url=emulator.callback_url)


@bp.get("/mmbiz_<fmt>/<media_id>/0")
def media_file(fmt, media_id):
    """A media's bytes, like mmbiz.qpic.cn (outlives the 3-day media_id)."""
    media = current_app.emulator.media_bytes(media_id)
    if media is None:
        return Response("not found", status=404, content_type="text/plain")
    return Response(media.data, content_type=media.content_type,
                    headers={"Cache-Control": "max-age=86400"})
