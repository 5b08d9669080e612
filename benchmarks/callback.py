"""Benchmark `callback`: a bound cadre's `我的` on /wechat, plaintext and safe mode, vs. the floor.

The real app runs exactly as the Procfile's `web:` line says (gunicorn, 2 sync workers) on a
throwaway PostgreSQL database and Redis db with 200 bound cadres; the floor (floor_app.py, a
bare Flask app that only checks the signature) runs under the same gunicorn settings. Each
run replays distinct signed messages from 127.0.0.1 at 16 connections (wrk, or a Python
generator when wrk cannot be had): 2 s warm-up, then 10 s measured. Printed: req/s, p50/p99,
server CPU per request and the ratio to the floor; the targets are plaintext ≥ 0.7 × floor with
p99 < 20 ms and safe mode ≥ 0.6 ×. Results also go to benchmarks/results/callback.json. See
benchmarks/README.md.

Settings (environment): BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (16),
BENCH_LOADGEN (auto | wrk | python), BENCH_REQUESTS (150000, distinct messages for the floor run),
BENCH_ROUNDS (1; with more, the three runs repeat in turn and the table shows each one's median).
"""

import contextlib
import http.client
import os
import platform
import secrets
import shutil
import string
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import xmltodict  # noqa: E402
from wechatpy.crypto import WeChatCrypto  # noqa: E402

from _load import (Callbacks, ensure_wrk, run_python, run_wrk, signature,  # noqa: E402
                   write_requests)
from _stack import (Server, backend_ticks, floor_command, free_port, procfile_web,  # noqa: E402
                    provision, seed, ticks_between)
from _report import log, run_benchmark  # noqa: E402
from models.migrate import upgrade  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
LOADGEN = os.environ.get("BENCH_LOADGEN", "auto")
FLOOR_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "150000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
CADRES = 200
# Issue 14: plaintext ≥ 0.7 × and safe mode ≥ 0.6 × the floor, plaintext p99 < 20 ms.
TARGET_RATIO, TARGET_SAFE_RATIO, TARGET_P99_MS = 0.7, 0.6, 20.0

TOKEN = "qinglian-bench-token"
APPID = "wx0b1e2c3d4e5f6a7b"
AES_KEY = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(43))
EXPECT = {"floor": "<Content><![CDATA[floor]]>", "plain": "<Content><![CDATA[姓名：",
          "safe": "<Encrypt>"}


@dataclass
class Target:
    """One measured configuration: which server and port, which mode (its EXPECT reply)."""

    label: str
    server: Server
    port: int
    mode: str  # floor | plain | safe
    database: str = ""  # its PostgreSQL database, whose backends' CPU is counted

    @property
    def safe(self) -> bool:
        return self.mode == "safe"


def main() -> int:
    """Run the benchmark; 0 when it measured (target met or not), 1 on an error."""
    return run_benchmark("callback", _benchmark, show=_print_report)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-")
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    generator = _generator()
    backends = provision(stack, tmp)
    log(f"backends: {backends.label}" + "".join(f"\n  {note}" for note in backends.notes))
    upgrade(backends.database_url)
    people = seed(backends.database_url, CADRES)
    log(f"seeded 1 unit and {len(people)} persons, each bound to an openid")
    targets = _start_servers(stack, backends, tmp)
    callbacks = Callbacks(TOKEN, APPID, AES_KEY, list(people))
    for target in targets:
        _preflight(target, callbacks, people)
    runs, floor_rate = [], None
    for round_number in range(1, ROUNDS + 1):
        for target in targets:
            run = _measure(target, callbacks, generator, tmp, floor_rate)
            run["round"] = round_number
            floor_rate = floor_rate or run["rps"]
            runs.append(run)
    return _summary(runs, generator, backends, targets)


def _generator() -> str:
    """`wrk` (installed if missing and we are root) unless BENCH_LOADGEN=python; else Python."""
    wrk = None if LOADGEN == "python" else ensure_wrk(log)
    if LOADGEN == "wrk" and not wrk:
        raise RuntimeError("BENCH_LOADGEN=wrk but wrk is not installed and cannot be")
    reason = "BENCH_LOADGEN=python" if LOADGEN == "python" else "wrk unavailable"
    log(f"load generator: {f'wrk ({wrk})' if wrk else f'Python asyncio ({reason})'}")
    return wrk or "python"


def _start_servers(stack: contextlib.ExitStack, backends, tmp: str) -> list[Target]:
    """The Procfile's web command for the app, once per WECHAT_MODE (plain and safe, as the
    platform is set to one at a time), the same command for the floor; all ready."""
    web = procfile_web(os.path.join(ROOT, "Procfile"))
    commands = {"app": web, "app-safe": web, "floor": floor_command(web)}
    modes = {"app": "plain", "app-safe": "safe", "floor": "plain"}
    ports = {name: free_port() for name in commands}
    servers = {}
    for name, command in commands.items():
        env = {**_server_env(backends, ports[name]), "WECHAT_MODE": modes[name]}
        servers[name] = Server(name, command, env, ROOT, os.path.join(tmp, f"{name}.log"))
        stack.callback(servers[name].stop)
        log(f"started {name}: PORT={ports[name]} sh -c '{command}'")
    for name, server in servers.items():
        server.wait_ready(_verify_url(ports[name]))
        log(f"{name} ready: {len(server.pids())} processes in its group")
    database = backends.database_name
    return [Target("floor (bare Flask)", servers["floor"], ports["floor"], "floor"),
            Target("app plaintext", servers["app"], ports["app"], "plain", database),
            Target("app safe mode", servers["app-safe"], ports["app-safe"], "safe", database)]


def _server_env(backends, port: int) -> dict:
    venv_bin = os.path.dirname(sys.executable)  # gunicorn of the venv we run in
    return {
        **os.environ, "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        "PORT": str(port), "DATABASE_URL": backends.database_url,
        "REDIS_URL": backends.redis_url, "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID,
        "WECHAT_AES_KEY": AES_KEY, "SECRET_KEY": secrets.token_hex(32),
        # Nothing in this benchmark may reach the real WeChat API.
        "WECHAT_API_BASE": "http://127.0.0.1:9/",
    }


def _verify_url(port: int) -> str:
    timestamp, nonce = str(int(time.time())), "1"
    return (f"http://127.0.0.1:{port}/wechat?signature={signature(TOKEN, timestamp, nonce)}"
            f"&timestamp={timestamp}&nonce={nonce}&echostr=ready")


def _preflight(target: Target, callbacks: Callbacks, people: dict[str, str]) -> None:
    """A few requests checked in full (status, reply content, decryption) before loading."""
    for path, body in callbacks.make(10, target.safe):
        status, reply = _post(target.port, path, body)
        content = _reply_content(reply, target) if status == 200 else None
        openid = path.split("openid=")[1].split("&")[0]
        wanted = "floor" if target.mode == "floor" else f"姓名：{people[openid]}"
        if content is None or wanted not in content:
            raise RuntimeError(f"{target.label}: unexpected reply {status}: {reply[:300]!r}")
    log(f"{target.label}: 10 requests checked (200, correct reply)")


def _post(port: int, path: str, body: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body.encode(), {"Content-Type": "text/xml"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _reply_content(reply: str, target: Target) -> str | None:
    fields = xmltodict.parse(reply)["xml"]
    if target.safe:
        inner = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
            reply, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
        fields = xmltodict.parse(inner)["xml"]
    return fields.get("Content")


def _measure(target: Target, callbacks: Callbacks, generator: str, tmp: str,
             floor_rate: float | None) -> dict:
    """Warm up, then one measured window with server CPU read around it."""
    count = _request_count(floor_rate)
    requests = callbacks.make(count, target.safe)
    path = os.path.join(tmp, f"{target.mode}.requests")
    if generator != "python":
        write_requests(path, requests)
    expect = EXPECT[target.mode]

    def load(offset: int, seconds: float) -> dict:
        if generator == "python":
            return run_python("127.0.0.1", target.port, requests, offset, CONNECTIONS, seconds,
                              expect)
        return run_wrk(generator, f"http://127.0.0.1:{target.port}/wechat", path, offset,
                       CONNECTIONS, seconds, expect)

    log(f"{target.label}: {count} distinct requests, {WARMUP:g} s warm-up, {SECONDS:g} s measured")
    warm = load(0, WARMUP)
    before = (target.server.cpu_ticks(), backend_ticks(target.database))
    stats = load(warm["consumed"], SECONDS)
    after = (target.server.cpu_ticks(), backend_ticks(target.database))
    stats["reused"] += max(0, warm["consumed"] - count)
    return _run_result(target, stats, ticks_between(before[0], after[0]),
                       ticks_between(before[1], after[1]))


def _request_count(floor_rate: float | None) -> int:
    """Enough distinct messages: BENCH_REQUESTS for the floor, 1.5 × the floor's pace after."""
    if floor_rate is None:
        return FLOOR_REQUESTS
    return max(20_000, int(floor_rate * (WARMUP + SECONDS) * 1.5))


def _run_result(target: Target, stats: dict, server_cpu: float, backend_cpu: float) -> dict:
    requests = stats["requests"]
    seconds = stats["duration_us"] / 1e6
    errors = sum(stats[key] for key in ("connect_errors", "read_errors", "write_errors",
                                        "timeouts"))
    return {
        "label": target.label, "mode": target.mode, "requests": requests,
        "rps": requests / seconds if seconds else 0.0,
        "p50_ms": stats["p50_us"] / 1000, "p90_ms": stats["p90_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000, "max_ms": stats["max_us"] / 1000,
        "server_cpu_us_per_req": server_cpu / requests * 1e6 if requests else 0.0,
        "server_cores_busy": server_cpu / seconds if seconds else 0.0,
        "backend_cpu_us_per_req": backend_cpu / requests * 1e6 if requests else 0.0,
        "ok": stats["ok"], "bad": stats["bad"], "bad_codes": stats["codes"],
        "bad_sample": stats.get("sample", ""), "socket_errors": errors,
        "reused_requests": stats["reused"],
        "valid": stats["bad"] == 0 and errors == 0 and stats["reused"] == 0 and requests > 0,
    }


def _summary(all_runs: list[dict], generator: str, backends, targets: list[Target]) -> dict:
    # Each run against the floor of its own round: the machine's load drifts between rounds.
    floors = {run["round"]: run["rps"] for run in all_runs if run["mode"] == "floor"}
    for run in all_runs:
        floor_rate = floors[run["round"]]
        run["ratio_to_floor"] = run["rps"] / floor_rate if floor_rate else 0.0
    runs = [_median(all_runs, target.mode) for target in targets]
    plain = next(run for run in runs if run["mode"] == "plain")
    safe = next(run for run in runs if run["mode"] == "safe")
    checks = {
        "plaintext_ratio": plain["ratio_to_floor"] >= TARGET_RATIO,
        "plaintext_p99": plain["p99_ms"] < TARGET_P99_MS,
        "safe_ratio": safe["ratio_to_floor"] >= TARGET_SAFE_RATIO,
        "safe_p99_info": safe["p99_ms"] < TARGET_P99_MS,
    }
    return {
        "benchmark": "callback", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "kernel": platform.release()},
        "load_generator": "wrk" if generator != "python" else "python",
        "connections": CONNECTIONS, "warmup_s": WARMUP, "measured_s": SECONDS,
        "rounds": ROUNDS, "backends": backends.label, "notes": backends.notes,
        "commands": {t.mode: t.server.command for t in targets},
        "targets": {"plaintext_ratio_min": TARGET_RATIO, "safe_ratio_min": TARGET_SAFE_RATIO,
                    "p99_ms_max": TARGET_P99_MS},
        "runs": runs, "all_runs": all_runs, "checks": checks,
        "target_met": checks["plaintext_ratio"] and checks["plaintext_p99"]
        and checks["safe_ratio"],
        "valid": all(run["valid"] for run in all_runs),
    }


def _median(runs: list[dict], mode: str) -> dict:
    """The run of `mode` with the median ratio to its round's floor (the floor's: median
    req/s; the lower middle one for an even count)."""
    ordered = sorted((run for run in runs if run["mode"] == mode),
                     key=lambda run: (run["ratio_to_floor"], run["rps"]))
    return ordered[(len(ordered) - 1) // 2]


def _print_report(report: dict) -> None:
    log("")
    generator = "wrk" if report["load_generator"] == "wrk" else "Python load generator"
    log(f"callback benchmark — {generator}, {report['connections']} connections, "
        f"{report['measured_s']:g} s after {report['warmup_s']:g} s warm-up, "
        f"{report['backends']}, {report['machine']['cpus']} CPUs")
    header = (f"{'run':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/req':>12}"
              f"{'db+redis µs/req':>17}{'× floor':>9}{'bad':>6}")
    log(header)
    log("-" * len(header))
    for run in report["runs"]:
        bad = run["bad"] + run["socket_errors"]
        log(f"{run['label']:<20}{run['rps']:>9.0f}{run['p50_ms']:>9.2f}{run['p99_ms']:>9.2f}"
            f"{run['server_cpu_us_per_req']:>12.0f}{run['backend_cpu_us_per_req']:>17.0f}"
            f"{run['ratio_to_floor']:>9.2f}{bad:>6}")
    if report["rounds"] > 1:
        log(f"(median of {report['rounds']} rounds, × its own round's floor; req/s per round: "
            + "; ".join(f"{run['label']} " + "/".join(
                f"{r['rps']:.0f}" for r in report["all_runs"] if r["mode"] == run["mode"])
                for run in report["runs"]) + "; × floor per round: " + "; ".join(
                f"{run['mode']} " + "/".join(f"{r['ratio_to_floor']:.2f}"
                                             for r in report["all_runs"]
                                             if r["mode"] == run["mode"])
                for run in report["runs"] if run["mode"] != "floor") + ")")
    log("")
    _print_checks(report)


def _print_checks(report: dict) -> None:
    plain = next(run for run in report["runs"] if run["mode"] == "plain")
    checks = report["checks"]
    verdict = {True: "PASS", False: "FAIL"}
    log(f"target plaintext ≥ {TARGET_RATIO} × floor: {verdict[checks['plaintext_ratio']]} "
        f"({plain['ratio_to_floor']:.2f} ×)")
    log(f"target plaintext p99 < {TARGET_P99_MS:g} ms: {verdict[checks['plaintext_p99']]} "
        f"({plain['p99_ms']:.2f} ms)")
    safe = next(run for run in report["runs"] if run["mode"] == "safe")
    log(f"target safe mode ≥ {TARGET_SAFE_RATIO} × floor: {verdict[checks['safe_ratio']]} "
        f"({safe['ratio_to_floor']:.2f} ×)")
    log(f"(info) safe mode p99 < {TARGET_P99_MS:g} ms: "
        f"{'yes' if checks['safe_p99_info'] else 'no'}")
    for run in report["all_runs"]:
        if not run["valid"]:
            log(f"INVALID {run['label']}: {run['bad']} bad responses ({run['bad_codes']}), "
                f"{run['socket_errors']} socket errors, {run['reused_requests']} reused "
                f"requests; first bad: {run['bad_sample'][:200]}")
    if not report["target_met"]:
        log("TARGET MISSED: the app is below the target (see benchmarks/README.md)")
    for note in report["notes"]:
        log(note)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
