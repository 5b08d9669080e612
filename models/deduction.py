"""Deductions (扣分) and bonus points (加分) on a unit or a person (DESIGN.md "Scoring").

One function records them, whoever the source: an inspector by hand today, spot checks and
notices later. Revoking keeps the row and says why; both are audited.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.clock import local_date
from models.db import Base, session
from models.errors import Conflict, DomainError, NotAllowed
from models.unit import Person, Role, Unit

MIN_REASON = 4
MAX_REFERENCE = 60
MAX_POINTS = Decimal(100)


class DeductionKind(StrEnum):
    DEDUCTION = "deduction"  # 扣分
    BONUS = "bonus"  # 加分


DEDUCTION_KIND_LABELS = {DeductionKind.DEDUCTION: "扣分", DeductionKind.BONUS: "加分"}


class Deduction(Base):
    """Points taken off (or added to) a unit, or one of its people, on a day, with the reason and
    the document (文号) that decided it. A person's row also carries their unit."""

    __tablename__ = "deduction"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeductionKind] = mapped_column(sa.String(20))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    reason: Mapped[str] = mapped_column(sa.Text)
    reference: Mapped[str] = mapped_column(sa.String(MAX_REFERENCE), default="")
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    # Who decided it: "manual" (an inspector), later "notice:<id>", "spot_check:<id>".
    source: Mapped[str] = mapped_column(sa.String(40), default="manual")
    created_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    unit: Mapped[Unit] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    recorded_by: Mapped[Person | None] = relationship(foreign_keys=[recorded_by_id])
    revoked_by: Mapped[Person | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def signed_points(self) -> Decimal:
        """What it does to a score: negative for a deduction, positive for a bonus."""
        return self.points if self.kind == DeductionKind.BONUS else -self.points


def may_record(person: Person | None) -> bool:
    """County inspectors record and revoke deductions by hand."""
    return person is not None and person.role == Role.INSPECTOR


def parse_points(text) -> Decimal:
    """Points as typed ("3", "0.5", "1.25"): positive, at most 100, at most two decimals."""
    try:
        points = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("分值请填写数字，如 3 或 0.5。") from None
    if not points.is_finite() or points <= 0 or points > MAX_POINTS:
        raise DomainError("分值须大于0且不超过100分。")
    if points != points.quantize(Decimal("0.01")):
        raise DomainError("分值最多保留两位小数。")
    return points.quantize(Decimal("0.01"))


def record(*, unit: Unit, points, reason: str, day: date, actor: Person | None, now: datetime,
           person: Person | None = None, reference: str = "",
           kind: DeductionKind = DeductionKind.DEDUCTION, source: str = "manual") -> Deduction:
    """Record a deduction or bonus, validated and audited. The caller commits."""
    if source == "manual" and not may_record(actor):
        raise NotAllowed("只有县纪委监委审核人员可以登记扣分、加分。")
    if person is not None and person.unit_id != unit.id:
        raise DomainError(f"{person.name}不属于{unit.name}。")
    reason, reference = (reason or "").strip(), (reference or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(f"请写明扣分、加分事由（至少{MIN_REASON}个字）。")
    if len(reference) > MAX_REFERENCE:
        raise DomainError(f"文号最多{MAX_REFERENCE}个字。")
    if day > local_date(now):
        raise DomainError("日期不能晚于今天。")
    row = Deduction(kind=DeductionKind(kind), unit_id=unit.id,
                    person_id=person.id if person else None, points=parse_points(points),
                    reason=reason[:1000], reference=reference, day=day, source=source,
                    created_at=now, recorded_by_id=actor.id if actor else None)
    session.add(row)
    session.flush()
    audit.record(f"deduction.{row.kind}", f"deduction:{row.id}", now=now, actor=actor,
                 unit=unit.id, person=row.person_id, points=str(row.points), reason=row.reason,
                 reference=reference, day=day.isoformat(), source=source)
    return row


def revoke(row: Deduction, *, actor: Person, reason: str, now: datetime) -> Deduction:
    """Revoke with a reason; the row and its history stay. The caller commits."""
    if not may_record(actor):
        raise NotAllowed("只有县纪委监委审核人员可以撤销扣分、加分。")
    if row.revoked_at is not None:
        raise Conflict("该记录已撤销。")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(f"请写明撤销理由（至少{MIN_REASON}个字）。")
    row.revoked_at, row.revoked_by_id, row.revoke_reason = now, actor.id, reason[:1000]
    audit.record("deduction.revoke", f"deduction:{row.id}", now=now, actor=actor, reason=reason)
    return row


def in_force(year: int, as_of: datetime):
    """The rows that count for `year` at `as_of`: dated in the year and by then, recorded by
    then, not revoked by then."""
    return sa.select(Deduction).where(
        Deduction.day >= date(year, 1, 1), Deduction.day <= min(date(year, 12, 31),
                                                                local_date(as_of)),
        Deduction.created_at <= as_of,
        sa.or_(Deduction.revoked_at.is_(None), Deduction.revoked_at > as_of))
