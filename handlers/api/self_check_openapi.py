"""The OpenAPI description of the self-check routes (handlers/api/self_check.py), merged into
the document by handlers/api/openapi.py."""

from handlers.api.payload import MAX_PAGE
from handlers.api.schema import ID, error_ref, json_of, path_id, query_param, ref
from models.post import RiskLevel

TIME = {"type": ["string", "null"], "format": "date-time"}
READ_ERRORS = {"400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
               "403": error_ref("Forbidden"), "404": error_ref("NotFound")}

SCHEMAS = {
    "SelfCheckAnswer": {"type": "object",
                        "description": "一个廉政风险点的自查结果（风险点内容按提交时保存）",
                        "properties": {
        "id": {"type": "integer"}, "round": {"type": "integer", "description": "第几次上报"},
        "risk_point_id": {"type": ["integer", "null"], "description": "风险点已删除时为 null"},
        "post": {"type": "string"}, "description": {"type": "string"},
        "level": {"type": "string", "enum": [level.value for level in RiskLevel]},
        "level_label": {"type": "string"},
        "occurred": {"type": "boolean", "description": "是否发生风险"},
        "measures": {"type": "string", "description": "防控措施落实情况"},
        "created_at": TIME}},
    "SelfCheck": {"type": "object", "properties": {
        "assignment_id": {"type": "integer"}, "round": {"type": "integer"},
        "answers": {"type": "array", "items": ref("SelfCheckAnswer")}}},
    "SelfCheckRisk": {"type": "object", "description": "自查报告的风险及监督单位的跟进",
                      "properties": {
        "id": {"type": "integer"}, "assignment_id": {"type": "integer"},
        "period": {"type": "string"}, "person_id": {"type": ["integer", "null"]},
        "unit_id": {"type": "integer"},
        "body_id": {"type": ["integer", "null"], "description": "监督单位（纪检组织）"},
        "answer": ref("SelfCheckAnswer"), "reported_at": TIME,
        "note": {"type": "string", "description": "核实处置情况"}, "closed_at": TIME,
        "closed_by_id": {"type": ["integer", "null"]}}},
}

PATHS = {
    "/assignments/{assignment_id}/self-check": {"get": {
        "operationId": "getSelfCheck", "summary": "月度自查任务最近一次上报的逐项自查结果",
        "parameters": [path_id("assignment_id")],
        "responses": {"200": json_of(ref("SelfCheck"), "自查结果"), **READ_ERRORS}}},
    "/self-check-risks": {"get": {
        "operationId": "listSelfCheckRisks",
        "summary": "自查报告的风险及跟进（纪检监察人员看本监督单位的，审核人员、管理员看全部）",
        "parameters": [
            query_param("state", {"type": "string", "enum": ["open", "closed", "all"]},
                        "open 待跟进（默认）、closed 已办结、all 全部"),
            query_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                  "default": 50}, "每页条数"),
            query_param("offset", {**ID, "minimum": 0}, "跳过条数")],
        "responses": {"200": json_of({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": ref("SelfCheckRisk")}}}, "风险及跟进"),
            "400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
            "403": error_ref("Forbidden")}}},
}
