"""The clock's schedule, read in Asia/Shanghai whatever the server's time zone (RQ 3's cron
uses the process's local time)."""

import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rq.cron import CronScheduler

from handlers.wechat.inbox import replay_pending
from jobs import clock

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def server_in_utc():
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def jobs_by_name(app) -> dict:
    scheduler = CronScheduler(connection=app.extensions["redis"])
    clock.register(scheduler, replay=replay_pending)
    return {job.func.__name__: job for job in scheduler.get_jobs()}


def test_the_sweep_runs_every_ten_minutes_and_dispatch_in_the_county_morning(app, server_in_utc):
    clock.use_county_time()
    jobs = jobs_by_name(app)
    sweep, dispatch = jobs["sweep_now"], jobs["dispatch_periodic"]
    sweep.latest_enqueue_time = datetime(2026, 11, 20, 23, 3, tzinfo=SH)
    assert sweep.get_next_enqueue_time() == datetime(2026, 11, 20, 23, 10, tzinfo=SH)
    dispatch.latest_enqueue_time = datetime(2026, 11, 20, 20, 40, tzinfo=SH)
    assert dispatch.get_next_enqueue_time() == datetime(2026, 11, 21, 7, 40, tzinfo=SH)
    assert {"relay_pending", "replay_pending", "requeue_stuck", "drop_expired_photos",
            "requeue_unchecked"} <= set(jobs)


def test_without_the_pin_a_utc_server_would_dispatch_at_night(app, server_in_utc):
    dispatch = jobs_by_name(app)["dispatch_periodic"]
    dispatch.latest_enqueue_time = datetime(2026, 11, 20, 20, 40, tzinfo=SH)
    assert dispatch.get_next_enqueue_time() != datetime(2026, 11, 21, 7, 40, tzinfo=SH)
