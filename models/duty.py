"""Duty categories and duty templates (责任类别, 任务清单): what to do, for whom, how often."""

import re
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
    SELFCHECK = "selfcheck"  # 月度自查: to post holders with risk points (models.self_check)


# Kinds whose assignees follow from a rule (a role, or holding risk points), not from names.
TARGETED_BY_RULE = (TemplateKind.COMMON, TemplateKind.SELFCHECK)


class LatePolicy(StrEnum):
    """What happens to a task's input after its due time (models.late)."""

    ALLOW = "allow"  # late work accepted, penalised by the warning reached
    CLOSE = "close"  # input closes (富宁/太仓/兴平); 补报 needs an inspector's unlock


MAX_CLOSE_AFTER_DAYS = 30


class Period(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


PERIOD_LABELS = {Period.MONTHLY: "每月", Period.QUARTERLY: "每季度", Period.YEARLY: "每年",
                 Period.ONCE: "一次性"}
_PERIOD_KEYS = (re.compile(r"^(\d{4})-(\d{2})$"), re.compile(r"^(\d{4})Q([1-4])$"),
                re.compile(r"^(\d{4})$"))


def period_label(period: str | None) -> str:
    """A period key in words: "2026-11" → "2026年11月", "2026Q4" → "2026年第4季度",
    "2026" → "2026年", "once" → "一次性" (pages, chat, the CLI and the xlsx alike)."""
    if period == Period.ONCE:
        return PERIOD_LABELS[Period.ONCE]
    month, quarter, year = (form.match(period or "") for form in _PERIOD_KEYS)
    if month:
        return f"{month[1]}年{int(month[2])}月"
    if quarter:
        return f"{quarter[1]}年第{quarter[2]}季度"
    if year:
        return f"{year[1]}年"
    return period or ""


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
    # The warning ladder's days, "-3,1,3,5,7" (models.ladder); empty: the default ladder.
    ladder_days: Mapped[str | None] = mapped_column(sa.String(40))
    late_policy: Mapped[LatePolicy] = mapped_column(sa.String(10), default=LatePolicy.ALLOW,
                                                    server_default=LatePolicy.ALLOW.value)
    # Under `close`: input closes this many calendar days after the due time (0: at it).
    close_after_days: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    category: Mapped[DutyCategory] = relationship()

    @property
    def responsibility(self) -> Responsibility:
        return Responsibility(self.category.responsibility)


DUE_RULE = re.compile(r"^(day:([1-9]|[12]\d|3[01])|quarter_end|period_end|"
                      r"date:(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])|after:([1-9]\d{0,2}))$")


def check_due_rule(rule: str, period: str) -> str | None:
    """Why `rule` cannot be a due rule for a `period` template, or None when it can."""
    if not DUE_RULE.match(rule or ""):
        return "截止规则格式不正确：每月第N天写 day:N，季末写 quarter_end，固定日期写 date:MM-DD，派发后N天写 after:N。"
    if rule.startswith("day:") and period != Period.MONTHLY:
        return "“每月第N天”只适用于按月的任务。"
    if rule == "quarter_end" and period != Period.QUARTERLY:
        return "“季末”只适用于按季度的任务。"
    return None
