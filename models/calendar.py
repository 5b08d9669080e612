"""Chinese working days (statutory holidays and 调休 make-up workdays) for the warning ladder.

The chinese-calendar package knows the State Council's schedule only up to its last release
(2026 for 1.11.0) and raises for later years. A year it does not know raises CalendarMissing
here, so the ladder can alarm instead of guessing; the project-owned, admin-editable calendar
table (issue 4) will be consulted before the package.
"""

from datetime import date, timedelta

import chinese_calendar

from models.errors import DomainError


class CalendarMissing(DomainError):
    status = 503

    def __init__(self, year: int):
        super().__init__(f"缺少{year}年的节假日安排，请管理员导入后再按工作日计算。")
        self.year = year


class WorkCalendar:
    """Which days are working days; `overrides` (day → is working) win over the package."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = overrides or {}

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarMissing(day.year) from None

    def shift(self, day: date, workdays: int) -> date:
        """The day `workdays` working days after (or, when negative, before) `day`."""
        step = 1 if workdays >= 0 else -1
        remaining = abs(workdays)
        while remaining:
            day += timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        return day
