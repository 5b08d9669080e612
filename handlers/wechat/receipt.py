"""TEMPLATESENDJOBFINISH: WeChat's word on whether a template message reached the user."""

from models.notification import record_delivery


def on_template_send_finish(ctx) -> str:
    msgid = str(ctx.fields.get("MsgID") or ctx.fields.get("MsgId") or "")
    record_delivery(msgid, str(ctx.fields.get("Status") or ""), ctx.now)
    return ""
