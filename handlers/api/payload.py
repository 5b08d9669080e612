"""Reading API input: a JSON object body and query parameters, refused with a clear 400.

Each refusal is a DomainError, so the app's error handler answers `{"error": "..."}` (R9).
"""

from datetime import UTC, datetime

from flask import request

from handlers.api import texts
from models.errors import DomainError

MAX_PAGE = 200
DEFAULT_PAGE = 50


class BadInput(DomainError):
    status = 400


def json_body() -> dict:
    """The request's JSON object, or BadInput."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput(texts.NOT_JSON)
    return body


def required(body: dict, key: str, kind: type, label: str):
    """`body[key]` of type `kind` (bools are not ints), or BadInput naming the field."""
    value = body.get(key)
    if value is None:
        raise BadInput(texts.MISSING_FIELD.format(key=key, label=label))
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadInput(texts.WRONG_TYPE.format(key=key, label=label))
    return value


def optional_ids(body: dict, key: str, label: str) -> list[int]:
    """A list of integer ids under `key` (absent or null: empty), or BadInput."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise BadInput(texts.NOT_ID_LIST.format(key=key, label=label))
    return value


def optional_text(body: dict, key: str, label: str) -> str:
    """Text under `key` (absent or null: empty), or BadInput."""
    value = body.get(key) or ""
    if not isinstance(value, str):
        raise BadInput(texts.NOT_TEXT.format(key=key, label=label))
    return value


def optional_flag(body: dict, key: str, label: str) -> bool:
    """A boolean under `key` (absent or null: false), or BadInput."""
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadInput(texts.NOT_FLAG.format(key=key, label=label))
    return value


def query_int(key: str, default: int | None = None, *, low: int = 0,
              high: int | None = None) -> int | None:
    """An integer query parameter within [low, high], or BadInput."""
    text = request.args.get(key)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadInput(texts.NOT_INTEGER.format(key=key)) from None
    if value < low or (high is not None and value > high):
        limit = f"{low}–{high}" if high is not None else texts.AT_LEAST.format(low=low)
        raise BadInput(texts.OUT_OF_RANGE.format(key=key, limit=limit))
    return value


def query_choice(key: str, choices: type) -> str | None:
    """A query parameter that must be one of an enum's values, or BadInput."""
    text = request.args.get(key)
    if not text:
        return None
    allowed = [item.value for item in choices]
    if text not in allowed:
        raise BadInput(texts.NOT_ONE_OF.format(key=key, allowed=", ".join(allowed)))
    return text


def page() -> tuple[int, int]:
    """(limit, offset) from the query, limit at most MAX_PAGE."""
    return (query_int("limit", DEFAULT_PAGE, low=1, high=MAX_PAGE),
            query_int("offset", 0, low=0))


def zoned_time(text: str, refusal: str = texts.NOT_AWARE_TIME) -> datetime:
    """An ISO 8601 time with its zone (2026-12-31T17:00:00+08:00), in UTC; else BadInput
    saying `refusal`."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise BadInput(refusal)
    return value.astimezone(UTC)
