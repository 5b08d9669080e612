"""照搬照抄 (issue 13), the summaries' half: a task's summaries are checked in a job queued
right after the commit of its 上报 (models.integrity.check_after_commit), never on the chat
callback's five seconds. The photos' half runs in the media job (jobs.evidence).

`requeue_unchecked`, every five minutes on the clock, queues again whatever a lost job or a
Redis that was down left unchecked, photos and summaries alike: no evidence goes unchecked.
"""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event

from jobs.evidence import queue_checks
from jobs.queue import enqueue
from models import Assignment, Evidence, session, utcnow
from models.integrity import (SUMMARIES_TO_CHECK, check_summaries, unchecked_photo,
                              unchecked_summaries)

log = logging.getLogger(__name__)

# Unchecked this long after it was handed in (or stored), its job is taken as lost…
LOST_AFTER = timedelta(minutes=5)
# … and after this long, as a check that cannot succeed (each failure was logged): no longer
# retried.
GIVE_UP_AFTER = timedelta(days=7)


def init_app(app) -> None:
    """Queue the check of every task handed in, right after the commit that hands it in."""
    if not event.contains(session, "after_commit", _queue):
        event.listen(session, "after_commit", _queue)
        event.listen(session, "after_rollback", _forget)


def _queue(committed) -> None:
    task_ids = committed.info.pop(SUMMARIES_TO_CHECK, set())
    if task_ids and has_app_context():
        for task_id in sorted(task_ids):
            queue_summary_check(task_id)


def _forget(rolled_back) -> None:
    rolled_back.info.pop(SUMMARIES_TO_CHECK, None)


def queue_summary_check(task_id: int) -> None:
    """Queue the check of a task's summaries; with Redis away, requeue_unchecked will."""
    try:
        enqueue(check_task_summaries, task_id, queue="media",
                job_id=f"integrity-summaries-{task_id}", result_ttl=0)
    except RedisError as exc:
        log.warning("summaries of task %s not queued (%s): requeue_unchecked will", task_id, exc)


def check_task_summaries(task_id: int) -> int:
    """The job: fingerprint, flag and index the task's unchecked summaries (safe to run
    twice: a checked summary is fingerprinted and skipped)."""
    task = session.get(Assignment, task_id)
    if task is None:
        return 0
    checked = check_summaries(task, now=utcnow())
    session.commit()
    return checked


def requeue_unchecked(now: datetime | None = None) -> dict:
    """Queue again the checks a lost job left undone: tasks handed in between LOST_AFTER and
    GIVE_UP_AFTER ago with summaries not checked, and task photos received then and stored but
    not fingerprinted."""
    now = now or utcnow()
    since, until = now - GIVE_UP_AFTER, now - LOST_AFTER
    # A summary is checked once handed in (it may have been written days before the 上报).
    tasks = session.scalars(unchecked_summaries()
                            .where(Assignment.submitted_at.between(since, until))
                            .with_only_columns(Evidence.assignment_id).distinct()).all()
    photos = session.scalars(sa.select(Evidence.id).where(
        unchecked_photo(), Evidence.assignment_id.is_not(None),
        Evidence.created_at.between(since, until))).all()
    for task_id in sorted(tasks):
        queue_summary_check(task_id)
    if photos:
        queue_checks(sorted(photos))
    if tasks or photos:
        log.info("requeued the integrity checks of %d tasks' summaries and %d photos",
                 len(tasks), len(photos))
    return {"tasks": len(tasks), "photos": len(photos)}
