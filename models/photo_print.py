"""Photo fingerprints (PROVISIONAL, replaced wholesale by the photoprint branch at merge).

Crude on purpose: a 64-bit dHash of a 9x8 greyscale, similarity = 1 - hamming/64, and a linear
scan over the stored prints. Only the contract other modules use lives here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session

REUSED = 0.9


@dataclass(frozen=True)
class PhotoPrint:
    """A photo's fingerprint: 64 bits."""

    bits: int

    def to_bytes(self) -> bytes:
        return self.bits.to_bytes(8, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> "PhotoPrint":
        return cls(int.from_bytes(data[:8], "big"))


def fingerprint(image: Image.Image) -> PhotoPrint:
    """dHash: greyscale, 9x8, one bit per pixel brighter than its left neighbour."""
    pixels = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = bits << 1 | (pixels[row * 9 + col + 1] > pixels[row * 9 + col])
    return PhotoPrint(bits)


def similarity(a: PhotoPrint, b: PhotoPrint) -> float:
    """1 for the same picture, about 0.5 for unrelated ones."""
    return 1 - (a.bits ^ b.bits).bit_count() / 64


class PhotoPrintRow(Base):
    """A stored photo fingerprint: of an evidence row, or of an archive file (label)."""

    __tablename__ = "photo_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    unit_id: Mapped[int | None]
    assignment_id: Mapped[int | None]
    created_at: Mapped[datetime]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


def index(print_: PhotoPrint, *, evidence_id=None, assignment_id=None, unit_id=None, label="",
          now: datetime) -> PhotoPrintRow:
    """Store a print so later photos match it; the caller commits."""
    row = PhotoPrintRow(evidence_id=evidence_id, assignment_id=assignment_id, unit_id=unit_id,
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


def matches(print_: PhotoPrint, *, exclude_assignment_id=None, limit=5) -> list[Match]:
    """Stored prints at least REUSED alike, best first."""
    query = sa.select(PhotoPrintRow.id, PhotoPrintRow.evidence_id, PhotoPrintRow.label,
                      PhotoPrintRow.data)
    if exclude_assignment_id is not None:
        query = query.where(sa.or_(PhotoPrintRow.assignment_id.is_(None),
                                   PhotoPrintRow.assignment_id != exclude_assignment_id))
    found = []
    for row_id, evidence_id, label, data in session.execute(query):
        score = similarity(print_, PhotoPrint.from_bytes(data))
        if score >= REUSED:
            found.append(Match(row_id, evidence_id, label, score))
    found.sort(key=lambda m: (-m.similarity, m.row_id))
    return found[:limit]


def exif_findings(taken_at, camera_serial, dispatched_at, unit_id) -> list[str]:
    """What the photo's EXIF says against the task, in Chinese sentences (time only here)."""
    if taken_at is None or dispatched_at is None:
        return []
    if taken_at < dispatched_at - timedelta(days=365):
        return ["此照片的拍摄时间比任务派发早一年以上，可能是旧照片"]
    if taken_at < dispatched_at:
        return ["此照片的拍摄时间早于任务派发时间"]
    return []
