"""Text commands: the first word picks the command (`帮助`, `我的`, `绑定 123456`)."""

from flask import current_app

from handlers.wechat import assignment, evidence, supervision, texts
from handlers.wechat.binding import bind_with_code
from handlers.wechat.context import Context, Handler, pure


def handler_for(content: str) -> Handler:
    """The command a text message asks for; unbound users can only bind."""
    content = content.strip()
    if content.startswith("绑定"):
        return bind
    word = content.partition(" ")[0]
    if word not in COMMANDS:  # "签收1" without a space
        word = next((name for name in COMMANDS if content.startswith(name)), word)
    return COMMANDS.get(word, evidence.on_text)


def bind(ctx: Context) -> str:
    content = str(ctx.fields.get("Content") or "").strip().removeprefix("绑定")
    return bind_with_code(ctx, content.replace(" ", ""))


@pure
def help_text(ctx: Context) -> str:
    return texts.HELP if ctx.person else texts.BIND_INSTRUCTIONS


@pure
def me(ctx: Context) -> str:
    person = ctx.person
    if person is None:
        return texts.BIND_INSTRUCTIONS
    title = f"\n职务：{person.title}" if person.title else ""
    state, action = texts.CARE_MODE_STATES[person.care_mode]
    return texts.ME.format(name=person.name, unit=person.unit_name, role=person.role_label,
                           title=title) + texts.CARE_MODE_LINK.format(
        state=state, action=action, url=current_app.config["PUBLIC_BASE_URL"] + "m/me")


COMMANDS = {"帮助": help_text, "?": help_text, "？": help_text, "我的": me,
            "待办": assignment.on_list, "签收": assignment.on_acknowledge,
            "上报": evidence.on_report, "提交": evidence.on_submit, "取消": evidence.on_cancel,
            evidence.REMOVE_VERB: evidence.on_remove,
            supervision.VERB: supervision.on_respond}
