"""Reading API input: a JSON object body and query parameters, refused with a clear 400.

Each refusal is a DomainError, so the app's error handler answers `{"error": "..."}` (R9).
"""

from flask import request

from models.errors import DomainError

MAX_PAGE = 200
DEFAULT_PAGE = 50


class BadInput(DomainError):
    status = 400


def json_body() -> dict:
    """The request's JSON object, or BadInput."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("请求体须为 JSON 对象，并设置 Content-Type: application/json。")
    return body


def required(body: dict, key: str, kind: type, label: str):
    """`body[key]` of type `kind` (bools are not ints), or BadInput naming the field."""
    value = body.get(key)
    if value is None:
        raise BadInput(f"缺少字段 {key}（{label}）。")
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadInput(f"字段 {key}（{label}）类型有误。")
    return value


def optional_ids(body: dict, key: str, label: str) -> list[int]:
    """A list of integer ids under `key` (absent or null: empty), or BadInput."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise BadInput(f"字段 {key}（{label}）须为整数数组。")
    return value


def optional_flag(body: dict, key: str, label: str) -> bool:
    """A boolean under `key` (absent or null: false), or BadInput."""
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadInput(f"字段 {key}（{label}）须为 true 或 false。")
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
        raise BadInput(f"参数 {key} 须为整数。") from None
    if value < low or (high is not None and value > high):
        limit = f"{low}–{high}" if high is not None else f"不小于{low}"
        raise BadInput(f"参数 {key} 超出范围（{limit}）。")
    return value


def query_choice(key: str, choices: type) -> str | None:
    """A query parameter that must be one of an enum's values, or BadInput."""
    text = request.args.get(key)
    if not text:
        return None
    allowed = [item.value for item in choices]
    if text not in allowed:
        raise BadInput(f"参数 {key} 须为以下之一：{', '.join(allowed)}。")
    return text


def page() -> tuple[int, int]:
    """(limit, offset) from the query, limit at most MAX_PAGE."""
    return (query_int("limit", DEFAULT_PAGE, low=1, high=MAX_PAGE),
            query_int("offset", 0, low=0))
