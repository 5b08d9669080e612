"""Who is writing: the bound person for an openid, cached in Redis for the chat's hot path.

Every callback needs this lookup, so it rides in the same Redis round trip as the dedupe
claim. A cached entry carries the identity epoch it was read under; any commit that touches
bindings, people or units bumps the epoch, so a stale identity (an unbound openid, a renamed
unit) is never served: at worst the next message reads the database again.
"""

import json
import logging
from dataclasses import asdict
from itertools import chain

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event

from models import Person, Unit, WechatBinding, session
from models.wechat_binding import BoundPerson, bound_person

log = logging.getLogger(__name__)

EPOCH_KEY = "wechat:identity-epoch"
CACHE_SECONDS = 600
_WATCHED = (WechatBinding, Person, Unit)


def cache_key(openid: str) -> str:
    return "wechat:person:" + openid


def resolve(openid: str, cached: bytes | None, epoch: bytes | None, redis) -> BoundPerson | None:
    """The bound person, from the cached entry when it is of the current epoch, else the DB."""
    epoch_text = (epoch or b"0").decode()
    if cached:
        entry = json.loads(cached)
        if entry["e"] == epoch_text:
            return BoundPerson(**entry["p"]) if entry["p"] else None
    person = bound_person(openid)
    entry = {"e": epoch_text, "p": asdict(person) if person else None}
    try:
        redis.set(cache_key(openid), json.dumps(entry, ensure_ascii=False), ex=CACHE_SECONDS)
    except RedisError:
        pass
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
        current_app.extensions["redis"].incr(EPOCH_KEY)
    except RedisError:
        log.warning("identity epoch not bumped (redis down); cached entries expire within %s s",
                    CACHE_SECONDS)


def _forget_changes(rolled_back) -> None:
    rolled_back.info.pop("identity_changed", None)
