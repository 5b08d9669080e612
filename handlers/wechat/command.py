"""帮助, 我的 and 绑定 in chat (routed by handlers/wechat/routes.py)."""

from flask import current_app

from handlers.wechat import texts
from handlers.wechat.binding import bind_with_code
from handlers.wechat.context import Context, not_bound, pure


def bind(ctx: Context) -> str:
    content = str(ctx.fields.get("Content") or "").strip().removeprefix("绑定")
    return bind_with_code(ctx, content.replace(" ", ""))


@pure
def help_text(ctx: Context) -> str:
    return texts.HELP if ctx.person else not_bound(ctx)


@pure
def me(ctx: Context) -> str:
    person = ctx.person
    if person is None:
        return not_bound(ctx)
    title = f"\n职务：{person.title}" if person.title else ""
    state, action = texts.CARE_MODE_STATES[person.care_mode]
    return texts.ME.format(name=person.name, unit=person.unit_name, role=person.role_label,
                           title=title) + texts.CARE_MODE_LINK.format(
        state=state, action=action, url=current_app.config["PUBLIC_BASE_URL"] + "m/me")

