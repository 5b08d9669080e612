"""Binding an openid to a person: QR scans (subscribe/SCAN), `绑定 123456`, unsubscribe."""

import sqlalchemy as sa

from handlers.wechat import texts
from jobs import redis_connection
from models import audit, session
from models.errors import DomainError
from models.wechat_binding import (
    QR_SCENE_PREFIX,
    CodeUnknown,
    WechatBinding,
    active_binding,
    redeem_bind_code,
    unbind_openid,
)

MAX_TRIES = 5
TRIES_WINDOW = 3600  # seconds


def on_subscribe(ctx) -> str:
    """Follow: bind when it came through a bind QR, welcome back a returning cadre, else greet."""
    scene = str(ctx.fields.get("EventKey") or "").removeprefix("qrscene_")
    if scene.startswith(QR_SCENE_PREFIX):
        return bind_with_code(ctx, scene.removeprefix(QR_SCENE_PREFIX))
    person = ctx.person or _reactivate(ctx.openid, ctx.now)
    if person is not None:
        return texts.WELCOME_BACK.format(name=person.name)
    return texts.WELCOME


def on_scan(ctx) -> str:
    """A follower scanned a QR code: `bind:<code>` binds, anything else is ignored."""
    scene = str(ctx.fields.get("EventKey") or "")
    if scene.startswith(QR_SCENE_PREFIX):
        return bind_with_code(ctx, scene.removeprefix(QR_SCENE_PREFIX))
    return ""


def on_unsubscribe(ctx) -> str:
    unbind_openid(ctx.openid, now=ctx.now)
    return ""


def bind_with_code(ctx, code: str) -> str:
    """Redeem `code` for this openid, at most MAX_TRIES failures per openid per hour."""
    redis = redis_connection()
    key = f"bind-tries:{ctx.openid}"
    tries = int(redis.get(key) or 0)
    if tries >= MAX_TRIES:
        minutes = max(1, -(-redis.ttl(key) // 60))
        return texts.BIND_LOCKED.format(minutes=minutes)
    if not (len(code) == 6 and code.isdigit()):
        return texts.BIND_FORMAT
    try:
        person = redeem_bind_code(code, ctx.openid, now=ctx.now)
    except DomainError as error:
        _count_failure(redis, key)
        left = MAX_TRIES - tries - 1
        if isinstance(error, CodeUnknown):
            return texts.BIND_WRONG.format(left=left) if left else texts.BIND_LOCKED.format(minutes=60)
        return error.message
    return texts.BIND_OK.format(name=person.name, unit=person.unit.name, role=person.role_label)


def _count_failure(redis, key: str) -> None:
    # The window starts at the first failure; INCR keeps the TTL (works on Redis 6 too).
    pipe = redis.pipeline()
    pipe.set(key, 0, ex=TRIES_WINDOW, nx=True)
    pipe.incr(key)
    pipe.execute()


def _reactivate(openid: str, now):
    """Re-follow after an unfollow: restore the last binding if nobody replaced it since."""
    last = session.scalar(
        sa.select(WechatBinding).where(WechatBinding.openid == openid)
        .order_by(WechatBinding.id.desc()).limit(1)
    )
    if last is None or last.active or active_binding(last.person) is not None:
        return None
    last.active, last.unbound_at = True, None
    audit.record("wechat.bind", f"person:{last.person_id}", now=now, actor=last.person,
                 openid=openid, via="resubscribe")
    return last.person
