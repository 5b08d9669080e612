"""The OpenAPI 3.1 document served at GET /api/v1/openapi.json (DESIGN.md, Interfaces).

Kept by hand next to the `ROUTES` table; tests/test_api.py validates it and checks that every
route under /api/v1 is described.
"""

from flask import jsonify

from handlers.api import (eco_index_openapi, integrity_openapi, notice_openapi,
                          self_check_openapi, spot_check_openapi)
from handlers.api.payload import MAX_ID, MAX_PAGE, MAX_REASON
from handlers.api.report import MAX_SUMMARY
from handlers.api.schema import (DAY, ID, PERIOD, QUERY_TEXT, YEAR, ZONED_TIME, body_of, error_ref,
                                 json_of, list_of, path_id, query_param, ref, text_field)
from models.assignment import MIN_RETURN_REASON
from models.deduction import MAX_REFERENCE, MIN_REASON
from models.duty import MAX_CLOSE_AFTER_DAYS, LatePolicy, TemplateKind
from models.instruction import MAX_TEXT as MAX_INSTRUCTION
from models.lifecycle import MIN_UNLOCK_REASON
from models.notification import NotificationKind, NotificationStatus


PAGE = [query_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                              "default": 50}, "每页条数"),
        query_param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0},
                    "跳过条数")]


NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_INT = {"type": ["integer", "null"]}
STATES = ["dispatched", "acknowledged", "submitted", "first_approved", "returned", "completed",
          "cancelled"]
WARNINGS = ["none", "reminder", "blue", "yellow", "red", "supervision"]
ROLES = ["committee", "secretary", "member", "staff", "discipline", "inspector", "admin"]
LATE_POLICIES = [policy.value for policy in LatePolicy]
NOTIFICATION_KINDS = [kind.value for kind in NotificationKind]
NOTIFICATION_STATUSES = [status.value for status in NotificationStatus]
UNIT_KINDS = ["county", "township", "department", "village", "discipline"]
OUTCOMES = ["on_time", "late", "unfinished", "reviewing", "open", "cancelled"]
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
COMMON_ERRORS = {"400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
                 "404": error_ref("NotFound")}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"],
              "properties": {"error": {"type": "string", "description": "给用户看的中文说明"}}},
    "Unit": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "kind": {"type": "string",
                 "enum": ["county", "township", "department", "village", "discipline"]},
        "parent_id": NULLABLE_INT, "supervisor_id": NULLABLE_INT,
        "active": {"type": "boolean", "description": "false：已停用或已并入其他单位"},
        "merged_into_id": {**NULLABLE_INT, "description": "并入的单位"}}},
    "Person": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "unit_id": {"type": "integer"},
        "role": {"type": "string", "enum": ROLES}, "role_label": {"type": "string"},
        "title": {"type": "string"}, "active": {"type": "boolean"}}},
    "Template": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "description": {"type": "string"}, "category": {"type": "string"},
        "responsibility": {"type": "string", "enum": ["principal", "supervisory"]},
        "kind": {"type": "string", "enum": [kind.value for kind in TemplateKind]},
        "target_role": {"type": ["string", "null"]},
        "target_unit_kind": {"type": ["string", "null"]},
        "period": {"type": "string", "enum": ["once", "monthly", "quarterly", "yearly"]},
        "due_rule": {"type": "string"}, "points": {"type": "integer"},
        "requires_summary": {"type": "boolean"}, "min_photos": {"type": "integer"},
        "review_levels": {"type": "integer", "minimum": 0, "maximum": 2},
        "late_policy": {"type": "string", "enum": LATE_POLICIES,
                        "description": "allow：允许逾期补交（按预警扣分）；close：截止后关闭填报"},
        "close_after_days": {"type": "integer", "minimum": 0, "maximum": MAX_CLOSE_AFTER_DAYS,
                             "description": "close 时截止后几天关闭填报（0 为截止时间一到即关闭）"},
        "active": {"type": "boolean"}}},
    "DispatchRequest": {"type": "object", "required": ["template_id", "period"], "properties": {
        "template_id": ID,
        "period": {"type": "string", "examples": ["2026-11", "2026Q4", "2026", "once"],
                   "pattern": PERIOD, "description": "须与任务清单的周期类型相符"},
        "unit_ids": {"type": "array", "items": ID},
        "person_ids": {"type": "array", "items": ID},
        "allow_past": {"type": "boolean", "default": False,
                       "description": "截止时间已过仍派发（否则答 409）"}}},
    "DispatchResult": {"type": "object", "properties": {
        "template_id": {"type": "integer"}, "period": {"type": "string"},
        "created": {"type": "integer", "description": "0 when repeated: dispatch is idempotent"},
        "assignment_ids": {"type": "array", "items": {"type": "integer"}},
        "gaps": {"type": "array", "items": {"type": "string"},
                 "description": "新任务中缺少承办人或审核人之处，如“青山镇·专题会议：没有审核人”"}}},
    "Assignment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "template_id": {"type": "integer"},
        "title": {"type": "string"}, "unit_id": {"type": "integer"},
        "person_id": {**NULLABLE_INT, "description": "null: the unit's own task"},
        "period": {"type": "string"}, "due_at": {"type": "string", "format": "date-time"},
        "state": {"type": "string", "enum": STATES},
        "warning": {"type": "string", "enum": WARNINGS}, "round": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "acknowledged_at": NULLABLE_TIME, "submitted_at": NULLABLE_TIME,
        "completed_at": NULLABLE_TIME,
        "closes_at": {**NULLABLE_TIME, "description": "截止后关闭填报的时间；允许逾期补交的任务为 null"},
        "input_closed": {"type": "boolean",
                         "description": "填报现已关闭（未提交、未解锁且已过 closes_at）"},
        "unlocked_at": {**NULLABLE_TIME, "description": "审核人员解锁补报的时间"},
        "unlocked_by_id": NULLABLE_INT}},
    "AssignmentPage": {"type": "object", "properties": {
        "items": {"type": "array", "items": ref("Assignment")}, "total": {"type": "integer"},
        "limit": {"type": "integer"}, "offset": {"type": "integer"}}},
    "AssignmentDetail": {"allOf": [ref("Assignment"), {"type": "object", "properties": {
        "evidence": {"type": "array", "items": ref("Evidence")},
        "reviews": {"type": "array", "items": ref("Review")},
        "instructions": {"type": "array", "items": ref("Instruction")}}}]},
    "Evidence": {"type": "object", "properties": {
        "id": {"type": "integer"}, "assignment_id": {"type": "integer"},
        "round": {"type": "integer", "description": "首次随之提交的轮次"},
        "removed_round": {"type": ["integer", "null"],
                          "description": "自该轮次起被承办人删除（之前各轮仍含此项）"},
        "kind": {"type": "string", "enum": ["text", "photo", "file"]},
        "text": {"type": "string"},
        "status": {"type": "string",
                   "enum": ["received", "stored", "rejected", "failed", "expired"]},
        "sha256": {"type": ["string", "null"]}, "content_type": {"type": "string"},
        "size_bytes": {"type": "integer"}, "width": {"type": "integer"},
        "height": {"type": "integer"}, "taken_at": NULLABLE_TIME,
        "gps_lat": {"type": ["number", "null"], "description": "拍摄位置纬度，仅县纪委监委审核人员可见"},
        "gps_lng": {"type": ["number", "null"], "description": "拍摄位置经度，仅县纪委监委审核人员可见"},
        "error": {"type": "string"}, "created_by_id": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"}}},
    "Review": {"type": "object", "properties": {
        "id": {"type": "integer"}, "level": {"type": "integer", "enum": [1, 2]},
        "reviewer_id": {"type": "integer"},
        "decision": {"type": "string", "enum": ["approve", "return"]},
        "reason": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
    "ReviewRequest": {"oneOf": [
        {"type": "object", "required": ["decision"], "properties": {
            "decision": {"const": "approve"}, "reason": text_field(MAX_REASON)}},
        {"type": "object", "required": ["decision", "reason"], "properties": {
            "decision": {"const": "return"},
            "reason": text_field(MAX_REASON, least=MIN_RETURN_REASON,
                            description="退回须写明理由"),
            "cite_flag_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                             "description": "据此退回的雷同预警（该预警记为已据此退回）"}}}]},
    "Instruction": {"type": "object", "properties": {
        "id": {"type": "integer"}, "author_id": {"type": "integer"},
        "author_name": {"type": "string"}, "text": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}},
    "Notification": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": NOTIFICATION_KINDS}, "kind_label": {"type": "string"},
        "channel": {"type": "string", "enum": ["template", "custom", "sms"]},
        "person_id": NULLABLE_INT, "person_name": {"type": ["string", "null"]},
        "unit_name": {"type": ["string", "null"], "description": "接收人所在单位"},
        "assignment_id": NULLABLE_INT, "title": {"type": ["string", "null"]},
        "step": {"type": ["string", "null"]}, "cycle": {"type": "integer"},
        "status": {"type": "string", "enum": NOTIFICATION_STATUSES},
        "status_label": {"type": "string"}, "attempts": {"type": "integer"},
        "error": {"type": "string", "description": "失败、无法送达或结果未知时的原因"},
        "digest_id": {**NULLABLE_INT, "description": "合并发送时所在的合并提醒"},
        "created_at": {"type": "string", "format": "date-time"}, "send_after": NULLABLE_TIME,
        "sent_at": NULLABLE_TIME, "delivered_at": NULLABLE_TIME}},
    "NotificationCounts": {"type": "object", "properties": {
        "kinds": {"type": "object", "description": "预警提醒和各级预警、督办（键为 reminder、blue、"
                                                   "yellow、red、supervision）各推送多少次"
                                                   "（合并发送的也计入，短信补发不重复计）",
                  "additionalProperties": {"type": "integer"}},
        "statuses": {"type": "object", "description": "各发送状态的条数",
                     "additionalProperties": {"type": "integer"}}}},
    "NotificationPage": {"type": "object", "properties": {
        "items": {"type": "array", "items": ref("Notification")}, "total": {"type": "integer"},
        "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "counts": ref("NotificationCounts")}},
    "EvidenceRequest": {"type": "object", "required": ["text"], "properties": {
        "text": text_field(MAX_SUMMARY, least=1, description="一段工作小结，加入本次上报")}},
    "UnlockRequest": {"type": "object", "required": ["reason"], "properties": {
        "reason": text_field(MAX_REASON, least=MIN_UNLOCK_REASON,
                        description="准予补报的理由（至少5个字），记入办理记录")}},
    "InstructionRequest": {"type": "object", "required": ["text"], "properties": {
        "text": text_field(MAX_INSTRUCTION, least=1)}},
    "AssignmentChange": {"type": "object", "anyOf": [{"required": ["due_at"]},
                                                     {"required": ["person_id"]}],
                         "properties": {
        "due_at": {**ZONED_TIME, "description": "新的截止时间，须带时区，如 "
                                                "2026-12-31T17:00:00+08:00；预警重新计算"},
        "reason": text_field(MAX_REASON, description="调整截止时间的理由"),
        "person_id": {**ID, "description": "改派给本单位的另一名在职人员"}}},
    "UrgeResult": {"type": "object", "required": ["assignment_id", "notifications"],
                   "properties": {
        "assignment_id": {"type": "integer"},
        "notifications": {"type": "array", "description": "每位承办人一条催办推送",
                          "items": {"type": "object", "properties": {
                              "id": {"type": "integer"}, "person_id": {"type": "integer"},
                              "person_name": {"type": "string"},
                              "undeliverable": {
                                  "type": ["string", "null"],
                                  "description": "微信无法送达时的原因（尚未绑定微信、已取消关注公众号），可送达时为 null"}}}}}},
    "ScoreRow": {"type": "object", "description": "一个单位或一名干部的得分（分值为两位小数的字符串）",
                 "properties": {
        "unit_id": {"type": "integer"}, "person_id": {"type": "integer"},
        "name": {"type": "string"}, "kind": {"type": "string", "enum": UNIT_KINDS},
        "role": {"type": "string", "enum": ROLES},
        "rank": {"type": "integer", "description": "同类单位（干部：本单位）中的名次，并列同名次"},
        "ranked_among": {"type": "integer"},
        "possible": {"type": "integer", "description": "应得分：已计分任务的分值合计"},
        "earned": MONEY, "deducted": MONEY, "bonus": MONEY,
        "score": {**MONEY, "description": "100 × 实得分 / 应得分 − 扣分 + 加分（加分有上限），不低于0"},
        "on_time_rate": {"type": ["string", "null"], "description": "按时完成率（%），尚无计分任务时为 null"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                   "description": "各计分结果的任务数：on_time、late、unfinished、reviewing、open、cancelled"},
        "warnings": {"type": "object", "additionalProperties": {"type": "integer"},
                     "description": "达到各级预警和督办的任务数（键为 blue、yellow、red、"
                                    "supervision）"}}},
    "Rules": {"type": "object", "description": "所用评分规则（version 0 为默认规则）", "properties": {
        "year": {"type": "integer"}, "version": {"type": "integer"},
        "policy_id": NULLABLE_INT, "from_year": NULLABLE_INT,
        "grace_days": {"type": "integer"}, "unlocked_rule": {"type": "string",
                                                             "enum": ["penalty", "zero"]},
        "bonus_cap": MONEY, "penalties": {"type": "object",
                                          "additionalProperties": {"type": "integer"}}}},
    "ScoreList": {"type": "object", "required": ["year", "items"], "properties": {
        "year": {"type": "integer"}, "as_of": {"type": "string", "format": "date-time"},
        "rules": ref("Rules"), "items": {"type": "array", "items": ref("ScoreRow")}}},
    "ScoreLine": {"type": "object", "description": "一项任务的得分", "properties": {
        "assignment_id": {"type": "integer"}, "unit_id": {"type": "integer"},
        "person_id": NULLABLE_INT, "person": {"type": ["string", "null"]},
        "task": {"type": "string"}, "period": {"type": "string"},
        "points": {"type": "integer"},
        "earned": {"type": ["string", "null"], "description": "null：尚未计分（进行中或待审核）"},
        "outcome": {"type": "string", "enum": OUTCOMES},
        "level": {"type": "string", "enum": WARNINGS},
        "reason": {"type": "string", "description": "失分原因"}}},
    "DeductionLine": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["deduction", "bonus"]},
        "unit_id": {"type": "integer"}, "person_id": NULLABLE_INT,
        "person": {"type": ["string", "null"]}, "points": MONEY, "reason": {"type": "string"},
        "reference": {"type": "string"}, "day": {"type": "string", "format": "date"},
        "source": {"type": "string"}, "recorded_by": {"type": "string"}}},
    "UnitScore": {"type": "object", "properties": {
        "year": {"type": "integer"}, "as_of": {"type": "string", "format": "date-time"},
        "rules": ref("Rules"), "unit": {"oneOf": [ref("ScoreRow"), {"type": "null"}]},
        "people": {"type": "array", "items": ref("ScoreRow")},
        "lines": {"type": "array", "items": ref("ScoreLine")},
        "deductions": {"type": "array", "items": ref("DeductionLine")}}},
    "Deduction": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["deduction", "bonus"]},
        "unit_id": {"type": "integer"}, "person_id": NULLABLE_INT, "points": MONEY,
        "reason": {"type": "string"}, "reference": {"type": "string"},
        "day": {"type": "string", "format": "date"}, "source": {"type": "string"},
        "recorded_by_id": NULLABLE_INT, "created_at": {"type": "string", "format": "date-time"},
        "revoked_at": NULLABLE_TIME, "revoked_by_id": NULLABLE_INT,
        "revoke_reason": {"type": ["string", "null"]}}},
    "DeductionRequest": {"type": "object", "required": ["unit_id", "points", "reason", "day"],
                         "properties": {
        "unit_id": ID,
        "person_id": {**ID, "description": "扣个人的分时填写，须属于该单位"},
        "kind": {"type": "string", "enum": ["deduction", "bonus"], "default": "deduction"},
        "points": {"type": ["number", "string"], "description": "大于0、不超过100，最多两位小数"},
        "reason": text_field(MAX_REASON, least=MIN_REASON), "reference": text_field(MAX_REFERENCE),
        "day": {**DAY, "description": "不晚于今天"}}},
    "RevokeRequest": {"type": "object", "required": ["reason"], "properties": {
        "reason": text_field(MAX_REASON, least=MIN_REASON)}},
    "Assessment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "year": {"type": "integer"}, "version": {"type": "integer"},
        "as_of": {"type": "string", "format": "date-time"},
        "policy_version": {"type": "integer"},
        "sha256": {"type": "string", "description": "内容（规范化 JSON）的 sha256，已记入留痕链"},
        "units": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": ["string", "null"]}, "published_at": NULLABLE_TIME,
        "pushed": {"type": "integer", "description": "发布时推送给各单位书记的条数"}}},
    "AssessmentDetail": {"allOf": [ref("Assessment"), {"type": "object", "properties": {
        "content": {"type": "object", "description": "冻结的考核结果：units、people、lines、deductions、rules、spot_checks（抽查核实各轮各单位的结果；此前生成的版本没有）"},
        "changes": {"type": ["object", "null"], "description": "与上一版相比的变化；第1版为 null"}}}]},
    "Dashboard": {"type": "object", "description": "全县态势的各组数据", "properties": {
        "year": {"type": "integer"}, "as_of": {"type": "string", "format": "date-time"},
        "tiles": {"type": "array", "description": "每个单位一块：按未办结任务的最严重预警着色",
                  "items": {"type": "object", "properties": {
                      "unit_id": {"type": "integer"}, "name": {"type": "string"},
                      "kind": {"type": "string", "enum": UNIT_KINDS},
                      "colour": {"type": "string", "enum": WARNINGS,
                                 "description": "none：没有逾期任务"},
                      "open": {"type": "integer"}, "overdue": {"type": "integer"},
                      "supervised": {"type": "integer"},
                      "levels": {"type": "object", "additionalProperties": {"type": "integer"}}}}},
        "warnings": {"type": "object", "description": "各级预警每月涉及的任务数（1–12月）",
                     "additionalProperties": {"type": "array", "items": {"type": "integer"}}},
        "supervised": {"type": "integer", "description": "本年开启督办的任务数"},
        "urged": {"type": "integer", "description": "本年催办次数"},
        "categories": {"type": "array", "items": {"type": "object", "properties": {
            "category_id": {"type": "integer"}, "name": {"type": "string"},
            "scored": {"type": "integer"}, "on_time_rate": {"type": "number"},
            "completion_rate": {"type": "number"}}}},
        "ranking": {"type": "array", "items": ref("ScoreRow")},
        "notices": {"type": "object", "description": "本年监督建议书、整改通知书：各状态份数、逾期份数、退回次数、扣分",
                    "properties": {
            "states": {"type": "object", "additionalProperties": {"type": "integer"}},
            "total": {"type": "integer"}, "open": {"type": "integer"},
            "overdue": {"type": "integer"}, "returned": {"type": "integer"},
            "deducted": MONEY}},
        "spot_checks": {"type": "object", "description": "本年抽查核实：轮次数、抽取的任务数、各核实结果数",
                        "properties": {key: {"type": "integer"} for key in (
                            "rounds", "drawn", "true", "partial", "false", "pending")}},
        "integrity": {"type": "object", "description": "材料雷同预警（照搬照抄）：总条数、待处理条数",
                      "properties": {"total": {"type": "integer"}, "open": {"type": "integer"}}},
        "self_checks": {"type": "object", "description": "本年月度自查报告的风险项数和待跟进项数",
                        "properties": {"reported": {"type": "integer"},
                                       "open": {"type": "integer"}}}}},
    "TrendPoint": {"type": "object", "properties": {
        "as_of": {"type": "string", "format": "date-time"},
        "score": {"type": ["string", "null"]}}},
    "AssessmentRequest": {"type": "object", "required": ["year"], "properties": {
        "year": YEAR}},
}

RESPONSES = {
    "BadRequest": json_of(ref("Error"), "请求有误（缺少字段、类型错误、周期不符等）"),
    "Unauthorized": {**json_of(ref("Error"), "缺少、无效、已过期或已吊销的访问令牌"), "headers": {
        "WWW-Authenticate": {"schema": {"type": "string"}}}},
    "Forbidden": json_of(ref("Error"), "可见但无权进行此操作"),
    "NotFound": json_of(ref("Error"), "不存在或不可见（不区分两者）"),
    "Conflict": json_of(ref("Error"), "该任务已处理，或填报已截止关闭（须县纪委监委审核人员解锁补报）"),
    "TooManyRequests": json_of(ref("Error"), "操作过于频繁（如5分钟内重复催办）"),
}

PATHS = {
    "/units": {"get": {
        "operationId": "listUnits", "summary": "可见的单位（含已停用、已合并的，active 为 false）",
        "parameters": [query_param("active", {"const": "true"}, "只看在用的")],
        "responses": {"200": json_of(list_of("Unit"), "单位列表"), "400": error_ref("BadRequest"),
                      "401": error_ref("Unauthorized")}}},
    "/people": {"get": {
        "operationId": "listPeople", "summary": "可见单位的干部",
        "parameters": [query_param("unit", ID, "只看该单位")],
        "responses": {"200": json_of(list_of("Person"), "干部列表"), "400": error_ref("BadRequest"),
                      **COMMON_ERRORS}}},
    "/templates": {"get": {
        "operationId": "listTemplates", "summary": "任务清单",
        "parameters": [query_param("active", {"const": "true"}, "只看启用的")],
        "responses": {"200": json_of(list_of("Template"), "任务清单"), "400": error_ref("BadRequest"),
                      "401": error_ref("Unauthorized")}}},
    "/dispatch": {"post": {
        "operationId": "dispatch", "summary": "派发任务（审核人员、管理员）；重复派发不再新建",
        "requestBody": body_of(ref("DispatchRequest")),
        "responses": {"201": json_of(ref("DispatchResult"), "新建了任务"),
                      "200": json_of(ref("DispatchResult"), "已派发过，未新建（created 为 0）"),
                      "400": error_ref("BadRequest"), "403": error_ref("Forbidden"),
                      "409": error_ref("Conflict"), "401": error_ref("Unauthorized")}}},
    "/assignments": {"get": {
        "operationId": "listAssignments", "summary": "可见的任务，按截止时间排序，分页",
        "parameters": [
            query_param("unit", ID, "单位编号"),
            query_param("person", ID, "人员编号"),
            query_param("state", {"type": "string", "enum": STATES}, "状态"),
            query_param("warning", {"type": "string", "enum": WARNINGS}, "预警等级"),
            query_param("period", QUERY_TEXT, "周期，如 2026-11"),
            *PAGE],
        "responses": {"200": json_of(ref("AssignmentPage"), "一页任务"),
                      "400": error_ref("BadRequest"), "401": error_ref("Unauthorized")}}},
    "/assignments/{assignment_id}": {"get": {
        "operationId": "getAssignment", "summary": "任务详情：材料、审核记录、批示",
        "parameters": [path_id("assignment_id")],
        "responses": {"200": json_of(ref("AssignmentDetail"), "任务详情"), **COMMON_ERRORS}},
        "patch": {
            "operationId": "changeAssignment",
            "summary": "调整截止时间和/或改派承办人（县纪委监委审核人员），留痕",
            "parameters": [path_id("assignment_id")],
            "requestBody": body_of(ref("AssignmentChange")),
            "responses": {"200": json_of(ref("Assignment"), "已调整"),
                          "400": error_ref("BadRequest"), "403": error_ref("Forbidden"),
                          **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/urge": {"post": {
        "operationId": "urgeAssignment",
        "summary": "催办：立即提醒承办人（本单位书记、县纪委监委审核人员；同一人5分钟内一次）",
        "parameters": [path_id("assignment_id")],
        "responses": {"201": json_of(ref("UrgeResult"), "已催办"), "400": error_ref("BadRequest"),
                      "403": error_ref("Forbidden"), "429": error_ref("TooManyRequests"),
                      **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/evidence": {"post": {
        "operationId": "addEvidence", "summary": "上报一段工作小结（承办人）；填报已截止关闭时 409",
        "parameters": [path_id("assignment_id")],
        "requestBody": body_of(ref("EvidenceRequest")),
        "responses": {"201": json_of(ref("Evidence"), "已加入本次上报"),
                      "400": error_ref("BadRequest"), "403": error_ref("Forbidden"),
                      "409": error_ref("Conflict"), **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/submit": {"post": {
        "operationId": "submitAssignment",
        "summary": "提交审核（承办人）：材料须齐全；填报已截止关闭时 409",
        "parameters": [path_id("assignment_id")],
        "responses": {"200": json_of(ref("AssignmentDetail"), "已提交"),
                      "403": error_ref("Forbidden"), "409": error_ref("Conflict"), **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/unlock": {"post": {
        "operationId": "unlockAssignment",
        "summary": "解锁补报（县纪委监委审核人员）：重新开放已截止关闭的填报，通知承办人，留痕",
        "parameters": [path_id("assignment_id")],
        "requestBody": body_of(ref("UnlockRequest")),
        "responses": {"200": json_of(ref("Assignment"), "已解锁"), "400": error_ref("BadRequest"),
                      "403": error_ref("Forbidden"), "409": error_ref("Conflict"),
                      **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/reviews": {"post": {
        "operationId": "reviewAssignment", "summary": "审核：通过或退回（初审纪检监察机构，终审县纪委监委）",
        "parameters": [path_id("assignment_id")],
        "requestBody": body_of(ref("ReviewRequest")),
        "responses": {"201": json_of(ref("AssignmentDetail"), "已审核"),
                      "400": error_ref("BadRequest"), "403": error_ref("Forbidden"),
                      "409": error_ref("Conflict"), **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/instructions": {"post": {
        "operationId": "instructAssignment", "summary": "领导批示（本单位书记、县纪委监委审核人员）",
        "parameters": [path_id("assignment_id")],
        "requestBody": body_of(ref("InstructionRequest")),
        "responses": {"201": json_of(ref("Instruction"), "已批示"), "400": error_ref("BadRequest"),
                      "403": error_ref("Forbidden"), **COMMON_ERRORS}}},
    "/assignments/{assignment_id}/notifications": {"get": {
        "operationId": "listAssignmentNotifications",
        "summary": "任务的推送记录，按时间先后，含合并发送的合并提醒",
        "parameters": [path_id("assignment_id")],
        "responses": {"200": json_of(list_of("Notification"), "推送记录"), **COMMON_ERRORS}}},
    "/notifications": {"get": {
        "operationId": "listNotifications",
        "summary": "全部推送记录（审核人员、管理员），最新在前，分页，附统计",
        "parameters": [
            query_param("status", {"type": "string", "enum": NOTIFICATION_STATUSES}, "发送状态"),
            query_param("kind", {"type": "string", "enum": NOTIFICATION_KINDS}, "推送类型"),
            query_param("unit_id", ID, "接收人所在单位编号"),
            query_param("person_id", ID, "接收人编号"),
            query_param("name", QUERY_TEXT, "接收人姓名包含"),
            query_param("from", DAY, "起始日期（北京时间，含当天）"),
            query_param("to", DAY, "截止日期（北京时间，含当天）"),
            *PAGE],
        "responses": {"200": json_of(ref("NotificationPage"), "一页推送记录和统计"),
                      "400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
                      "403": error_ref("Forbidden")}}},
    "/evidence/{evidence_id}": {"get": {
        "operationId": "getEvidence", "summary": "材料元数据",
        "parameters": [path_id("evidence_id")],
        "responses": {"200": json_of(ref("Evidence"), "材料"), **COMMON_ERRORS}}},
    "/evidence/{evidence_id}/file": {"get": {
        "operationId": "getEvidenceFile", "summary": "材料文件：原图、展示图或缩略图",
        "parameters": [path_id("evidence_id"), query_param(
            "variant", {"type": "string", "enum": ["original", "display", "thumb"],
                        "default": "display"}, "原图保留拍摄时间；拍摄位置只对县纪委监委审核人员保留，其他人下载的原图已去除位置信息；"
                        "展示图和缩略图不含任何元数据")],
        "responses": {"200": {"description": "文件内容", "content": {
            "image/*": {"schema": {"type": "string", "contentMediaType": "image/*"}}}},
            "400": error_ref("BadRequest"), **COMMON_ERRORS}}},
    "/scores": {"get": {
        "operationId": "listScores", "summary": "各单位得分与排名（同类单位内），实时计算",
        "parameters": [query_param("year", YEAR, "年度，默认今年"),
                       query_param("unit_kind", {"type": "string", "enum": UNIT_KINDS}, "单位类别")],
        "responses": {"200": json_of(ref("ScoreList"), "得分与排名"), "400": error_ref("BadRequest"),
                      "401": error_ref("Unauthorized")}}},
    "/units/{unit_id}/score": {"get": {
        "operationId": "getUnitScore", "summary": "一个单位的得分、排名、任务得分明细和扣分",
        "parameters": [path_id("unit_id"), query_param("year", YEAR, "年度"),
                       query_param("as_of", {"anyOf": [DAY, ZONED_TIME]},
                              "截至某日（YYYY-MM-DD，当日结束）或某时刻（带时区），默认现在")],
        "responses": {"200": json_of(ref("UnitScore"), "单位得分"), "400": error_ref("BadRequest"),
                      **COMMON_ERRORS}}},
    "/units/{unit_id}/trend": {"get": {
        "operationId": "getUnitTrend", "summary": "一个单位本年各月末的得分（同一计算在各月末执行）及现在",
        "parameters": [path_id("unit_id"), query_param("year", YEAR, "年度")],
        "responses": {"200": json_of(list_of("TrendPoint"), "得分趋势"),
                      "400": error_ref("BadRequest"), **COMMON_ERRORS}}},
    "/dashboard": {"get": {
        "operationId": "getDashboard", "summary": "全县态势（审核人员、管理员）：与后台概览相同的数据",
        "parameters": [query_param("year", YEAR, "年度，默认今年")],
        "responses": {"200": json_of(ref("Dashboard"), "全县态势"), "400": error_ref("BadRequest"),
                      "403": error_ref("Forbidden"), "401": error_ref("Unauthorized")}}},
    "/deductions": {"get": {
        "operationId": "listDeductions", "summary": "扣分、加分记录（含已撤销）",
        "parameters": [query_param("year", YEAR, "年度"),
                       query_param("unit", ID, "单位编号")],
        "responses": {"200": json_of(list_of("Deduction"), "扣分、加分记录"),
                      "400": error_ref("BadRequest"), "401": error_ref("Unauthorized")}},
        "post": {
            "operationId": "createDeduction", "summary": "登记扣分或加分（县纪委监委审核人员），留痕",
            "requestBody": body_of(ref("DeductionRequest")),
            "responses": {"201": json_of(ref("Deduction"), "已登记"), "400": error_ref("BadRequest"),
                          "403": error_ref("Forbidden"), "401": error_ref("Unauthorized")}}},
    "/deductions/{deduction_id}/revoke": {"post": {
        "operationId": "revokeDeduction", "summary": "撤销扣分或加分（须写明理由，记录保留）",
        "parameters": [path_id("deduction_id")], "requestBody": body_of(ref("RevokeRequest")),
        "responses": {"200": json_of(ref("Deduction"), "已撤销"), "400": error_ref("BadRequest"),
                      "403": error_ref("Forbidden"), "409": error_ref("Conflict"),
                      **COMMON_ERRORS}}},
    "/assessments": {"get": {
        "operationId": "listAssessments", "summary": "某年度已生成的考核结果各版本（审核人员、管理员）",
        "parameters": [query_param("year", YEAR, "年度")],
        "responses": {"200": json_of(list_of("Assessment"), "各版本"), "400": error_ref("BadRequest"),
                      "403": error_ref("Forbidden"), "401": error_ref("Unauthorized")}},
        "post": {
            "operationId": "generateAssessment",
            "summary": "一键生成年度考核（县纪委监委审核人员）：冻结当时的得分，生成新版本",
            "requestBody": body_of(ref("AssessmentRequest")),
            "responses": {"201": json_of(ref("Assessment"), "已生成"), "400": error_ref("BadRequest"),
                          "403": error_ref("Forbidden"), "401": error_ref("Unauthorized")}}},
    "/assessments/{assessment_id}": {"get": {
        "operationId": "getAssessment", "summary": "某一版考核结果的冻结内容，及与上一版相比的变化",
        "parameters": [path_id("assessment_id")],
        "responses": {"200": json_of(ref("AssessmentDetail"), "考核结果"),
                      "403": error_ref("Forbidden"), **COMMON_ERRORS}}},
    "/assessments/{assessment_id}.xlsx": {"get": {
        "operationId": "getAssessmentWorkbook",
        "summary": "某一版考核结果的 Excel 文件（汇总、各单位任务得分、扣分明细），与后台下载相同",
        "parameters": [path_id("assessment_id")],
        "responses": {"200": {"description": "xlsx 文件", "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "contentMediaType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
            "403": error_ref("Forbidden"), **COMMON_ERRORS}}},
    "/assessments/{assessment_id}/publish": {"post": {
        "operationId": "publishAssessment", "summary": "发布：以模板消息告知各单位书记得分与名次（每版一次）",
        "parameters": [path_id("assessment_id")],
        "responses": {"200": json_of(ref("Assessment"), "已发布"), "403": error_ref("Forbidden"),
                      "409": error_ref("Conflict"), **COMMON_ERRORS}}},
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "本文档", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 文档", "content": {
            "application/json": {"schema": {"type": "object"}}}}}}},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "清廉 两个责任 API", "version": "1",
             "description": "县纪委监委“两个责任”平台的 JSON 接口。令牌由 `flask api-token PERSON` 签发，"
                            "只能看到和操作本人角色和单位范围内的数据；不可见的内容一律返回 404。"
                            "编号、年份、日期和文字长度超出文中范围时答 400 并说明原因；"
                            "留空的查询参数视同未填，未列出的查询参数被忽略。"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {**PATHS, **notice_openapi.PATHS, **spot_check_openapi.PATHS,
              **integrity_openapi.PATHS, **eco_index_openapi.PATHS, **self_check_openapi.PATHS},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {**SCHEMAS, **notice_openapi.SCHEMAS, **spot_check_openapi.SCHEMAS,
                    **integrity_openapi.SCHEMAS, **eco_index_openapi.SCHEMAS,
                    **self_check_openapi.SCHEMAS},
        "responses": RESPONSES,
    },
}


def openapi_document():
    """GET /openapi.json: this document (public: it describes the API, holds no data)."""
    return jsonify(DOCUMENT)
