"""The RQ worker process: jobs run inside the app context, each work horse with its own DB pool.

RQ's work loop quits when Redis goes away at the wrong moment (mid-job, at a heartbeat): the
worker then waits for Redis with backoff and starts working again, so a Redis restart never
leaves pushes stopped. Only a shutdown someone asked for (SIGTERM, Ctrl-C) or `--burst` ends it.
"""

import logging
import time

import redis
from rq import Worker

from jobs.queue import QUEUES

log = logging.getLogger(__name__)
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


class AppWorker(Worker):
    """A forking worker whose horses drop the parent's database connections first."""

    engine = None

    def main_work_horse(self, job, queue):
        if self.engine is not None:
            self.engine.dispose(close=False)  # never share a pooled connection across fork
        return super().main_work_horse(job, queue)

    @property
    def stop_was_asked(self) -> bool:
        return self._shutdown_requested_date is not None


def run(app, queues=QUEUES, burst: bool = False, with_scheduler: bool = True) -> None:
    """Work the queues until stopped (or until empty with `burst`)."""
    with app.app_context():
        connection = app.extensions["redis"]
        while True:
            worker = AppWorker([app.extensions["queues"][name] for name in queues],
                               connection=connection)
            worker.engine = app.extensions["db_engine"]
            try:
                worker.work(burst=burst, with_scheduler=with_scheduler)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                log.warning("worker %s lost Redis while stopping: %s", worker.name, error)
            if burst or worker.stop_was_asked:
                return
            log.warning("worker %s quit without being asked to; waiting for Redis to work again",
                        worker.name)
            wait_for_redis(connection)


def wait_for_redis(connection, sleep=time.sleep) -> None:
    """Ping until Redis answers, waiting 1, 2, 4 … up to 30 seconds between tries."""
    pause = BACKOFF_FIRST
    while True:
        try:
            if connection.ping():
                return
        except (redis.ConnectionError, redis.TimeoutError, OSError) as error:
            log.warning("Redis does not answer (%s); trying again in %.0f s", error, pause)
        sleep(pause)
        pause = min(pause * 2, BACKOFF_MAX)
