"""What a chat handler gets, and the `pure` mark for handlers that change nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wechatpy.messages import BaseMessage

from models.wechat_binding import BoundPerson


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
    answer is stored in the same Redis call as the claim (handlers/wechat/inbox.py)."""
    handler.pure = True
    return handler


def is_pure(handler: Handler) -> bool:
    return getattr(handler, "pure", False)
