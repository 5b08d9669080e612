"""Exactly-once handling of callbacks: dedupe, reply replay, and the durable fallback.

WeChat resends a callback it got no answer to within 5 s (fact sheet §1.4). Each message is
answered at most once: a handler that changes something first claims the message's dedupe
key in Redis, runs, and stores its reply there for the dedupe window; a handler that only
reads (`pure`) runs first and stores its reply in the same atomic call that claims the key.
Either way a retry gets the first reply and changes nothing, and the common answers cost one
Redis round trip. When Redis is down, reading answers are given directly; a message that
would change something is kept in the database with a polite answer, and `replay_pending`
handles it once Redis is back, sending the real answer as a customer-service message. When
the database is down, such a message waits in Redis instead, and reading ones are told the
system is busy: never a 500.
"""

import hashlib
import json
import logging
from datetime import datetime

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wechatpy.messages import BaseMessage

from handlers.wechat import identity, texts
from handlers.wechat.context import Context, Handler, is_pure
from handlers.wechat.routes import handler_for
from jobs import dedicated_redis, redis_connection
from models import Channel, InboundMessage, Notification, session, utcnow
from models.wechat_binding import bound_person
from wechat.inbound import REPLAYED, Nonce, Refused, parse_message, text_reply

log = logging.getLogger(__name__)

DEDUPE_WINDOW = 300  # seconds
_PENDING, _DONE = b"P", b"D"
# Both scripts first remember the signed query's nonce (wechat.inbound.Nonce: KEYS[3], body
# digest ARGV[1], seconds ARGV[2]) and answer {3} when it came with another body before.
_NONCE = """
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'EX', ARGV[2])
        and redis.call('GET', KEYS[3]) ~= ARGV[1] then
    return {3}
end
"""
# Claim before acting: {0, what the first delivery stored} or {1, identity epoch}.
# A missing epoch (Redis restarted or flushed) starts as the fresh one given in ARGV[5].
_CLAIM = _NONCE + """
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[5], 'NX')
return {1, redis.call('GET', KEYS[2])}
"""
# Claim with the answer of a reading handler: {0, first answer}, {1} stored, or {2, epoch}
# when the identity the answer was computed for is no longer current.
_ANSWER = _NONCE + """
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local epoch = redis.call('GET', KEYS[2])
if epoch ~= ARGV[4] then return {2, epoch or ''} end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[5])
return {1}
"""
_REPLAYED = 3
_scripts: dict[str, object] = {}


def dedupe_key(fields: dict) -> str:
    """`FromUserName:MsgId` for messages; user, time, event, key and MsgID for events (§1.4)."""
    sender = fields.get("FromUserName", "")
    if fields.get("MsgId"):
        return f"{sender}:{fields['MsgId']}"
    parts = (fields.get(name) or "" for name in ("CreateTime", "Event", "EventKey", "MsgID"))
    return ":".join((sender, *map(str, parts)))


def handle(message: BaseMessage, xml: str, now: datetime, nonce: Nonce) -> str:
    """The reply XML for a verified callback ('' for none), computed at most once per message;
    Refused(403) when its signed query string came with another body before."""
    fields = message._data
    handler = handler_for(fields)
    key = "wechat:reply:" + hashlib.sha1(dedupe_key(fields).encode()).hexdigest()
    try:
        redis = dedicated_redis()
        if is_pure(handler):
            return _answer(handler, message, now, key, nonce, redis)
        return _act(handler, message, xml, now, key, nonce, redis)
    except RedisError as exc:
        log.warning("redis unavailable (%s)", type(exc).__name__)
        try:
            if is_pure(handler):
                return _render(_run(handler, message, now,
                                    bound_person(fields["FromUserName"]))[0], message)
            return _defer(dedupe_key(fields), fields, xml, now, message)
        except SQLAlchemyError:
            session.rollback()
            log.exception("database and redis both unavailable")
            return _render(texts.SERVER_ERROR, message)
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("database unavailable (%s)", type(exc).__name__)
        return _keep_in_redis(handler, fields, xml, now, message)


def _answer(handler: Handler, message: BaseMessage, now: datetime, key: str, nonce: Nonce,
            redis) -> str:
    """A reading handler: compute, then claim and store the answer in one call; what it
    recorded of what it showed is committed only with the answer that is sent."""
    openid = message._data["FromUserName"]
    epoch = identity.cached_epoch(openid) or identity.current_epoch(redis)
    for _ in range(2):
        person = identity.lookup(openid, epoch)
        reply = _render(_run(handler, message, now, person, commit=False)[0], message)
        outcome, *found = _script(redis, "answer")(
            keys=[key, identity.EPOCH_KEY, nonce.key],
            args=[nonce.digest, nonce.ttl, _DONE + reply.encode(), epoch, DEDUPE_WINDOW],
            client=redis)
        if outcome == 1:
            _commit_shown()
            return reply
        _end_transaction(commit=False)
        if outcome == 0:
            return _cached_reply(found[0])
        if outcome == _REPLAYED:
            raise Refused(403, REPLAYED)
        # The identity changed meanwhile (or Redis lost the epoch): answer again.
        epoch = found[0].decode() or identity.current_epoch(redis)
    return reply


def _act(handler: Handler, message: BaseMessage, xml: str, now: datetime, key: str,
         nonce: Nonce, redis) -> str:
    """A handler with effects: claim first, act once, store the answer for retries, in Redis
    and, with the handler's own writes, in the database (a flush of Redis forgets nothing)."""
    claimed, *found = _script(redis, "claim")(
        keys=[key, identity.EPOCH_KEY, nonce.key],
        args=[nonce.digest, nonce.ttl, _PENDING, DEDUPE_WINDOW, identity.new_epoch()],
        client=redis)
    if claimed == _REPLAYED:
        raise Refused(403, REPLAYED)
    found = found[0]
    if not claimed:
        return _cached_reply(found)
    fields = message._data
    handled = _handled(fields, xml, now)
    if handled is None:  # handled before Redis lost its keys: the first answer again
        return session.scalar(sa.select(InboundMessage.reply).where(
            InboundMessage.dedupe_key == dedupe_key(fields))) or ""
    person = identity.lookup(fields["FromUserName"], found.decode())
    text, ok = _run(handler, message, now, person)
    reply = _render(text, message)
    if ok:
        handled.reply = reply
        session.add(handled)
        session.commit()
    try:
        redis.set(key, _DONE + reply.encode(), ex=DEDUPE_WINDOW)
    except RedisError:
        log.warning("could not store the reply for %s", key)
    return reply


def _handled(fields: dict, xml: str, now: datetime) -> InboundMessage | None:
    """The message's row, written in the transaction the handler commits; None when a row
    for it exists already (the insert waits for, then meets, any concurrent one)."""
    row = InboundMessage(dedupe_key=dedupe_key(fields), openid=fields.get("FromUserName", ""),
                         xml=xml, status="processed", received_at=now, processed_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return row


def _script(redis, name: str):
    """A Lua script run by EVALSHA (redis-py loads it again if the server lost it)."""
    if name not in _scripts:
        _scripts[name] = redis.register_script(_CLAIM if name == "claim" else _ANSWER)
    return _scripts[name]


def _run(handler: Handler, message: BaseMessage, now: datetime, person,
         commit: bool = True) -> tuple[str, bool]:
    """Run and commit, or leave the commit to the caller (what a reading handler leaves is
    only what it showed, safe to repeat); a failure rolls back and gets a polite answer,
    never a 500."""
    try:
        text = handler(Context(message, message._data, person, now))
        if commit:
            _end_transaction(commit=True)
        return text, True
    except Exception:
        fields = message._data
        log.exception("handler failed for %s/%s", fields.get("MsgType"), fields.get("Event"))
        session.rollback()
        return texts.SERVER_ERROR, False


def _end_transaction(commit: bool) -> None:
    """Commit or roll back the request's transaction, if it has opened one."""
    if not session.registry.has() or not session().in_transaction():
        return
    if commit:
        session.commit()
    else:
        session.rollback()


def _commit_shown() -> None:
    """Keep what a reading handler showed; its answer is stored already, so should the
    database fail now the answer still goes out (a number from it is then asked again)."""
    try:
        _end_transaction(commit=True)
    except SQLAlchemyError:
        session.rollback()
        log.warning("what was shown could not be recorded", exc_info=True)


def _render(text: str, message: BaseMessage) -> str:
    return text_reply(text, message) if text else ""


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


KEPT_KEY = "wechat:kept"  # messages kept in Redis while the database was down


def _keep_in_redis(handler: Handler, fields: dict, xml: str, now: datetime,
                   message: BaseMessage) -> str:
    """The database is down: a message that would change something waits in Redis for
    `replay_pending`, with the same polite answer as when Redis is down; a reading one is
    answered that the system is busy (nothing to do later)."""
    if is_pure(handler):
        return _render(texts.SERVER_ERROR, message)
    try:
        redis_connection().rpush(KEPT_KEY, json.dumps({
            "key": dedupe_key(fields), "openid": fields.get("FromUserName", ""), "xml": xml,
            "received_at": now.isoformat()}, ensure_ascii=False))
    except RedisError:
        log.exception("redis and the database both unavailable: message %s could not be kept",
                      dedupe_key(fields))
        return _render(texts.SERVER_ERROR, message)
    if fields.get("MsgType") == "event" and fields.get("Event") != "subscribe":
        return ""
    return _render(texts.DEFERRED, message)


def _take_kept() -> int:
    """Move the messages kept in Redis into the table (a retry kept twice lands once)."""
    redis, moved = redis_connection(), 0
    while (raw := redis.lindex(KEPT_KEY, 0)) is not None:
        kept = json.loads(raw)
        try:
            session.add(InboundMessage(dedupe_key=kept["key"], openid=kept["openid"],
                                       xml=kept["xml"],
                                       received_at=datetime.fromisoformat(kept["received_at"])))
            session.commit()
            moved += 1
        except IntegrityError:
            session.rollback()
        redis.lpop(KEPT_KEY)  # only once the row is committed (or already there)
    return moved


def replay_pending(limit: int = 200) -> int:
    """Handle messages kept while Redis (or the database) was down; their replies go out as
    customer-service messages."""
    _take_kept()
    query = (sa.select(InboundMessage).where(InboundMessage.status == "pending")
             .order_by(InboundMessage.id).limit(1).with_for_update(skip_locked=True))
    handled = 0
    # One row per transaction, so a concurrent replay skips what this one holds.
    while handled < limit and (kept := session.scalar(query)) is not None:
        message, now = parse_message(kept.xml), utcnow()
        # Marked in the same transaction as the handler's writes: both land or neither.
        kept.status, kept.processed_at = "processed", now
        handler = handler_for(message._data)
        text, ok = _run(handler, message, kept.received_at, bound_person(kept.openid))
        if not ok:
            session.execute(sa.update(InboundMessage).where(InboundMessage.id == kept.id)
                            .values(status="failed", processed_at=now))
        if text:  # queued by the outbox relay once committed
            session.add(Notification(kind="reply", channel=Channel.CUSTOM, openid=kept.openid,
                                     content=text, created_at=now))
        session.commit()
        handled += 1
    return handled
