"""Binding an openid to a person: QR scans (subscribe/SCAN), `绑定 123456`, unsubscribe."""

import sqlalchemy as sa

from handlers.wechat import texts
from models import audit, session
from models.errors import DomainError
from models.wechat_binding import (
    QR_SCENE_PREFIX,
    CodeUnknown,
    WechatBinding,
    active_binding,
    bind_tries_left,
    record_bind_failure,
    redeem_bind_code,
    unbind_openid,
)


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
    """Redeem `code` for this openid, at most MAX_BIND_FAILURES refused tries per openid per
    hour, counted in the database (a Redis flush or restart forgets none of them)."""
    left, _ = bind_tries_left(ctx.openid, ctx.now)
    if left <= 0:
        return _locked(ctx)
    if not (len(code) == 6 and code.isdigit()):
        return texts.BIND_FORMAT
    try:
        person = redeem_bind_code(code, ctx.openid, now=ctx.now)
    except DomainError as error:
        record_bind_failure(ctx.openid, ctx.now)
        if not isinstance(error, CodeUnknown):
            return error.message
        return texts.BIND_WRONG.format(left=left - 1) if left > 1 else _locked(ctx)
    return texts.BIND_OK.format(name=person.name, unit=person.unit.name, role=person.role_label)


def _locked(ctx) -> str:
    _, wait = bind_tries_left(ctx.openid, ctx.now)
    return texts.BIND_LOCKED.format(minutes=max(1, -(-int(wait.total_seconds()) // 60)))


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
