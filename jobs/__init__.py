"""Background work on RQ (STYLE.md §8): the queues (jobs/queue.py) and the jobs, wired here."""

from jobs import integrity, notification, queue, sms
from jobs.queue import QUEUES, dedicated_redis, enqueue, redis_connection

__all__ = ["QUEUES", "dedicated_redis", "enqueue", "init_app", "redis_connection"]


def init_app(app) -> None:
    queue.init_app(app)
    notification.init_app(app)
    integrity.init_app(app)
    sms.init_app(app)
