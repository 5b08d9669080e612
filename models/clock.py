"""The one clock (STYLE.md R6): the instant read at the edge, the county's time zone, and how
an instant is shown. Domain code takes `now` as an argument; only entry points call utcnow()."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")  # times are stored in UTC and shown in the county's zone
SHOWN = "%Y-%m-%d %H:%M"


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def local_time(value: datetime | None, fmt: str = SHOWN) -> str:
    """`value` as the county reads it (Asia/Shanghai), '' for none."""
    return value.astimezone(SHANGHAI).strftime(fmt) if value else ""


def local_date(value: datetime):
    """The county's calendar day of `value`."""
    return value.astimezone(SHANGHAI).date()
