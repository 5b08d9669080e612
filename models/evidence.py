"""Evidence (小结/影像图片): proof of work handed in for an assignment.

Rounds: every submission hands in a round (1, 2, …). A row belongs to the rounds from `round`,
the one it was added to, up to the round it was taken out of (`removed_round`, exclusive), so a
reworked round starts with everything the previous one handed in, and each round's review
still shows exactly what was handed in then. Chat photos sent before any 上报 is open wait
unattached (`assignment_id` empty) for 24 hours, for the next 上报 to take.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models import audit
from models.db import Base, session
from models.errors import Conflict, NotAllowed
from models.hierarchy import is_assignee
from models.late import require_open

PENDING_FOR = timedelta(hours=24)


class EvidenceKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    FILE = "file"


class EvidenceStatus(StrEnum):
    RECEIVED = "received"  # a photo's MediaId is known, its bytes not fetched yet
    STORED = "stored"  # validated and stored (texts are stored at once)
    REJECTED = "rejected"  # not a valid image: the cadre was told why
    FAILED = "failed"  # could not be downloaded: the cadre was asked to resend
    EXPIRED = "expired"  # sent without a task and not taken by a 上报 within PENDING_FOR


USABLE = (EvidenceStatus.RECEIVED, EvidenceStatus.STORED)


class Evidence(Base):
    """A summary paragraph, a photo or a file, handed in with one or more rounds.

    Photo bytes live in storage, content-addressed by sha256; capture time and GPS are kept
    here as evidence metadata (and stripped from the display copies). A file (a notice's
    attachment or reply: PDF, Word, Excel) is stored as it came; `text` holds its file name.
    """

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty while a chat photo waits for the 上报 it belongs to (see keep_pending).
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    # A notice's attachment (notice_item_id empty) or an item's reply (models.notice_lifecycle).
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notice.id"), index=True)
    notice_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notice_item.id"))
    # A photo an inspector took re-verifying a drawn task (models.spot_check).
    spot_check_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("spot_check_item.id"),
                                                           index=True)
    round: Mapped[int] = mapped_column(default=1)
    # The round the assignee took it out of; it stays part of the rounds before.
    removed_round: Mapped[int | None]
    kind: Mapped[EvidenceKind] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    media_id: Mapped[str | None] = mapped_column(sa.String(128))
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    status: Mapped[EvidenceStatus] = mapped_column(sa.String(20), default=EvidenceStatus.RECEIVED)
    content_type: Mapped[str] = mapped_column(sa.String(100), default="")
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

    def is_new_in(self, number: int) -> bool:
        """Added in round `number` (not carried over from an earlier one)."""
        return self.round == number


class EvidenceGone(Conflict):
    message = "该材料已删除或不在本次上报中。"


class NotAssignee(NotAllowed):
    """Evidence offered for a task by someone who no longer acts on it (改派 to another person
    while their chat 上报 was open, or a page left open): says which task."""

    def __init__(self, assignment):
        self.title = assignment.template.title
        super().__init__(f"“{self.title}”已不由您承办（可能已改派他人），不能再为它添加或删除材料。")


def require_assignee(assignment, person) -> None:
    """Raise NotAssignee unless `person` acts on `assignment` now (models.hierarchy)."""
    if not is_assignee(person, assignment):
        raise NotAssignee(assignment)


def current_round(assignment) -> int:
    """Evidence gathered now belongs to the next submission."""
    return assignment.round + 1


def in_round(number: int) -> sa.ColumnElement[bool]:
    """Rows handed in with round `number`: added then or before, and not taken out by then."""
    return (Evidence.round <= number) & (
        Evidence.removed_round.is_(None) | (Evidence.removed_round > number))


def round_evidence(assignment, kind: EvidenceKind | None = None,
                   number: int | None = None) -> list[Evidence]:
    """Usable evidence (texts, and photos stored or still downloading) of round `number`,
    by default the round being prepared now, in the order it was added."""
    number = current_round(assignment) if number is None else number
    query = sa.select(Evidence).where(
        Evidence.assignment_id == assignment.id, in_round(number), Evidence.status.in_(USABLE))
    if kind is not None:
        query = query.where(Evidence.kind == kind)
    return list(session.scalars(query.order_by(Evidence.id)))


def attach(assignment, kind: EvidenceKind, person, *, now: datetime, text: str = "",
           media_id: str | None = None) -> Evidence:
    """Add a summary paragraph or a photo (by WeChat MediaId) to this round; audited.
    Refused unless `person` is the assignee now (NotAssignee: chat, pages and the API all pass
    here), and once the late policy has closed input (InputClosed)."""
    require_assignee(assignment, person)
    require_open(assignment, now)
    evidence = Evidence(
        assignment_id=assignment.id, round=current_round(assignment), kind=kind, text=text,
        media_id=media_id, created_by_id=person.id, created_at=now,
        status=EvidenceStatus.STORED if kind == EvidenceKind.TEXT else EvidenceStatus.RECEIVED)
    session.add(evidence)
    session.flush()
    audit.record(f"evidence.{kind}", f"assignment:{assignment.id}", now=now, actor=person,
                 evidence=evidence.id, chars=len(text))
    return evidence


def refused_photos(assignment) -> list[Evidence]:
    """Photos of the round being prepared that the media job could not keep (not an image,
    damaged, not downloadable), oldest first: the report page says which, since a page upload
    has no chat to be told in."""
    return list(session.scalars(sa.select(Evidence).where(
        Evidence.assignment_id == assignment.id, Evidence.kind == EvidenceKind.PHOTO,
        Evidence.round == current_round(assignment),
        Evidence.status.in_((EvidenceStatus.REJECTED, EvidenceStatus.FAILED)))
        .order_by(Evidence.id)))


def remove(assignment, evidence_id: int, person, *, now: datetime) -> Evidence:
    """Take an item out of the round being prepared; rounds already handed in keep it.

    Raises NotAssignee unless `person` is the assignee now, EvidenceGone when the item is not
    part of that round (removed already, another task's, or a photo that never arrived),
    InputClosed once the late policy has closed input. The caller commits."""
    require_assignee(assignment, person)
    require_open(assignment, now)
    number = current_round(assignment)
    evidence = session.scalar(sa.select(Evidence).where(
        Evidence.id == evidence_id, Evidence.assignment_id == assignment.id, in_round(number),
        Evidence.status.in_(USABLE)).with_for_update())
    if evidence is None:
        raise EvidenceGone()
    evidence.removed_round = number
    audit.record("evidence.remove", f"assignment:{assignment.id}", now=now, actor=person,
                 evidence=evidence.id, round=number)
    return evidence


@dataclass(frozen=True)
class RoundChanges:
    """One round against the one before: what it added, kept and dropped."""

    added: list[Evidence]
    carried: list[Evidence]
    removed: list[Evidence]


def round_changes(assignment, number: int) -> RoundChanges:
    """What round `number` added, carried over from round `number - 1`, and took out of it."""
    items = round_evidence(assignment, number=number)
    removed = session.scalars(sa.select(Evidence).where(
        Evidence.assignment_id == assignment.id, Evidence.removed_round == number,
        Evidence.round < number, Evidence.status.in_(USABLE)).order_by(Evidence.id))
    return RoundChanges(added=[e for e in items if e.is_new_in(number)],
                        carried=[e for e in items if not e.is_new_in(number)],
                        removed=list(removed))


def keep_pending(person, media_id: str, *, now: datetime) -> Evidence:
    """A chat photo sent while no 上报 is open: kept PENDING_FOR for the next 上报 to take.

    Downloaded at once like any chat photo (MediaIds die in 3 days); audited on the person."""
    evidence = Evidence(assignment_id=None, kind=EvidenceKind.PHOTO, media_id=media_id,
                        created_by_id=person.id, created_at=now, status=EvidenceStatus.RECEIVED)
    session.add(evidence)
    session.flush()
    audit.record("evidence.pending", f"person:{person.id}", now=now, actor=person,
                 evidence=evidence.id)
    return evidence


def _pending(person_id: int, now: datetime) -> sa.ColumnElement[bool]:
    return ((Evidence.assignment_id.is_(None)) & Evidence.notice_id.is_(None)
            & Evidence.spot_check_item_id.is_(None) & (Evidence.created_by_id == person_id)
            & (Evidence.kind == EvidenceKind.PHOTO) & Evidence.status.in_(USABLE)
            & (Evidence.created_at > now - PENDING_FOR))


def attach_pending(assignment, person, *, now: datetime) -> list[int]:
    """Give the person's waiting photos (younger than PENDING_FOR) to this round; their ids.

    One conditional UPDATE, so a photo expiring at the same moment is taken or dropped,
    never both; NotAssignee unless `person` is the assignee, InputClosed once the late
    policy has closed input. The caller commits."""
    require_assignee(assignment, person)
    require_open(assignment, now)
    taken = list(session.scalars(
        sa.update(Evidence).where(_pending(person.id, now))
        .values(assignment_id=assignment.id, round=current_round(assignment))
        .returning(Evidence.id)))
    if taken:
        audit.record("evidence.attach_pending", f"assignment:{assignment.id}", now=now,
                     actor=person, evidence=sorted(taken))
    return taken


def expire_pending(now: datetime) -> int:
    """Drop waiting photos older than PENDING_FOR (they are never attached after that);
    how many. The caller commits."""
    result = session.execute(
        sa.update(Evidence).where(
            Evidence.assignment_id.is_(None), Evidence.notice_id.is_(None),
            Evidence.spot_check_item_id.is_(None), Evidence.kind == EvidenceKind.PHOTO,
            Evidence.status.in_(USABLE), Evidence.created_at <= now - PENDING_FOR)
        .values(status=EvidenceStatus.EXPIRED, error="24小时内未选择任务"))
    return result.rowcount


def photo_number(evidence: Evidence) -> int:
    """Which photo it is, as the cadre counts them: in its round, or among the waiting ones."""
    query = sa.select(sa.func.count(Evidence.id)).where(
        Evidence.kind == EvidenceKind.PHOTO, Evidence.id <= evidence.id)
    if evidence.notice_id is not None:
        query = query.where(Evidence.notice_id == evidence.notice_id,
                            Evidence.notice_item_id == evidence.notice_item_id,
                            Evidence.round == evidence.round)
    elif evidence.spot_check_item_id is not None:
        query = query.where(Evidence.spot_check_item_id == evidence.spot_check_item_id)
    elif evidence.assignment_id is None:
        query = query.where(Evidence.assignment_id.is_(None), Evidence.notice_id.is_(None),
                            Evidence.spot_check_item_id.is_(None),
                            Evidence.created_by_id == evidence.created_by_id,
                            Evidence.created_at > evidence.created_at - PENDING_FOR)
    else:
        query = query.where(Evidence.assignment_id == evidence.assignment_id,
                            in_round(evidence.round))
    return session.scalar(query)


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
