"""What the benchmarks share: measured runs in a child process (ours, or a command measured
from outside), target lines, the JSON results file."""

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VERDICT = {True: "PASS", False: "MISS"}


def log(message: str = "") -> None:
    print(message, flush=True)


def run_benchmark(name: str, benchmark: Callable[[contextlib.ExitStack], dict],
                  show: Callable[[dict], None] = lambda report: None) -> int:
    """A benchmark's `main`: `benchmark(stack)` measures, registering every clean-up on the
    stack, which is closed on return, error, Ctrl-C and SIGTERM alike; then `show(report)`
    and the JSON file. 0 when it measured (targets met or not), 1 on an error or a failed
    check (`report["valid"]`)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.ExitStack() as stack:
            report = benchmark(stack)
        log("cleaned up: everything started was stopped, databases dropped, Redis db released")
    except KeyboardInterrupt:
        log("interrupted: everything started was stopped and dropped")
        raise
    except Exception:
        traceback.print_exc()
        log(f"{name} benchmark: ERROR (everything started was stopped and dropped)")
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    show(report)
    write_json(name, report)
    return 0 if report["valid"] else 1


def _interrupt(signum, frame):
    """SIGTERM ends the run like Ctrl-C does: through the clean-up."""
    raise KeyboardInterrupt


def target(label: str, value: float, limit: float, unit: str, checks: dict, key: str) -> None:
    """Print `label: value unit, target < limit: PASS|MISS` and record the check."""
    checks[key] = value < limit
    log(f"{label}: {value:,.{_decimals(value)}f} {unit}  (target < {limit:g} {unit}: "
        f"{VERDICT[checks[key]]})")


def _decimals(value: float) -> int:
    return 3 if value < 1 else 2 if value < 100 else 0


def run_child(script: str, payload: dict, timeout: float) -> dict:
    """`python script --child '<payload>'` (in this process group, so Ctrl-C reaches it);
    returns the JSON object it prints last."""
    done = subprocess.run([sys.executable, script, "--child", json.dumps(payload)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"child {payload} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_command(args: list[str], env: dict, timeout: float) -> dict:
    """Run a command (not ours to instrument, such as a CLI) as a child process and measure it
    from outside: wall time from start to exit, and its peak RSS (ru_maxrss from wait4: the
    child's own VmHWM, as rss_mb reads inside a child). Killed after `timeout` seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return {"seconds": round(seconds, 3), "returncode": process.returncode,
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "stdout": out.read().decode(errors="replace")[-3000:],
                "stderr": err.read().decode(errors="replace")[-3000:]}


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB, from /proc (peak = VmHWM,
    the same as ru_maxrss)."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            fields[name] = value.split()
    current = int(fields["VmRSS"][0]) / 1024
    peak = max(int(fields["VmHWM"][0]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    return current, peak


def write_json(name: str, report: dict) -> None:
    path = os.path.join(HERE, "results", f"{name}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, ensure_ascii=False, indent=2, default=str)
    log(f"results written to {os.path.relpath(path, ROOT)}")
