"""Indicators entered by inspectors monthly per unit (信访举报, 问题线索, 巡察发现), with the
source noted (来源). An entry is never overwritten: a change adds a row that replaces the one
before, audited, so the history shows who changed what from which value to which, and a value
can be read as it stood at any instant (a frozen month keeps what it read)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.db import Base, session
from models.eco_indicator import INDICATORS
from models.errors import DomainError, NotAllowed
from models.unit import Person, Role, Unit

MAX_VALUE = 9999
MAX_SOURCE = 100


class ManualValue(Base):
    """One entry of one manual indicator for one unit and month ("2026-11")."""

    __tablename__ = "manual_value"
    __table_args__ = (sa.Index("ix_manual_value_month", "month", "unit_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    indicator: Mapped[str] = mapped_column(sa.String(40))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    source: Mapped[str] = mapped_column(sa.String(MAX_SOURCE))
    entered_at: Mapped[datetime]
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("manual_value.id"))

    unit: Mapped[Unit] = relationship()
    entered_by: Mapped[Person | None] = relationship()
    replaces: Mapped["ManualValue | None"] = relationship(remote_side=[id])


def may_enter(person: Person | None) -> bool:
    return person is not None and person.role == Role.INSPECTOR


def values(month: str, unit_ids=None, as_of: datetime | None = None) -> dict:
    """(unit id, indicator) → the entry in force for `month` (at `as_of`: as it stood then)."""
    query = sa.select(ManualValue).where(ManualValue.month == month)
    if unit_ids is not None:
        query = query.where(ManualValue.unit_id.in_(list(unit_ids)))
    if as_of is not None:
        query = query.where(ManualValue.entered_at <= as_of)
    found = {}
    for row in session.scalars(query.order_by(ManualValue.entered_at, ManualValue.id)):
        found[(row.unit_id, row.indicator)] = row
    return found


def history(month: str, unit_ids=None) -> list[ManualValue]:
    """The month's entries that changed an earlier one, newest first."""
    query = sa.select(ManualValue).where(ManualValue.month == month,
                                         ManualValue.replaces_id.is_not(None))
    if unit_ids is not None:
        query = query.where(ManualValue.unit_id.in_(list(unit_ids)))
    return list(session.scalars(query.order_by(ManualValue.entered_at.desc(),
                                               ManualValue.id.desc())))


def parse_value(text) -> Decimal:
    text = str(text if text is not None else "").strip()
    if not text.isdigit() or int(text) > MAX_VALUE:
        raise DomainError(f"数值请填写0到{MAX_VALUE}之间的整数。")
    return Decimal(int(text))


def enter(unit: Unit, month: str, indicator: str, value, source: str, *, actor: Person,
          now: datetime) -> ManualValue | None:
    """Record `value` (with its source) unless it is what is already in force; audited with
    the value it replaces. The caller commits."""
    if not may_enter(actor):
        raise NotAllowed("只有县纪委监委审核人员可以录入指标数据。")
    if indicator not in INDICATORS or not INDICATORS[indicator].manual:
        raise DomainError("该指标不是录入指标。")
    name = f"{unit.name}的“{INDICATORS[indicator].name}”"
    try:
        number = parse_value(value)
    except DomainError as refusal:
        raise DomainError(f"{name}：{refusal.message}") from None
    source = (source or "").strip()
    if len(source) < 2 or len(source) > MAX_SOURCE:
        raise DomainError(f"{name}：请注明来源（2到{MAX_SOURCE}个字，如“县信访局月报”）。")
    before = values(month, [unit.id]).get((unit.id, indicator))
    if before is not None and (before.value, before.source) == (number, source):
        return None
    row = ManualValue(unit_id=unit.id, month=month, indicator=indicator, value=number,
                      source=source, entered_at=now, entered_by_id=actor.id,
                      replaces_id=before.id if before else None)
    session.add(row)
    session.flush()
    audit.record("eco_manual.enter", f"manual_value:{row.id}", now=now, actor=actor,
                 unit=unit.id, month=month, indicator=indicator, value=f"{number:.2f}",
                 source=source, before=f"{before.value:.2f}" if before else None,
                 before_source=before.source if before else None)
    return row
