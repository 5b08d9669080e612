"""照搬照抄 (issue 13): a photo or summary that matches earlier evidence, or a photo whose EXIF
contradicts the task, raises an IntegrityFlag on the new item for its reviewers.

The detectors are models.photo_print and models.text_print (their contracts only); this
module decides what becomes a flag, words it, and records what reviewers do with it. A match
within the same assignment (a resubmission after 退回) is never a flag.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit, photo_print, text_print
from models.assignment import Assignment
from models.clock import local_time
from models.db import Base, session
from models.duty import DutyTemplate, Period, TemplateKind
from models.errors import Conflict, DomainError, NotAllowed
from models.evidence import Evidence, EvidenceKind, EvidenceStatus, in_round
from models.hierarchy import can_review, can_see, is_assignee
from models.unit import Role, Unit

log = logging.getLogger(__name__)

MIN_DISMISS_REASON = 5
# A summary shorter than this ("已召开专题会议。") is what everyone writes: too short to call
# copied, so it is neither checked nor indexed.
MIN_SUMMARY_CHARS = 30
ARCHIVE = "历史档案"  # what an archive print (integrity-scan --index) is called in a flag
SUMMARIES_TO_CHECK = "summaries_to_check"  # session.info: tasks handed in this transaction


class FlagKind(StrEnum):
    PHOTO = "photo"
    SUMMARY = "summary"
    EXIF = "exif"


class FlagState(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"  # a reviewer judged it harmless, with a reason
    CITED = "cited"  # a reviewer returned the task citing it


FLAG_KIND_LABELS = {FlagKind.PHOTO: "照片相似", FlagKind.SUMMARY: "小结雷同",
                    FlagKind.EXIF: "拍摄信息异常"}  # handlers.labels re-exports
FLAG_STATE_LABELS = {FlagState.OPEN: "待处理", FlagState.DISMISSED: "已排除",
                     FlagState.CITED: "已据此退回"}


class IntegrityFlag(Base):
    """One suspicion about one evidence item, for its task's reviewers."""

    __tablename__ = "integrity_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    kind: Mapped[FlagKind] = mapped_column(sa.String(10))
    # The earlier evidence it matches, or an archive file's name (matched_label).
    matched_evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"))
    matched_label: Mapped[str] = mapped_column(sa.String(200), default="")
    similarity: Mapped[float | None]
    description: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[FlagState] = mapped_column(sa.String(12), default=FlagState.OPEN, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    evidence: Mapped[Evidence] = relationship(foreign_keys=[evidence_id])
    matched: Mapped[Evidence | None] = relationship(foreign_keys=[matched_evidence_id])
    assignment: Mapped[Assignment] = relationship()


def _describe(kind: FlagKind, matched: Evidence | None, label: str, score: float) -> str:
    """"此照片与 青山镇 2025-06《召开党风廉政建设专题会议》中的照片相似（97%）"."""
    percent = f"{round(score * 100)}%"
    task = session.get(Assignment, matched.assignment_id) if matched is not None else None
    where = (f"{task.unit.name} {_period(task)}《{task.template.title}》" if task is not None
             else f"{ARCHIVE}“{label}”")
    if kind == FlagKind.PHOTO:
        return f"此照片与 {where}中的照片相似（{percent}）"
    return f"此小结与 {where}中的小结高度雷同（{percent}）"


def _period(task: Assignment) -> str:
    """The task's period key ("2025-06", "2025Q2", "2025"); a one-off task's dispatch month."""
    if task.period == Period.ONCE:
        return local_time(task.created_at, "%Y-%m")
    return task.period


def _raise(evidence: Evidence, kind: FlagKind, match, now: datetime) -> IntegrityFlag:
    matched = session.get(Evidence, match.evidence_id) if match.evidence_id else None
    flag = IntegrityFlag(
        evidence_id=evidence.id, assignment_id=evidence.assignment_id, kind=kind,
        matched_evidence_id=matched.id if matched is not None else None,
        matched_label=match.label or "", similarity=round(match.similarity, 4),
        description=_describe(kind, matched, match.label, match.similarity), created_at=now)
    session.add(flag)
    session.flush()
    audit.record("integrity.flag", f"assignment:{evidence.assignment_id}", now=now,
                 flag=flag.id, evidence=evidence.id, kind=kind.value,
                 matched=flag.matched_evidence_id, similarity=flag.similarity)
    return flag


def check_photo(evidence: Evidence, image: Image.Image, *, now: datetime,
                camera_serial: str | None = None) -> list[IntegrityFlag]:
    """Fingerprint a stored task photo, flag it against earlier ones (the best match) and
    against its EXIF, then index it. The caller commits."""
    task = session.get(Assignment, evidence.assignment_id)
    print_ = photo_print.fingerprint(image)
    found = photo_print.matches(print_, exclude_assignment_id=task.id, limit=1)
    flags = [_raise(evidence, FlagKind.PHOTO, found[0], now)] if found else []
    for sentence in photo_print.exif_findings(evidence.taken_at, camera_serial,
                                              task.created_at, task.unit_id):
        flag = IntegrityFlag(evidence_id=evidence.id, assignment_id=task.id,
                             kind=FlagKind.EXIF, description=sentence, created_at=now)
        session.add(flag)
        session.flush()
        audit.record("integrity.flag", f"assignment:{task.id}", now=now, flag=flag.id,
                     evidence=evidence.id, kind=FlagKind.EXIF.value)
        flags.append(flag)
    photo_print.index(print_, evidence_id=evidence.id, assignment_id=task.id,
                      unit_id=task.unit_id, now=now, taken_at=evidence.taken_at,
                      camera_serial=camera_serial)
    return flags


def photo_checked(evidence_id: int) -> bool:
    """Fingerprinted already (check_photo indexes every photo it checks)."""
    return session.scalar(sa.select(sa.exists().where(
        photo_print.PhotoPrintRow.evidence_id == evidence_id)))


def boilerplate(task: Assignment) -> str:
    """Wording every unit's summary may share: the template's own."""
    return f"{task.template.title}\n{task.template.description}"


def unit_names() -> tuple[str, ...]:
    """Every unit's name, masked in summaries: a copy with the unit's name changed is still
    a copy (text_print reads a renamed unit as the same words)."""
    return tuple(session.scalars(sa.select(Unit.name).order_by(Unit.id)))


def passages(flag: IntegrityFlag) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The spans a summary flag's two texts share, judged as the flag was (the template's
    wording, unit names and the learned common wording left out)."""
    return text_print.shared_passages(flag.evidence.text, flag.matched.text,
                                      boilerplate=boilerplate(flag.assignment),
                                      names=unit_names(), common=text_print.load_common())


def check_summary(evidence: Evidence, *, now: datetime) -> IntegrityFlag | None:
    """Fingerprint a summary (the template's wording left out), flag it against earlier
    ones, then index it. The caller commits."""
    task = session.get(Assignment, evidence.assignment_id)
    print_ = text_print.fingerprint(evidence.text, boilerplate=boilerplate(task),
                                    names=unit_names())
    found = text_print.matches(print_, exclude_assignment_id=task.id, limit=1)
    flag = _raise(evidence, FlagKind.SUMMARY, found[0], now) if found else None
    text_print.index(print_, evidence_id=evidence.id, assignment_id=task.id,
                     unit_id=task.unit_id, now=now)
    return flag


def check_after_commit(task: Assignment) -> None:
    """At 上报: have the task's summaries checked once this transaction commits
    (jobs.integrity queues the check then, off the chat callback's five seconds;
    `unchecked_summaries` finds any the queue lost). A 月度自查's summary is not compared: its
    substance is the answer per risk point, and "本月逐项自查，未发现问题" from everyone is the
    expected answer, not a copy."""
    if task.template.kind != TemplateKind.SELFCHECK:
        session.info.setdefault(SUMMARIES_TO_CHECK, set()).add(task.id)


def unchecked_summaries() -> sa.Select:
    """Summaries handed in with a submitted round and neither fingerprinted nor too short to
    judge (MIN_SUMMARY_CHARS), a self-check's left out: what `check_summaries` checks."""
    return (sa.select(Evidence).join(Assignment, Assignment.id == Evidence.assignment_id)
            .join(DutyTemplate, DutyTemplate.id == Assignment.template_id)
            .where(Evidence.kind == EvidenceKind.TEXT, Evidence.status == EvidenceStatus.STORED,
                   Evidence.round <= Assignment.round,
                   Evidence.removed_round.is_(None) | (Evidence.removed_round > Evidence.round),
                   DutyTemplate.kind != TemplateKind.SELFCHECK,
                   sa.func.length(sa.func.trim(Evidence.text)) >= MIN_SUMMARY_CHARS,
                   ~sa.exists().where(text_print.TextPrintRow.evidence_id == Evidence.id)))


def check_summaries(task: Assignment, *, now: datetime) -> int:
    """Check the task's handed-in summaries not checked before, oldest first; returns how
    many were. A failing check is logged and rolled back to its savepoint: it never loses
    evidence. The caller commits."""
    unchecked = session.scalars(unchecked_summaries().where(Evidence.assignment_id == task.id)
                                .order_by(Evidence.id)).all()
    for evidence in unchecked:
        try:
            with session.begin_nested():
                check_summary(evidence, now=now)
        except Exception:  # noqa: BLE001 - one summary's failure must not stop the others
            log.exception("integrity check of summary %s failed", evidence.id)
    return len(unchecked)


def being_checked(task: Assignment, number: int | None = None) -> int:
    """How many items handed in with round `number` (default: the last) still wait for their
    check (a photo still downloading, or stored and not yet fingerprinted; a summary not yet
    fingerprinted): the review page says the comparison is under way, not "no flags"."""
    number = task.round if number is None else number
    summaries = session.scalar(unchecked_summaries().where(
        Evidence.assignment_id == task.id, in_round(number))
        .with_only_columns(sa.func.count(Evidence.id)))
    downloading = (Evidence.kind == EvidenceKind.PHOTO) & (
        Evidence.status == EvidenceStatus.RECEIVED)
    photos = session.scalar(sa.select(sa.func.count(Evidence.id)).where(
        Evidence.assignment_id == task.id, in_round(number), unchecked_photo() | downloading))
    return (summaries or 0) + (photos or 0)


def unchecked_photo() -> sa.ColumnElement[bool]:
    """A photo stored and not yet fingerprinted (check_photo fingerprints every one it
    checks): what the media job's check still owes, if the photo belongs to a task."""
    return ((Evidence.kind == EvidenceKind.PHOTO) & (Evidence.status == EvidenceStatus.STORED)
            & ~sa.exists().where(photo_print.PhotoPrintRow.evidence_id == Evidence.id))


def handed_in() -> sa.ColumnElement[bool]:
    """Flags on evidence that was part of a submitted round (not a draft taken out again)."""
    return sa.exists().where(
        Evidence.id == IntegrityFlag.evidence_id, Assignment.id == IntegrityFlag.assignment_id,
        Evidence.round <= Assignment.round,
        Evidence.removed_round.is_(None) | (Evidence.removed_round > Evidence.round))


def round_flags(task: Assignment, number: int | None = None) -> list[IntegrityFlag]:
    """The flags on the evidence handed in with round `number` (default: the last), photos
    and summaries first, newest first."""
    number = task.round if number is None else number
    return list(session.scalars(
        sa.select(IntegrityFlag).join(Evidence, Evidence.id == IntegrityFlag.evidence_id)
        .where(IntegrityFlag.assignment_id == task.id, in_round(number))
        .order_by(IntegrityFlag.kind == FlagKind.EXIF, IntegrityFlag.id.desc())))


def assignment_flags(task: Assignment) -> list[IntegrityFlag]:
    """Every flag on the task's handed-in evidence, newest first (the API)."""
    return list(session.scalars(sa.select(IntegrityFlag).where(
        IntegrityFlag.assignment_id == task.id, handed_in())
        .order_by(IntegrityFlag.id.desc())))


@dataclass(frozen=True)
class FlagCounts:
    total: int
    open: int


def counts(assignment_filter: sa.ColumnElement[bool] | None = None) -> FlagCounts:
    """How many flags handed-in evidence carries, and how many still wait for a reviewer."""
    query = sa.select(sa.func.count(IntegrityFlag.id),
                      sa.func.count(IntegrityFlag.id).filter(
                          IntegrityFlag.state == FlagState.OPEN)).where(handed_in())
    if assignment_filter is not None:
        query = query.join(Assignment, Assignment.id == IntegrityFlag.assignment_id).where(
            assignment_filter)
    total, waiting = session.execute(query).one()
    return FlagCounts(total or 0, waiting or 0)


def listed(*, only_open: bool, assignment_filter: sa.ColumnElement[bool] | None = None,
           limit: int = 200) -> list[IntegrityFlag]:
    """The flags for the list page, newest first."""
    query = sa.select(IntegrityFlag).where(handed_in())
    if only_open:
        query = query.where(IntegrityFlag.state == FlagState.OPEN)
    if assignment_filter is not None:
        query = query.join(Assignment, Assignment.id == IntegrityFlag.assignment_id).where(
            assignment_filter)
    return list(session.scalars(query.order_by(IntegrityFlag.id.desc()).limit(limit)))


def can_decide(person, task: Assignment) -> bool:
    """Who may dismiss or cite a task's flags: whoever reviews it now, and county inspectors
    (not on their own task)."""
    return can_review(person, task) or (
        person.role == Role.INSPECTOR and not is_assignee(person, task))


def can_see_matched(person, evidence: Evidence) -> bool:
    """The earlier evidence a flag cites is shown to whoever may see the flagged task, even
    in another unit: the one place that widens evidence access."""
    tasks = session.scalars(sa.select(Assignment).join(
        IntegrityFlag, IntegrityFlag.assignment_id == Assignment.id).where(
        IntegrityFlag.matched_evidence_id == evidence.id).distinct())
    return any(can_see(person, task) for task in tasks)


class FlagDecided(Conflict):
    message = "该预警已处理。"


def _decidable(flag: IntegrityFlag, person) -> None:
    if not can_decide(person, flag.assignment):
        raise NotAllowed("只有该任务的审核人员可以处理雷同预警。")
    if flag.state != FlagState.OPEN:
        raise FlagDecided()


def dismiss(flag: IntegrityFlag, person, reason: str, *, now: datetime) -> IntegrityFlag:
    """A reviewer judges the flag harmless, saying why; audited. The caller commits."""
    _decidable(flag, person)
    reason = reason.strip()
    if len(reason) < MIN_DISMISS_REASON:
        raise DomainError(f"请填写排除理由（至少{MIN_DISMISS_REASON}个字）。")
    flag.state, flag.reason = FlagState.DISMISSED, reason[:500]
    flag.decided_by_id, flag.decided_at = person.id, now
    audit.record("integrity.dismiss", f"assignment:{flag.assignment_id}", now=now,
                 actor=person, flag=flag.id, reason=flag.reason)
    return flag


def cite(flag: IntegrityFlag, person, reason: str, *, now: datetime) -> IntegrityFlag:
    """The task is returned (退回) citing the flag: it is settled as `cited`; audited. The
    caller applies the return and commits."""
    _decidable(flag, person)
    flag.state, flag.reason = FlagState.CITED, reason.strip()[:500]
    flag.decided_by_id, flag.decided_at = person.id, now
    audit.record("integrity.cite", f"assignment:{flag.assignment_id}", now=now, actor=person,
                 flag=flag.id)
    return flag
