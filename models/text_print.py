"""Summary fingerprints (PROVISIONAL, replaced wholesale by the textprint branch at merge).

Crude on purpose: the set of normalised character 5-grams, containment similarity, and a
linear scan over the stored prints. Only the contract other modules use lives here.
"""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session

COPIED = 0.6
N = 5
_KEEP = re.compile(r"[\w]")


def _normalised(text: str) -> tuple[str, list[int]]:
    """Letters, digits and CJK only, lower case; with each kept character's offset."""
    kept, offsets = [], []
    for offset, char in enumerate(text):
        if _KEEP.match(char):
            kept.append(char.lower())
            offsets.append(offset)
    return "".join(kept), offsets


def _grams(text: str) -> set[str]:
    flat, _ = _normalised(text)
    return {flat[i:i + N] for i in range(len(flat) - N + 1)}


@dataclass(frozen=True)
class TextPrint:
    """A summary's fingerprint: its 5-grams (boilerplate taken out)."""

    grams: frozenset

    def to_bytes(self) -> bytes:
        return "\n".join(sorted(self.grams)).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "TextPrint":
        text = data.decode()
        return cls(frozenset(text.split("\n")) if text else frozenset())


def fingerprint(text: str, *, boilerplate: str = "") -> TextPrint:
    return TextPrint(frozenset(_grams(text) - _grams(boilerplate)))


def similarity(a: TextPrint, b: TextPrint) -> float:
    """Containment: how much of the smaller one the other holds."""
    if not a.grams or not b.grams:
        return 0.0
    return len(a.grams & b.grams) / min(len(a.grams), len(b.grams))


def shared_passages(a: str, b: str, *, boilerplate: str = "") -> tuple[list, list]:
    """The (start, end) spans of each text that the other also holds."""
    common = _grams(a) & _grams(b) - _grams(boilerplate)
    return _spans(a, common), _spans(b, common)


def _spans(text: str, common: set[str]) -> list[tuple[int, int]]:
    flat, offsets = _normalised(text)
    spans: list[tuple[int, int]] = []
    for i in range(len(flat) - N + 1):
        if flat[i:i + N] in common:
            start, end = offsets[i], offsets[i + N - 1] + 1
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


class TextPrintRow(Base):
    """A stored summary fingerprint: of an evidence row, or of an archive file (label)."""

    __tablename__ = "text_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    unit_id: Mapped[int | None]
    assignment_id: Mapped[int | None]
    created_at: Mapped[datetime]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


def index(print_: TextPrint, *, evidence_id=None, assignment_id=None, unit_id=None, label="",
          now: datetime) -> TextPrintRow:
    """Store a print so later summaries match it; the caller commits."""
    row = TextPrintRow(evidence_id=evidence_id, assignment_id=assignment_id, unit_id=unit_id,
                       label=label, created_at=now, data=print_.to_bytes())
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Match:
    row_id: int
    evidence_id: int | None
    label: str
    similarity: float


def matches(print_: TextPrint, *, exclude_assignment_id=None, limit=5) -> list[Match]:
    """Stored prints at least COPIED alike, best first."""
    query = sa.select(TextPrintRow.id, TextPrintRow.evidence_id, TextPrintRow.label,
                      TextPrintRow.data)
    if exclude_assignment_id is not None:
        query = query.where(sa.or_(TextPrintRow.assignment_id.is_(None),
                                   TextPrintRow.assignment_id != exclude_assignment_id))
    found = []
    for row_id, evidence_id, label, data in session.execute(query):
        score = similarity(print_, TextPrint.from_bytes(data))
        if score >= COPIED:
            found.append(Match(row_id, evidence_id, label, score))
    found.sort(key=lambda m: (-m.similarity, m.row_id))
    return found[:limit]
