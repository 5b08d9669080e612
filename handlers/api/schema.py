"""The building blocks of the OpenAPI document (handlers/api/openapi.py and the parts kept
beside their routes, such as handlers/api/notice_openapi.py)."""


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
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}}


def query_param(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def body_of(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}
