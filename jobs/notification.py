"""Sending notifications: take a pending row, push it through WeChat, record the outcome.

Safe to run twice: only a row still `pending` is sent (STYLE.md R5). Transient WeChat errors
(-1 busy, 45009 quota) are retried a bounded number of times by RQ, then recorded as failed.
"""

import logging
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app, has_app_context
from redis.exceptions import RedisError
from rq import Retry, get_current_job
from sqlalchemy import event
from wechatpy.exceptions import WeChatClientException

import jobs
from jobs.message import render
from models import Channel, Notification, Status, session, utcnow
from models.wechat_binding import WechatBinding

log = logging.getLogger(__name__)

TRANSIENT = frozenset({-1, 45009})
RETRY_INTERVALS = [10, 60, 300]


def queue_notification(notification: Notification) -> None:
    """Enqueue the send of a committed notification (one job per notification id)."""
    intervals = current_app.config.get("SEND_RETRY_INTERVALS", RETRY_INTERVALS)
    jobs.enqueue(send_notification, notification.id, queue="push",
                 job_id=f"notify-{notification.id}",
                 retry=Retry(max=len(intervals), interval=intervals))


def send_notification(notification_id: int) -> None:
    """Send one notification if it is still pending."""
    note = session.get(Notification, notification_id, with_for_update=True)
    if note is None or note.status != Status.PENDING:
        session.rollback()
        return
    note.status, note.attempts = Status.SENDING, note.attempts + 1
    session.commit()
    try:
        result = _push(note)
    except WeChatClientException as exc:
        _record_failure(note, exc.errcode, exc.errmsg)
        return
    except requests.RequestException as exc:
        _record_failure(note, None, type(exc).__name__)
        return
    _mark(note, Status.SENT, sent_at=utcnow(), msgid=str(result.get("msgid") or "") or None)


def _push(note: Notification) -> dict:
    client = current_app.extensions["wechat"].client
    openid = note.openid or _openid_of(note.person_id)
    if openid is None:
        raise WeChatClientException(43004, "no active binding")
    if note.channel == Channel.CUSTOM:
        return client.send_text(openid, note.content)
    template_id, data, url = render(note)
    note.url = url
    # wechatpy's send_template cannot set client_msg_id (fact sheet §3.1): post it directly.
    return client.post("message/template/send", data={
        "touser": openid, "template_id": template_id, "data": data, "url": url,
        "client_msg_id": note.client_msg_id})


def _openid_of(person_id: int | None) -> str | None:
    if person_id is None:
        return None
    return session.scalar(
        sa.select(WechatBinding.openid).where(
            WechatBinding.person_id == person_id, WechatBinding.active.is_(True))
    )


def _record_failure(note: Notification, errcode: int | None, errmsg) -> None:
    """Transient errors go back to pending for RQ's next try; the last try records failure."""
    error = f"{errcode}: {errmsg}"[:200]
    job = get_current_job()
    if (errcode in TRANSIENT or errcode is None) and job is not None and job.retries_left:
        _mark(note, Status.PENDING, error=error)
        raise RuntimeError(f"notification {note.id}: transient WeChat error {error}, will retry")
    final = Status.UNDELIVERABLE if errcode == 43004 else Status.FAILED
    log.warning("notification %s %s: %s", note.id, final, error)
    _mark(note, final, error=error)


def _mark(note: Notification, status: Status, **values) -> None:
    note = session.get(Notification, note.id)
    note.status = status
    for name, value in values.items():
        setattr(note, name, value)
    session.commit()



def relay_pending(older_than_seconds: int = 60) -> int:
    """Backstop for sends whose enqueue was lost (Redis down at commit): queue them again."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    pending = session.scalars(sa.select(Notification).where(
        Notification.status == Status.PENDING, Notification.created_at < cutoff)).all()
    for note in pending:
        queue_notification(note)
    return len(pending)


def init_app(app) -> None:
    """Queue every notification right after the commit that created it (the outbox relay)."""
    if not event.contains(session, "after_flush", _collect):
        event.listen(session, "after_flush", _collect)
        event.listen(session, "after_commit", _relay)
        event.listen(session, "after_rollback", _forget)


def _collect(flushed, _context) -> None:
    new = [obj for obj in flushed.new if isinstance(obj, Notification)]
    if new:
        flushed.info.setdefault("new_notifications", []).extend(new)


def _relay(committed) -> None:
    notes = committed.info.pop("new_notifications", [])
    if not notes or not has_app_context():
        return
    try:
        for note in notes:
            queue_notification(note)
    except RedisError:
        log.warning("%d notifications not queued now (redis down): relay_pending will", len(notes))


def _forget(rolled_back) -> None:
    rolled_back.info.pop("new_notifications", None)
