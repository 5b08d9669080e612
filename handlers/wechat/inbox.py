"""Exactly-once handling of callbacks: dedupe, reply replay, and the durable fallback.

WeChat resends a callback it got no answer to within 5 s (fact sheet §1.4). The first
delivery claims its dedupe key in Redis and caches its reply there for the dedupe window;
a retry gets the same reply and changes nothing. When Redis is down the message is kept in
the database and answered politely; `replay_pending` handles it once Redis is back and sends
the real answer as a customer-service message.
"""

import hashlib
import logging
from datetime import datetime

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wechatpy import create_reply, parse_message
from wechatpy.messages import BaseMessage

from handlers.wechat import identity, texts
from handlers.wechat.routes import route
from jobs import redis_connection
from jobs.notification import queue_notification
from models import Channel, InboundMessage, Notification, session, utcnow
from models.wechat_binding import bound_person

log = logging.getLogger(__name__)

DEDUPE_WINDOW = 300  # seconds
_PENDING, _DONE = b"P", b"D"


def dedupe_key(fields: dict) -> str:
    """`FromUserName:MsgId` for messages; user, time, event, key and MsgID for events (§1.4)."""
    sender = fields.get("FromUserName", "")
    if fields.get("MsgId"):
        return f"{sender}:{fields['MsgId']}"
    parts = (fields.get(name) or "" for name in ("CreateTime", "Event", "EventKey", "MsgID"))
    return ":".join((sender, *map(str, parts)))


def handle(message: BaseMessage, xml: str, now: datetime) -> str:
    """The reply XML for a verified callback ('' for none), computed at most once per message."""
    fields = message._data
    key = dedupe_key(fields)
    cache_key = "wechat:reply:" + hashlib.sha1(key.encode()).hexdigest()
    openid = fields.get("FromUserName", "")
    redis = redis_connection()
    try:
        # One round trip: claim the message and fetch who sent it.
        claimed, person_entry, epoch = (
            redis.pipeline(transaction=False)
            .set(cache_key, _PENDING, nx=True, ex=DEDUPE_WINDOW)
            .get(identity.cache_key(openid))
            .get(identity.EPOCH_KEY)
            .execute())
        if not claimed:
            return _cached_reply(redis.get(cache_key))
    except RedisError as exc:
        log.warning("redis unavailable (%s): keeping the message for later", type(exc).__name__)
        return _defer(key, fields, xml, now, message)
    reply = _render(_run(message, fields, now, lambda: identity.resolve(
        openid, person_entry, epoch, redis))[0], message)
    try:
        redis.set(cache_key, _DONE + reply.encode(), ex=DEDUPE_WINDOW)
    except RedisError:
        log.warning("could not cache the reply for %s", key)
    return reply


def _run(message: BaseMessage, fields: dict, now: datetime, find_person) -> tuple[str, bool]:
    """Route and commit; any failure rolls back and gets a polite answer, never a 500."""
    try:
        text = route(message, fields, now, find_person())
        if session.registry.has() and session().in_transaction():
            session.commit()  # most chat answers read only the cached identity: no DB at all
        return text, True
    except Exception:
        log.exception("handler failed for %s/%s", fields.get("MsgType"), fields.get("Event"))
        session.rollback()
        return texts.SERVER_ERROR, False


def _render(text: str, message: BaseMessage) -> str:
    return create_reply(text, message).render() if text else ""


def _cached_reply(value: bytes | None) -> str:
    # A retry that arrives while the first delivery is still running answers nothing.
    if not value or not value.startswith(_DONE):
        return ""
    return value[len(_DONE):].decode()


def _defer(key: str, fields: dict, xml: str, now: datetime, message: BaseMessage) -> str:
    try:
        session.add(InboundMessage(dedupe_key=key, openid=fields.get("FromUserName", ""),
                                   xml=xml, received_at=now))
        session.commit()
    except IntegrityError:
        session.rollback()  # a retry of a message already kept
    except SQLAlchemyError:
        session.rollback()
        log.exception("database unavailable too: message %s could not be kept", key)
        return ""
    if fields.get("MsgType") == "event" and fields.get("Event") != "subscribe":
        return ""
    return _render(texts.DEFERRED, message)


def replay_pending(limit: int = 200) -> int:
    """Handle messages kept while Redis was down; their replies go out as customer-service messages."""
    query = (sa.select(InboundMessage).where(InboundMessage.status == "pending")
             .order_by(InboundMessage.id).limit(1).with_for_update(skip_locked=True))
    handled = 0
    # One row per transaction, so a concurrent replay skips what this one holds.
    while handled < limit and (kept := session.scalar(query)) is not None:
        message, now = parse_message(kept.xml), utcnow()
        # Marked in the same transaction as the handler's writes: both land or neither.
        kept.status, kept.processed_at = "processed", now
        openid = kept.openid
        text, ok = _run(message, message._data, kept.received_at, lambda: bound_person(openid))
        if not ok:
            session.execute(sa.update(InboundMessage).where(InboundMessage.id == kept.id)
                            .values(status="failed", processed_at=now))
        note = None
        if text:
            note = Notification(kind="reply", channel=Channel.CUSTOM, openid=kept.openid,
                                content=text, created_at=now)
            session.add(note)
        session.commit()
        if note is not None:
            queue_notification(note)
        handled += 1
    return handled
