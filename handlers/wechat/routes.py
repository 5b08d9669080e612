"""The one dispatch table (STYLE.md R3): every message and event → its handler, by
(MsgType, Event, word). The word is a text's command word (`帮助`, `签收 2`, `绑定 123456`)
or a menu click's EventKey (wechat/menu.py); a row with word None is that kind's fallback.

Every type of fact sheet §2 lands somewhere: other text answers a running 自查 or is a
summary paragraph for an open 上报, an unknown click gets the help text, unsupported message
types a short help text, and unknown events are accepted quietly. While a 自查 runs, a text
that only starts with one of its answers' likely first words is an answer (answer_first).
"""

from handlers.wechat import (assignment, binding, command, evidence, menu, notice, receipt,
                             self_check, supervision, texts)
from handlers.wechat.context import Context, Handler, not_bound, pure
from wechat import menu as menu_keys


@pure
def quiet(ctx: Context) -> str:
    """Accept and say nothing (menu jumps, location reports, unknown future events)."""
    return ""


@pure
def unsupported(ctx: Context) -> str:
    return texts.UNSUPPORTED if ctx.person else not_bound(ctx)


ROUTES: dict[tuple[str, str | None, str | None], Handler] = {
    # Text: the first word picks the command; anything else is a summary paragraph.
    ("text", None, "绑定"): command.bind,
    ("text", None, "帮助"): command.help_text,
    ("text", None, "?"): command.help_text,
    ("text", None, "？"): command.help_text,
    ("text", None, "我的"): command.me,
    ("text", None, "待办"): assignment.on_list,
    ("text", None, "签收"): self_check.answer_first("签收", assignment.on_acknowledge),
    ("text", None, "上报"): self_check.answer_first("上报", evidence.on_report),
    ("text", None, "提交"): self_check.answer_first("提交", evidence.on_submit),
    ("text", None, "取消"): self_check.answer_first("取消", self_check.on_cancel),
    ("text", None, self_check.VERB): self_check.answer_first(self_check.VERB,
                                                             self_check.on_start),
    ("text", None, evidence.REMOVE_VERB): self_check.answer_first(evidence.REMOVE_VERB,
                                                                  evidence.on_remove),
    ("text", None, supervision.VERB): supervision.on_respond,
    ("text", None, notice.LIST_VERB): notice.on_list,
    ("text", None, notice.REPLY_VERB): notice.on_reply,
    ("text", None, None): self_check.on_text,  # a running self-check's answer, else a summary
    # Menu clicks, by EventKey.
    ("event", "click", menu_keys.TASKS): assignment.on_list,
    ("event", "click", menu_keys.WARNINGS): menu.on_warnings,
    ("event", "click", menu_keys.SUPERVISION): menu.on_supervision,
    ("event", "click", menu_keys.REVIEWS): menu.on_reviews,
    ("event", "click", menu_keys.SELF_CHECK): self_check.on_start,
    ("event", "click", menu_keys.ME): command.me,
    ("event", "click", menu_keys.HELP): command.help_text,
    ("event", "click", None): command.help_text,
    # Other messages and events.
    ("image", None, None): evidence.on_image,
    ("voice", None, None): unsupported,
    ("video", None, None): unsupported,
    ("shortvideo", None, None): unsupported,
    ("location", None, None): unsupported,
    ("link", None, None): unsupported,
    ("file", None, None): unsupported,
    ("event", "subscribe", None): binding.on_subscribe,
    # wechatpy turns subscribe + EventKey "qrscene_<scene>" into this, prefix stripped (§2).
    ("event", "subscribe_scan", None): binding.on_subscribe,
    ("event", "scan", None): binding.on_scan,
    ("event", "unsubscribe", None): binding.on_unsubscribe,
    ("event", "view", None): quiet,
    ("event", "view_miniprogram", None): quiet,
    ("event", "location", None): quiet,
    ("event", "scancode_push", None): quiet,
    ("event", "scancode_waitmsg", None): unsupported,
    ("event", "pic_sysphoto", None): quiet,  # the photos follow as image messages (fact sheet §2)
    ("event", "pic_photo_or_album", None): quiet,
    ("event", "pic_weixin", None): quiet,
    ("event", "location_select", None): quiet,  # a location message follows
    ("event", "templatesendjobfinish", None): receipt.on_template_send_finish,
    ("event", "masssendjobfinish", None): quiet,
}
COMMAND_WORDS = [word for kind, _, word in ROUTES if kind == "text" and word]


def route_key(fields: dict) -> tuple[str, str | None, str | None]:
    """(MsgType, Event, word) of a message, lower-cased where WeChat's case varies."""
    msg_type = str(fields.get("MsgType", "")).lower()
    event = str(fields.get("Event", "")).lower() if msg_type == "event" else None
    if msg_type == "text":
        return msg_type, None, command_word(str(fields.get("Content") or ""))
    if event == "click":
        return msg_type, event, str(fields.get("EventKey") or "")
    return msg_type, event, None


def command_word(content: str) -> str | None:
    """The command a text starts with ("签收1" without a space too), or None."""
    content = content.strip()
    word = content.partition(" ")[0]
    if word in COMMAND_WORDS:
        return word
    # 绑定 takes its code with or without a space; others may lose their space too.
    return next((name for name in COMMAND_WORDS if content.startswith(name)), None)


def handler_for(fields: dict) -> Handler:
    """The handler for this message: its own row, else its kind's fallback row."""
    msg_type, event, word = route_key(fields)
    return (ROUTES.get((msg_type, event, word)) or ROUTES.get((msg_type, event, None))
            or (quiet if msg_type == "event" else unsupported))
