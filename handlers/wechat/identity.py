"""Who is writing: the bound person for an openid, cached in each process for the hot path.

Every callback needs this lookup. Each process keeps what it read, labelled with the
identity epoch (a Redis counter) it was read under; any commit that touches bindings, people
or units bumps the epoch, and the chat checks the epoch in the same Redis call that dedupes
the message, so a stale identity (an unbound openid, a renamed unit) is never served: at worst
one message reads the database again.
"""

import logging
import secrets
import time
from itertools import chain

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event

from models import Person, Unit, WechatBinding, session
from models.wechat_binding import BoundPerson, bound_person

log = logging.getLogger(__name__)

EPOCH_KEY = "wechat:identity-epoch"
MAX_ENTRIES = 50_000
MAX_AGE = 300.0  # seconds; bounds staleness should an epoch bump ever be lost
_WATCHED = (WechatBinding, Person, Unit)
_people: dict[str, tuple[str, BoundPerson | None, float]] = {}


def cached_epoch(openid: str) -> str | None:
    """The epoch this process last read `openid` under, if it has and it is recent."""
    entry = _people.get(openid)
    return entry[0] if entry and time.monotonic() - entry[2] < MAX_AGE else None


def new_epoch() -> str:
    """Epochs are random, not counters: after a Redis restart or flush nothing cached before
    can match the new one."""
    return secrets.token_hex(8)


def current_epoch(redis) -> str:
    redis.set(EPOCH_KEY, new_epoch(), nx=True)
    return redis.get(EPOCH_KEY).decode()


def lookup(openid: str, epoch: str) -> BoundPerson | None:
    """The bound person as of `epoch`: from this process's cache, else from the database."""
    entry = _people.get(openid)
    if entry is not None and entry[0] == epoch and time.monotonic() - entry[2] < MAX_AGE:
        return entry[1]
    person = bound_person(openid)
    if len(_people) >= MAX_ENTRIES:
        _people.clear()
    _people[openid] = (epoch, person, time.monotonic())
    return person


def init_app(app) -> None:
    """Bump the epoch after every commit that changed a binding, person or unit."""
    for name, listener in (("after_flush", _note_changes), ("after_commit", _bump_epoch),
                           ("after_rollback", _forget_changes)):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)


def _note_changes(flushed, _context) -> None:
    if any(isinstance(obj, _WATCHED) for obj in chain(flushed.new, flushed.dirty, flushed.deleted)):
        flushed.info["identity_changed"] = True


def _bump_epoch(committed) -> None:
    if not committed.info.pop("identity_changed", False) or not has_app_context():
        return
    try:
        current_app.extensions["redis"].set(EPOCH_KEY, new_epoch())
    except RedisError:
        log.error("identity epoch not bumped (redis unavailable): cached identities may be "
                  "up to %.0f s old", MAX_AGE)


def _forget_changes(rolled_back) -> None:
    rolled_back.info.pop("identity_changed", None)
