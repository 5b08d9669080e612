"""Chinese working days (statutory holidays and 调休 make-up workdays) for the warning ladder.

The project owns its calendar: table `calendar_year` lists the years whose State Council
schedule is known, `calendar_day` the days that break the weekday rule (a holiday on a weekday,
a make-up workday on a weekend). Both are seeded from the chinese-calendar package, which knows
only up to its last release (2026 for 1.11.0; it raises for later years, so it is read only
for the years it lists), and are editable and importable by admins. A
day in a year the table does not know raises CalendarMissing, so the ladder can alarm instead
of silently guessing; admin pages and /healthz raise the alarm for next year after 1 November.
Until the year is imported the ladder counts Monday to Friday without the fixed-date
holidays (FIXED_HOLIDAYS), which no schedule can move: no 蓝色预警 on 元旦.
"""

import functools
from datetime import date, datetime, timedelta

import chinese_calendar
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.clock import SHANGHAI
from models.db import Base, session
from models.errors import DomainError

ALARM_FROM = (11, 1)  # from 1 November on, next year's schedule should be in
# The holidays fixed by date in 《全国年节及纪念日放假办法》 (as revised in 2024, in force from
# 2025): 元旦 1 Jan, 劳动节 1-2 May, 国庆节 1-3 Oct. Every year's schedule keeps them; only the
# lunar holidays and the 调休 swaps around them change, and those cannot be guessed.
FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节",
    (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}


class CalendarMissing(DomainError):
    status = 503

    def __init__(self, year: int):
        super().__init__(f"缺少{year}年的节假日安排，请管理员导入后再按工作日计算。")
        self.year = year


class CalendarYear(Base):
    """A year whose holiday schedule is known (seeded from the package, imported, or entered)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(sa.String(20))  # package / import / admin
    loaded_at: Mapped[datetime]


class CalendarDay(Base):
    """A day that breaks the weekday rule: a holiday on a weekday or a make-up workday."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    workday: Mapped[bool]
    name: Mapped[str] = mapped_column(sa.String(40), default="")
    source: Mapped[str] = mapped_column(sa.String(20))
    updated_at: Mapped[datetime]


class WorkCalendar:
    """Which days are working days: in the `years` it knows, `overrides` (day → is working)
    break the weekday rule; a day of any other year raises CalendarMissing, or, `lenient`,
    is a working day from Monday to Friday unless it is a fixed-date holiday."""

    def __init__(self, overrides: dict[date, bool] | None = None, years: set[int] = frozenset(),
                 strict: bool = True):
        self.overrides = overrides or {}
        self.years = years
        self.strict = strict

    def lenient(self) -> "WorkCalendar":
        """The same calendar counting years it does not know by the weekday rule and the
        fixed-date holidays."""
        return WorkCalendar(self.overrides, self.years, strict=False)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.years:
            if self.strict:
                raise CalendarMissing(day.year)
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS
        return day.weekday() < 5

    def workday_on_or_before(self, day: date) -> date:
        """`day` itself when it is a working day, else the last working day before it."""
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def shift(self, day: date, workdays: int) -> date:
        """The day `workdays` working days after (or, when negative, before) `day`."""
        step = 1 if workdays >= 0 else -1
        remaining = abs(workdays)
        while remaining:
            day += timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        return day


def load_calendar() -> WorkCalendar:
    """The project's calendar as the database holds it now."""
    years = set(session.scalars(sa.select(CalendarYear.year)))
    overrides = dict(session.execute(sa.select(CalendarDay.day, CalendarDay.workday)).all())
    return WorkCalendar(overrides, years)


@functools.cache
def package_calendar() -> WorkCalendar:
    """The chinese-calendar package's schedule as a WorkCalendar (what migration 0004 seeds)."""
    years = set(package_years())
    return WorkCalendar({day: workday for year in years
                         for day, workday, _ in package_exceptions(year)}, years)


@functools.cache
def package_exceptions(year: int) -> tuple[tuple[date, bool, str], ...]:
    """The days of `year` that break the weekday rule, per the chinese-calendar package."""
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        workday, name = chinese_calendar.is_workday(day), chinese_calendar.get_holiday_detail(day)[1]
        if workday != (day.weekday() < 5):
            label = _HOLIDAY_NAMES.get(name, name or "")
            found.append((day, workday, f"{label}调休上班" if workday else label))
        day += timedelta(days=1)
    return tuple(found)


_HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                  "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
                  "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
                  "Anti-Fascist 70th Day": "抗战胜利纪念日"}


def package_years() -> list[int]:
    """The years the installed chinese-calendar package knows."""
    years = {day.year for day in chinese_calendar.holidays}
    return sorted(year for year in years if year >= 2004)


def seed_from_package(now: datetime, since: int = 2020, until: int | None = None) -> list[int]:
    """Load the years the chinese-calendar package knows (from `since`, up to `until`) as
    source 'package'."""
    years = [year for year in package_years() if since <= year <= (until or year)]
    for year in years:
        save_year(year, package_exceptions(year), source="package", now=now)
    return years


def save_year(year: int, days: list[tuple[date, bool, str]], *, source: str,
              now: datetime) -> None:
    """Replace `year`'s exceptions with `days` and mark the year known. The caller commits."""
    session.execute(sa.delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1),
                                                                          date(year, 12, 31))))
    for day, workday, name in days:
        session.add(CalendarDay(day=day, workday=workday, name=name[:40], source=source,
                                updated_at=now))
    known = session.get(CalendarYear, year)
    if known is None:
        session.add(CalendarYear(year=year, source=source, loaded_at=now))
    else:
        known.source, known.loaded_at = source, now
    session.flush()


def set_day(day: date, workday: bool, name: str, *, now: datetime) -> str:
    """Make `day` a working day or a day off; returns what happened: "rule" (the weekday rule
    already says so: no exception kept), "added" or "changed". The caller commits."""
    existing = session.get(CalendarDay, day)
    if workday == (day.weekday() < 5):
        if existing is not None:
            session.delete(existing)
        return "rule"
    if existing is None:
        session.add(CalendarDay(day=day, workday=workday, name=name.strip(), source="admin",
                                updated_at=now))
        return "added"
    existing.workday, existing.name, existing.source = workday, name.strip(), "admin"
    existing.updated_at = now
    return "changed"


def missing_year(now: datetime) -> int | None:
    """The year whose schedule should be known by now but is not: this year, or next year
    from 1 November on (the State Council publishes it in late autumn)."""
    local = now.astimezone(SHANGHAI).date()
    years = set(session.scalars(sa.select(CalendarYear.year)))
    wanted = [local.year] + ([local.year + 1] if (local.month, local.day) >= ALARM_FROM else [])
    return next((year for year in wanted if year not in years), None)
