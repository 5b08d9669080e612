"""Benchmark `fanout`: 10,000 pending template pushes through the real sender to the emulator.

A throwaway PostgreSQL database and Redis db hold 1,000 bound cadres and 10,000 pending
'reminder' notifications on real assignments. The WeChat emulator runs as its own process
(`python -m wechat.emulator`, every API call delayed 50 ms, the cadres' openids its
followers); the worker runs exactly as the Procfile's `worker:` line says (one process: the
sender's concurrency is inside it, SEND_CONCURRENCY threads per job) with SEND_RATE raised to
1000/s. Measured: from queue_notifications(all ids) to the last row sent (its sent_at).
Baseline in the same run: the same number of template sends by a bare requests loop with the
same concurrency against the same emulator, the most this concurrency can give. Checked: the
emulator got each push exactly once (distinct client_msg_id), every row 'sent' with a msgid.
Results also go to benchmarks/results/fanout.json.

Settings (environment): BENCH_NOTIFICATIONS (10000), BENCH_PEOPLE (1000), BENCH_LATENCY_MS
(50), BENCH_SEND_RATE (1000), BENCH_SEND_CONCURRENCY (unset: the app's default).
"""

import contextlib
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402
from rq import Worker  # noqa: E402

from _bulk import analyze, load, seed_organisation  # noqa: E402
from _report import log, run_benchmark, target  # noqa: E402
from _stack import Server, backend_ticks, free_port, provision, ticks_between  # noqa: E402
from app import create_app  # noqa: E402
from jobs.notification import queue_notifications  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from wechat.emulator.users import simulated_openid  # noqa: E402

NOTES = int(os.environ.get("BENCH_NOTIFICATIONS", "10000"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000"))
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "50"))
SEND_RATE = int(os.environ.get("BENCH_SEND_RATE", "1000"))
CONCURRENCY = os.environ.get("BENCH_SEND_CONCURRENCY", "")
TARGET_S = 60.0
TIMEOUT_S = 240.0
APPID, SECRET, TOKEN = "wx5b0f1e2d3c4a5968", "qinglian-bench-secret", "qinglian-bench-token"
# A valid QL_TASK_WARNING body, as jobs.message renders a reminder.
WARNING_DATA = {"thing1": {"value": "任务001"}, "phrase2": {"value": "预警提醒"},
                "time3": {"value": "2026-03-05 17:30"}, "thing4": {"value": "即将到期，请按时完成"}}


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("fanout", _benchmark, _print_report)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-")
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    backends = provision(stack, tmp)
    log(f"backends: {backends.label}" + "".join(f"\n  {note}" for note in backends.notes))
    upgrade(backends.database_url)
    emulator, base = _start_emulator(stack, tmp)
    env = _app_env(backends, base)
    app = create_app({key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY",
                                                "WECHAT_API_BASE", "WECHAT_APPID",
                                                "WECHAT_SECRET", "WECHAT_TOKEN")}
                     | ({"SEND_CONCURRENCY": int(CONCURRENCY)} if CONCURRENCY else {}))
    engine = app.extensions["db_engine"]
    stack.callback(engine.dispose)
    ids = _seed(engine)
    log(f"seeded {PEOPLE:,} bound cadres (the emulator's followers) and {len(ids):,} pending "
        "reminder pushes on their assignments")
    concurrency = app.config["SEND_CONCURRENCY"]
    _control(base, "faults", {"latency_ms": LATENCY_MS})
    baseline = _bare_loop(base, concurrency)
    log(f"baseline: bare requests loop, {concurrency} threads: {baseline['sends']:,} sends in "
        f"{baseline['seconds']:.2f} s")
    _control(base, "reset", {})
    _control(base, "faults", {"latency_ms": LATENCY_MS})
    worker = _start_worker(stack, app, env, tmp, concurrency)
    with app.app_context():
        run = _fan_out(app, ids, worker, emulator, backends.database_name)
    return _summary(backends, env, concurrency, baseline, run, _verify(engine, base, ids))


def _start_emulator(stack: contextlib.ExitStack, tmp: str) -> tuple[Server, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "EMULATOR_HOST": "127.0.0.1", "EMULATOR_PORT": str(port),
           "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_TOKEN": TOKEN,
           "WECHAT_AES_KEY": "", "EMULATOR_MODE": "plain", "EMULATOR_USERS": str(PEOPLE),
           # No send-result callbacks: nothing here answers them.
           "EMULATOR_FINISH_DELAY": "none", "EMULATOR_CALLBACK_URL": "http://127.0.0.1:9/wechat",
           "EMULATOR_PUBLIC_URL": base}
    command = f"{sys.executable} -m wechat.emulator"
    emulator = Server("emulator", command, env, ROOT, os.path.join(tmp, "emulator.log"))
    stack.callback(emulator.stop)
    emulator.wait_ready(base + "_emu/config")
    log(f"started emulator: sh -c '{command}' on {base} ({PEOPLE:,} followers)")
    return emulator, base


def _app_env(backends, base: str) -> dict:
    venv_bin = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
           "DATABASE_URL": backends.database_url, "REDIS_URL": backends.redis_url,
           "SECRET_KEY": secrets.token_hex(32), "WECHAT_API_BASE": base, "WECHAT_APPID": APPID,
           "WECHAT_SECRET": SECRET, "WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": "",
           "PUBLIC_BASE_URL": "http://127.0.0.1:9/", "SEND_RATE": str(SEND_RATE)}
    if CONCURRENCY:
        env["SEND_CONCURRENCY"] = CONCURRENCY
    return env


def _seed(engine: sa.Engine) -> list[int]:
    now = datetime.now(UTC)
    templates = -(-NOTES // PEOPLE)
    unit_of = seed_organisation(engine, PEOPLE, templates, now,
                                openid=lambda person: simulated_openid(APPID, person))
    naive = now.replace(tzinfo=None)
    due = naive + timedelta(days=3)
    load(engine, "assignment",
         ("id", "template_id", "unit_id", "person_id", "person_key", "period", "due_at", "state",
          "warning", "next_step_at", "ladder_cycle", "round", "created_at"),
         ((index + 1, index // PEOPLE + 1, unit_of[index % PEOPLE + 1], index % PEOPLE + 1,
           index % PEOPLE + 1, "2026", due, "dispatched", "reminder", due + timedelta(days=1),
           0, 0, naive) for index in range(NOTES)))
    load(engine, "notification",
         ("id", "kind", "channel", "person_id", "assignment_id", "step", "cycle", "content",
          "data", "url", "status", "attempts", "error", "created_at"),
         ((index + 1, "reminder", "template", index % PEOPLE + 1, index + 1, "reminder", 0, "",
           "{}", "", "pending", 0, "", naive) for index in range(NOTES)))
    analyze(engine)
    return list(range(1, NOTES + 1))


def _control(base: str, path: str, body: dict | None = None) -> dict:
    """The emulator's JSON control API (/_emu/...): POST with a body, else GET."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "_emu/" + path, data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _bare_loop(base: str, concurrency: int) -> dict:
    """NOTES template sends straight to the emulator, `concurrency` at a time over kept-alive
    connections: what the sender could reach at best with that concurrency."""
    http = requests.Session()
    http.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=concurrency))
    token = http.post(base + "cgi-bin/stable_token", timeout=10, json={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET}).json()
    url = f"{base}cgi-bin/message/template/send?access_token={token['access_token']}"

    def send(index: int) -> bool:
        body = {"touser": simulated_openid(APPID, index % PEOPLE + 1),
                "template_id": "QL_TASK_WARNING", "data": WARNING_DATA,
                "url": "http://127.0.0.1:9/m/", "client_msg_id": f"bare-{index}"}
        return http.post(url, json=body, timeout=10).json().get("errcode") == 0

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(send, range(NOTES)))
    seconds = time.perf_counter() - started
    http.close()
    if not all(answers):
        raise RuntimeError(f"bare loop: {answers.count(False)} sends refused by the emulator")
    return {"sends": NOTES, "seconds": seconds}


def _procfile(name: str) -> str:
    with open(os.path.join(ROOT, "Procfile")) as f:
        commands = dict(line.strip().split(": ", 1) for line in f if ": " in line)
    return commands[name]


def _start_worker(stack: contextlib.ExitStack, app, env: dict, tmp: str,
                  concurrency: int) -> Server:
    """The Procfile's `worker:` command, unchanged; ready once it has registered with RQ."""
    command = _procfile("worker")
    worker = Server("worker", command, env, ROOT, os.path.join(tmp, "worker.log"))
    stack.callback(worker.stop)
    deadline = time.monotonic() + 30
    while Worker.count(connection=app.extensions["redis"]) < 1:
        if worker.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{worker.log_tail()}")
        time.sleep(0.2)
    log(f"started worker: sh -c '{command}' (SEND_CONCURRENCY={concurrency}, "
        f"SEND_RATE={env['SEND_RATE']})")
    return worker


def _fan_out(app, ids: list[int], worker: Server, emulator: Server, database: str) -> dict:
    """Queue every id, then wait until no row is pending or sending; CPU read around it."""
    engine = app.extensions["db_engine"]
    before = (worker.cpu_ticks(), emulator.cpu_ticks(), backend_ticks(database))
    started = datetime.now(UTC)
    clock = time.perf_counter()
    queue_notifications(ids)
    queued = time.perf_counter() - clock
    progress, last = [], 0.0
    while True:
        counts = _statuses(engine)
        waited = time.perf_counter() - clock
        if waited - last >= 10:
            last = waited
            progress.append((round(waited), counts.get("sent", 0)))
            log(f"  {waited:5.0f} s: {counts.get('sent', 0):,} sent")
        if not counts.get("pending") and not counts.get("sending"):
            break
        if worker.process.poll() is not None:
            raise RuntimeError(f"worker exited:\n{worker.log_tail()}")
        if waited > TIMEOUT_S:
            raise RuntimeError(f"not all sent after {TIMEOUT_S:.0f} s: {counts}")
        time.sleep(0.1)
    after = (worker.cpu_ticks(), emulator.cpu_ticks(), backend_ticks(database))
    with engine.connect() as connection:
        last_sent = connection.execute(sa.text("SELECT max(sent_at) FROM notification")).scalar()
    seconds = (last_sent.replace(tzinfo=UTC) - started).total_seconds()
    return {"seconds": seconds, "enqueue_s": queued, "statuses": counts, "progress": progress,
            "cpu_s": {"worker": ticks_between(before[0], after[0]),
                      "emulator": ticks_between(before[1], after[1]),
                      "db_redis": ticks_between(before[2], after[2])}}


def _statuses(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT status, count(*) FROM notification GROUP BY status")).all())


def _verify(engine: sa.Engine, base: str, ids: list[int]) -> dict:
    """Each push reached the emulator exactly once; each row is sent with its msgid."""
    with engine.connect() as connection:
        sent, msgids = connection.execute(sa.text(
            "SELECT count(*), count(DISTINCT msgid) FROM notification "
            "WHERE status = 'sent' AND msgid IS NOT NULL")).one()
    received = [entry for box in _control(base, "inbox").values() for entry in box
                if entry["kind"] == "template"]
    client_ids = {entry["client_msg_id"] for entry in received}
    stats = _control(base, "stats")
    return {
        "rows": len(ids), "rows_sent_with_msgid": sent, "distinct_msgids": msgids,
        "emulator_template_sends": stats["template_sends"], "inbox_templates": len(received),
        "distinct_client_msg_ids": len(client_ids),
        "client_msg_ids_are_ours": client_ids == {f"ql-{note}" for note in ids},
        "token_fetches": stats["token_fetches"],
        "ok": sent == msgids == len(ids) == stats["template_sends"] == len(received)
        == len(client_ids) and client_ids == {f"ql-{note}" for note in ids},
    }


def _summary(backends, env: dict, concurrency: int, baseline: dict, run: dict,
             verified: dict) -> dict:
    floor = NOTES * LATENCY_MS / 1000 / concurrency
    return {
        "benchmark": "fanout", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "kernel": platform.release()},
        "backends": backends.label, "notes": backends.notes, "notifications": NOTES,
        "people": PEOPLE, "latency_ms": LATENCY_MS, "send_rate": int(env["SEND_RATE"]),
        "send_concurrency": concurrency, "worker_command": _procfile("worker"),
        "latency_floor_s": floor, "baseline": baseline, "run": run,
        "ratio_to_baseline": run["seconds"] / baseline["seconds"],
        "targets": {"seconds": TARGET_S}, "target_met": run["seconds"] < TARGET_S,
        "verified": verified, "valid": verified["ok"],
    }


def _print_report(report: dict) -> None:
    run, baseline, verified = report["run"], report["baseline"], report["verified"]
    log("")
    log(f"fanout benchmark — {NOTES:,} template pushes to {PEOPLE:,} cadres, one worker "
        f"(Procfile: {report['worker_command']}), SEND_CONCURRENCY {report['send_concurrency']}, "
        f"SEND_RATE {report['send_rate']}/s, emulator latency {LATENCY_MS:g} ms a call, "
        f"{report['backends']}, {report['machine']['cpus']} CPUs")
    log(f"baseline: bare requests loop, {report['send_concurrency']} threads, {NOTES:,} sends: "
        f"{baseline['seconds']:.2f} s (latency floor {NOTES:,} × {LATENCY_MS:g} ms ÷ "
        f"{report['send_concurrency']} = {report['latency_floor_s']:.1f} s)")
    checks: dict = {}
    target(f"queue_notifications({NOTES:,} ids) → all sent", run["seconds"], TARGET_S, "s",
           checks, "seconds")
    log(f"    ratio to the bare loop: {report['ratio_to_baseline']:.2f} ×; enqueueing took "
        f"{run['enqueue_s']:.2f} s; CPU: worker {run['cpu_s']['worker']:.1f} s, emulator "
        f"{run['cpu_s']['emulator']:.1f} s, PostgreSQL + Redis {run['cpu_s']['db_redis']:.1f} s")
    if report["latency_floor_s"] >= TARGET_S:
        log(f"    (at SEND_CONCURRENCY {report['send_concurrency']} no sender can beat "
            f"{report['latency_floor_s']:.1f} s here: {TARGET_S:g} s needs more in flight)")
    log(f"correctness: emulator got {verified['emulator_template_sends']:,} template messages "
        f"({verified['distinct_client_msg_ids']:,} distinct client_msg_id, all ours: "
        f"{'yes' if verified['client_msg_ids_are_ours'] else 'NO'}); "
        f"{verified['rows_sent_with_msgid']:,} of {verified['rows']:,} rows sent with a msgid "
        f"({verified['distinct_msgids']:,} distinct); access token fetched "
        f"{sum(verified['token_fetches'].values())}× — "
        + ("OK" if verified["ok"] else "FAILED"))
    for note in report["notes"]:
        log(note)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
