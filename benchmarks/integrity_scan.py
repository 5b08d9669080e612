"""Benchmark `integrity_scan` (issue 13): `flask --app app integrity-scan DIR` on a labelled
archive of a few thousand files, as a county loading its paper-era material would run it.

The archive (written to a temporary folder by `write_archive`, the corpus generator):

- photos: the originals of benchmarks/_photo_corpus.py (scikit-image's photos, tiles of its two
  large ones, faces, drawn meeting rooms) as `photos/NAME.jpg`, and every edit of its EDITS
  applied to each as `photos/NAME~EDIT.jpg` (`.png` for the PNG edit);
- summaries: BENCH_SCAN_DISTINCT distinct generated summaries and 40 four-paragraph reports of
  benchmarks/_text_corpus.py as `summaries/N.txt`, and for BENCH_SCAN_SOURCES of them a copy per
  edit of its EDITS as `summaries/N~EDIT.txt`.

A pair is true when both files come from one source (the part of the name before `~`).
Printed: the CLI's wall time and peak RSS for all files (target: under 300 s, "minutes, not
hours"), its ratio to a floor measured in the same run (reading and decoding every file once,
as the scan must), recall over the (source, copy) pairs, and the pairs it printed between
different sources (false pairs, over all such pairs). The database is a throwaway one
(PostgreSQL as benchmarks/_stack.py finds it, else SQLite) migrated to head, with nothing in it:
the folder is judged against itself. Results also go to benchmarks/results/integrity_scan.json.

    .venv/bin/python benchmarks/run.py integrity_scan
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from PIL import Image  # noqa: E402

from _photo_corpus import EDITS as PHOTO_EDITS  # noqa: E402
from _photo_corpus import originals  # noqa: E402
from _report import VERDICT, log, run_benchmark, run_command, target  # noqa: E402
from _stack import app_config, provision  # noqa: E402
from _text_corpus import EDITS as TEXT_EDITS  # noqa: E402
from _text_corpus import Corpus, copy_of  # noqa: E402
from models.integrity_scan import DECODE_EDGE, files  # noqa: E402
from models.migrate import upgrade  # noqa: E402

DISTINCT = int(os.environ.get("BENCH_SCAN_DISTINCT", "1500"))
SOURCES = int(os.environ.get("BENCH_SCAN_SOURCES", "300"))
REPORTS = 40
TARGET_S = 300.0
FOLDERS = {"photo": "photos", "summary": "summaries"}
TIMEOUT_S = 3600


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("integrity_scan", _benchmark, _show)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-scan-")
    stack.callback(shutil.rmtree, tmp, True)
    folder = Path(tmp) / "archive"
    started = time.perf_counter()
    truth = write_archive(folder)
    log(f"archive: {truth['photos']:,} photos and {truth['summaries']:,} summaries written in "
        f"{time.perf_counter() - started:.0f} s")
    backends = provision(stack, tmp)
    upgrade(backends.database_url)
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    env = {**os.environ, **app_config(backends.database_url, backends.redis_url)}
    out = Path(tmp) / "pairs.jsonl"  # run_command keeps only the output's tail
    run = run_command(["sh", "-c", 'exec "$0" --app app integrity-scan "$1" > "$2"', flask,
                       str(folder), str(out)], env, TIMEOUT_S)
    if run["returncode"] != 0:
        raise RuntimeError(f"integrity-scan failed: {run['stderr']}")
    printed = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    report = {"backend": backends.label, "notes": backends.notes, "files": truth["files"],
              "scan": run, "floor_s": _floor(folder), "checks": {}, "valid": True}
    report.update(_judged(printed, truth, folder))
    return report


def write_archive(folder: Path) -> dict:
    """Write the labelled archive; returns its counts and its true (source, copy) pairs."""
    (folder / "photos").mkdir(parents=True)
    (folder / "summaries").mkdir()
    copies = {"photo": [], "summary": []}
    for name, image in originals().items():
        image.convert("RGB").save(folder / "photos" / f"{name}.jpg", quality=90)
        for edit, apply in PHOTO_EDITS.items():
            edited, ext = apply(image), ("png" if "png" in edit.lower() else "jpg")
            path = folder / "photos" / f"{name}~{edit}.{ext}"
            edited.save(path, **({"quality": 85} if ext == "jpg" else {}))
            copies["photo"].append((f"photos/{name}.jpg", path.relative_to(folder).as_posix()))
    corpus = Corpus(seed=29)
    distinct = [corpus.summary() for _ in range(DISTINCT)]
    for _ in range(REPORTS):
        distinct += corpus.report()
    for number, summary in enumerate(distinct):
        (folder / "summaries" / f"{number}.txt").write_text(summary.text, encoding="utf-8")
    for number, source in enumerate(distinct[:SOURCES]):
        for edit in TEXT_EDITS:
            name = f"summaries/{number}~{edit}.txt"
            (folder / name).write_text(copy_of(corpus, source, edit), encoding="utf-8")
            copies["summary"].append((f"summaries/{number}.txt", name))
    photos = len(list((folder / "photos").iterdir()))
    summaries = len(list((folder / "summaries").iterdir()))
    return {"photos": photos, "summaries": summaries, "files": photos + summaries,
            "copies": copies}


def _source(name: str) -> str:
    """The source a file comes from: its kind's folder and the name before `~`."""
    return name.split("~", 1)[0].rsplit(".", 1)[0]


def _judged(printed: list[dict], truth: dict, folder: Path) -> dict:
    """Recall over the true (source, copy) pairs and false pairs (different sources) per kind."""
    out = {}
    for kind, copies in truth["copies"].items():
        found = {tuple(sorted((pair["a"], pair["b"]))) for pair in printed if pair["kind"] == kind}
        hits = sum(tuple(sorted(pair)) in found for pair in copies)
        missed = Counter(copy.split("~", 1)[1].rsplit(".", 1)[0] for source, copy in copies
                         if tuple(sorted((source, copy))) not in found)
        false = sorted(pair for pair in found if _source(pair[0]) != _source(pair[1]))
        sizes = Counter(_source(name) for name, _ in files(folder / FOLDERS[kind]))
        total = sum(sizes.values())
        between = total * (total - 1) // 2 - sum(n * (n - 1) // 2 for n in sizes.values())
        out[kind] = {"pairs_printed": len(found), "copies": len(copies), "found": hits,
                     "recall": hits / max(1, len(copies)), "false_pairs": len(false),
                     "pairs_between_sources": between, "false_rate": len(false) / between,
                     "false_examples": false[:5], "missed_by_edit": dict(missed.most_common())}
    return out


def _floor(folder: Path) -> float:
    """Seconds to read every file of the folder once, photos decoded as the scan decodes them
    (at a reduced scale): the part of the scan no detector can save."""
    started = time.perf_counter()
    for _, path in files(folder):
        if path.suffix == ".txt":
            path.read_text(encoding="utf-8")
            continue
        with Image.open(path) as image:
            image.draft("RGB", (DECODE_EDGE, DECODE_EDGE))
            image.load()
    return round(time.perf_counter() - started, 2)


def _show(report: dict) -> None:
    scan, checks = report["scan"], report["checks"]
    log("")
    log(f"integrity-scan of {report['files']:,} files ({report['backend']}): "
        f"{scan['seconds']:.1f} s, {report['files'] / scan['seconds']:.0f} files/s, peak RSS "
        f"{scan['peak_rss_mb']:.0f} MB; floor (reading and decoding every file once) "
        f"{report['floor_s']:.1f} s, ratio {scan['seconds'] / report['floor_s']:.1f}×")
    target("integrity-scan wall time", scan["seconds"], TARGET_S, "s", checks, "wall_time")
    for kind, label in (("photo", "reused photos"), ("summary", "copied summaries")):
        figures = report[kind]
        log(f"{label}: {figures['found']} of {figures['copies']} copies paired with their "
            f"source = {figures['recall']:.2%}; {figures['false_pairs']} pairs between "
            f"different sources of {figures['pairs_between_sources']:,} = "
            f"{figures['false_rate']:.4%}; {figures['pairs_printed']:,} pairs printed")
        if figures["missed_by_edit"]:
            log("  missed, by edit: " + ", ".join(
                f"{edit} {count}" for edit, count in figures["missed_by_edit"].items()))
        for pair in figures["false_examples"]:
            log(f"  false pair: {pair[0]} ~ {pair[1]}")
    log(f"integrity_scan: {VERDICT[all(checks.values())]}")


if __name__ == "__main__":
    sys.exit(main())
