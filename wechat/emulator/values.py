"""Typed keyword rules of category templates and subscribe notifications (fact sheet §3.2, §3.5).

A key such as `thing1` or `character_string12` has the type `thing` / `character_string`; a
value breaking its type's rule is refused with 47003 "argument invalid! data.<key>.value invalid".
Keys of historic templates (`keyword1`, ...) carry no rule.
"""

import re

KEY = re.compile(r"^([a-z_]+?)(\d+)$")
CJK = "\u4e00-\u9fff"
_DATE = r"\d{4}(?:[-/.]\d{1,2}[-/.]\d{1,2}|年\d{1,2}月\d{1,2}日)"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_POINT = rf"(?:{_DATE}(?:\s*{_CLOCK})?|{_CLOCK})"
DATETIME = re.compile(rf"^{_POINT}(?:\s*~\s*{_POINT})?$")
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
LETTER = re.compile(r"^[A-Za-z]{1,32}$")
CHARACTER_STRING = re.compile(r"^[\x21-\x7e]{1,32}$")
PHRASE = re.compile(rf"^[{CJK}]{{1,5}}$")
AMOUNT = re.compile(r"^[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?$")
PHONE = re.compile(r"^(?=.*\d)[\d+\-() ]{1,17}$")
CAR = re.compile(rf"^[{CJK}]?[A-Za-z0-9]+[{CJK}]?$")
NAME_CJK = re.compile(rf"^[{CJK}·]{{1,10}}$")
NAME_LATIN = re.compile(r"^[A-Za-z .·'\-]{1,20}$")


def key_type(key: str) -> str:
    """`thing1` → `thing`; keys without a trailing number are their own type."""
    match = KEY.match(key)
    return match.group(1) if match else key


def _is_symbols(value: str) -> bool:
    return 0 < len(value) <= 5 and not any(ch.isalnum() or ch.isspace() for ch in value)


def _is_number(value: str) -> bool:
    return bool(NUMBER.match(value)) and sum(ch.isdigit() for ch in value) <= 32


RULES = {
    "thing": lambda value: 0 < len(value) <= 20,
    "number": _is_number,
    "letter": lambda value: bool(LETTER.match(value)),
    "symbol": _is_symbols,
    "character_string": lambda value: bool(CHARACTER_STRING.match(value)),
    "time": lambda value: bool(DATETIME.match(value)),
    "date": lambda value: bool(DATETIME.match(value)),
    "amount": lambda value: bool(AMOUNT.match(value)),
    "phone_number": lambda value: bool(PHONE.match(value)),
    "car_number": lambda value: len(value) <= 8 and bool(CAR.match(value)),
    "name": lambda value: bool(NAME_CJK.match(value) or NAME_LATIN.match(value)),
    "phrase": lambda value: bool(PHRASE.match(value)),
}


def is_valid_value(key: str, value) -> bool:
    """Whether `value` obeys the rule of `key`'s type (untyped keys accept any string)."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return False
    rule = RULES.get(key_type(key))
    return True if rule is None else rule(str(value))


def invalid_key(keys: list[str], data) -> str | None:
    """The first template key whose value is missing or invalid in `data`, else None."""
    if not isinstance(data, dict):
        return keys[0] if keys else None
    for key in keys:
        entry = data.get(key)
        value = entry.get("value") if isinstance(entry, dict) else None
        if value is None or not is_valid_value(key, value):
            return key
    return None
