"""A database that accepts connections but never answers (issue 14, item 2): the probe says
so in seconds instead of holding a web worker until gunicorn kills it."""

import json
import os
import socket
import subprocess
import sys

PROBE = """
import json, time
from app import create_app
client = create_app({"TESTING": True}).test_client()
started = time.monotonic()
response = client.get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.get_json(),
                  "seconds": time.monotonic() - started}))
"""


def test_healthz_answers_503_in_seconds_when_the_database_never_answers(app, tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # connections complete in the backlog; nothing ever reads or answers
    port = silent.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/qinglian",
           "REDIS_URL": app.config["REDIS_URL"]}
    try:
        done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=os.getcwd(),
                              capture_output=True, text=True, timeout=60)
    finally:
        silent.close()
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["db"].startswith("down") and result["body"]["redis"] == "ok"
    # Without the timeouts the probe waited for the operating system's TCP timeout (minutes).
    assert result["seconds"] < 15
