"""The one dispatch table: (MsgType, Event) → handler (STYLE.md R3).

Every type of fact sheet §2 lands somewhere; unsupported message types get a short help text;
unknown events are accepted quietly.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wechatpy.messages import BaseMessage

from handlers.wechat import binding, command, menu, receipt, texts
from models.wechat_binding import BoundPerson


@dataclass
class Context:
    """What a chat handler gets: the parsed message, its raw fields, the bound person, the time."""

    message: BaseMessage
    fields: dict
    person: BoundPerson | None
    now: datetime

    @property
    def openid(self) -> str:
        return self.fields["FromUserName"]


Handler = Callable[[Context], str]


def quiet(ctx: Context) -> str:
    """Accept and say nothing (menu jumps, location reports, unknown future events)."""
    return ""


def unsupported(ctx: Context) -> str:
    return texts.UNSUPPORTED if ctx.person else texts.BIND_INSTRUCTIONS


ROUTES: dict[tuple[str, str | None], Handler] = {
    ("text", None): command.on_text,
    ("image", None): unsupported,
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


def route(message: BaseMessage, fields: dict, now: datetime, person: BoundPerson | None) -> str:
    """Run the handler for this message from `person` (None: not bound); return the reply text."""
    key = route_key(fields)
    handler = ROUTES.get(key) or (quiet if key[0] == "event" else unsupported)
    return handler(Context(message, fields, person, now))
