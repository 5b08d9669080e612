"""Benchmark `assessment`: a prefecture-level city's year scored, frozen, shown and exported.

A throwaway PostgreSQL database gets, by COPY (benchmarks/_city.py): 300 units, 6,000 people,
60 templates, 250,000 assignments of 2026 lived up to 1 Dec 2026 10:00 (Shanghai), their
warning pushes and 督办 records, and 2,000 deductions. Each part runs in a child process of its
own (its RSS is its own), each time printed with its ratio to the floor measured in the same
child as (1): one SELECT of the columns and rows compute() reads (models.scoring.
assignment_rows), every row fetched.

(1) all scores of the year, models.scoring.compute: target < 2 s (profiled when it misses);
(2) models.assessment.generate, the frozen snapshot: time and stored size (no target), and
reading it back in a fresh process, where every reader of it starts; (3) the dashboard at /admin/
and the JSON it loads, through the Flask test client with the clock at that instant: server
time < 300 ms (median of 20 loads; the first, cold load and loads right after a change are
printed too) and payload < 500 KB; (4) `flask --app app export-assessment`: < 30 s and peak
RSS < 400 MB. (3) and (4) say SKIP while the app has no dashboard or no export command.
Results also go to benchmarks/results/assessment.json.

Settings (environment): BENCH_ASSIGNMENTS (250000), BENCH_ROUNDS (3: floor and compute, in
turn), BENCH_LOADS (20), BENCH_CHANGED (5 loads each after a new audit event),
BENCH_DASHBOARD_PATHS (comma-separated paths instead of /admin/ and what it loads).
"""

import contextlib
import cProfile
import gzip
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from datetime import UTC, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import sqlalchemy as sa  # noqa: E402
import time_machine  # noqa: E402

from _bulk import analyze  # noqa: E402
from _city import AS_OF, YEAR, seed_city  # noqa: E402
from _report import log, rss_mb, run_benchmark, run_child, run_command, target  # noqa: E402
from _stack import app_config, provision  # noqa: E402
from app import create_app  # noqa: E402
from models import audit  # noqa: E402
from models.assessment import generate, of_year  # noqa: E402
from models.clock import local_time, utcnow  # noqa: E402
from models.db import make_engine, session  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.scoring import assignment_rows, compute  # noqa: E402
from models.unit import Person, Role, Unit, UnitKind  # noqa: E402

ASSIGNMENTS = int(os.environ.get("BENCH_ASSIGNMENTS", "250000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LOADS = int(os.environ.get("BENCH_LOADS", "20"))
CHANGED = int(os.environ.get("BENCH_CHANGED", "5"))
PATHS = [p for p in os.environ.get("BENCH_DASHBOARD_PATHS", "").split(",") if p]
TARGET_SCORES_S, TARGET_PAGE_MS, TARGET_PAYLOAD_KB = 2.0, 300.0, 500.0
TARGET_XLSX_S, TARGET_XLSX_MB = 30.0, 400.0
CHILD_TIMEOUT = 1200
JSON_URL = re.compile(r"""["'(](/admin/[^"'()\s<>]*?\.json(?:\?[^"'()\s<>]*)?)["')]""")
SCRIPT_URL = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["'](/static/[^"']+)["']""")


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("assessment", _benchmark)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-")
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    backends = provision(stack, tmp)
    log(f"backends: {backends.label}" + "".join(f"\n  {note}" for note in backends.notes))
    upgrade(backends.database_url)
    engine = make_engine(backends.database_url)
    stack.callback(engine.dispose)
    started = time.perf_counter()
    city = seed_city(engine, ASSIGNMENTS)
    analyze(engine)
    log(f"loaded {len(city.units)} units, {len(city.people):,} people, "
        + ", ".join(f"{count:,} {table}" for table, count in city.counts.items())
        + f" in {time.perf_counter() - started:.0f} s")
    config = app_config(backends.database_url, backends.redis_url)
    runs = {"load_before": os.getloadavg()[0]}  # others' work on the machine shows here
    for mode in ("scores", "generate", "read", "dashboard"):
        runs[mode] = run_child(os.path.abspath(__file__), {**config, "mode": mode},
                               CHILD_TIMEOUT)
        log(f"{mode}: {json.dumps(_brief(runs[mode]))}")
    runs["xlsx"] = _export(config, tmp)
    return _summary(backends, city, runs)


def _export(config: dict, tmp: str) -> dict:
    """The CLI exactly as an operator runs it, measured from outside (its RSS is its own)."""
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    command = [flask if os.path.exists(flask) else "flask", "--app", "app", "export-assessment"]
    env = {**os.environ, **config}
    probe = run_command([*command, "--help"], env, 120)
    if probe["returncode"] != 0:
        return {"skipped": "export not built yet (flask --app app export-assessment: "
                + (probe["stderr"].strip().splitlines() or ["no such command"])[-1] + ")"}
    out = os.path.join(tmp, f"assessment-{YEAR}.xlsx")
    run = run_command([*command, "--year", str(YEAR), "--out", out], env, CHILD_TIMEOUT)
    run["command"] = " ".join(["flask", *command[1:], "--year", str(YEAR), "--out", "FILE"])
    run["startup_s"] = probe["seconds"]
    if run["returncode"] == 0 and os.path.exists(out):
        run["bytes"] = os.path.getsize(out)
        with zipfile.ZipFile(out) as book:
            run["sheets"] = sum(name.startswith("xl/worksheets/sheet") for name in book.namelist())
    log(f"xlsx: {json.dumps(_brief(run))}")
    return run


def _brief(run: dict) -> dict:
    """A run's figures for the log, without the lists and texts the JSON file keeps."""
    return {key: value for key, value in run.items()
            if key not in ("profile", "warm", "changed", "floors", "stdout", "stderr")}


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _summary(backends, city, runs: dict) -> dict:
    scores, made, page, xlsx = runs["scores"], runs["generate"], runs["dashboard"], runs["xlsx"]
    floor = scores["floor_s"]
    log("")
    log(f"assessment benchmark — {len(city.units)} units, {len(city.people):,} people, "
        f"{city.counts['assignment']:,} assignments of {YEAR} as of {local_time(AS_OF)}, "
        f"{backends.label}, {os.cpu_count()} CPUs, load average now "
        f"{os.getloadavg()[0]:.1f} (at the start {runs['load_before']:.1f})")
    log(f"floor: one SELECT of compute()'s columns and rows (models.scoring.assignment_rows), "
        f"all {scores['rows']:,} fetched: {floor:.3f} s (median of {ROUNDS}; the driver alone, "
        f"the DB-API cursor's fetchall of the same SQL: {scores['raw_s']:.3f} s)")
    checks = {}
    target("(1) all scores of the year, compute()", scores["compute_s"], TARGET_SCORES_S, "s",
           checks, "scores_time")
    log(f"    {scores['compute_s'] / floor:.2f} × floor; rounds "
        + " / ".join(f"{s:.3f}" for s in scores["computes"]) + f" s; CPU of the process "
        f"{scores['compute_cpu_s']:.2f} s; peak RSS "
        f"{scores['peak_rss_mb']:.0f} MB; " + ", ".join(
            f"{outcome} {count:,}" for outcome, count in scores["outcomes"].items())
        + f"; {scores['units']} units ranked, {scores['people']:,} people, "
        f"{scores['deductions']:,} deductions in force")
    for line in scores.get("profile", []):
        log(f"    {line}")
    log(f"(2) generate(), the frozen snapshot: {made['seconds']:.2f} s "
        f"({made['seconds'] / floor:.2f} × floor), {runs['read']['lines']:,} lines, stored "
        f"{made['stored_bytes'] / 1e6:.1f} MB (zlib of {made['json_bytes'] / 1e6:.1f} MB of "
        f"canonical JSON); peak RSS {made['peak_rss_mb']:.0f} MB")
    read = runs["read"]
    log(f"    read back in a fresh process (of_year(...)[0].rows(), where a reader such as the "
        f"xlsx export starts): {read['seconds']:.2f} s ({read['seconds'] / floor:.2f} × floor), "
        f"RSS {read['rss_before_mb']:.0f} → {read['peak_rss_mb']:.0f} MB")
    if "skipped" in page:
        log(f"(3) dashboard: SKIP: {page['skipped']}")
    else:
        _dashboard_lines(page, floor, checks)
    if "skipped" in xlsx:
        log(f"(4) year-end xlsx: SKIP: {xlsx['skipped']}")
    else:
        target(f"(4) year-end xlsx, `{xlsx['command']}`", xlsx["seconds"], TARGET_XLSX_S, "s",
               checks, "xlsx_time")
        log(f"    {xlsx['seconds'] / floor:.2f} × floor; start-up (the same command with "
            f"--help) {xlsx['startup_s']:.2f} s; {xlsx.get('bytes', 0) / 1e6:.1f} MB, "
            f"{xlsx.get('sheets', 0)} sheets")
        target("(4) peak RSS of the export's process", xlsx["peak_rss_mb"], TARGET_XLSX_MB,
               "MB", checks, "xlsx_rss")
    correct = {
        "every_assignment_judged": scores["rows"] == scores["lines"] == city.counts["assignment"],
        "snapshot_has_every_line": runs["read"]["lines"] == scores["lines"],
        "dashboard_answered": "skipped" in page or page["statuses"] == [200],
        "export_succeeded": "skipped" in xlsx or (xlsx["returncode"] == 0 and "bytes" in xlsx),
    }
    log("correctness: " + ("OK" if all(correct.values()) else
                           "FAILED: " + ", ".join(name for name, ok in correct.items() if not ok)))
    if not correct["export_succeeded"]:
        log(f"export said:\n{xlsx['stdout']}\n{xlsx['stderr']}")
    for note in backends.notes:
        log(note)
    return {
        "benchmark": "assessment", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "kernel": platform.release()},
        "backends": backends.label, "notes": backends.notes, "year": YEAR,
        "as_of": AS_OF.isoformat(), "units": len(city.units), "people": len(city.people),
        "loaded": city.counts,
        "targets": {"scores_s": TARGET_SCORES_S, "dashboard_ms": TARGET_PAGE_MS,
                    "payload_kb": TARGET_PAYLOAD_KB, "xlsx_s": TARGET_XLSX_S,
                    "xlsx_rss_mb": TARGET_XLSX_MB},
        "runs": runs, "checks": checks, "correctness": correct,
        "target_met": all(checks.values()), "valid": all(correct.values()),
    }


def _dashboard_lines(page: dict, floor: float, checks: dict) -> None:
    warm = _median([load["ms"] for load in page["warm"]])
    target(f"(3) dashboard server time, median of {len(page['warm'])} loads of "
           + " + ".join(page["paths"]), warm, TARGET_PAGE_MS, "ms", checks, "dashboard_time")
    changed = _median([load["ms"] for load in page["changed"]])
    log(f"    {warm / 1000 / floor:.2f} × floor; first (cold) load {page['cold']['ms']:.0f} ms "
        f"({page['cold']['ms'] / 1000 / floor:.2f} × floor); right after a change (a new audit "
        f"event, median of {len(page['changed'])}) {changed:.0f} ms "
        f"({changed / 1000 / floor:.2f} × floor); per path, warm: " + ", ".join(
            f"{path} {_median([load['per_path'][path] for load in page['warm']]):.0f} ms"
            for path in page["paths"]))
    target("(3) dashboard payload (HTML + JSON)", page["bytes"] / 1024, TARGET_PAYLOAD_KB, "KB",
           checks, "dashboard_payload")
    log(f"    gzip {page['gzip_bytes'] / 1024:.0f} KB; static files it links (cached by the "
        "browser, not counted): " + (", ".join(
            f"{path} {size / 1024:.0f} KB" for path, size in page["static"].items()) or "none"))


# ---------------------------------------------------------------------------------------------
# The children: each measures one part in a process of its own and prints one JSON line.


def _child(payload: dict) -> int:
    mode = payload["mode"]
    if mode == "dashboard":
        with time_machine.travel(AS_OF, tick=True):  # the app's clock reads AS_OF
            report = _dashboard(_app(payload))
    else:
        app = _app(payload)
        with app.app_context():
            session.execute(sa.text("SELECT 1"))  # the pooled connection exists before
            session.rollback()
            report = {"scores": _scores, "generate": _generate, "read": _read}[mode]()
    print(json.dumps(report, default=str))
    return 0


def _app(payload: dict):
    return create_app({key: payload[key] for key in app_config("", "")})


def _timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _scores() -> dict:
    """The floor and compute() in turn, ROUNDS times, after one untimed warm-up fetch."""
    statement = _captured(lambda: assignment_rows(YEAR).all())
    rows = len(assignment_rows(YEAR).all())
    session.rollback()
    floors, raws, computes, cpus, scores = [], [], [], [], None
    for _ in range(ROUNDS):
        floors.append(_timed(lambda: assignment_rows(YEAR).all())[0])
        session.rollback()
        raws.append(_timed(lambda: _fetch(statement))[0])
        scores, cpu = None, time.process_time()
        seconds, scores = _timed(lambda: compute(YEAR, AS_OF))
        computes.append(seconds)
        cpus.append(time.process_time() - cpu)
        session.rollback()
    _, peak = rss_mb()
    report = {"rows": rows, "floor_s": round(_median(floors), 4), "floors": floors,
              "raw_s": round(_median(raws), 4), "compute_s": round(_median(computes), 4),
              "computes": computes, "compute_cpu_s": round(_median(cpus), 4),
              "peak_rss_mb": round(peak, 1), "lines": len(scores.lines),
              "outcomes": dict(Counter(str(line.outcome) for line in scores.lines)
                               .most_common()),
              "levels": dict(Counter(str(line.level) for line in scores.lines).most_common()),
              "units": len(scores.units), "people": len(scores.people),
              "deductions": len(scores.deductions)}
    if report["compute_s"] >= TARGET_SCORES_S:
        report["profile"] = _profile(lambda: compute(YEAR, AS_OF))
    return report


def _captured(work) -> tuple[str, object]:
    """The SQL and parameters `work` sends last, to run them again through the bare driver."""
    engine, sent = session.get_bind(), []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
        session.rollback()
    return sent[-1]


def _fetch(statement: tuple[str, object]) -> int:
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(*statement)
        return len(cursor.fetchall())
    finally:
        cursor.close()
        session.rollback()


def _profile(work, top: int = 14) -> list[str]:
    """Where the time goes: cProfile's heaviest functions by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(work)
    session.rollback()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    total = next(line.strip() for line in lines if "function calls" in line)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return [f"profile (cProfile, by own time; {total})"] + \
        [line.rstrip() for line in lines[start:] if line.strip()]


def _inspector() -> Person:
    return session.scalar(sa.select(Person).where(Person.role == Role.INSPECTOR)
                          .order_by(Person.id).limit(1))


def _generate() -> dict:
    """One generate() and its commit, as the inspector's click does."""
    inspector = _inspector()
    seconds, row = _timed(lambda: generate(YEAR, actor=inspector, now=AS_OF))
    commit_s, _ = _timed(session.commit)
    _, peak = rss_mb()
    return {"seconds": round(seconds + commit_s, 4), "commit_s": round(commit_s, 4),
            "stored_bytes": len(row.content), "json_bytes": len(zlib.decompress(row.content)),
            "units": row.units, "peak_rss_mb": round(peak, 1)}


def _read() -> dict:
    """What any reader of the frozen rows starts from (the xlsx export, a page): the newest
    version of the year loaded and its rows decoded, in a fresh process."""
    before, _ = rss_mb()
    seconds, content = _timed(lambda: of_year(YEAR)[0].rows())
    _, peak = rss_mb()
    return {"seconds": round(seconds, 4), "lines": len(content["lines"]),
            "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak, 1)}


def _dashboard(app) -> dict:
    """Loads of /admin/ and the JSON it asks for, signed in as an inspector (tests' way)."""
    with app.app_context():
        inspector = _inspector().id
        names = set(session.scalars(sa.select(Unit.name).where(Unit.kind != UnitKind.COUNTY)))
    client = app.test_client()
    with client.session_transaction() as browser:
        browser["admin_id"] = inspector
    paths = list(PATHS) or ["/admin/"]
    cold = _load(client, paths[:1])
    first = cold.pop("bodies")[paths[0]]
    if not PATHS:
        paths += _loaded_by(app, client, first)
    more = _load(client, paths[1:])
    bodies = {paths[0]: first, **more.pop("bodies")}
    text = b"".join(bodies.values()).decode(errors="replace")
    shown = sum(name in text for name in names)
    if not PATHS and len(paths) == 1 and not shown:
        return {"skipped": "dashboard not built yet (/admin/ names no unit and loads no JSON)",
                "statuses": cold["statuses"]}
    cold = {"ms": cold["ms"] + more["ms"], "per_path": cold["per_path"] | more["per_path"],
            "statuses": cold["statuses"] + more["statuses"]}
    warm = [_load(client, paths, keep=False) for _ in range(LOADS)]
    changed = []
    for _ in range(CHANGED):
        with app.app_context():
            audit.record("bench.change", "bench", now=utcnow())
            session.commit()
        changed.append(_load(client, paths, keep=False))
    payload = b"".join(bodies.values())
    return {"paths": paths, "cold": cold, "warm": warm, "changed": changed,
            "statuses": sorted({s for load in [cold, *warm, *changed] for s in load["statuses"]}),
            "bytes": len(payload), "gzip_bytes": len(gzip.compress(payload)),
            "bytes_per_path": {path: len(body) for path, body in bodies.items()},
            "units_named": shown, "static": _static(client, first)}


def _load(client, paths: list[str], keep: bool = True) -> dict:
    """One load: each path in turn; server time is the sum of the WSGI calls."""
    per_path, statuses, bodies = {}, [], {}
    for path in paths:
        seconds, response = _timed(lambda path=path: client.get(path))
        per_path[path] = seconds * 1000
        statuses.append(response.status_code)
        if keep:
            bodies[path] = response.get_data()
    load = {"ms": sum(per_path.values()), "per_path": per_path, "statuses": statuses}
    return load | {"bodies": bodies} if keep else load


def _loaded_by(app, client, page: bytes) -> list[str]:
    """The JSON a dashboard page loads: /admin/….json URLs in the page or its own scripts, and
    the admin blueprint's dashboard routes that take no argument."""
    text = page.decode(errors="replace").replace("&amp;", "&")
    found = JSON_URL.findall(text)
    for script in SCRIPT_URL.findall(text):
        if script.endswith(".js") and "/vendor/" not in script:
            found += JSON_URL.findall(client.get(script).get_data(as_text=True))
    found += [rule.rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("admin.") and "dashboard" in rule.endpoint
              and not rule.arguments and "GET" in rule.methods and rule.rule != "/admin/"]
    return list(dict.fromkeys(path for path in found if path != "/admin/"))


def _static(client, page: bytes) -> dict[str, int]:
    text = page.decode(errors="replace")
    return {path: len(client.get(path).get_data()) for path in SCRIPT_URL.findall(text)}


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["--child"]:
            sys.exit(_child(json.loads(sys.argv[2])))
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
