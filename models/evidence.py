"""Evidence (小结/影像图片): proof of work handed in for an assignment."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session


class EvidenceKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    FILE = "file"


class EvidenceStatus(StrEnum):
    RECEIVED = "received"  # a photo's MediaId is known, its bytes not fetched yet
    STORED = "stored"  # validated and stored (texts are stored at once)
    REJECTED = "rejected"  # not a valid image: the cadre was told why
    FAILED = "failed"  # could not be downloaded: the cadre was asked to resend


class Evidence(Base):
    """A summary paragraph, a photo or a file for one submission round of an assignment.

    Photo bytes live in storage, content-addressed by sha256; capture time and GPS are kept
    here as evidence metadata (and stripped from the display copies).
    """

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    kind: Mapped[EvidenceKind] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    media_id: Mapped[str | None] = mapped_column(sa.String(128))
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    status: Mapped[EvidenceStatus] = mapped_column(sa.String(20), default=EvidenceStatus.RECEIVED)
    content_type: Mapped[str] = mapped_column(sa.String(40), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    taken_at: Mapped[datetime | None]
    gps_lat: Mapped[float | None]
    gps_lng: Mapped[float | None]
    dhash: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime]


def current_round(assignment) -> int:
    """Evidence gathered now belongs to the next submission."""
    return assignment.round + 1


def round_evidence(assignment, kind: EvidenceKind | None = None) -> list[Evidence]:
    """This round's usable evidence (texts, and photos stored or still downloading)."""
    query = sa.select(Evidence).where(
        Evidence.assignment_id == assignment.id, Evidence.round == current_round(assignment),
        Evidence.status.in_((EvidenceStatus.RECEIVED, EvidenceStatus.STORED)))
    if kind is not None:
        query = query.where(Evidence.kind == kind)
    return list(session.scalars(query.order_by(Evidence.id)))


def attach(assignment, kind: EvidenceKind, person, *, now: datetime, text: str = "",
           media_id: str | None = None) -> Evidence:
    """Add a summary paragraph or a photo (by WeChat MediaId) to this round; audited."""
    from models import audit

    evidence = Evidence(
        assignment_id=assignment.id, round=current_round(assignment), kind=kind, text=text,
        media_id=media_id, created_by_id=person.id, created_at=now,
        status=EvidenceStatus.STORED if kind == EvidenceKind.TEXT else EvidenceStatus.RECEIVED)
    session.add(evidence)
    session.flush()
    audit.record(f"evidence.{kind}", f"assignment:{assignment.id}", now=now, actor=person,
                 evidence=evidence.id, chars=len(text))
    return evidence


@dataclass(frozen=True)
class MissingProof:
    """What a submission still lacks; falsy when nothing is missing. Edges word it."""

    summary: bool
    photos: int  # how many more photos are needed
    required_photos: int

    def __bool__(self) -> bool:
        return self.summary or self.photos > 0


def missing_proof(assignment) -> MissingProof:
    """What the template still asks for before this round can be submitted."""
    template = assignment.template
    photos = len(round_evidence(assignment, EvidenceKind.PHOTO))
    return MissingProof(
        summary=template.requires_summary and not round_evidence(assignment, EvidenceKind.TEXT),
        photos=max(template.min_photos - photos, 0), required_photos=template.min_photos)
