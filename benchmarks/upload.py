"""Benchmark `upload`: a web worker's peak RSS for a 9-photo 上报 POST (issue 14, item 1).

The app runs as in production: the Procfile's `web:` line unchanged (gunicorn, 2 sync workers)
on a throwaway database and Redis db (benchmarks/_stack.py, same FALLBACK rules as the other
benchmarks). An inspector is the assignee of one task and signs in with the one-time admin
link (which opens the mobile pages too); then, each scenario on a freshly started server, the
report form is fetched (its CSRF token) and one multipart POST sent to
/m/tasks/<id>/report. Measured: the peak RSS (VmHWM) of the gunicorn workers after the POST,
the largest of the two, and its ratio to the baseline measured the same way in the same run:

- baseline: the same POST with a summary and no photo;
- 9 phone photos: 12 MP JPEGs (4032×3024), as many bytes as fit under MAX_CONTENT_LENGTH;
- 9 bomb PNGs: the issue's 6320×6320 RGBA PNG of zero rows (151 KB each);
- 9 text-bomb PNGs: small PNGs whose zTXt chunks inflate to Pillow's 64 MB text limit while
  the header is read;
- 4 costly-but-allowed PNGs: RGBA pictures just under the per-photo decode budget (four
  fit the upload's budget together).

Target: every scenario's peak < 150 MB (the issue). Then the media job: each kind of picture
above processed by models.photo.process_photo in a fresh child process, its peak RSS over the
child's own baseline printed beside the header's decode_cost (the budget is MAX_DECODE_BYTES).
Results also go to benchmarks/results/upload.json. Settings: BENCH_UPLOAD_PHOTO_KB (1700, the
size each phone photo is encoded to at most).
"""

import contextlib
import io
import json
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import requests  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from _report import log, run_benchmark, run_child, target  # noqa: E402
from _stack import Server, app_config, free_port, procfile_web, provision  # noqa: E402
from app import create_app  # noqa: E402
from handlers.admin import login_link  # noqa: E402
from models import (DutyCategory, DutyTemplate, Period, Person, Responsibility, Role,  # noqa: E402
                    TemplateKind, Unit, UnitKind)
from models.dispatch import dispatch  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.photo import MAX_DECODE_BYTES, inspect_photo  # noqa: E402
from models.storage import content_key  # noqa: E402

PHOTO_KB = int(os.environ.get("BENCH_UPLOAD_PHOTO_KB", "1700"))
TARGET_MB = 150.0
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
EVIDENCE = os.path.join(ROOT, "instance", "evidence")  # where the server's uploads are kept


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("upload", _benchmark, _show)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-upload-")
    stack.callback(shutil.rmtree, tmp, True)
    backends = provision(stack, tmp)
    for note in backends.notes:
        log(note)
    upgrade(backends.database_url)
    task_id, inspector_id = _seed(backends)
    scenarios = _scenarios()
    stack.callback(_forget_uploads, [data for files in scenarios.values() for data in files])
    report = {"notes": backends.notes, "scenarios": {}, "jobs": {}, "checks": {}}
    for name, files in scenarios.items():
        measured = _post_on_fresh_server(stack, backends, tmp, task_id, inspector_id, files)
        report["scenarios"][name] = measured
        log(f"  {name}: peak {measured['peak_mb']:.1f} MB, HTTP {measured['status']}, "
            f"{measured['bytes'] / 1e6:.1f} MB posted, {measured['seconds']:.2f} s")
    baseline = report["scenarios"]["baseline (summary, no photo)"]["peak_mb"]
    for measured in report["scenarios"].values():
        measured["ratio"] = round(measured["peak_mb"] / baseline, 3)
    for number, (name, data) in enumerate(_job_samples(scenarios).items()):
        path = os.path.join(tmp, f"job-{number}.bin")
        with open(path, "wb") as f:
            f.write(data)
        report["jobs"][name] = run_child(__file__, {"job": name, "path": path}, 300)
    report["valid"] = all(m["ok"] for m in report["scenarios"].values())
    return report


def _show(report: dict) -> None:
    log()
    log(f"{'web worker, one POST':40} {'peak RSS':>10} {'× baseline':>11} {'answer':>8}")
    for name, measured in report["scenarios"].items():
        log(f"{name:40} {measured['peak_mb']:8.1f} MB {measured['ratio']:10.2f} × "
            f"{measured['answer']:>8}")
    worst = max(m["peak_mb"] for m in report["scenarios"].values())
    target("web worker peak RSS, worst POST", worst, TARGET_MB, "MB", report["checks"], "web")
    log()
    log(f"media job, one photo in a fresh process (budget {MAX_DECODE_BYTES / 2**20:.0f} MiB):")
    for name, job in report["jobs"].items():
        cost = "header refused" if job["cost_mib"] is None else f"{job['cost_mib']:.1f} MiB"
        log(f"  {name:26} decode_cost {cost:>15}  peak +{job['peak_mib']:6.1f} MiB  "
            f"{job['seconds']:.2f} s  {job['outcome']}")
    for note in report["notes"]:
        log(note)


# The scenarios: what one POST carries.

def _scenarios() -> dict[str, list[bytes]]:
    budget_side = _largest_rgba_side()
    return {
        "baseline (summary, no photo)": [],
        "9 phone photos (12 MP JPEG)": [_phone_photo(seed) for seed in range(9)],
        "9 bomb PNGs (6320² RGBA, zero rows)": [_bomb_png()] * 9,
        "9 text-bomb PNGs (zTXt, 70 MB inflated)": [_text_bomb_png()] * 9,
        f"4 RGBA PNGs ({budget_side}², each under budget)": [_rgba_png(budget_side, n)
                                                              for n in range(4)],
    }


def _phone_photo(seed: int) -> bytes:
    """A 4032×3024 photo-like JPEG (noise and discs), at the best quality within PHOTO_KB."""
    rng = random.Random(seed)
    image = Image.effect_noise((4032, 3024), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, r = rng.randrange(4032), rng.randrange(3024), rng.randrange(50, 600)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in "rgb"))
    for quality in (85, 75, 60, 45, 30, 20):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= PHOTO_KB * 1024:
            break
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    checksum = struct.pack(">I", zlib.crc32(kind + body))
    return struct.pack(">I", len(body)) + kind + body + checksum


def _png(width: int, height: int, colour_type: int, idat: bytes, extra: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def _bomb_png(side: int = 6320) -> bytes:
    """The issue's PNG: side×side RGBA, every row zero (the tests build it the same way)."""
    packer, row = zlib.compressobj(9), b"\0" * (1 + 4 * side)
    return _png(side, side, 6, b"".join(packer.compress(row) for _ in range(side))
                + packer.flush())


def _text_bomb_png() -> bytes:
    """A 16×16 PNG whose zTXt chunks each inflate to 1 MB, 70 of them (Pillow stops at 64 MB)."""
    text = zlib.compress(b"a" * (1024 * 1024 - 1), 9)
    extra = b"".join(_chunk(b"zTXt", f"k{n}".encode() + b"\0\0" + text) for n in range(70))
    packer = zlib.compressobj(9)
    rows = packer.compress(b"\0" * (1 + 3 * 16) * 16) + packer.flush()
    return _png(16, 16, 2, rows, extra)


def _largest_rgba_side() -> int:
    """The largest square RGBA PNG the per-photo budget lets through (from the header cost)."""
    side = 4000
    while inspect_cost(_rgba_png(side + 50, 0, header_only=True)) <= MAX_DECODE_BYTES:
        side += 50
    while inspect_cost(_rgba_png(side, 0, header_only=True)) > MAX_DECODE_BYTES:
        side -= 50
    return side


def inspect_cost(data: bytes) -> int:
    try:
        return inspect_photo(data).decode_cost
    except Exception:
        return MAX_DECODE_BYTES + 1


def _rgba_png(side: int, seed: int, header_only: bool = False) -> bytes:
    """A side×side RGBA PNG of half-transparent rows in a colour of `seed` (header_only: the
    pixel data left empty, enough for the header's cost)."""
    if header_only:
        return _png(side, side, 6, b"")
    row = b"\0" + bytes((seed * 20 % 256, 90, 200, 128)) * side
    packer = zlib.compressobj(9)
    return _png(side, side, 6, b"".join(packer.compress(row) for _ in range(side))
                + packer.flush())


def _job_samples(scenarios: dict[str, list[bytes]]) -> dict[str, bytes]:
    return {re.sub(r"^\d+ ", "", name.split(" (")[0]).rstrip("s") + " (one)": files[0]
            for name, files in scenarios.items() if files}


# The server and the POST.

def _seed(backends) -> tuple[int, int]:
    """A county inspector who is also the assignee of one one-off task (so the admin sign-in
    link, which opens the mobile pages for inspectors, reaches its report form)."""
    now = datetime.now(UTC)
    app = create_app(app_config(backends.database_url, backends.redis_url))
    with app.app_context():
        from models.db import session

        unit = Unit(name="县纪委监委", kind=UnitKind.COUNTY, created_at=now)
        inspector = Person(name="赵审核", role=Role.INSPECTOR, unit=unit, title="审核员",
                           created_at=now)
        category = DutyCategory(name="加强组织领导", responsibility=Responsibility.PRINCIPAL)
        template = DutyTemplate(category=category, title="专题会议", kind=TemplateKind.ADHOC,
                                target_role=None, period=Period.ONCE, due_rule="after:7",
                                review_levels=1, min_photos=0, created_at=now)
        session.add_all([inspector, template])
        session.flush()
        [task] = dispatch(template, "once", now=now, people=[inspector])
        session.commit()
        ids = task.id, inspector.id
        session.remove()
    app.extensions["db_engine"].dispose()
    return ids


def _post_on_fresh_server(stack, backends, tmp: str, task_id: int, inspector_id: int,
                          files: list[bytes]) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    venv_bin = os.path.dirname(sys.executable)  # gunicorn of the venv we run in
    env = {**os.environ, "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
           "PORT": str(port), "DATABASE_URL": backends.database_url,
           "REDIS_URL": backends.redis_url, "SECRET_KEY": "bench", "PUBLIC_BASE_URL": base,
           "WECHAT_API_BASE": "http://127.0.0.1:9/"}
    server = Server("web", procfile_web(os.path.join(ROOT, "Procfile")), env, ROOT,
                    os.path.join(tmp, f"web-{port}.log"))
    try:
        server.wait_ready(base + "healthz")
        browser = requests.Session()
        signed_in = browser.get(_link(backends, base, inspector_id), timeout=30)
        form = browser.get(f"{base}m/tasks/{task_id}/report", timeout=30)
        if signed_in.status_code != 200 or form.status_code != 200:
            raise RuntimeError(f"sign-in {signed_in.status_code}, form {form.status_code}")
        token = CSRF.search(form.text).group(1)
        upload = [("photos", _named(n, data)) for n, data in enumerate(files, start=1)]
        started = time.perf_counter()
        answer = browser.post(f"{base}m/tasks/{task_id}/report", timeout=120, files=upload,
                              data={"csrf_token": token, "summary": "基准测试", "then": "save"})
        seconds = time.perf_counter() - started
        peak = max(_peak_mb(pid) for pid in _workers(server))
    finally:
        server.stop()
    refused = "未能保存" in answer.text
    return {"peak_mb": round(peak, 1), "status": answer.status_code, "seconds": round(seconds, 3),
            "bytes": sum(len(data) for data in files),
            "answer": "refused" if refused else "kept" if "已保存" in answer.text else "?",
            "ok": answer.status_code == 200 and ("已保存" in answer.text or refused)}


def _named(number: int, data: bytes) -> tuple[str, bytes, str]:
    if data.startswith(b"\xff\xd8"):
        return f"photo{number}.jpg", data, "image/jpeg"
    return f"picture{number}.png", data, "image/png"


def _link(backends, base: str, inspector_id: int) -> str:
    app = create_app({**app_config(backends.database_url, backends.redis_url),
                      "PUBLIC_BASE_URL": base})
    with app.app_context():
        from models.db import session

        link = login_link(session.get(Person, inspector_id))
        session.remove()
    app.extensions["db_engine"].dispose()
    return link


def _workers(server: Server) -> list[int]:
    """The gunicorn workers: processes of the group whose parent is in the group too."""
    pids = set(server.pids())
    return [pid for pid in pids if _parent(pid) in pids and _is_python(pid)] or list(pids)


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _is_python(pid: int) -> bool:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return b"gunicorn" in f.read()


def _peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _forget_uploads(uploads: list[bytes]) -> None:
    """Remove the originals this run kept under instance/evidence (content-addressed)."""
    import hashlib

    for data in uploads:
        for ext in ("jpg", "png"):
            path = os.path.join(EVIDENCE, content_key("originals",
                                                      hashlib.sha256(data).hexdigest(), ext))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


# The media job's side, in a child process: one photo through process_photo.

def _child(payload: dict) -> None:
    from models.errors import DomainError
    from models.photo import process_photo

    with open(payload["path"], "rb") as f:
        data = f.read()
    try:
        cost = inspect_photo(data).decode_cost
    except DomainError:
        cost = None
    before = _peak_mb(os.getpid())  # VmHWM: ru_maxrss would carry the parent's over exec
    started = time.perf_counter()
    try:
        process_photo(data)
        outcome = "stored"
    except DomainError as refusal:
        outcome = f"refused: {type(refusal).__name__}"
    seconds = time.perf_counter() - started
    peak_mib = _peak_mb(os.getpid()) - before  # /proc counts KiB: these are MiB
    print(json.dumps({"cost_mib": None if cost is None else round(cost / 2**20, 1),
                      "peak_mib": round(peak_mib, 1),
                      "seconds": round(seconds, 3), "outcome": outcome}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(json.loads(sys.argv[2]))
    else:
        sys.exit(main())
