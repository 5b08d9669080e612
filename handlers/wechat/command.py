"""Text commands: the first word picks the command (`帮助`, `我的`, `绑定 123456`)."""

from handlers.wechat import texts
from handlers.wechat.binding import bind_with_code


def on_text(ctx) -> str:
    content = str(ctx.fields.get("Content") or "").strip()
    word, _, rest = content.partition(" ")
    if word.startswith("绑定"):
        return bind_with_code(ctx, (word.removeprefix("绑定") + rest).strip())
    if ctx.person is None:
        return texts.BIND_INSTRUCTIONS
    command = COMMANDS.get(word)
    return command(ctx) if command else texts.UNKNOWN_COMMAND


def help_text(ctx) -> str:
    return texts.HELP


def me(ctx) -> str:
    person = ctx.person
    title = f"\n职务：{person.title}" if person.title else ""
    return texts.ME.format(name=person.name, unit=person.unit_name, role=person.role_label,
                           title=title)


COMMANDS = {"帮助": help_text, "?": help_text, "？": help_text, "我的": me}
