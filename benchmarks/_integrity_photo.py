"""Benchmark `integrity_photo`: the reused-photo detector (issue 13), accuracy and lookup time.

Accuracy, on the corpus of benchmarks/_photo_corpus.py (scikit-image's photos, tiles of its
two large ones, LFW faces, drawn meeting rooms; every edit of the issue applied to each):

- recall: edited copies judged reused (similarity >= REUSED) against their original, per
  edit and in all; target >= 95 %;
- false flags: distinct pairs judged reused, over every (edited copy, other original) and
  (original, other original) pair; target <= 0.5 %; the hard negatives (tiles of one photo,
  faces, rooms) also on their own;
- the same figures for a plain 64-bit pHash (imagehash, Hamming distance <= 10) as baseline.

Speed: fingerprint() of a 1600×1200 photo (target < 30 ms); then, in a throwaway database
(PostgreSQL as benchmarks/_stack.py finds it, else SQLite), BENCH_PHOTO_ROWS (1,000,000)
stored fingerprints bulk loaded (COPY / executemany; random prints of the real size) plus the
corpus originals indexed through models.photo_print.index; each edited copy is looked up with
matches() (target < 50 ms, median and p95), and the share of copies found through the index
is printed, with the step of matches() that lost each copy it missed. Floor: one indexed
primary-key lookup of a stored print, same run, same database.
Results also go to benchmarks/results/integrity_photo.json.
"""

import contextlib
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import numpy as np  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from _bulk import analyze  # noqa: E402
from _photo_corpus import EDITS, hard_negatives, originals  # noqa: E402
from _report import VERDICT, log, run_benchmark, target  # noqa: E402
from _stack import _postgres, _sqlite  # noqa: E402
from models import photo_print  # noqa: E402
from models.db import make_engine, session  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.photo_print import REUSED, PhotoPrintRow, fingerprint, similarity  # noqa: E402

ROWS = int(os.environ.get("BENCH_PHOTO_ROWS", "1000000"))
RECALL_TARGET, FALSE_TARGET = 0.95, 0.005
FINGERPRINT_MS, LOOKUP_MS = 30.0, 50.0
BASELINE_BITS = 10  # a plain pHash "same photo" distance
VIEWS = len(photo_print.VIEWS)
COLOUR_WIDTH = 2 * photo_print.COLOUR_GRID ** 2
STEP = 8 + 63 + COLOUR_WIDTH  # per view: a 64-bit hash, 63 coefficients, the colour layout
PRINT_WIDTH = 4 + VIEWS * STEP


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("integrity_photo", _benchmark, _show)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    report = {"checks": {}, "notes": []}
    corpus = _corpus()
    report["accuracy"] = _accuracy(corpus)
    report["baseline"] = _baseline()
    report["fingerprint_ms"] = _fingerprint_ms()
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-photo-")
    stack.callback(shutil.rmtree, tmp, True)
    url, _ = _postgres(stack, report["notes"]) or _sqlite(tmp)
    report["database"] = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    report["lookup"] = _lookup(stack, url, corpus)
    report["valid"] = True
    return report


def _corpus() -> dict:
    started = time.perf_counter()
    prints = {name: fingerprint(image) for name, image in originals().items()}
    edited = {(name, edit): fingerprint(change(image))
              for name, image in originals().items() for edit, change in EDITS.items()}
    log(f"corpus: {len(prints)} photos × {len(EDITS)} edits fingerprinted in "
        f"{time.perf_counter() - started:.1f} s")
    return {"prints": prints, "edited": edited}


def _accuracy(corpus: dict) -> dict:
    prints, edited = corpus["prints"], corpus["edited"]
    per_edit: dict[str, list[bool]] = {}
    for (name, edit), copy in edited.items():
        per_edit.setdefault(edit, []).append(similarity(prints[name], copy) >= REUSED)
    distinct = [similarity(prints[other], copy) >= REUSED for (name, _), copy in edited.items()
                for other in prints if other != name]
    distinct += [similarity(prints[a], prints[b]) >= REUSED
                 for a, b in itertools.combinations(prints, 2)]
    hard: dict[str, list[bool]] = {}
    for a, b in hard_negatives():
        hard.setdefault(a.split("-")[0], []).append(similarity(prints[a], prints[b]) >= REUSED)
    missed = [f"{name} {edit}" for (name, edit), copy in edited.items()
              if similarity(prints[name], copy) < REUSED]
    recalled = [hit for hits in per_edit.values() for hit in hits]
    return {"recall": sum(recalled) / len(recalled), "pairs": len(recalled),
            "false_flags": sum(distinct) / len(distinct), "distinct_pairs": len(distinct),
            "per_edit": {edit: sum(hits) / len(hits) for edit, hits in per_edit.items()},
            "hard_negatives": {group: [sum(flags), len(flags)] for group, flags in hard.items()},
            "missed": missed}


def _baseline() -> dict:
    """The same corpus judged by a plain 64-bit pHash (imagehash.phash, distance <= 10)."""
    import imagehash

    photos = originals()
    hashes = {name: imagehash.phash(image) for name, image in photos.items()}
    hits = [hashes[name] - imagehash.phash(change(image)) <= BASELINE_BITS
            for name, image in photos.items() for change in EDITS.values()]
    flags = [hashes[a] - hashes[b] <= BASELINE_BITS for a, b in itertools.combinations(hashes, 2)]
    return {"recall": sum(hits) / len(hits), "false_flags": sum(flags) / len(flags)}


def _fingerprint_ms() -> float:
    photo = originals()["astronaut"].resize((1600, 1200))
    fingerprint(photo)
    times = []
    for _ in range(30):
        started = time.perf_counter()
        fingerprint(photo)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _lookup(stack: contextlib.ExitStack, url: str, corpus: dict) -> dict:
    upgrade(url)
    engine = make_engine(url)
    stack.callback(engine.dispose)
    started = time.perf_counter()
    _bulk_load(engine, ROWS)
    loaded = time.perf_counter() - started
    log(f"loaded {ROWS:,} stored fingerprints in {loaded:.1f} s")
    session.configure(bind=engine)
    stack.callback(session.remove)
    now = datetime.now(UTC)
    ids = {name: photo_print.index(print_, label=name, now=now).id
           for name, print_ in corpus["prints"].items()}
    session.commit()
    analyze(engine)
    floor = _floor(engine, ROWS)
    times, found, missed = [], 0, {}
    for (name, edit), copy in corpus["edited"].items():
        session.remove()
        started = time.perf_counter()
        result = photo_print.matches(copy)
        times.append((time.perf_counter() - started) * 1000)
        if result and result[0].row_id == ids[name]:
            found += 1
        else:
            why = _why_missed(corpus["prints"][name], copy, ids[name])
            missed.setdefault(why, []).append(f"{name} {edit}")
    median = statistics.median(times)
    return {"rows": ROWS, "load_s": round(loaded, 1), "floor_ms": floor,
            "median_ms": median, "p95_ms": float(np.percentile(times, 95)),
            "ratio": median / floor, "found": found / len(times), "lookups": len(times),
            "missed": missed}


def _why_missed(original, copy, row_id: int) -> str:
    """The first step of matches() that lost a copy's original."""
    if similarity(original, copy) < REUSED:
        return "not reused by similarity()"
    probed = {probe for view in range(min(photo_print.PROBED, len(copy.hashes)))
              for probe in photo_print._probes(copy, view)}
    stored = photo_print.band_rows(original, row_id)
    if not any((row["band"], row["key"]) in probed for row in stored):
        return "no probed band key"
    views = [value >> 1 for value in copy.hashes]
    if min((row["hash"] ^ view).bit_count() for row in stored for view in views) \
            > photo_print.PREFILTER:
        return "beyond PREFILTER"
    if row_id not in photo_print._candidates(copy, None, None):
        return "cut at MAX_CANDIDATES"
    return "outranked by another stored print"


def _floor(engine: sa.Engine, rows: int) -> float:
    """One indexed primary-key lookup of a stored print (median of 200, random ids)."""
    rng = np.random.default_rng(1)
    statement = sa.select(PhotoPrintRow.print_bytes).where(PhotoPrintRow.id == sa.bindparam("id"))
    times = []
    with engine.connect() as connection:
        for row_id in rng.integers(1, rows, 200):
            started = time.perf_counter()
            connection.execute(statement, {"id": int(row_id)}).scalar_one()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _bulk_load(engine: sa.Engine, rows: int) -> None:
    """`rows` random fingerprints of the real size, ids 1..rows, and their band rows."""
    rng = np.random.default_rng(13)
    prints = rng.integers(0, 256, (rows, PRINT_WIDTH), dtype=np.uint8)  # the colour layouts
    prints[:, :4] = (2, VIEWS, 63, COLOUR_WIDTH)
    for view in range(VIEWS):  # unit vectors × 127, as fingerprint() stores them
        vectors = rng.standard_normal((rows, 63), dtype=np.float32)
        vectors *= 127 / np.linalg.norm(vectors, axis=1, keepdims=True)
        offset = 4 + STEP * view + 8
        prints[:, offset:offset + 63] = np.round(vectors).astype(np.int8).view(np.uint8)
    hashes = rng.integers(0, 2 ** 63, (rows, len(photo_print.INDEXED)), dtype=np.uint64)
    for column, view in enumerate(photo_print.INDEXED):
        offset = 4 + STEP * view
        prints[:, offset:offset + 8] = (hashes[:, column] << np.uint64(1)).astype(">u8") \
            .view(np.uint8).reshape(rows, 8)
    created = datetime.now(UTC).replace(tzinfo=None)
    bands = _band_rows(hashes)
    if engine.dialect.name == "postgresql":
        _copy(engine, prints, bands, created)
    else:
        _insert(engine, prints, bands, created)


def _band_rows(hashes: np.ndarray) -> np.ndarray:
    """(band, key, row_id, hash) for every indexed view of every row, sorted by the key."""
    rows, views = hashes.shape
    parts = []
    for band in range(photo_print.BANDS):
        shift = np.uint64(63 - photo_print.BAND_BITS * (band + 1))
        keys = (hashes >> shift) & np.uint64((1 << photo_print.BAND_BITS) - 1)
        ids = np.repeat(np.arange(1, rows + 1, dtype=np.int64)[:, None], views, axis=1)
        parts.append(np.stack([np.full(keys.size, band, dtype=np.int64),
                               keys.ravel().astype(np.int64), ids.ravel(),
                               hashes.ravel().astype(np.int64)], axis=1))
    table = np.concatenate(parts)
    table = table[np.lexsort((table[:, 2], table[:, 1], table[:, 0]))]
    keep = np.ones(len(table), dtype=bool)
    keep[1:] = np.any(table[1:, :3] != table[:-1, :3], axis=1)
    return table[keep]


def _copy(engine: sa.Engine, prints: np.ndarray, bands: np.ndarray, created: datetime) -> None:
    """COPY both tables, the band table's key and foreign key added after the load."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE photo_print_band DROP CONSTRAINT "
                                   "fk_photo_print_band_row_id_photo_print")
        connection.exec_driver_sql("ALTER TABLE photo_print_band DROP CONSTRAINT "
                                   "pk_photo_print_band")
        cursor = connection.connection.cursor()
        with cursor.copy("COPY photo_print (id, label, created_at, print_bytes) FROM STDIN") as copy:
            for row_id, data in enumerate(prints, 1):
                copy.write_row((row_id, "", created, data.tobytes()))
        with cursor.copy("COPY photo_print_band (band, key, row_id, hash) FROM STDIN") as copy:
            for start in range(0, len(bands), 200_000):
                chunk = bands[start:start + 200_000]
                copy.write("".join(f"{b}\t{k}\t{r}\t{h}\n" for b, k, r, h in chunk.tolist()))
        connection.exec_driver_sql("ALTER TABLE photo_print_band ADD CONSTRAINT "
                                   "pk_photo_print_band PRIMARY KEY (band, key, row_id, hash)")
        connection.exec_driver_sql(
            "ALTER TABLE photo_print_band ADD CONSTRAINT fk_photo_print_band_row_id_photo_print "
            "FOREIGN KEY (row_id) REFERENCES photo_print (id) ON DELETE CASCADE")
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('photo_print', 'id'), "
                                   f"{len(prints) + 1}, false)")


def _insert(engine: sa.Engine, prints: np.ndarray, bands: np.ndarray, created: datetime) -> None:
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        raw.executemany("INSERT INTO photo_print (id, label, created_at, print_bytes) "
                        "VALUES (?, '', ?, ?)",
                        ((row_id, created, data.tobytes()) for row_id, data in enumerate(prints, 1)))
        raw.executemany("INSERT INTO photo_print_band (band, key, row_id, hash) VALUES (?, ?, ?, ?)",
                        bands.tolist())


def _show(report: dict) -> None:
    accuracy, baseline, lookup = report["accuracy"], report["baseline"], report["lookup"]
    log()
    log(f"{'edit':24} recall")
    for edit, recall in accuracy["per_edit"].items():
        log(f"{edit:24} {recall:6.1%}")
    log(f"recall: {accuracy['recall']:.1%} of {accuracy['pairs']} reused pairs "
        f"(target >= {RECALL_TARGET:.0%}: {VERDICT[accuracy['recall'] >= RECALL_TARGET]})")
    log(f"false flags: {accuracy['false_flags']:.2%} of {accuracy['distinct_pairs']:,} distinct "
        f"pairs (target <= {FALSE_TARGET:.1%}: "
        f"{VERDICT[accuracy['false_flags'] <= FALSE_TARGET]})")
    report["checks"]["recall"] = accuracy["recall"] >= RECALL_TARGET
    report["checks"]["false_flags"] = accuracy["false_flags"] <= FALSE_TARGET
    for group, (flagged, pairs) in accuracy["hard_negatives"].items():
        log(f"  hard negatives, {group}: {flagged} of {pairs} pairs flagged")
    log(f"  missed: {', '.join(accuracy['missed']) or 'none'}")
    log(f"baseline, plain 64-bit pHash (distance <= {BASELINE_BITS}): recall "
        f"{baseline['recall']:.1%}, false flags {baseline['false_flags']:.2%} of original pairs")
    target("fingerprint(), 1600×1200 photo, median", report["fingerprint_ms"], FINGERPRINT_MS,
           "ms", report["checks"], "fingerprint")
    log(f"{report['database']}: {lookup['rows']:,} stored fingerprints (loaded in "
        f"{lookup['load_s']} s); floor, one primary-key lookup: {lookup['floor_ms']:.3f} ms")
    target(f"matches(), one photo against {lookup['rows']:,}, median", lookup["median_ms"],
           LOOKUP_MS, "ms", report["checks"], "lookup")
    log(f"  p95 {lookup['p95_ms']:.1f} ms, {lookup['ratio']:.0f} × the floor; "
        f"{lookup['found']:.1%} of {lookup['lookups']} edited copies found their original "
        "through the index")
    for why, copies in lookup["missed"].items():
        log(f"  missed through the index, {why}: {len(copies)} ({', '.join(copies)})")
    for note in report["notes"]:
        log(note)


if __name__ == "__main__":
    sys.exit(main())
