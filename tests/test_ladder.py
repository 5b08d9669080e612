"""The ladder's clock (DESIGN.md): step times, working days across National Day 2026, quiet
hours, and only the highest step now due. Pure functions: `now` is always explicit."""

from datetime import UTC, date, datetime

import pytest

from models.calendar import CalendarMissing, WorkCalendar
from models.ladder import (QUIET_END, QUIET_START, SHANGHAI, Level, after_quiet_hours, schedule,
                           step_due)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


DUE = sh(2026, 10, 9, 17, 0)
QUIET = (QUIET_START, QUIET_END)  # the default 22:00–07:30, whatever the app is configured with


def test_design_example_in_calendar_days():
    steps = dict(schedule(DUE))
    assert steps[Level.REMINDER] == sh(2026, 10, 6, 17, 0)
    assert steps[Level.BLUE] == sh(2026, 10, 10, 17, 0)
    assert steps[Level.YELLOW] == sh(2026, 10, 12, 17, 0)
    assert steps[Level.RED] == sh(2026, 10, 14, 17, 0)
    assert steps[Level.SUPERVISION] == sh(2026, 10, 16, 17, 0)


def test_working_days_skip_the_national_day_holiday_and_count_the_make_up_saturday():
    due = sh(2026, 9, 30, 17, 0)
    steps = dict(schedule(due, working_days=True))
    assert steps[Level.REMINDER] == sh(2026, 9, 24, 17, 0)  # 25–27 Sep are 中秋 holidays
    assert steps[Level.BLUE] == sh(2026, 10, 8, 17, 0)  # 1–7 Oct off
    assert steps[Level.YELLOW] == sh(2026, 10, 10, 17, 0)  # Saturday 10 Oct is a make-up workday
    assert steps[Level.RED] == sh(2026, 10, 13, 17, 0)  # Sunday 11 Oct is off again


@pytest.mark.parametrize("now, expected", [
    (sh(2026, 10, 5, 17, 0), None),  # T−4 d
    (sh(2026, 10, 6, 17, 0), Level.REMINDER),  # T−3 d
    (sh(2026, 10, 10, 17, 0), Level.BLUE),  # T+1 d
    (sh(2026, 10, 12, 17, 0), Level.YELLOW),  # T+3 d
    (sh(2026, 10, 14, 17, 0), Level.RED),  # T+5 d
    (sh(2026, 10, 16, 17, 0), Level.SUPERVISION),  # T+7 d
])
def test_each_step_at_its_time(now, expected):
    assert step_due(DUE, now) == expected


def test_missed_steps_collapse_into_the_highest():
    assert step_due(DUE, sh(2026, 10, 15, 9, 0)) == Level.RED
    assert step_due(DUE, sh(2026, 10, 15, 9, 0), reached=Level.RED) is None
    assert step_due(DUE, sh(2026, 10, 15, 9, 0), reached=Level.REMINDER) == Level.RED


def test_quiet_hours_wait_until_morning_except_supervision():
    late = sh(2026, 10, 9, 23, 15)
    assert after_quiet_hours(Level.BLUE, late, QUIET) == sh(2026, 10, 10, 7, 30)
    assert after_quiet_hours(Level.BLUE, sh(2026, 10, 9, 6, 0), QUIET) == sh(2026, 10, 9, 7, 30)
    assert after_quiet_hours(Level.SUPERVISION, late, QUIET) == late
    assert after_quiet_hours(Level.RED, sh(2026, 10, 9, 17, 0), QUIET) == sh(2026, 10, 9, 17, 0)
    steps = dict(schedule(sh(2026, 10, 9, 22, 30), quiet=QUIET))
    assert steps[Level.BLUE] == sh(2026, 10, 11, 7, 30)
    assert steps[Level.SUPERVISION] == sh(2026, 10, 16, 22, 30)


KNOWN_2026 = WorkCalendar(years={2026})  # a calendar of our own: 2027 unknown whatever the package


def test_a_missing_year_is_an_alarm_not_a_guess():
    with pytest.raises(CalendarMissing) as missing:
        schedule(sh(2027, 1, 8, 17, 0), working_days=True, calendar=KNOWN_2026)
    assert missing.value.year == 2027 and "2027年" in missing.value.message
    overrides = {date(2027, 1, d): d not in (9, 10) for d in range(1, 20)}
    blue = dict(schedule(sh(2027, 1, 8, 17, 0), working_days=True,
                         calendar=WorkCalendar(overrides)))[Level.BLUE]
    assert blue == sh(2027, 1, 11, 17, 0)


@pytest.mark.parametrize("day, workdays, expected", [
    (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over 元旦 (Fri) and the weekend
    (date(2027, 4, 30), 1, date(2027, 5, 3)),  # 劳动节 1-2 May fall on the weekend anyway
    (date(2027, 9, 30), 1, date(2027, 10, 4)),  # 国庆节 1-3 Oct (Fri-Sun)
    (date(2027, 10, 5), -2, date(2027, 9, 30)),  # backwards over them too
    (date(2027, 2, 8), 1, date(2027, 2, 9)),  # lunar holidays cannot be guessed: weekdays
])
def test_an_unknown_year_is_counted_off_the_fixed_date_holidays(day, workdays, expected):
    assert KNOWN_2026.lenient().shift(day, workdays) == expected


def test_the_fixed_date_holidays_are_holidays_in_every_schedule_the_package_knows():
    from models.calendar import FIXED_HOLIDAYS, package_calendar, package_years

    years = [year for year in package_years() if year >= 2025]  # the 2024 rule's years
    assert years
    for year in years:
        for month, day in FIXED_HOLIDAYS:
            assert not package_calendar().is_workday(date(year, month, day)), (year, month, day)
