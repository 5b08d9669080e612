"""Copied summaries (照搬照抄, issue 13): a fingerprint of a summary's wording and its index.

A summary is normalised (full/half width folded, punctuation and whitespace dropped, numeral
runs and unit names each turned into one placeholder, so changed dates, counts and the unit
renamed do not hide a copy) and cut into character 5-grams. Wording everyone shares is left
out: the task template's own title and requirements, STANDARD_PHRASES, and the learned common
set (grams found in very many stored summaries, `learn_common`). Two prints are compared by
containment: the share of one text's own characters that lie under grams the other has too,
for whichever text is covered more, so a copy wrapped in a new opening and closing paragraph
still scores high.

The index does not use MinHash banding: banded MinHash estimates Jaccard, and a copy inside a
longer text has a low Jaccard however exact the copy is. Instead about one gram in KEY_EVERY,
chosen by its hash alone (Broder's 0-mod-p sampling), starts a key, which pairs it with the
gram KEY_SPAN characters on: a shared passage shares its keys whatever surrounds it. A lookup
asks for the posting lists of the print's PROBE rarest keys (text_print_key_count says how
rare), lets the database rank the rows by keys shared, and computes the exact containment of
the best CANDIDATES of them. Plain SQL: the same on SQLite and PostgreSQL.
"""

import re
import unicodedata
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session

COPIED = 0.4  # similarity at or above which a pair is judged copied (benchmarks/_integrity_text.py)
N = 5  # characters per gram
MIN_GRAMS = 20  # a text with fewer own grams is too short to call a copy
MIN_SHARED = 40  # a copy shares at least this many of its own characters
PREFILTER = 0.2  # a pair sharing fewer than this share of the smaller's grams is not compared
KEY_EVERY = 4  # about one gram in KEY_EVERY starts an index key
KEY_SPAN = 4  # … which pairs it with the gram KEY_SPAN characters on
PROBE = 64  # keys asked for per lookup, the rarest first
MAX_POSTINGS = 1000  # a key in more stored prints than this is common wording, not evidence
CANDIDATES = 150  # rows whose exact containment is computed per lookup
# The learned common set: grams in at least COMMON_SHARE of the sampled prints. In an archive
# of 200,000 summaries, wording 2,000 of them use is stock wording, nobody's own; at 5 % a
# tenth of new distinct summaries matched a stored one (benchmarks/README.md, integrity_text).
COMMON_SHARE = 0.01
COMMON_MIN = 20  # … and in at least this many of them
COMMON_SAMPLE = 2000  # the newest prints the common set is learned from
LEARN_EVERY = 500  # index() relearns the common set every LEARN_EVERY rows
_IN_CHUNK = 500  # values per IN (…) list, well inside any SQLite's limit on parameters
PLACEHOLDER = "#"  # a run of numerals
NAME = "@"  # a unit's name
# A unit's name as summaries write it (县财政局, 青山镇, 龙泉街道, 县人民医院): renaming the unit
# is the first edit of a copy, and a unit's own distinct summaries all name it.
UNIT_NAME = re.compile(r"(?<![\u4e00-\u9fff])(?:县|市|区)?[\u4e00-\u9fff]{1,10}"
                       r"(?:镇|乡|街道|局|委员会|社区|社|院)")

# Wording every unit uses (文件套话): never evidence of copying.
STANDARD_PHRASES = (
    "深入学习贯彻", "学习贯彻", "党风廉政建设", "全面从严治党", "高度重视", "切实加强",
    "认真贯彻落实", "贯彻落实", "主体责任", "监督责任", "两个责任", "一岗双责", "中央八项规定精神",
    "八项规定", "四风", "习近平新时代中国特色社会主义思想", "习近平总书记", "党的二十大精神",
    "党的二十届", "纪委监委", "县纪委", "廉洁自律", "廉政风险", "风险防控", "警示教育", "以案促改",
    "以案为鉴", "压实责任", "层层传导压力", "常态化", "制度化", "规范化", "进一步", "不断提高",
    "取得实效", "取得明显成效", "扎实推进", "持续深化", "认真落实", "严格落实", "抓好落实",
    "作风建设", "廉政教育", "党员干部", "领导干部", "班子成员", "党组织书记", "第一责任人",
    "工作小结", "工作总结", "专题会议", "民主生活会", "组织生活会", "谈心谈话", "廉政谈话",
    "监督检查", "问题整改", "整改落实", "廉洁文化", "清廉建设", "营造风清气正", "风清气正",
    "政治生态", "存在的问题", "下一步工作打算", "下一步", "一是", "二是", "三是", "四是",
)

_NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百千万亿两")
_MIX, _MIX2 = 0x9E3779B1, 0x85EBCA6B


@dataclass(frozen=True)
class TextPrint:
    """A summary's grams in text order, as 32-bit hashes; 0 where no own gram starts (it
    would touch boilerplate). The order lets a comparison count characters, not grams."""

    sequence: tuple[int, ...]

    def to_bytes(self) -> bytes:
        values = array("I", self.sequence)
        if not _LITTLE:
            values.byteswap()
        return values.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "TextPrint":
        values = array("I")
        values.frombytes(data)
        if not _LITTLE:
            values.byteswap()
        return cls(tuple(values))

    @cached_property
    def grams(self) -> frozenset[int]:
        return frozenset(self.sequence) - {0}

    @property
    def keys(self) -> list[int]:
        """The index keys: about one own gram in KEY_EVERY (chosen by its hash alone, the
        same in every text) with the own gram KEY_SPAN characters on, hashed together: a
        window of KEY_SPAN + N characters, rare enough that a posting list stays short."""
        return self.index_keys()

    def index_keys(self, common: frozenset[int] = frozenset()) -> list[int]:
        """The keys whose two grams are both outside `common`."""
        sequence, keys = self.sequence, set()
        for start in range(len(sequence) - KEY_SPAN):
            first, second = sequence[start], sequence[start + KEY_SPAN]
            if first and second and is_key(first) and first not in common \
                    and second not in common:
                keys.add(((first * _MIX + second * _MIX2) & 0xFFFFFFFF) or 1)
        return sorted(keys)


_LITTLE = array("I", [1]).tobytes()[0] == 1  # stored little-endian on every machine


def is_key(gram: int) -> bool:
    """About one gram in KEY_EVERY, by the top bits of its mixed hash (Fibonacci hashing)."""
    return ((gram * _MIX) & 0xFFFFFFFF) * KEY_EVERY >> 32 == 0


def normalise(text: str, names: tuple[str, ...] = ()) -> tuple[str, list[tuple[int, int]]]:
    """`text` folded for comparison, and for each folded character the span [start, end) of
    `text` it stands for. Unit names (`names`, and what UNIT_NAME finds) become NAME."""
    named = _name_spans(text, names)
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        if index in named:
            char, end = NAME, named[index]
        else:
            char, end = _fold(text[index]), index + 1
        index, start = end, index
        if not char:
            continue
        if char in (PLACEHOLDER, NAME) and chars and chars[-1] == char:
            spans[-1] = (spans[-1][0], end)  # a run is one placeholder: 2025年6月, 2026年11月
            continue
        chars.append(char)
        spans.append((start, end))
    return "".join(chars), spans


def _fold(char: str) -> str:
    folded = char if "\u4e00" <= char <= "\u9fff" else unicodedata.normalize("NFKC", char)
    if len(folded) != 1 or not folded.isalnum():
        return ""  # punctuation, whitespace
    return PLACEHOLDER if folded in _NUMERALS else folded.lower()


def _name_spans(text: str, names: tuple[str, ...]) -> dict[int, int]:
    """{start: end} of the unit names in `text`, longest first, not overlapping."""
    found = [match.span() for match in UNIT_NAME.finditer(text)]
    for name in names:
        found += [(match.start(), match.end()) for match in re.finditer(re.escape(name), text)]
    spans, taken = {}, [False] * (len(text) + 1)
    for start, end in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
        if not any(taken[start:end]):
            spans[start] = end
            taken[start:end] = [True] * (end - start)
    return spans


def _hash(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) or 1  # 0 marks "no gram here"


def _grams_at(folded: str, boilerplate: str) -> list[tuple[int, int]]:
    """(start, hash) of every gram of `folded` that touches no boilerplate character."""
    hashes = [_hash(folded[start:start + N]) for start in range(len(folded) - N + 1)]
    masked = [False] * len(folded)
    for found in _standard_phrases().finditer(folded):
        masked[found.start():found.end()] = [True] * (found.end() - found.start())
    template = _boilerplate_grams(boilerplate)
    if template:
        for start, gram in enumerate(hashes):
            if gram in template:
                masked[start:start + N] = [True] * N
    out = []
    run = 0  # unmasked characters ending at i
    for i, blocked in enumerate(masked):
        run = 0 if blocked else run + 1
        if run >= N:
            out.append((i - N + 1, hashes[i - N + 1]))
    return out


@lru_cache(maxsize=1)
def _standard_phrases() -> re.Pattern:
    folded = {normalise(phrase)[0] for phrase in STANDARD_PHRASES}
    return re.compile("|".join(re.escape(phrase) for phrase in sorted(folded, key=len,
                                                                      reverse=True)))


@lru_cache(maxsize=256)
def _boilerplate_grams(boilerplate: str) -> frozenset[int]:
    folded = normalise(boilerplate)[0]
    return frozenset(_hash(folded[i:i + N]) for i in range(len(folded) - N + 1))


def fingerprint(text: str, *, boilerplate: str = "", names: tuple[str, ...] = ()) -> TextPrint:
    """The print of a summary; `boilerplate` is its task template's wording (title and
    requirements), whose grams, like the standard phrases', are left out; `names` are unit
    names to read as one placeholder besides those UNIT_NAME finds."""
    folded = normalise(text, tuple(names))[0]
    sequence = [0] * max(0, len(folded) - N + 1)
    for start, gram in _grams_at(folded, boilerplate):
        sequence[start] = gram
    return TextPrint(tuple(sequence))


def similarity(a: TextPrint, b: TextPrint, *, common: frozenset[int] = frozenset()) -> float:
    """How much of one text the other contains, 0.0–1.0: the share of its own characters
    (those in grams that are neither boilerplate nor in `common`, the learned common set)
    covered by grams the two share, for whichever of the two is covered more. A text with
    fewer than MIN_GRAMS own grams is too short to judge, and fewer than MIN_SHARED shared
    characters are a few common phrases, not a copy (0.0 both)."""
    first, second = (a.grams - common, b.grams - common) if common else (a.grams, b.grams)
    shared = first & second
    if min(len(first), len(second)) < MIN_GRAMS or not shared:
        return 0.0
    if len(shared) < PREFILTER * min(len(first), len(second)):
        return 0.0  # far below COPIED: not worth counting characters
    covered_a, total_a = _covered(a.sequence, first, shared)
    covered_b, total_b = _covered(b.sequence, second, shared)
    if max(covered_a, covered_b) < MIN_SHARED:
        return 0.0  # a few shared phrases, not a copied passage
    return max(covered_a / total_a, covered_b / total_b)


def _covered(sequence: tuple[int, ...], own: frozenset[int], shared: frozenset[int]
             ) -> tuple[int, int]:
    """(characters under `shared` grams, characters under `own` grams) of a print."""
    total = covered = total_end = covered_end = 0
    for start, gram in enumerate(sequence):
        if gram not in own:
            continue
        end = start + N
        total += end - max(start, total_end)
        total_end = end
        if gram in shared:
            covered += end - max(start, covered_end)
            covered_end = end
    return covered, total


def shared_passages(a: str, b: str, *, boilerplate: str = "", names: tuple[str, ...] = (),
                    common: frozenset[int] = frozenset()
                    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character spans [start, end) in `a` and in `b` of the passages they share (boilerplate
    left out), for marking on the review page."""
    folded_a, where_a = normalise(a, tuple(names))
    folded_b, where_b = normalise(b, tuple(names))
    grams_a, grams_b = _grams_at(folded_a, boilerplate), _grams_at(folded_b, boilerplate)
    shared = ({gram for _, gram in grams_a} & {gram for _, gram in grams_b}) - common
    return _spans(grams_a, shared, where_a), _spans(grams_b, shared, where_b)


def _spans(grams: list[tuple[int, int]], shared: set[int], where: list[tuple[int, int]]
           ) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for start, gram in grams:
        if gram not in shared:
            continue
        end = start + N  # in folded characters
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(where[start][0], where[end - 1][1]) for start, end in spans]


# The stored prints and their index.

class TextPrintRow(Base):
    """One stored print: a summary handed in as evidence, or a file from a scanned archive."""

    __tablename__ = "text_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    label: Mapped[str] = mapped_column(sa.String(255), default="")  # an archive file's name
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    created_at: Mapped[datetime]
    grams: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size: Mapped[int]  # how many grams


class TextPrintKey(Base):
    """A posting: stored print `row_id` has index key `key`."""

    __tablename__ = "text_print_key"

    key: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    row_id: Mapped[int] = mapped_column(sa.ForeignKey("text_print.id", ondelete="CASCADE"),
                                        primary_key=True)


class TextPrintKeyCount(Base):
    """How many stored prints have index key `key` (a lookup asks for the rarest keys)."""

    __tablename__ = "text_print_key_count"

    key: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    documents: Mapped[int]


class TextPrintCommon(Base):
    """The learned common set: a gram found in very many stored summaries (see learn_common)."""

    __tablename__ = "text_print_common"

    gram: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)


def index(print_: TextPrint, *, evidence_id: int | None = None,
          assignment_id: int | None = None, unit_id: int | None = None, label: str = "",
          now: datetime) -> TextPrintRow:
    """Add a print to the stored ones (flushed, not committed)."""
    row = TextPrintRow(evidence_id=evidence_id, assignment_id=assignment_id, unit_id=unit_id,
                       label=label, created_at=now, grams=print_.to_bytes(),
                       size=len(print_.grams))
    session.add(row)
    session.flush()
    keys = print_.keys
    if keys:
        session.execute(sa.insert(TextPrintKey), [{"key": key, "row_id": row.id} for key in keys])
        _count_keys(keys)
    if row.id % LEARN_EVERY == 0:
        learn_common()
    return row


def _insert(table: type[Base]):
    """INSERT for `table` in the bound database's dialect, for its ON CONFLICT clauses."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert)(table)


def _count_keys(keys: list[int]) -> None:
    """documents += 1 for each key, atomically on both backends (INSERT … ON CONFLICT)."""
    statement = _insert(TextPrintKeyCount).on_conflict_do_update(
        index_elements=["key"], set_={"documents": TextPrintKeyCount.documents + 1})
    session.execute(statement, [{"key": key, "documents": 1} for key in keys])


@dataclass(frozen=True)
class Match:
    row_id: int
    evidence_id: int | None
    label: str
    similarity: float


def matches(print_: TextPrint, *, exclude_assignment_id: int | None = None,
            limit: int = 5) -> list[Match]:
    """Stored prints judged copied (similarity >= COPIED), best first; rows of
    `exclude_assignment_id` (the same task's earlier rounds) are skipped."""
    if len(print_.grams) < MIN_GRAMS:
        return []  # too short to judge (see similarity)
    common = load_common()
    # All keys, common wording's too: the rarest are asked for, and a copy's passage may be
    # common wording stitched with its own (its keys straddle both).
    probe = _probe_keys(print_.keys)
    if not probe:
        return []
    shared = sa.func.count()  # (weighting keys by rarity ranked worse in the benchmark)
    ranked = session.scalars(sa.select(TextPrintKey.row_id)
                             .where(TextPrintKey.key.in_(list(probe)))
                             .group_by(TextPrintKey.row_id)
                             .order_by(shared.desc(), TextPrintKey.row_id)
                             .limit(CANDIDATES)).all()
    rows = session.execute(sa.select(TextPrintRow.id, TextPrintRow.evidence_id,
                                     TextPrintRow.label, TextPrintRow.assignment_id,
                                     TextPrintRow.grams)
                           .where(TextPrintRow.id.in_(ranked))).all()
    found = []
    for row in rows:
        if exclude_assignment_id is not None and row.assignment_id == exclude_assignment_id:
            continue
        score = similarity(print_, TextPrint.from_bytes(row.grams), common=common)
        if score >= COPIED:
            found.append(Match(row.id, row.evidence_id, row.label, round(score, 4)))
    found.sort(key=lambda match: (-match.similarity, match.row_id))
    return found[:limit]


def _probe_keys(keys: list[int]) -> dict[int, int]:
    """The PROBE rarest of `keys` among the stored prints, with how many prints have each
    (keys no print has are useless, keys in more than MAX_POSTINGS are common wording)."""
    if not keys:
        return {}
    counts = session.execute(sa.select(TextPrintKeyCount.key, TextPrintKeyCount.documents)
                             .where(TextPrintKeyCount.key.in_(keys),
                                    TextPrintKeyCount.documents <= MAX_POSTINGS)).all()
    counts.sort(key=lambda count: (count.documents, count.key))
    return {count.key: count.documents for count in counts[:PROBE]}


def common_grams(prints: list[TextPrint], *, share: float = COMMON_SHARE,
                 minimum: int = COMMON_MIN) -> frozenset[int]:
    """Grams found in at least `share` of `prints` (and in at least `minimum` of them)."""
    counts = Counter(gram for print_ in prints for gram in print_.grams)
    floor = max(minimum, share * len(prints))
    return frozenset(gram for gram, count in counts.items() if count >= floor)


def learn_common(sample: int = COMMON_SAMPLE) -> int:
    """Relearn the common set from the newest `sample` stored prints; returns its size."""
    blobs = session.scalars(sa.select(TextPrintRow.grams).order_by(TextPrintRow.id.desc())
                            .limit(sample)).all()
    common = common_grams([TextPrint.from_bytes(blob) for blob in blobs])
    _store_common(common, stored=load_common())
    return len(common)


def _store_common(common: frozenset[int], *, stored: frozenset[int]) -> None:
    """Make the stored common set `common`, given `stored` as this transaction read it.

    Two processes may relearn at once (index() in two workers): each deletes only the grams
    it read that are no longer common and inserts the new ones with ON CONFLICT DO NOTHING,
    so a row the other has just inserted is no primary-key collision (deleting everything
    and inserting it again was one). Both in ascending order, so the two never wait on each
    other in a cycle (no deadlock on PostgreSQL)."""
    stale = sorted(stored - common)
    for start in range(0, len(stale), _IN_CHUNK):
        session.execute(sa.delete(TextPrintCommon)
                        .where(TextPrintCommon.gram.in_(stale[start:start + _IN_CHUNK])))
    new = sorted(common - stored)
    if new:
        session.execute(_insert(TextPrintCommon).on_conflict_do_nothing(index_elements=["gram"]),
                        [{"gram": gram} for gram in new])


def load_common() -> frozenset[int]:
    """The learned common set as stored.

    Every lookup needs it, and it is thousands of rows that change only when relearned: the
    set is kept in memory for as long as the table's count and sum of grams are the same,
    which one aggregate over the table tells (a few rows' worth of work, not thousands)."""
    total = sa.func.coalesce(sa.func.sum(TextPrintCommon.gram), 0)
    version = (id(session.get_bind()), *session.execute(sa.select(sa.func.count(), total)).one())
    return _stored_common(version)


@lru_cache(maxsize=1)
def _stored_common(version: tuple) -> frozenset[int]:
    """The stored common set, read once per `version` (see load_common)."""
    return frozenset(session.scalars(sa.select(TextPrintCommon.gram)))
