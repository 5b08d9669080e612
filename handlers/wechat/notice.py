"""监督建议书 / 整改通知书 in chat: `整改通知` lists the items the cadre may answer, numbered
(and, for an issuing body, what waits on it); `整改回复 N 整改情况` answers item N, and photos
sent in the next 30 minutes attach to that item's reply, as 上报 does for tasks.
"""

import re

from flask import current_app

from handlers.wechat import texts
from handlers.wechat.context import Context, bound_only, pure
from jobs import redis_connection
from jobs.evidence import queue_fetch
from models import EvidenceKind, NoticeItem, session
from models.clock import local_time
from models.errors import DomainError
from models.evidence import photo_number
from models.notice import ITEM_STATE_LABELS, ItemState, NoticeState
from models.notice_lifecycle import attach, issuer_queue, replying_items, reply
from models.shown_list import recall, remember

LIST_VERB, REPLY_VERB = "整改通知", "整改回复"
SHOWN = "notice_items"  # the numbered list `整改回复 N` refers to (models.shown_list)
SESSION_SECONDS = 1800
LIST_LIMIT = 10
NUMBERED = re.compile(r"(\d{1,3})(?:[\s,，、:：]+(.*)|)", re.S)


def _key(openid: str) -> str:
    return "wechat:notice-reply:" + openid


@pure  # it records the list shown: an upsert, safe to repeat (context.pure)
@bound_only
def on_list(ctx: Context) -> str:
    return notice_list(ctx)


def notice_list(ctx: Context) -> str:
    items = replying_items(ctx.person, now=ctx.now)[:LIST_LIMIT]
    remember(ctx.person.id, SHOWN, [item.id for item in items], now=ctx.now)
    base = current_app.config["PUBLIC_BASE_URL"]
    lines = [texts.NOTICES_HEADER.format(count=len(items))] if items else [texts.NO_NOTICES]
    for number, item in enumerate(items, start=1):
        lines.append(texts.NOTICE_LINE.format(
            number=number, name=item.notice.name, item=item.label,
            requirement=item.requirement[:30], due=local_time(item.due_at, "%m月%d日"),
            state=ITEM_STATE_LABELS[ItemState(item.state)]))
        if item.state == ItemState.RETURNED:
            lines[-1] += texts.NOTICE_RETURNED_WHY.format(reason=item.return_reason[:40])
    if items:
        lines.append(texts.NOTICES_HINT)
    waiting = issuer_queue(ctx.person)
    if waiting:
        lines.append(texts.ISSUER_HEADER.format(count=len(waiting)))
        for notice in waiting:
            what = texts.ISSUER_FOLLOW_UP.format(day=local_time(notice.follow_up_due_at,
                                                                "%m月%d日")) \
                if notice.state == NoticeState.FOLLOW_UP else texts.ISSUER_VERIFY.format(
                count=sum(item.state == ItemState.REPLIED for item in notice.items))
            lines.append(texts.ISSUER_LINE.format(name=notice.name, unit=notice.unit.name,
                                                  what=what))
    return "\n".join(lines) + texts.NOTICE_PAGE_LINK.format(url=base + "m/notices")


@bound_only
def on_reply(ctx: Context) -> str:
    text = str(ctx.fields.get("Content") or "").strip().removeprefix(REPLY_VERB).strip()
    numbered = NUMBERED.fullmatch(text)
    if not numbered:
        return texts.NOTICE_NEED_NUMBER
    item = _numbered_item(ctx, int(numbered.group(1)))
    if isinstance(item, str):
        return item
    try:
        reply(item, ctx.person, numbered.group(2) or "", now=ctx.now)
    except DomainError as refusal:
        session.rollback()
        return f"{refusal.message}\n{texts.NOTICE_NEED_NUMBER}"
    session.commit()
    redis_connection().set(_key(ctx.openid), item.id, ex=SESSION_SECONDS)
    return texts.NOTICE_REPLIED.format(name=item.notice.name, item=item.label)


def _numbered_item(ctx: Context, number: int) -> NoticeItem | str:
    ids = recall(ctx.person.id, SHOWN, now=ctx.now)
    if ids is None:
        return texts.NOTICE_LIST_GONE + "\n" + notice_list(ctx)
    if not 0 < number <= len(ids):
        return texts.NOTICE_LIST_GONE + "\n" + notice_list(ctx)
    item = session.get(NoticeItem, ids[number - 1])
    if item is None or item.id not in {i.id for i in replying_items(ctx.person, now=ctx.now)}:
        state = ITEM_STATE_LABELS.get(ItemState(item.state), "") if item else ""
        return texts.NOTICE_ITEM_LEFT.format(number=number, state=state) + "\n" + \
            notice_list(ctx)
    return item


def reply_photo(ctx: Context, media_id: str) -> str | None:
    """A photo sent within 30 minutes of `整改回复`: that item's proof. None when no such
    reply is open (the photo is the 上报's business then)."""
    redis = redis_connection()
    value = redis.get(_key(ctx.openid))
    item = session.get(NoticeItem, int(value)) if value else None
    if item is None:
        return None
    try:
        evidence = attach(item, ctx.person, EvidenceKind.PHOTO, now=ctx.now, media_id=media_id)
    except DomainError:
        session.rollback()
        redis.delete(_key(ctx.openid))
        return None
    session.commit()  # the job must see the row
    queue_fetch(evidence.id)
    redis.expire(_key(ctx.openid), SESSION_SECONDS)
    return texts.NOTICE_PHOTO_RECEIVED.format(item=item.label, number=photo_number(evidence))


def end_reply_session(openid: str) -> None:
    """A 上报 opened: photos from now on are that task's."""
    redis_connection().delete(_key(openid))
