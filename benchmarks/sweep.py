"""Benchmark `sweep`: the warning ladder over 1,000,000 open assignments; its cost must follow
what is due, not what is in the table.

A throwaway PostgreSQL database gets 1,000,000 open assignments of 5,000 people (COPY), due in
5-minute slots of office hours from 10 days before to 120 days after T0, each with the warning
and next_step_at that a sweep at T0 leaves (computed with models.escalation's own functions).
Each sweep runs in a child process, measured from the call of `sweep()` to its return (commit
and outbox enqueue included): (a) at T0, nothing due; (b) at the time when ~10,000 are due;
then again at that time (must create nothing); (c) the baseline: the same due rows sweep in a
second database that holds only them. Also printed: EXPLAIN (ANALYZE, BUFFERS) of the sweep's
selection, first and second keyset page. Results also go to benchmarks/results/sweep.json.

Settings (environment): BENCH_ASSIGNMENTS (1000000), BENCH_PEOPLE (5000), BENCH_DUE (10000).
"""

import contextlib
import json
import logging
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import joinedload  # noqa: E402

from _bulk import analyze, copy_table, load, seed_organisation  # noqa: E402
from _report import log, rss_mb, run_benchmark, run_child, target  # noqa: E402
from _stack import _postgres, app_config, backend_ticks, provision, ticks_between  # noqa: E402
from app import create_app  # noqa: E402
from models.assignment import Assignment, State  # noqa: E402
from models.ladder import Level  # noqa: E402
from models.calendar import load_calendar  # noqa: E402
from models.db import session  # noqa: E402
from models.duty import DutyTemplate  # noqa: E402
from models.escalation import SHANGHAI, SWEEP_BATCH, Ladder, plan, sweep  # noqa: E402
from models.ladder import quiet_hours, step_due  # noqa: E402
from models.migrate import upgrade  # noqa: E402

ASSIGNMENTS = int(os.environ.get("BENCH_ASSIGNMENTS", "1000000"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "5000"))
DUE = int(os.environ.get("BENCH_DUE", "10000"))
DAYS = (-10, 120)  # due days around T0
SLOTS = 144  # 5-minute slots from 08:00 to 20:00 Shanghai time
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)  # the last sweep
TARGET_IDLE_S, TARGET_DUE_S, TARGET_RSS_MB = 1.0, 10.0, 300.0
CHILD_TIMEOUT = 600
COLUMNS = ("id", "template_id", "unit_id", "person_id", "person_key", "period", "due_at",
           "state", "warning", "next_step_at", "ladder_cycle", "round", "created_at",
           "acknowledged_at")


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("sweep", _benchmark)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-")
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    backends = provision(stack, tmp)
    log(f"backends: {backends.label}" + "".join(f"\n  {note}" for note in backends.notes))
    upgrade(backends.database_url)
    app = create_app(app_config(backends.database_url, backends.redis_url))
    engine = app.extensions["db_engine"]
    stack.callback(engine.dispose)
    with app.app_context():
        started = time.perf_counter()
        _seed(engine)
        analyze(engine)
        log(f"loaded {ASSIGNMENTS:,} open assignments over {PEOPLE:,} people in "
            f"{time.perf_counter() - started:.0f} s")
        now = _due_time(engine)
        due = _scalar(engine, "SELECT count(*) FROM assignment WHERE next_step_at <= :now", now)
        log(f"T0 = {T0.isoformat()} (nothing due); at {now.isoformat()} {due:,} are due")
        small = _small_database(stack, backends, engine, now, tmp)
        plans = _explain(engine, now)
        runs = _sweeps(app, backends, small, now)
        counts = _notification_counts(engine)
    return _summary(backends, due, now, plans, runs, counts)


def _seed(engine: sa.Engine) -> None:
    templates = -(-ASSIGNMENTS // PEOPLE)
    unit_of = seed_organisation(engine, PEOPLE, templates, T0,
                                working_days=lambda template: template % 5 == 0)
    load(engine, "assignment", COLUMNS, _assignments(unit_of, load_calendar(), quiet_hours()))


def _assignments(unit_of: dict[int, int], calendar, quiet):
    """Assignment rows: person i's k-th task, due in a random slot, as a sweep at T0 left it."""
    rng, ladders = random.Random(20261122), {}
    created = _naive(T0 - timedelta(days=40))
    for index in range(ASSIGNMENTS):
        person, template = index % PEOPLE + 1, index // PEOPLE + 1
        key = (rng.randrange(*DAYS), rng.randrange(SLOTS), template % 5 == 0)
        if key not in ladders:
            ladders[key] = _ladder(*key, calendar, quiet)
        due, warning, next_at = ladders[key]
        roll = rng.random()
        state = State.DISPATCHED if roll < 0.6 else State.ACKNOWLEDGED if roll < 0.95 \
            else State.RETURNED
        yield (index + 1, template, unit_of[person], person, person, "2026", due, state.value,
               warning, next_at, 0, int(state == State.RETURNED), created,
               None if state == State.DISPATCHED else created)


def _ladder(day: int, slot: int, working_days: bool, calendar, quiet):
    """(due_at, warning, next_step_at) of an open assignment due in that slot, swept at T0."""
    local = datetime.combine(T0.astimezone(SHANGHAI).date() + timedelta(days=day), clock(8),
                             SHANGHAI) + timedelta(minutes=5 * slot)
    due = local.astimezone(UTC)
    reached = step_due(due, T0, working_days=working_days, calendar=calendar, quiet=quiet)
    assignment = Assignment(state=State.DISPATCHED, due_at=due,
                            warning=Level(reached) if reached else Level.NONE,
                            template=DutyTemplate(working_days=working_days))
    plan(assignment, T0, ladder=Ladder(calendar, quiet))
    return _naive(due), assignment.warning.value, _naive(assignment.next_step_at)


def _naive(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(tzinfo=None) if value else None


def _scalar(engine: sa.Engine, sql: str, now: datetime | None = None):
    with engine.connect() as connection:
        return connection.execute(sa.text(sql), {"now": _naive(now)}).scalar()


def _due_time(engine: sa.Engine) -> datetime:
    """The earliest next_step_at by which DUE assignments are due."""
    with engine.connect() as connection:
        value = connection.execute(sa.text(
            "SELECT next_step_at FROM assignment WHERE next_step_at IS NOT NULL "
            "ORDER BY next_step_at OFFSET :skip LIMIT 1"), {"skip": DUE - 1}).scalar()
    return value.replace(tzinfo=UTC)


def _small_database(stack, backends, engine: sa.Engine, now: datetime,
                    tmp: str) -> tuple[str, str]:
    """The baseline's database: the same organisation, only the assignments due at `now`;
    returns its URL and (PostgreSQL) name."""
    if backends.database_url.startswith("postgresql"):
        url, name = _postgres(stack, backends.notes)
    else:
        url, name = "sqlite:///" + os.path.join(tmp, "small.db"), ""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the app's logging is on by now
    upgrade(url)
    small = sa.create_engine(url)
    try:
        for table in ("unit", "person", "duty_category", "duty_template"):
            copy_table(engine, small, table)
        rows = copy_table(engine, small, "assignment",
                          f"next_step_at <= '{_naive(now).isoformat(' ')}'")
        analyze(small)
    finally:
        small.dispose()
    log(f"baseline database: the same organisation and only those {rows:,} assignments")
    return url, name


def _selection(now: datetime, after: tuple | None = None) -> sa.Select:
    """The sweep's page query, as models.escalation.sweep builds it (not dry-run)."""
    query = (sa.select(Assignment).where(Assignment.next_step_at <= now)
             .options(joinedload(Assignment.template))
             .order_by(Assignment.next_step_at, Assignment.id).limit(SWEEP_BATCH))
    if after is not None:
        query = query.where(sa.tuple_(Assignment.next_step_at, Assignment.id) > after)
    return query.with_for_update(skip_locked=True, of=Assignment)


def _explain(engine: sa.Engine, now: datetime) -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the first and second keyset page, rolled back."""
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    plans = {}
    with engine.connect() as connection:
        after = connection.execute(
            sa.select(Assignment.next_step_at, Assignment.id)
            .where(Assignment.next_step_at <= now)
            .order_by(Assignment.next_step_at, Assignment.id)
            .offset(SWEEP_BATCH - 1).limit(1)).first()
        for name, query in (("first page", _selection(now)),
                            ("second page", _selection(now, tuple(after)) if after else None)):
            if query is None:
                continue
            sql = str(query.compile(dialect=engine.dialect,
                                    compile_kwargs={"literal_binds": True}))
            result = connection.exec_driver_sql(prefix + sql)
            plans[name] = [str(row[-1]) for row in result]
        connection.rollback()
    for name, lines in plans.items():
        log(f"EXPLAIN{' (ANALYZE, BUFFERS)' if postgres else ' QUERY PLAN'}, {name}:")
        for line in lines:
            log(f"    {line}")
    return plans


def _sweeps(app, backends, small: tuple[str, str], now: datetime) -> dict[str, dict]:
    """Each sweep in its own process; the push queue emptied before each so that every run
    enqueues its own jobs (a job id already queued would make enqueueing free)."""
    runs = {}
    big = (backends.database_url, backends.database_name)
    for name, (database_url, database), at in (("idle", big, T0), ("due", big, now),
                                               ("again", big, now), ("baseline", small, now)):
        app.extensions["queues"]["push"].empty()
        runs[name] = run_child(os.path.abspath(__file__),
                               {**app_config(database_url, backends.redis_url),
                                "database": database, "now": at.isoformat()}, CHILD_TIMEOUT)
        log(f"sweep {name}: {json.dumps(runs[name])}")
    return runs


def _notification_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT kind = 'digest', count(*) FROM notification GROUP BY 1")).all()
    counts = {"pushes": 0, "digests": 0}
    for digest, count in rows:
        counts["digests" if digest else "pushes"] = count
    return counts


def _summary(backends, due: int, now: datetime, plans: dict, runs: dict, counts: dict) -> dict:
    idle, big, again, small = runs["idle"], runs["due"], runs["again"], runs["baseline"]
    log("")
    log(f"sweep benchmark — {ASSIGNMENTS:,} open assignments over {PEOPLE:,} people, "
        f"{backends.label}, {os.cpu_count()} CPUs")
    checks = {}
    target(f"(a) sweep with nothing due ({ASSIGNMENTS:,} in the table)", idle["seconds"],
           TARGET_IDLE_S, "s", checks, "idle_time")
    target(f"(b) sweep with {big['looked_at']:,} due ({ASSIGNMENTS:,} in the table)",
           big["seconds"], TARGET_DUE_S, "s", checks, "due_time")
    log(f"    CPU: sweep process {big['cpu_s']:.2f} s, PostgreSQL + Redis "
        f"{big['db_redis_cpu_s']:.2f} s; steps fired: "
        + ", ".join(f"{step} {count:,}" for step, count in big["steps"].items())
        + f"; {big['pushes']:,} pushes, {big['digests']:,} digests")
    target(f"(b) peak RSS of the sweep's process (before the sweep: {big['rss_before_mb']:.0f} MB)",
           big["peak_rss_mb"], TARGET_RSS_MB, "MB", checks, "due_rss")
    log(f"(c) baseline: the same {small['looked_at']:,} due, only they in the table: "
        f"{small['seconds']:.2f} s")
    log(f"    CPU: sweep process {small['cpu_s']:.2f} s, PostgreSQL + Redis "
        f"{small['db_redis_cpu_s']:.2f} s")
    ratio = big["seconds"] / small["seconds"] if small["seconds"] else 0.0
    log(f"    ratio {ASSIGNMENTS:,}-row table / {small['looked_at']:,}-row table: {ratio:.2f} ×")
    index_used = any("ix_assignment_open_next_step" in line for line in plans.get("first page", []))
    log(f"selection uses ix_assignment_open_next_step: {'yes' if index_used else 'NO'}")
    correct = {
        "idle_found_nothing": idle["looked_at"] == 0 and idle["created"] == 0,
        "due_looked_at_all": big["looked_at"] == due,
        "rows_equal_pushes": big["created"] == big["pushes"] == counts["pushes"],
        "digest_rows": big["digests"] == counts["digests"],
        "second_sweep_creates_0": again["created"] == 0 and again["digests"] == 0,
        "baseline_same_work": (small["looked_at"], small["pushes"], small["digests"])
        == (big["looked_at"], big["pushes"], big["digests"]),
    }
    log(f"correctness: {big['pushes']:,} pushes reported, {big['created']:,} created, "
        f"{counts['pushes']:,} rows in the table (+ {counts['digests']:,} digests, reported "
        f"{big['digests']:,}); second sweep at the same time: {again['looked_at']} looked at, "
        f"{again['created']} created; baseline did the same work: "
        f"{'yes' if correct['baseline_same_work'] else 'NO'} — "
        + ("OK" if all(correct.values()) else
           "FAILED: " + ", ".join(name for name, ok in correct.items() if not ok)))
    for note in backends.notes:
        log(note)
    return {
        "benchmark": "sweep", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "kernel": platform.release()},
        "backends": backends.label, "notes": backends.notes, "assignments": ASSIGNMENTS,
        "people": PEOPLE, "t0": T0.isoformat(), "due_at": now.isoformat(), "due": due,
        "targets": {"idle_s": TARGET_IDLE_S, "due_s": TARGET_DUE_S, "rss_mb": TARGET_RSS_MB},
        "runs": runs, "ratio_big_to_small": ratio, "explain": plans,
        "explain_uses_index": index_used, "notifications": counts, "checks": checks,
        "correctness": correct, "target_met": all(checks.values()),
        "valid": all(correct.values()),
    }


def _child(payload: dict) -> int:
    """One measured sweep (`--child`): prints its figures as one JSON line. The CPU of the
    database's backends (the pooled connection stays open) and redis-server is read around it."""
    app = create_app({key: payload[key] for key in app_config("", "")})
    with app.app_context():
        session.execute(sa.text("SELECT 1"))  # the pooled connection's backend exists before
        session.rollback()
        before, _ = rss_mb()
        ticks = backend_ticks(payload["database"])
        started, cpu = time.perf_counter(), time.process_time()
        report = sweep(datetime.fromisoformat(payload["now"]))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        backend = ticks_between(ticks, backend_ticks(payload["database"]))
        _, peak = rss_mb()
    print(json.dumps({"seconds": round(seconds, 4), "cpu_s": round(cpu, 2),
                      "db_redis_cpu_s": round(backend, 2),
                      "looked_at": report.looked_at,
                      "pushes": len(report.pushes), "created": report.created,
                      "digests": report.digests, "deferred": report.deferred,
                      "steps": {str(step): count for step, count in report.steps.items()},
                      "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["--child"]:
            sys.exit(_child(json.loads(sys.argv[2])))
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
