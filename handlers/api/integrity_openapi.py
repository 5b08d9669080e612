"""The OpenAPI description of the 照搬照抄 routes (handlers/api/integrity.py), merged into the
document by handlers/api/openapi.py."""

from handlers.api.schema import body_of, error_ref, json_of, list_of, path_id, ref, text_field
from models.integrity import MIN_DISMISS_REASON, FlagKind, FlagState

TIME = {"type": ["string", "null"], "format": "date-time"}
ERRORS = {"400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
          "403": error_ref("Forbidden"), "404": error_ref("NotFound"), "409": error_ref("Conflict")}

SCHEMAS = {
    "IntegrityFlag": {"type": "object", "description": "材料雷同预警（照搬照抄）", "properties": {
        "id": {"type": "integer"}, "assignment_id": {"type": "integer"},
        "evidence_id": {"type": "integer", "description": "被预警的本次材料"},
        "kind": {"type": "string", "enum": [kind.value for kind in FlagKind],
                 "description": "photo 照片相似、summary 小结雷同、exif 拍摄信息异常"},
        "matched_evidence_id": {"type": ["integer", "null"], "description": "相似的此前材料"},
        "matched_label": {"type": "string", "description": "相似的历史档案文件名"},
        "similarity": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "description": {"type": "string", "description": "如：此照片与 青山镇 2025-06《…》中的照片相似（97%）"},
        "state": {"type": "string", "enum": [state.value for state in FlagState],
                  "description": "open 待处理、dismissed 已排除、cited 已据此退回"},
        "decided_by_id": {"type": ["integer", "null"]}, "reason": {"type": "string"},
        "decided_at": TIME, "created_at": TIME}},
    "IntegrityFlagDismissal": {"type": "object", "required": ["reason"], "properties": {
        "reason": text_field(500, least=MIN_DISMISS_REASON, description="排除理由")}},
}

FLAG_LIST = list_of("IntegrityFlag")
FLAG_LIST["required"] = ["items", "checking"]
FLAG_LIST["properties"]["checking"] = {
    "type": "integer", "minimum": 0,
    "description": "最近一轮上报的材料中尚在比对的项数（大于0时预警可能还会增加）"}

PATHS = {
    "/assignments/{assignment_id}/integrity-flags": {"get": {
        "operationId": "listIntegrityFlags", "summary": "任务已上报材料的雷同预警（照搬照抄）",
        "parameters": [path_id("assignment_id")],
        "responses": {"200": json_of(FLAG_LIST, "预警，新的在前"),
                      "400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
                      "404": error_ref("NotFound")}}},
    "/integrity-flags/{flag_id}/dismiss": {"post": {
        "operationId": "dismissIntegrityFlag",
        "summary": "排除一条雷同预警（该任务的审核人员），须写明理由，留痕",
        "parameters": [path_id("flag_id")],
        "requestBody": body_of(ref("IntegrityFlagDismissal")),
        "responses": {"200": json_of(ref("IntegrityFlag"), "已排除"), **ERRORS}}},
}
