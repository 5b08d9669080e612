"""The building blocks of the OpenAPI document (handlers/api/openapi.py and the parts kept
beside their routes, such as handlers/api/notice_openapi.py)."""

from handlers.api.payload import MAX_ID, MAX_QUERY_TEXT, YEARS

# What handlers/api/payload.py accepts, published: ids, years, dates and times within YEARS
# (a pattern on the year, beside the format), text without NUL.
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
YEAR = {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}
_IN_YEARS = r"^(?:20\d{2}|2100)-"
DAY = {"type": "string", "format": "date", "pattern": _IN_YEARS}
ZONED_TIME = {"type": "string", "format": "date-time", "pattern": _IN_YEARS}
NO_NUL = r"^[^\x00]*$"
QUERY_TEXT = {"type": "string", "maxLength": MAX_QUERY_TEXT, "pattern": NO_NUL}
PERIOD = r"^(?:(?:20\d{2}|2100)(?:-(?:0[1-9]|1[0-2])|Q[1-4])?|once)$"


def text_field(max_length: int, *, least: int = 0, description: str | None = None) -> dict:
    """A text field: at most `max_length` characters, no NUL, and (least > 0) at least
    `least` characters once stripped, as the readers and models count them."""
    if least:
        pattern = r"^\s*[^\s\x00]" + (rf"[^\x00]{{{least - 2},}}[^\s\x00]" if least > 1 else
                                       r"(?:[^\x00]*[^\s\x00])?") + r"\s*$"
    else:
        pattern = NO_NUL
    schema = {"type": "string", "maxLength": max_length, "pattern": pattern}
    if least:
        schema["minLength"] = least
    if description:
        schema["description"] = description
    return schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_of(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_ref(description: str) -> dict:
    return {"$ref": f"#/components/responses/{description}"}


def list_of(name: str) -> dict:
    return {"type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": ref(name)}}}


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def query_param(name: str, schema: dict, description: str) -> dict:
    """An optional query parameter; left empty (`?year=`, as a form sends it) it is absent."""
    return {"name": name, "in": "query", "required": False,
            "schema": {"anyOf": [schema, {"const": ""}]}, "description": description}


def body_of(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}
