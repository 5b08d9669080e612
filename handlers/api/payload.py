"""Reading API input: a JSON object body, query parameters and path ids, refused with a clear
400 when out of shape or out of range (issue 14 §10: every number and date is bounded here,
before it reaches the database or date arithmetic).

Each refusal is a DomainError, so the app's error handler answers `{"error": "..."}` (R9).
openapi.py publishes the same bounds (MAX_ID, YEARS, the lengths).
"""

import math
from datetime import UTC, date, datetime, time

from flask import request

from handlers.api import texts
from models.clock import SHANGHAI
from models.db import session
from models.errors import DomainError
from models.unit import Unit

MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_ID = 2**31 - 1  # ids are PostgreSQL `integer` columns
YEARS = (2000, 2100)  # every year, date and time the API takes lies within these years
MAX_QUERY_TEXT = 100
MAX_REASON = 500  # a reason given with a review, an unlock, a new due time or a deduction


class BadInput(DomainError):
    status = 400


def json_body() -> dict:
    """The request's JSON object, or BadInput (also for JSON nested too deep to parse)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise BadInput(texts.TOO_DEEP) from None
    if not isinstance(body, dict):
        raise BadInput(texts.NOT_JSON)
    return body


def required(body: dict, key: str, kind: type, label: str):
    """`body[key]` of type `kind` (bools are not ints), or BadInput naming the field."""
    value = body.get(key)
    if value is None:
        raise BadInput(texts.MISSING_FIELD.format(key=key, label=label))
    if kind is int:
        value = _integer(value)
    if value is None or not isinstance(value, kind):
        raise BadInput(texts.WRONG_TYPE.format(key=key, label=label))
    if isinstance(value, str):
        _storable(value, texts.FIELD.format(key=key, label=label))
    return value


def required_id(body: dict, key: str, label: str) -> int:
    """An id under `key`: an integer from 1 to MAX_ID, or BadInput."""
    value = required(body, key, int, label)
    if not 1 <= value <= MAX_ID:
        raise BadInput(texts.FIELD_OUT_OF_RANGE.format(key=key, label=label, limit=_id_range()))
    return value


def required_unit(body: dict, label: str = "单位") -> Unit:
    """The unit `unit_id` names, or BadInput (a missing unit is bad input, not a 404)."""
    unit = session.get(Unit, required_id(body, "unit_id", label))
    if unit is None:
        raise BadInput(texts.NO_SUCH_UNIT)
    return unit


def optional_ids(body: dict, key: str, label: str) -> list[int]:
    """A list of ids (1 to MAX_ID) under `key` (absent or null: empty), or BadInput."""
    value = body.get(key)
    if value is None:
        return []
    ids = [_integer(item) for item in value] if isinstance(value, list) else [None]
    if not all(item is not None and 1 <= item <= MAX_ID for item in ids):
        raise BadInput(texts.NOT_ID_LIST.format(key=key, label=label, limit=_id_range()))
    return ids


def optional_text(body: dict, key: str, label: str, max_length: int | None = None) -> str:
    """Text under `key` (absent or null: empty), at most `max_length` characters, or BadInput."""
    value = body.get(key) or ""
    if not isinstance(value, str):
        raise BadInput(texts.NOT_TEXT.format(key=key, label=label))
    if max_length is not None and len(value) > max_length:
        raise BadInput(texts.TOO_LONG.format(key=key, label=label, count=max_length))
    return _storable(value, texts.FIELD.format(key=key, label=label))


def optional_flag(body: dict, key: str, label: str) -> bool:
    """A boolean under `key` (absent or null: false), or BadInput."""
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadInput(texts.NOT_FLAG.format(key=key, label=label))
    return value


def required_period(body: dict) -> str:
    """The `period` of a dispatch (2026-11, 2026Q4, 2026 or once), its year within YEARS;
    whether it fits the template is models.dispatch's to say."""
    period = required(body, "period", str, "周期").strip()
    if period[:4].isdigit() and not YEARS[0] <= int(period[:4]) <= YEARS[1]:
        raise BadInput(texts.PERIOD_YEAR.format(low=YEARS[0], high=YEARS[1]))
    return period


def required_day(body: dict, key: str, label: str) -> date:
    """A date (YYYY-MM-DD) within YEARS under `key`, or BadInput."""
    try:
        day = date.fromisoformat(required(body, key, str, label))
    except ValueError:
        raise BadInput(texts.FIELD_NOT_DATE.format(key=key, label=label)) from None
    return _in_years(day, texts.FIELD.format(key=key, label=label))


def required_zoned_time(body: dict, key: str, label: str) -> datetime:
    """An ISO 8601 time with its zone (2026-12-31T17:00:00+08:00) within YEARS, in UTC."""
    text = required(body, key, str, label)
    refusal = texts.NOT_AWARE_TIME.format(key=key, label=label)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(refusal) from None
    if value.tzinfo is None:
        raise BadInput(refusal)
    return _in_years(value, texts.FIELD.format(key=key, label=label)).astimezone(UTC)


def query_int(key: str, default: int | None = None, *, low: int = 0,
              high: int = MAX_ID) -> int | None:
    """An integer query parameter within [low, high], or BadInput."""
    text = _arg(key)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = _integer(_number(text))  # 5.0 is an integer, as JSON Schema counts
    if value is None:
        raise BadInput(texts.NOT_INTEGER.format(key=key))
    if not low <= value <= high:
        raise BadInput(texts.OUT_OF_RANGE.format(key=key, limit=f"{low}–{high}"))
    return value


def _number(text: str) -> float | None:
    """`text` as a finite float, or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def query_choice(key: str, choices) -> str | None:
    """A query parameter that must be one of `choices` (an enum's values, or strings)."""
    text = _arg(key)
    if not text:
        return None
    allowed = [getattr(item, "value", item) for item in choices]
    if text not in allowed:
        raise BadInput(texts.NOT_ONE_OF.format(key=key, allowed=", ".join(allowed)))
    return text


def query_flag(key: str) -> bool:
    """`?key=true` is True; absent or empty False; anything else BadInput."""
    text = _arg(key)
    if text and text != "true":
        raise BadInput(texts.NOT_ONE_OF.format(key=key, allowed="true"))
    return text == "true"


def query_text(key: str) -> str | None:
    """A free-text query parameter (a filter), stripped; None when absent or blank."""
    text = (_arg(key) or "").strip()
    if len(text) > MAX_QUERY_TEXT:
        raise BadInput(texts.QUERY_TOO_LONG.format(key=key, count=MAX_QUERY_TEXT))
    return _storable(text, texts.PARAMETER.format(key=key)) or None


def query_date(key: str) -> date | None:
    """A date query parameter (YYYY-MM-DD) within YEARS, or BadInput."""
    text = _arg(key)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput(texts.NOT_DATE.format(key=key)) from None
    return _in_years(day, texts.PARAMETER.format(key=key))


def query_moment(key: str) -> datetime | None:
    """A date (its end, Shanghai time) or a zoned ISO 8601 time, within YEARS, in UTC."""
    text = _arg(key)
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            value = datetime.combine(day, time.max, SHANGHAI)
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(texts.NOT_MOMENT.format(key=key)) from None
    if value.tzinfo is None:
        raise BadInput(texts.NOT_MOMENT.format(key=key))
    return _in_years(value, texts.PARAMETER.format(key=key)).astimezone(UTC)


def page() -> tuple[int, int]:
    """(limit, offset) from the query, limit at most MAX_PAGE."""
    return (query_int("limit", DEFAULT_PAGE, low=1, high=MAX_PAGE),
            query_int("offset", 0, low=0))


def check_path_ids(view_args: dict | None) -> None:
    """Every id in the path (`<int:..._id>`) from 1 to MAX_ID, or BadInput."""
    for key, value in (view_args or {}).items():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise BadInput(texts.PATH_ID_RANGE.format(limit=_id_range()))


def _arg(key: str) -> str | None:
    """The query parameter `key`, given at most once, or BadInput."""
    values = request.args.getlist(key)
    if len(values) > 1:
        raise BadInput(texts.REPEATED.format(key=key))
    return values[0] if values else None


def _integer(value) -> int | None:
    """An int (never a bool), or None; 2026.0 counts, as JSON Schema's `integer` has it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _storable(value: str, what: str) -> str:
    """`value`, unless it holds NUL (PostgreSQL text cannot) or is not valid UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(texts.BAD_CHARACTERS.format(what=what)) from None
    if "\x00" in value:
        raise BadInput(texts.BAD_CHARACTERS.format(what=what))
    return value


def _in_years(value, what: str):
    """`value` (a date or datetime) when its year lies in YEARS, else BadInput naming `what`."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise BadInput(texts.YEAR_RANGE.format(what=what, low=YEARS[0], high=YEARS[1]))
    return value


def _id_range() -> str:
    return f"1–{MAX_ID}"


def iso_time(value: datetime | None) -> str | None:
    """A stored instant as every response writes it: ISO 8601 in UTC, or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None
