"""Menu clicks (CLICK events): each key of wechat/menu.py answers here."""

from handlers.wechat import command, texts
from wechat import menu


def on_click(ctx) -> str:
    if ctx.person is None:
        return texts.BIND_INSTRUCTIONS
    key = str(ctx.fields.get("EventKey") or "")
    if key == menu.ME:
        return command.me(ctx)
    return texts.HELP
