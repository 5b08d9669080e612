"""The OpenAPI description of the notice routes (handlers/api/notice.py), merged into the
document by handlers/api/openapi.py."""

from handlers.api.payload import MAX_ID, MAX_PAGE
from handlers.api.schema import (ID, YEAR, ZONED_TIME, body_of, error_ref, json_of, path_id,
                                 query_param, ref, text_field)
from models.ladder import Level
from models.notice import ItemState, NoticeAction, NoticeKind, NoticeState
from models.notice_lifecycle import MAX_ITEMS, MAX_TEXT, MIN_FACTS, MIN_REPLY


TIME = {"type": ["string", "null"], "format": "date-time"}
ACTIONS = {"type": "array", "description": "调用者此刻可做的操作（与页面、对话相同）",
           "items": {"type": "string", "enum": [action.value for action in NoticeAction]}}
WARNING = {"type": "string", "enum": [level.value for level in Level]}
ERRORS = {"400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
          "403": error_ref("Forbidden"), "404": error_ref("NotFound"), "409": error_ref("Conflict")}

SCHEMAS = {
    "NoticeItem": {"type": "object", "properties": {
        "id": {"type": "integer"}, "position": {"type": "integer"},
        "requirement": {"type": "string"}, "due_at": TIME,
        "person_id": {"type": ["integer", "null"]}, "person_name": {"type": ["string", "null"]},
        "state": {"type": "string", "enum": [state.value for state in ItemState]},
        "round": {"type": "integer", "description": "回复次数"},
        "reply": {"type": "string"}, "replied_at": TIME, "verified_at": TIME,
        "return_reason": {"type": "string"}, "returns": {"type": "integer"},
        "warning": WARNING, "actions": ACTIONS}},
    "Notice": {"type": "object", "description": "监督建议书（suggestion）或整改通知书（rectification）",
               "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": [kind.value for kind in NoticeKind]},
        "reference": {"type": ["string", "null"], "description": "文号，如〔2026〕第3号；草稿为 null"},
        "name": {"type": "string"}, "year": {"type": ["integer", "null"]},
        "number": {"type": ["integer", "null"]}, "issuer_id": {"type": "integer"},
        "issuer_name": {"type": "string"}, "unit_id": {"type": "integer"},
        "unit_name": {"type": "string"}, "title": {"type": "string"},
        "facts": {"type": "string"}, "basis": {"type": "string"},
        "state": {"type": "string", "enum": [state.value for state in NoticeState]},
        "warning": WARNING, "reply_due_at": TIME, "issued_at": TIME, "follow_up_due_at": TIME,
        "follow_up_note": {"type": "string"}, "closed_at": TIME,
        "overdue": {"type": "boolean", "description": "列表中：回复或某项整改已逾期"},
        "actions": ACTIONS, "items": {"type": "array", "items": ref("NoticeItem")}}},
    "NoticeRequest": {"type": "object", "required": ["unit_id", "reply_due_at", "items"],
                      "properties": {
        "kind": {"type": "string", "enum": [kind.value for kind in NoticeKind]},
        "unit_id": ID, "title": text_field(80), "facts": text_field(MAX_TEXT, description=f"至少{MIN_FACTS}个字"),
        "basis": text_field(MAX_TEXT), "reply_due_at": ZONED_TIME,
        "follow_up_days": {"type": "integer", "minimum": 1, "maximum": 180},
        "items": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS,
                  "items": {"type": "object", "required": ["due_at"], "properties": {
                      "requirement": text_field(MAX_TEXT),
                      # years 2000–2100 as everywhere (else a 400); no year pattern here: a
                      # second patterned time in the body leaves the fuzzer nothing to send
                      "due_at": {"type": "string", "format": "date-time"},
                      # (not oneOf [ID, null]: the fuzzer filters nearly every body it makes of that)
                      "person_id": {"type": ["integer", "null"], "minimum": 1,
                                    "maximum": MAX_ID}}}}}},
    "NoticeReply": {"type": "object", "required": ["text"],
                    "properties": {"text": text_field(MAX_TEXT, least=MIN_REPLY)}},
    "NoticeVerification": {"type": "object", "required": ["decision"], "properties": {
        "decision": {"type": "string", "enum": ["accept", "return"]},
        "reason": text_field(MAX_TEXT)}},
    "NoticeClose": {"type": "object", "required": ["note"],
                    "properties": {"note": text_field(MAX_TEXT)}},
}


def _step(operation: str, summary: str, body: str | None = None, item: bool = False) -> dict:
    parameters = [path_id("notice_id")] + ([path_id("item_id")] if item else [])
    step = {"operationId": operation, "summary": summary, "parameters": parameters,
            "responses": {"200": json_of(ref("Notice"), "文书的新状态"), **ERRORS}}
    if body:
        step["requestBody"] = body_of(ref(body))
    return {"post": step}


PATHS = {
    "/notices": {
        "get": {"operationId": "listNotices", "summary": "整改台账：调用者可见的已下发文书",
                "parameters": [
                    query_param("year", YEAR, "年度"), query_param("issuer", ID, "下发单位编号"),
                    query_param("unit", ID, "主送单位编号"),
                    query_param("state", {"type": "string",
                                          "enum": [s.value for s in NoticeState]}, "状态"),
                    query_param("overdue", {"type": "integer", "enum": [0, 1]}, "1：只看逾期"),
                    query_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                          "default": 50}, "每页条数"),
                    query_param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_ID,
                                           "default": 0}, "跳过条数")],
                "responses": {"200": json_of({"type": "object", "properties": {
                    "items": {"type": "array", "items": ref("Notice")}}}, "文书"),
                    "400": error_ref("BadRequest"), "401": error_ref("Unauthorized")}},
        "post": {"operationId": "createNotice",
                 "summary": "起草（纪检监察组织对其监督的单位，审核人员对任一单位）",
                 "requestBody": body_of(ref("NoticeRequest")),
                 "responses": {"201": json_of(ref("Notice"), "草稿"), **ERRORS}}},
    "/notices/{notice_id}": {"get": {
        "operationId": "getNotice", "summary": "一份文书及其各项整改要求",
        "parameters": [path_id("notice_id")],
        "responses": {"200": json_of(ref("Notice"), "文书"), "400": error_ref("BadRequest"),
                      "401": error_ref("Unauthorized"), "404": error_ref("NotFound")}}},
    "/notices/{notice_id}.docx": {"get": {
        "operationId": "getNoticeDocument", "summary": "文书的 Word 文档（与打印页相同）",
        "parameters": [path_id("notice_id")],
        "responses": {"200": {"description": "docx 文件", "content": {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string"}}}},
            "400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
            "404": error_ref("NotFound")}}},
    "/notices/{notice_id}/issue": _step("issueNotice", "下发：编号〔年度〕第N号，告知主送单位"),
    "/notices/{notice_id}/acknowledge": _step("acknowledgeNotice", "签收（主送单位书记或联络员）"),
    "/notices/{notice_id}/items/{item_id}/replies": _step(
        "replyNoticeItem", "回复一项整改要求", "NoticeReply", item=True),
    "/notices/{notice_id}/items/{item_id}/verifications": _step(
        "verifyNoticeItem", "核实一项：通过，或退回重改（须写理由，按评分规则扣分）",
        "NoticeVerification", item=True),
    "/notices/{notice_id}/close": _step("closeNotice", "回访销账（回访日期之后）", "NoticeClose"),
}
