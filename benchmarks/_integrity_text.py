"""Benchmark `integrity_text`: the copied-summary detector (照搬照抄, issue 13), its accuracy
and one lookup against 200,000 stored prints.

Accuracy (no database): the labelled corpus of benchmarks/_text_corpus.py (seed 13):
BENCH_TEXT_DISTINCT distinct summaries over the corpus's templates and 40 reports of 4
distinct paragraphs each (hard negatives: same template; same unit, people and dates); the
learned common set is learned as models.text_print.learn_common would, from COMMON_SAMPLE
other summaries of the same generated county (its archive's newest). Recall: for
each of BENCH_TEXT_SOURCES summaries, one copy per edit kind (EDITS), judged copied when
similarity(copy, source) >= COPIED. False flags: every distinct pair judged copied, over all
distinct pairs, also by kind (same report; same unit and template; same unit; same template;
other). Targets (issue 13): recall >= 98 %, false flags <= 0.5 %.

Lookup: a throwaway database (PostgreSQL when DATABASE_URL or the local default server is
reachable, else SQLite, announced as FALLBACK) migrated to head, loaded in bulk (COPY) with
BENCH_TEXT_STORED prints: the accuracy corpus's distinct summaries and generated ones; the
common set learned once as the app does. Then models.text_print.matches() for every copy of
BENCH_TEXT_QUERIES sources (recall through the index, target >= 98 %) and for
BENCH_TEXT_NEGATIVES new distinct summaries of the same county (false flags through the index:
any match, target <= 0.5 %), timed one by one; the floor is one indexed primary-key lookup of
a stored print in the same session, timed the same way. Target: p95 < 100 ms.
Results also go to benchmarks/results/integrity_text.json. Settings (environment):
BENCH_TEXT_DISTINCT (600), BENCH_TEXT_SOURCES (300), BENCH_TEXT_STORED (200000),
BENCH_TEXT_QUERIES (300), BENCH_TEXT_NEGATIVES (1000), BENCH_TEXT_DEBUG (1: explain each copy
the index missed and each new summary it matched).
"""

import contextlib
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import sqlalchemy as sa  # noqa: E402

from _bulk import analyze, load  # noqa: E402
from _report import log, run_benchmark, target  # noqa: E402
from _stack import _postgres, _sqlite  # noqa: E402
from _text_corpus import EDITS, Corpus, boilerplate, copy_of  # noqa: E402
from models.db import make_engine, session  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.text_print import (COMMON_SAMPLE, COPIED, TextPrintKeyCount,  # noqa: E402
                               TextPrintRow, _probe_keys, common_grams, fingerprint,
                               learn_common, load_common, matches, similarity)

DISTINCT = int(os.environ.get("BENCH_TEXT_DISTINCT", "600"))
SOURCES = int(os.environ.get("BENCH_TEXT_SOURCES", "300"))
STORED = int(os.environ.get("BENCH_TEXT_STORED", "200000"))
QUERIES = int(os.environ.get("BENCH_TEXT_QUERIES", "300"))
NEGATIVES = int(os.environ.get("BENCH_TEXT_NEGATIVES", "1000"))
DEBUG = bool(os.environ.get("BENCH_TEXT_DEBUG"))
REPORTS = 40
TARGET_RECALL, TARGET_FALSE, TARGET_MS = 0.98, 0.005, 100.0
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def main() -> int:
    """Run the benchmark; 0 when it measured (targets met or not), 1 on an error."""
    return run_benchmark("integrity_text", _benchmark, _show)


def _benchmark(stack: contextlib.ExitStack) -> dict:
    corpus = Corpus(13)
    distinct = [corpus.summary() for _ in range(DISTINCT)]
    for _ in range(REPORTS):
        distinct += corpus.report()
    report = {"accuracy": _accuracy(corpus, distinct), "checks": {}}
    tmp = tempfile.mkdtemp(prefix="qinglian-bench-text-")
    stack.callback(shutil.rmtree, tmp, True)
    notes: list[str] = []
    url, _ = _postgres(stack, notes) or _sqlite(tmp)
    report["notes"] = notes
    for note in notes:
        log(note)
    report["lookup"] = _lookup(stack, url, corpus, distinct)
    report["valid"] = True
    return report


def _accuracy(corpus: Corpus, distinct: list) -> dict:
    started = time.perf_counter()
    prints = [fingerprint(s.text, boilerplate=boilerplate(s.template)) for s in distinct]
    common = common_grams([fingerprint(s.text, boilerplate=boilerplate(s.template))
                           for s in (corpus.summary() for _ in range(COMMON_SAMPLE))])
    recall = {}
    for edit in EDITS:
        scores = [similarity(fingerprint(copy_of(corpus, source, edit),
                                         boilerplate=boilerplate(source.template)),
                             print_, common=common)
                  for source, print_ in zip(distinct[:SOURCES], prints, strict=False)]
        recall[edit] = {"found": sum(score >= COPIED for score in scores),
                        "copies": len(scores), "lowest": round(min(scores), 3)}
    kinds = Counter()
    flagged = Counter()
    highest = 0.0
    for (a, print_a), (b, print_b) in itertools.combinations(zip(distinct, prints, strict=True), 2):
        kind = ("same report" if a.report and a.report == b.report
                else "same unit and template" if (a.unit, a.template) == (b.unit, b.template)
                else "same unit" if a.unit == b.unit
                else "same template" if a.template == b.template else "other")
        kinds[kind] += 1
        score = similarity(print_a, print_b, common=common)
        highest = max(highest, score)
        flagged[kind] += score >= COPIED
    found = sum(r["found"] for r in recall.values())
    copies = sum(r["copies"] for r in recall.values())
    pairs = sum(kinds.values())
    return {"recall": found / copies, "copies": copies, "by_edit": recall,
            "false_flags": sum(flagged.values()), "pairs": pairs,
            "false_rate": sum(flagged.values()) / pairs, "highest_distinct": round(highest, 3),
            "by_kind": {kind: {"pairs": kinds[kind], "flagged": flagged[kind]}
                        for kind in kinds},
            "common_set": len(common), "seconds": round(time.perf_counter() - started, 1)}


def _lookup(stack: contextlib.ExitStack, url: str, corpus: Corpus, distinct: list) -> dict:
    upgrade(url)
    engine = make_engine(url)
    stack.callback(engine.dispose)
    started = time.perf_counter()
    stored = _load(engine, corpus, distinct)
    analyze(engine)
    load_seconds = time.perf_counter() - started
    session.configure(bind=engine)
    stack.callback(session.remove)
    learn_common()
    session.commit()
    sources = [fingerprint(s.text, boilerplate=boilerplate(s.template))
               for s in distinct[:QUERIES]]
    common = load_common()
    queries = [(edit, fingerprint(copy_of(corpus, source, edit),
                                  boilerplate=boilerplate(source.template)), number)
               for number, source in enumerate(distinct[:QUERIES]) for edit in EDITS]
    fresh = [corpus.summary() for _ in range(NEGATIVES)]
    negatives = [fingerprint(s.text, boilerplate=boilerplate(s.template)) for s in fresh]
    for _, print_, _ in queries[:20]:  # warm the caches as a running server's would be
        matches(print_)
    times, found = [], Counter()
    for edit, print_, number in queries:
        began = time.perf_counter()
        result = matches(print_)
        times.append(time.perf_counter() - began)
        # Found: the source among the matches, or matches at least as close as the source
        # (the corpus's sentences recur, so other stored summaries may hold the copied text
        # as fully as its source does, and `limit` keeps only the best).
        score = similarity(print_, sources[number], common=common)
        hit = score >= COPIED and any(match.row_id == number + 1 or match.similarity >= score
                                      for match in result)
        found[edit] += hit
        if not hit and DEBUG:
            log(f"  missed: {edit} copy of row {number + 1}: similarity {score:.3f}, "
                f"{len(print_.grams)} grams, matches {result}")
            _explain(print_, sources[number], number + 1)
    flagged = 0
    for summary, print_ in zip(fresh, negatives, strict=True):
        began = time.perf_counter()
        result = matches(print_)
        times.append(time.perf_counter() - began)
        flagged += bool(result)
        if result and DEBUG:
            log(f"  flagged: new {summary.unit} summary, {len(print_.grams)} grams, "
                f"matches {result}")
    floor = []
    for row_id in range(1, 2001, 10):
        began = time.perf_counter()
        session.get(TextPrintRow, row_id)
        floor.append(time.perf_counter() - began)
        session.expunge_all()
    times_ms = sorted(1000 * t for t in times)
    floor_ms = statistics.median(floor) * 1000
    return {"backend": engine.dialect.name, "stored": stored,
            "load_seconds": round(load_seconds, 1), "lookups": len(times_ms),
            "median_ms": round(statistics.median(times_ms), 2),
            "p95_ms": round(times_ms[int(0.95 * len(times_ms))], 2),
            "max_ms": round(times_ms[-1], 2), "floor_ms": round(floor_ms, 3),
            "ratio": round(statistics.median(times_ms) / floor_ms, 1),
            "recall": sum(found.values()) / len(queries), "copies": len(queries),
            "recall_by_edit": {edit: found[edit] / QUERIES for edit in EDITS},
            "false_flags": flagged, "distinct_queries": len(negatives)}


def _load(engine: sa.Engine, corpus: Corpus, distinct: list) -> int:
    """STORED prints by COPY: the corpus's distinct summaries first (ids 1…), then new ones."""
    rows, keys, counts = [], [], Counter()
    naive = NOW.replace(tzinfo=None)
    texts = itertools.chain(distinct, (corpus.summary() for _ in range(STORED - len(distinct))))
    for row_id, summary in enumerate(texts, start=1):
        print_ = fingerprint(summary.text, boilerplate=boilerplate(summary.template))
        rows.append((row_id, f"{summary.unit}-{row_id}.txt", naive, print_.to_bytes(),
                     len(print_.grams)))
        for key in print_.keys:
            keys.append((key, row_id))
            counts[key] += 1
    load(engine, "text_print", ("id", "label", "created_at", "grams", "size"), rows)
    with _key_constraints_after(engine):
        load(engine, "text_print_key", ("key", "row_id"), keys)
    load(engine, "text_print_key_count", ("key", "documents"), counts.items())
    log(f"loaded {len(rows):,} prints, {len(keys):,} keys, {len(counts):,} distinct keys")
    return len(rows)


def _explain(print_, source, row_id) -> None:
    """Why a copy missed its source (BENCH_TEXT_DEBUG=1): its keys, how rare, which asked."""
    shared = set(print_.keys) & set(source.keys)
    counts = dict(session.execute(sa.select(TextPrintKeyCount.key, TextPrintKeyCount.documents)
                                  .where(TextPrintKeyCount.key.in_(print_.keys))).all())
    probe = _probe_keys(print_.keys)
    log(f"    keys {len(print_.keys)}, shared with source {len(shared)} "
        f"(documents {sorted(counts.get(k, 0) for k in shared)}), probed {len(probe)}, "
        f"shared probed {len(shared & set(probe))}, probe documents "
        f"{sorted(counts[k] for k in probe)}")


@contextlib.contextmanager
def _key_constraints_after(engine: sa.Engine):
    """On PostgreSQL, text_print_key's primary key and foreign key are built once after the
    COPY (one sort) instead of row by row: the migration's own definitions, dropped and re-added."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE text_print_key DROP CONSTRAINT "
                                   "fk_text_print_key_row_id_text_print, "
                                   "DROP CONSTRAINT pk_text_print_key")
    yield
    with engine.begin() as connection:
        connection.exec_driver_sql("SET maintenance_work_mem = '256MB'")
        connection.exec_driver_sql(
            "ALTER TABLE text_print_key ADD CONSTRAINT pk_text_print_key PRIMARY KEY "
            "(key, row_id), ADD CONSTRAINT fk_text_print_key_row_id_text_print FOREIGN KEY "
            "(row_id) REFERENCES text_print (id) ON DELETE CASCADE")


def _show(report: dict) -> None:
    accuracy, lookup, checks = report["accuracy"], report["lookup"], report["checks"]
    log()
    log(f"copies found, by edit (COPIED = {COPIED}):")
    for edit, result in accuracy["by_edit"].items():
        log(f"  {edit:12} {result['found']:4}/{result['copies']:<4} lowest {result['lowest']}")
    log(f"recall: {accuracy['recall']:.2%} of {accuracy['copies']} copies "
        f"(target >= {TARGET_RECALL:.0%}: {_verdict(accuracy['recall'] >= TARGET_RECALL)})")
    checks["recall"] = accuracy["recall"] >= TARGET_RECALL
    log(f"false flags: {accuracy['false_flags']} of {accuracy['pairs']:,} distinct pairs = "
        f"{accuracy['false_rate']:.4%} (target <= {TARGET_FALSE:.1%}: "
        f"{_verdict(accuracy['false_rate'] <= TARGET_FALSE)}); highest distinct "
        f"{accuracy['highest_distinct']}")
    checks["false_flags"] = accuracy["false_rate"] <= TARGET_FALSE
    for kind, counted in accuracy["by_kind"].items():
        log(f"  {kind:24} {counted['flagged']} of {counted['pairs']:,} pairs")
    log()
    log(f"lookup on {lookup['backend']} against {lookup['stored']:,} stored prints "
        f"(loaded in {lookup['load_seconds']} s): {lookup['lookups']} lookups, median "
        f"{lookup['median_ms']} ms, max {lookup['max_ms']} ms; floor (one primary-key lookup) "
        f"{lookup['floor_ms']} ms, median ratio {lookup['ratio']} ×")
    target("lookup p95", lookup["p95_ms"], TARGET_MS, "ms", checks, "lookup")
    log(f"through the index: {lookup['recall']:.2%} of {lookup['copies']} copies found their "
        f"source; {lookup['false_flags']} of {lookup['distinct_queries']} new distinct "
        f"summaries matched anything")
    log("  by edit: " + ", ".join(f"{edit} {share:.0%}"
                                  for edit, share in lookup["recall_by_edit"].items()))
    for note in report["notes"]:
        log(note)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


if __name__ == "__main__":
    sys.exit(main())
