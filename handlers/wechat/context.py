"""What a chat handler gets, and the marks `pure` (changes nothing) and `bound_only`."""

import functools

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wechatpy.messages import BaseMessage

from handlers.wechat import texts
from models.wechat_binding import BoundPerson, deactivated_openid


@dataclass
class Context:
    """The parsed message, its raw fields, the bound person (None: not bound), the time."""

    message: BaseMessage
    fields: dict
    person: BoundPerson | None
    now: datetime

    @property
    def openid(self) -> str:
        return self.fields["FromUserName"]


Handler = Callable[[Context], str]


def pure(handler: Handler) -> Handler:
    """Mark a handler that only reads: it may run before the message is claimed, and its
    answer is stored in the same Redis call as the claim (handlers/wechat/inbox.py). It may
    also record what it showed (models.shown_list): a write that is safe to repeat, since a
    retry or a changed identity runs it again."""
    handler.pure = True
    return handler


def bound_only(handler: Handler) -> Handler:
    """Answer people whose WeChat is not bound yet with how to bind, instead of running."""

    @functools.wraps(handler)
    def wrapped(ctx: Context) -> str:
        if ctx.person is None:
            return not_bound(ctx)
        return handler(ctx)

    return wrapped


def not_bound(ctx: Context) -> str:
    """The answer to someone bound to nobody: how to bind, or that their account was
    deactivated (停用 ends the binding, issue 12)."""
    return texts.ACCOUNT_DEACTIVATED if deactivated_openid(ctx.openid) else \
        texts.BIND_INSTRUCTIONS


def is_pure(handler: Handler) -> bool:
    return getattr(handler, "pure", False)
