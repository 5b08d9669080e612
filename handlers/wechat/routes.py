"""The one dispatch table: (MsgType, Event) → handler (STYLE.md R3); text goes by command.

Every type of fact sheet §2 lands somewhere; unsupported message types get a short help text;
unknown events are accepted quietly.
"""

from handlers.wechat import binding, command, evidence, menu, receipt, texts
from handlers.wechat.context import Context, Handler, pure


@pure
def quiet(ctx: Context) -> str:
    """Accept and say nothing (menu jumps, location reports, unknown future events)."""
    return ""


@pure
def unsupported(ctx: Context) -> str:
    return texts.UNSUPPORTED if ctx.person else texts.BIND_INSTRUCTIONS


ROUTES: dict[tuple[str, str | None], Handler] = {
    ("image", None): evidence.on_image,
    ("voice", None): unsupported,
    ("video", None): unsupported,
    ("shortvideo", None): unsupported,
    ("location", None): unsupported,
    ("link", None): unsupported,
    ("file", None): unsupported,
    ("event", "subscribe"): binding.on_subscribe,
    # wechatpy turns subscribe + EventKey "qrscene_<scene>" into this, prefix stripped (§2).
    ("event", "subscribe_scan"): binding.on_subscribe,
    ("event", "scan"): binding.on_scan,
    ("event", "unsubscribe"): binding.on_unsubscribe,
    ("event", "click"): menu.on_click,
    ("event", "view"): quiet,
    ("event", "view_miniprogram"): quiet,
    ("event", "location"): quiet,
    ("event", "scancode_push"): quiet,
    ("event", "scancode_waitmsg"): unsupported,
    ("event", "pic_sysphoto"): quiet,  # the photos follow as image messages (fact sheet §2)
    ("event", "pic_photo_or_album"): quiet,
    ("event", "pic_weixin"): quiet,
    ("event", "location_select"): quiet,  # a location message follows
    ("event", "templatesendjobfinish"): receipt.on_template_send_finish,
    ("event", "masssendjobfinish"): quiet,
}


def route_key(fields: dict) -> tuple[str, str | None]:
    msg_type = str(fields.get("MsgType", "")).lower()
    return msg_type, str(fields.get("Event", "")).lower() if msg_type == "event" else None


def handler_for(fields: dict) -> Handler:
    """The handler for this message: text by its command word, the rest by the table."""
    key = route_key(fields)
    if key == ("text", None):
        return command.handler_for(str(fields.get("Content") or ""))
    return ROUTES.get(key) or (quiet if key[0] == "event" else unsupported)
