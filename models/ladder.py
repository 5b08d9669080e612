"""The warning ladder (DESIGN.md): when each step of an assignment falls due. Pure functions.

Each step's time is the due time moved by whole days (calendar days, or working days when the
template says so) at the same clock time in Asia/Shanghai; a step that lands in quiet hours
(22:00–07:30) waits until 07:30, except 督办. Only the highest step now due is ever sent: steps
missed while the system was down collapse into it.
"""

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum

from models.clock import SHANGHAI
from models.calendar import WorkCalendar, package_calendar

QUIET_START, QUIET_END = time(22, 0), time(7, 30)
NO_QUIET = (time(0, 0), time(0, 0))


class Level(StrEnum):
    """The one name for the ladder's five levels: the step a push is for, the highest one a
    task has reached (`Assignment.warning`, NONE before the first), and its colour."""

    NONE = "none"  # 未预警: the task has reached no step yet
    REMINDER = "reminder"  # 预警提醒
    BLUE = "blue"  # 蓝色预警
    YELLOW = "yellow"  # 黄色预警
    RED = "red"  # 红色预警
    SUPERVISION = "supervision"  # 工作督办

    # Hash as the stored string does (Enum's own hash is of the name, in Python): a member and
    # its value are then one dict key, and a year's scoring looks levels up a million times.
    __hash__ = str.__hash__


# (step, days from the due day): the default ladder [seed]; a template may set its own days.
DEFAULT_LADDER: tuple[tuple[Level, int], ...] = (
    (Level.REMINDER, -3), (Level.BLUE, 1), (Level.YELLOW, 3), (Level.RED, 5), (Level.SUPERVISION, 7))
# The steps as a person reads them; a county names its own (models.level_scheme.ladder_names).
STEP_NAMES = ("预警提醒", "蓝色预警", "黄色预警", "红色预警", "工作督办")
LADDER_FORMAT = "预警天数填5个整数，依次为{steps}，如 -3,1,3,5,7。"


def ladder_problem(text: str, names: tuple[str, ...] = STEP_NAMES) -> str | None:
    """Why `text` cannot be a template's ladder days ("-3,1,3,5,7"), or None when it can;
    the steps called `names`."""
    try:
        days = [int(part) for part in text.replace("，", ",").split(",")]
    except ValueError:
        return LADDER_FORMAT.format(steps="、".join(names))
    if len(days) != len(DEFAULT_LADDER):
        return LADDER_FORMAT.format(steps="、".join(names))
    if days[0] > 0 or days[1] < 1 or any(b <= a for a, b in zip(days, days[1:])):
        return f"{names[0]}须在截止日或之前，{names[1]}至少逾期1天，且各级天数依次增大。"
    if days[-1] > 90 or days[0] < -30:
        return "预警天数须在截止前30天到逾期90天之间。"
    return None


def parse_ladder(text: str | None) -> tuple[tuple[Level, int], ...]:
    """A template's ladder: its own days, or the default when it sets none."""
    if not text or ladder_problem(text):
        return DEFAULT_LADDER
    days = [int(part) for part in text.replace("，", ",").split(",")]
    return tuple((step, day) for (step, _), day in zip(DEFAULT_LADDER, days, strict=True))


def step_time(due_at: datetime, days: int, *, working_days: bool,
              calendar: WorkCalendar) -> datetime:
    """The due time moved by `days` whole days, same clock time in Shanghai (aware UTC)."""
    local = due_at.astimezone(SHANGHAI)
    day = calendar.shift(local.date(), days) if working_days else local.date() + timedelta(days)
    return datetime.combine(day, local.time(), SHANGHAI).astimezone(due_at.tzinfo)


_config: Mapping = {}  # the app's configuration, handed in by models.init_app


def configure(config: Mapping) -> None:
    """Read QUIET_HOURS from `config` (the app's, kept by reference: a change shows at once)."""
    global _config
    _config = config


def quiet_hours() -> tuple[time, time]:
    """The configured quiet hours (QUIET_HOURS, "22:00-07:30" by default; "off": none) in
    Shanghai time."""
    text = _config.get("QUIET_HOURS", "")
    if not text:
        return QUIET_START, QUIET_END
    if text == "off":
        return NO_QUIET
    start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    return start, end


def after_quiet_hours(step: str, at: datetime, quiet: tuple[time, time] | None = None
                      ) -> datetime:
    """When a push for `step` may go out: quiet hours wait until they end, except 督办."""
    if step == Level.SUPERVISION:
        return at
    start, end = quiet or quiet_hours()
    local = at.astimezone(SHANGHAI)
    overnight = start > end
    if overnight and local.time() >= start:
        local = datetime.combine(local.date() + timedelta(days=1), end, SHANGHAI)
    elif (overnight and local.time() < end) or (not overnight and start <= local.time() < end):
        local = datetime.combine(local.date(), end, SHANGHAI)
    else:
        return at
    return local.astimezone(at.tzinfo)


def schedule(due_at: datetime, *, working_days: bool = False, calendar: WorkCalendar | None = None,
             ladder=DEFAULT_LADDER, quiet=None) -> list[tuple[Level, datetime]]:
    """Every step with the time its push may go out, in ladder order."""
    calendar = calendar or package_calendar()
    quiet = quiet or quiet_hours()
    return [(step, after_quiet_hours(step, step_time(due_at, days, working_days=working_days,
                                                     calendar=calendar), quiet))
            for step, days in ladder]


def step_due(due_at: datetime, now: datetime, *, reached: Level | None = None,
             working_days: bool = False, calendar: WorkCalendar | None = None,
             ladder=DEFAULT_LADDER, quiet=None) -> Level | None:
    """The highest step due at `now` above the one already `reached`, or None.

    Only the highest: a sweep after downtime must not send stale lower steps.
    """
    steps = schedule(due_at, working_days=working_days, calendar=calendar, ladder=ladder,
                     quiet=quiet)
    return highest_due(steps, now, reached)


def highest_due(steps: list[tuple[Level, datetime]], now: datetime,
                reached: Level | None) -> Level | None:
    """Over a `schedule`: the highest step due at `now` above `reached`, or None."""
    order = [step for step, _ in steps]
    floor = order.index(reached) if reached is not None else -1
    highest = max((index for index, (_, at) in enumerate(steps) if at <= now), default=-1)
    return order[highest] if highest > floor else None


def next_after(steps: list[tuple[Level, datetime]], reached: Level | None) -> datetime | None:
    """Over a `schedule`: when the first step above `reached` falls due, or None past the top."""
    order = [step for step, _ in steps]
    floor = order.index(reached) if reached is not None else -1
    return next((at for index, (_, at) in enumerate(steps) if index > floor), None)
