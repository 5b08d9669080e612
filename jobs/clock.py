"""The clock: which periodic jobs are enqueued when (`flask clock`, one process).

RQ 3's cron reads its expressions in the process's local time zone (croniter on
`datetime.astimezone()`), so the clock pins TZ to Asia/Shanghai before registering: "07:40"
means 07:40 in the county, whatever the server's zone. Every job here is safe to run twice.
"""

import os
import time

from jobs.dispatch import dispatch_periodic
from jobs.evidence import drop_expired_photos, requeue_stuck
from jobs.integrity import requeue_unchecked
from jobs.notification import relay_pending
from jobs.sweep import sweep_now

TIME_ZONE = "Asia/Shanghai"


def use_county_time() -> None:
    """Make this process's local time Asia/Shanghai (for RQ's cron expressions)."""
    os.environ["TZ"] = TIME_ZONE
    time.tzset()


def register(scheduler, *, replay) -> None:
    """The periodic jobs, on an RQ CronScheduler. `replay` handles chat messages kept while
    Redis was down: the chat's own job, handed in by `flask clock` (jobs never import
    handlers)."""
    scheduler.register(replay, queue_name="default", interval=60)
    scheduler.register(relay_pending, queue_name="push", interval=60)
    scheduler.register(requeue_stuck, queue_name="media", interval=300)
    scheduler.register(drop_expired_photos, queue_name="media", interval=600)
    scheduler.register(requeue_unchecked, queue_name="media", interval=300)
    # The warning ladder: every 10 minutes on the clock (:00, :10, …).
    scheduler.register(sweep_now, queue_name="default", cron="*/10 * * * *")
    # Periodic dispatch: hourly through the working day, so new tasks arrive in the morning.
    scheduler.register(dispatch_periodic, queue_name="default", cron="40 7-20 * * *")
