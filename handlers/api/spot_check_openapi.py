"""The OpenAPI description of the spot-check routes (handlers/api/spot_check.py), merged into
the document by handlers/api/openapi.py."""

from handlers.api.schema import (ID, PERIOD, YEAR, body_of, error_ref, json_of, path_id,
                                 query_param, ref, text_field)
from models.spot_check import Result
from models.unit import UnitKind

TIME = {"type": ["string", "null"], "format": "date-time"}
MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$"}
COUNT = {"type": "integer", "minimum": 0}
ERRORS = {"400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
          "403": error_ref("Forbidden"), "404": error_ref("NotFound"), "409": error_ref("Conflict")}

SCHEMAS = {
    "SpotCheckUnit": {"type": "object", "description": "一个单位在本轮的抽取数和各核实结果数",
                      "properties": {
        "unit_id": {"type": "integer"}, "unit": {"type": "string"}, "drawn": COUNT,
        **{result.value: COUNT for result in Result},
        "pending": {**COUNT, "description": "待核实"}}},
    "SpotCheckItem": {"type": "object", "properties": {
        "id": {"type": "integer"}, "assignment_id": {"type": "integer"},
        "unit_id": {"type": "integer"},
        "key": {"type": "string", "description": "HMAC-SHA256(种子, \"assignment:<任务编号>\")"},
        "result": {"type": ["string", "null"], "enum": [*(r.value for r in Result), None],
                   "description": "true 属实、partial 部分属实、false 不实；null 待核实"},
        "reason": {"type": "string"}, "verified_by_id": {"type": ["integer", "null"]},
        "verified_at": TIME, "deduction_id": {"type": ["integer", "null"]}}},
    "SpotCheckRound": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "year": {"type": "integer"},
        "number": {"type": "integer"},
        "periods": {"type": "array", "items": {"type": "string"}, "description": "空：全年"},
        "category_ids": {"type": "array", "items": {"type": "integer"}},
        "unit_kinds": {"type": "array", "items": {"type": "string"}},
        "sample_size": {"type": ["integer", "null"]},
        "sample_percent": {"type": ["integer", "null"]},
        "points_false": MONEY, "points_partial": MONEY,
        "seed": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "drawn_at": TIME,
        "population_size": COUNT,
        "population_sha256": {"type": "string", "description": "总体任务编号升序、逗号连接的 sha256"},
        "opened_by_id": {"type": "integer"}, "drawn": COUNT,
        "units": {"type": "array", "items": ref("SpotCheckUnit")},
        "population": {"type": "array", "items": {"type": "integer"},
                       "description": "单个轮次中：抽取时已完成的任务编号（升序）"},
        "items": {"type": "array", "items": ref("SpotCheckItem")}}},
    "SpotCheckRequest": {"type": "object", "required": ["year"], "properties": {
        "year": YEAR,
        "periods": {"type": "array", "maxItems": 20,
                    "items": {"type": "string", "pattern": PERIOD}},
        "category_ids": {"type": "array", "maxItems": 100, "items": ID},
        "unit_kinds": {"type": "array",
                       "items": {"type": "string", "enum": [kind.value for kind in UnitKind]}},
        "sample_size": {"type": "integer", "minimum": 1, "maximum": 100000},
        "sample_percent": {"type": "integer", "minimum": 1, "maximum": 100},
        "points_false": {"type": ["number", "string"], "default": 2},
        "points_partial": {"type": ["number", "string"], "default": 0}},
        "description": "sample_size 与 sample_percent 二选一"},
    "SpotCheckVerification": {"type": "object", "required": ["result", "reason"], "properties": {
        "result": {"type": "string", "enum": [result.value for result in Result]},
        "reason": text_field(2000, least=5)}},
}

PATHS = {
    "/spot-checks": {
        "get": {"operationId": "listSpotChecks", "summary": "抽查轮次及各单位结果（审核人员、管理员）",
                "parameters": [query_param("year", YEAR, "年度")],
                "responses": {"200": json_of({"type": "object", "required": ["items"],
                                              "properties": {"items": {
                                                  "type": "array",
                                                  "items": ref("SpotCheckRound")}}}, "轮次"),
                              "400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
                              "403": error_ref("Forbidden")}},
        "post": {"operationId": "openSpotCheck",
                 "summary": "开展抽查（县纪委监委审核人员）：立即按记录的随机种子抽取并留痕，不能重抽",
                 "requestBody": body_of(ref("SpotCheckRequest")),
                 "responses": {"201": json_of(ref("SpotCheckRound"), "轮次及抽中的任务"),
                               **ERRORS}}},
    "/spot-checks/{round_id}": {"get": {
        "operationId": "getSpotCheck", "summary": "一个轮次：种子、总体名单、抽中的任务和核实结果",
        "parameters": [path_id("round_id")],
        "responses": {"200": json_of(ref("SpotCheckRound"), "轮次"), "400": error_ref("BadRequest"),
                      "401": error_ref("Unauthorized"), "403": error_ref("Forbidden"),
                      "404": error_ref("NotFound")}}},
    "/spot-checks/{round_id}/items/{item_id}/verification": {"post": {
        "operationId": "verifySpotCheckItem",
        "summary": "核实一项（审核人员，不含本单位任务）：不实扣分并退回整改，只能录入一次",
        "parameters": [path_id("round_id"), path_id("item_id")],
        "requestBody": body_of(ref("SpotCheckVerification")),
        "responses": {"200": json_of(ref("SpotCheckItem"), "已核实"), **ERRORS}}},
}
