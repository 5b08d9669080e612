"""The outbox's sender: committed Notification rows go out through WeChat, each at most once.

A sender job takes a batch of ids, claims the rows still pending (pending → sending in one
UPDATE, so a second job for the same ids claims nothing), posts them concurrently over kept-
alive HTTP under a global rate shared in Redis, and records each outcome (wechat-platform.md
§3): 40001/42001 refresh the token once inside the client; -1 and 45009 back off and retry;
43004 marks the person undeliverable, stops pushing them and tells their unit's secretary and
supervising discipline body; anything else is failed with WeChat's words for the admins. A
send whose outcome is unknown (timeout, dropped connection, a worker killed mid-send) is
retried only with the same client_msg_id inside WeChat's 10-minute dedupe window; after that
it is marked unknown for an admin. A reaper returns rows stuck in 'sending'.
"""

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app, has_app_context
from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import joinedload
from wechatpy.exceptions import WeChatClientException

from jobs import texts
from jobs.queue import enqueue
from jobs.message import plain_text, render
from models import (
    Assignment,
    Channel,
    Notification,
    Person,
    NotificationStatus,
    audit,
    session,
    utcnow,
)
from models.hierarchy import Directory
from models.notification import NotificationKind, notify
from models.wechat_binding import WechatBinding

log = logging.getLogger(__name__)

BATCH = 500  # ids per sender job: each job is a forked work horse with its own connections
TRANSIENT = frozenset({-1, 45009})
RETRY_INTERVALS = [10, 60, 300]  # seconds; -1/45009 and unknown outcomes
# client_msg_id dedupes for 10 minutes (fact sheet §3.1); leave a margin for clock skew.
DEDUPE_WINDOW = timedelta(minutes=9)
STUCK_AFTER = timedelta(minutes=2)  # far longer than a batch takes to send at the usual rate


def queue_notifications(ids: list[int], source: str = "commit") -> None:
    """Enqueue the send of committed notifications, in batches. The same batch queued twice in
    one minute by the same `source` is one job (job id from both and the minute); the relay
    may queue it again, say after a worker died holding it. Sending twice is harmless anyway:
    rows are claimed."""
    ids = sorted(set(ids))
    minute = utcnow().strftime("%Y%m%d%H%M")
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        key = hashlib.sha1(f"{source}:{minute}:{chunk}".encode()).hexdigest()[:20]
        enqueue(send_notifications, chunk, queue="push", job_id=f"notify-{key}",
                     result_ttl=0)


def send_notifications(ids: list[int]) -> dict[str, int]:
    """Send the notifications among `ids` that are still pending and due now."""
    now = utcnow()
    claimed = _claim(ids, now)
    if not claimed:
        return {}
    notes = session.scalars(sa.select(Notification).where(Notification.id.in_(claimed))
                            .order_by(Notification.id)).all()
    assignments = _preload(notes)  # held: the session keeps only weak references
    openids = _openids(notes)
    ready = []
    for note in notes:
        openid = note.openid or openids.get(note.person_id)
        if openid is None:
            _undeliverable(note, texts.NOT_BOUND, now)
            continue
        try:
            ready.append((note, _request(note, openid)))
        except Exception as exc:  # a message we cannot even compose: for an admin, not a loop
            log.exception("notification %s cannot be composed", note.id)
            note.status, note.sending_since = NotificationStatus.FAILED, None
            note.error = texts.CANNOT_COMPOSE.format(error=type(exc).__name__)[:200]
    session.commit()
    del assignments
    outcomes = _post_all([request for _, request in ready])
    counts: dict[str, int] = {}
    for (note, _), outcome in zip(ready, outcomes, strict=True):
        status = _settle(note, outcome, utcnow())
        counts[status] = counts.get(status, 0) + 1
    session.commit()
    return counts


def _claim(ids: list[int], now) -> list[int]:
    claimed = session.scalars(
        sa.update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.status == NotificationStatus.PENDING,
            sa.or_(Notification.send_after.is_(None), Notification.send_after <= now),
        )
        .values(
            status=NotificationStatus.SENDING,
            attempts=Notification.attempts + 1,
            sending_since=now,
            first_attempt_at=sa.func.coalesce(Notification.first_attempt_at, now),
        )
        .returning(Notification.id)
    ).all()
    session.commit()
    return list(claimed)


def _request(note: Notification, openid: str) -> tuple[str, dict]:
    """(endpoint, JSON body) for one notification; the template body carries client_msg_id."""
    if note.channel == Channel.CUSTOM:
        return "message/custom/send", {"touser": openid, "msgtype": "text",
                                       "text": {"content": note.content}}
    template_id, data, url = render(note)
    note.url = url
    # wechatpy's send_template cannot set client_msg_id (fact sheet §3.1): post it directly.
    return "message/template/send", {"touser": openid, "template_id": template_id, "data": data,
                                     "url": url, "client_msg_id": note.client_msg_id}


def _post_all(requests_: list[tuple[str, dict]]) -> list:
    """POST each request, several at a time; returns each result dict or the exception."""
    if not requests_:
        return []
    client = current_app.extensions["wechat"].client
    limiter = _limiter()
    workers = min(current_app.config.get("SEND_CONCURRENCY", 8), len(requests_))

    def post(request):
        endpoint, body = request
        limiter()
        try:
            return client.post(endpoint, data=body)
        except (WeChatClientException, requests.RequestException) as exc:
            return exc

    if workers <= 1:
        return [post(request) for request in requests_]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(post, requests_))


def _limiter():
    """A callable that waits for a slot in the global send rate (SEND_RATE per second)."""
    rate = current_app.config.get("SEND_RATE", 20)
    url = current_app.config["REDIS_URL"]
    uri = "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url
    storage = RedisStorage(uri, key_prefix="ql-send-rate")
    limiter, item = MovingWindowRateLimiter(storage), RateLimitItemPerSecond(rate)

    def wait() -> None:
        try:
            while not limiter.hit(item, "wechat"):
                reset = limiter.get_window_stats(item, "wechat").reset_time
                time.sleep(min(max(reset - time.time(), 0.005), 1.0))
        except RedisError:
            log.warning("send rate limiter unavailable (redis); sending unthrottled")

    return wait


def _settle(note: Notification, outcome, now) -> str:
    """Record what WeChat answered for one notification; returns the status it ends in."""
    note.sending_since = None
    if isinstance(outcome, dict):
        note.status, note.sent_at, note.error = NotificationStatus.SENT, now, ""
        note.msgid = str(outcome.get("msgid") or "") or None
        return note.status
    if isinstance(outcome, WeChatClientException):
        error = f"{outcome.errcode}: {outcome.errmsg}"[:200]
        if outcome.errcode in TRANSIENT:
            return _retry_later(note, error, now)
        if outcome.errcode == 43004:
            return _undeliverable(note, error, now)
        note.status, note.error = NotificationStatus.FAILED, error
        log.warning("notification %s failed: %s", note.id, error)
        return note.status
    # No answer: WeChat may have sent it. Only the same client_msg_id, inside its window,
    # may go again; a customer-service message has no such guard.
    error = texts.OUTCOME_UNKNOWN.format(error=type(outcome).__name__)
    if note.channel == Channel.TEMPLATE and now - note.first_attempt_at < DEDUPE_WINDOW:
        return _retry_later(note, error, now)
    note.status, note.error = (
        NotificationStatus.UNKNOWN,
        texts.CHECK_DELIVERY.format(error=error)[:200],
    )
    log.warning("notification %s: outcome unknown, left for an admin", note.id)
    return note.status


def _retry_later(note: Notification, error: str, now) -> str:
    intervals = current_app.config.get("SEND_RETRY_INTERVALS", RETRY_INTERVALS)
    if note.attempts > len(intervals):
        note.status, note.error = (
            NotificationStatus.FAILED,
            texts.RETRIES_EXHAUSTED.format(error=error, count=len(intervals))[:200],
        )
        return note.status
    delay = intervals[note.attempts - 1]
    note.status, note.error = NotificationStatus.PENDING, error
    note.send_after = now + timedelta(seconds=delay)
    session.info.setdefault("retry_notifications", []).append((note.id, delay))
    return note.status


def _undeliverable(note: Notification, error: str, now) -> str:
    """WeChat cannot reach this person: stop pushing them, tell who must know, try SMS."""
    note.status, note.error = NotificationStatus.UNDELIVERABLE, error[:200]
    if note.person_id is None:
        return note.status
    binding = session.scalar(sa.select(WechatBinding).where(
        WechatBinding.person_id == note.person_id, WechatBinding.active.is_(True))
        .with_for_update())
    if binding is not None:  # 43004: they unfollowed without our hearing of it
        binding.active, binding.unbound_at = False, now
        audit.record("wechat.unreachable", f"person:{note.person_id}", now=now,
                     openid=binding.openid, error=error)
    _tell_unreachable(note, now)
    _fallback(note, now)
    return note.status


def _tell_unreachable(note: Notification, now) -> None:
    """Once per lapse: the unit's secretary and the supervising discipline body hear that
    this cadre cannot be reached by WeChat."""
    if note.channel != Channel.TEMPLATE or note.kind == NotificationKind.UNREACHABLE:
        return
    person = session.get(Person, note.person_id)
    lapsed = session.scalar(sa.select(sa.func.max(WechatBinding.unbound_at)).where(
        WechatBinding.person_id == person.id))
    if lapsed is None:  # never bound: onboarding, shown on 人员与绑定, not an alarm
        return
    told = sa.select(Notification.id).where(
        Notification.kind == NotificationKind.UNREACHABLE,
        Notification.step == f"unreachable:{person.id}",
        Notification.created_at >= lapsed,
    )
    if session.scalar(told.limit(1)) is not None:
        return
    assignment_id, tasks = _about(note)
    directory = Directory()
    for person_id in dict.fromkeys(directory.secretaries(person.unit_id)
                                   + directory.discipline(person.unit_id)):
        if person_id != person.id:
            notify(NotificationKind.UNREACHABLE, person_id, now=now, assignment_id=assignment_id,
                   step=f"unreachable:{person.id}", cycle=note.id,
                   data={"person": person.id, "name": person.name, "unit": person.unit.name,
                         "tasks": tasks})


def _about(note: Notification) -> tuple[int | None, int]:
    """The task a lost push was about and how many it carried: a digest's earliest-due one."""
    if note.assignment_id is not None:
        return note.assignment_id, 1
    carried = session.execute(
        sa.select(Notification.assignment_id).join(
            Assignment, Assignment.id == Notification.assignment_id)
        .where(Notification.digest_id == note.id)
        .order_by(Assignment.due_at, Assignment.id)).scalars().all()
    return (carried[0] if carried else None), len(carried)


def _fallback(note: Notification, now) -> None:
    """Send an undeliverable push by the fallback channel (SMS) when one is configured."""
    channel = current_app.extensions.get("fallback")
    person = session.get(Person, note.person_id)
    if channel is None or note.channel != Channel.TEMPLATE or not person.phone:
        return
    text = plain_text(note)
    reference = channel.send(person.phone, text)
    session.add(
        Notification(
            kind=note.kind,
            channel=Channel.SMS,
            person_id=person.id,
            assignment_id=note.assignment_id,
            step=f"{note.step}:sms",
            cycle=note.cycle,
            content=text,
            status=NotificationStatus.SENT,
            sent_at=now,
            msgid=str(reference)[:32],
            created_at=now,
            attempts=1,
            data={"instead_of": note.id},
        )
    )
    note.error = texts.SMS_SENT_TOO.format(error=note.error)[:200]


def _preload(notes: list[Notification]) -> list[Assignment]:
    """The batch's assignments with what composing a message reads (template, unit, person)
    in one query: a few queries per message were a third of a batch's time
    (benchmarks/fanout.py)."""
    ids = {note.assignment_id for note in notes if note.assignment_id is not None}
    if not ids:
        return []
    return list(session.scalars(sa.select(Assignment).where(Assignment.id.in_(ids)).options(
        joinedload(Assignment.template), joinedload(Assignment.unit),
        joinedload(Assignment.person))))


def _openids(notes: list[Notification]) -> dict[int, str]:
    """Each person's active openid, for the whole batch in one query."""
    people = {note.person_id for note in notes if note.person_id is not None}
    if not people:
        return {}
    return dict(session.execute(sa.select(WechatBinding.person_id, WechatBinding.openid).where(
        WechatBinding.person_id.in_(people), WechatBinding.active.is_(True))).all())


def _stuck_after() -> timedelta:
    """When a row in 'sending' is surely abandoned: twice as long as a whole batch can take
    under the configured rate, and never under STUCK_AFTER."""
    rate = max(current_app.config.get("SEND_RATE", 20), 1)
    return max(STUCK_AFTER, timedelta(seconds=2 * BATCH / rate))


def reap_stuck(now=None) -> int:
    """Rows left in 'sending' by a worker that died mid-send: back to pending while the
    client_msg_id window still makes a resend safe, else unknown for an admin."""
    now = now or utcnow()
    stuck = sa.and_(Notification.status == NotificationStatus.SENDING,
                    Notification.sending_since < now - _stuck_after())
    retry = session.execute(sa.update(Notification).where(
        stuck, Notification.first_attempt_at > now - DEDUPE_WINDOW)
        .values(status=NotificationStatus.PENDING, sending_since=None)).rowcount
    given_up = session.execute(sa.update(Notification).where(stuck).values(
        status=NotificationStatus.UNKNOWN, sending_since=None,
        error=texts.STUCK_UNKNOWN)).rowcount
    session.commit()
    if retry or given_up:
        log.warning("reaper: %d stuck sends returned to pending, %d marked unknown",
                    retry, given_up)
    return retry + given_up


def relay_pending(older_than_seconds: int = 60, now=None) -> int:
    """The clock's backstop: reap stuck sends, then queue every pending row that is due and
    was not queued (Redis down at commit, a retry's wake-up lost, quiet hours over)."""
    now = now or utcnow()
    reap_stuck(now)
    cutoff = now - timedelta(seconds=older_than_seconds)
    ids = session.scalars(sa.select(Notification.id).where(
        Notification.status == NotificationStatus.PENDING,
        sa.or_(Notification.send_after.is_(None), Notification.send_after <= now),
        sa.or_(Notification.created_at < cutoff, Notification.send_after.is_not(None)))).all()
    session.rollback()
    queue_notifications(list(ids), source="relay")
    return len(ids)


def init_app(app) -> None:
    """Queue every notification right after the commit that created it (the outbox relay)."""
    if not event.contains(session, "after_flush", _collect):
        event.listen(session, "after_flush", _collect)
        event.listen(session, "after_commit", _relay)
        event.listen(session, "after_rollback", _forget)


def _collect(flushed, _context) -> None:
    new = [obj.id for obj in flushed.new if isinstance(obj, Notification)
           and obj.status == NotificationStatus.PENDING]
    if new:
        flushed.info.setdefault("new_notification_ids", []).extend(new)


def _relay(committed) -> None:
    ids = committed.info.pop("new_notification_ids", [])
    retries = committed.info.pop("retry_notifications", [])
    if not (ids or retries) or not has_app_context():
        return
    try:
        queue_notifications(ids)
        for note_id, delay in retries:
            _queue_retry(note_id, delay)
    except RedisError:
        log.warning("%d notifications not queued now (redis down): relay_pending will",
                    len(ids) + len(retries))


def _queue_retry(note_id: int, delay: int) -> None:
    if delay <= 0:
        return enqueue(send_notifications, [note_id], queue="push", result_ttl=0)
    queue = current_app.extensions["queues"]["push"]
    queue.enqueue_in(timedelta(seconds=delay), send_notifications, [note_id], result_ttl=0)


def _forget(rolled_back) -> None:
    rolled_back.info.pop("new_notification_ids", None)
    rolled_back.info.pop("retry_notifications", None)
