"""Duty categories and duty templates (责任类别, 任务清单): what to do, for whom, how often."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db import Base


class Responsibility(StrEnum):
    PRINCIPAL = "principal"  # 主体责任
    SUPERVISORY = "supervisory"  # 监督责任


class TemplateKind(StrEnum):
    COMMON = "common"  # 共性任务
    SPECIFIC = "specific"  # 个性任务
    ADHOC = "adhoc"  # 临时任务


class Period(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class DutyCategory(Base):
    """One of the 16 duty categories, on the principal or the supervisory side."""

    __tablename__ = "duty_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    responsibility: Mapped[Responsibility] = mapped_column(sa.String(20))
    position: Mapped[int] = mapped_column(default=0)


class DutyTemplate(Base):
    """One list item: what to do, for which roles, how often, how many points, what proof."""

    __tablename__ = "duty_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_category.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[TemplateKind] = mapped_column(sa.String(20))
    # Targets: for common templates a role and/or unit kind; specific/adhoc name units or people.
    target_role: Mapped[str | None] = mapped_column(sa.String(20))
    target_unit_kind: Mapped[str | None] = mapped_column(sa.String(20))
    period: Mapped[Period] = mapped_column(sa.String(20))
    # Due rule, e.g. "day:25" (monthly), "quarter_end", "date:2026-12-20", "after:7".
    due_rule: Mapped[str] = mapped_column(sa.String(40))
    points: Mapped[int] = mapped_column(default=0)
    requires_summary: Mapped[bool] = mapped_column(default=True)
    min_photos: Mapped[int] = mapped_column(default=0)
    review_levels: Mapped[int] = mapped_column(default=2)
    working_days: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    category: Mapped[DutyCategory] = relationship()

    @property
    def responsibility(self) -> Responsibility:
        return Responsibility(self.category.responsibility)
