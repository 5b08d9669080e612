"""The OpenAPI description of the political-ecology index routes (handlers/api/eco_index.py),
merged into the document by handlers/api/openapi.py."""

from handlers.api.payload import MAX_ID
from handlers.api.schema import (ID, YEAR, body_of, error_ref, json_of, path_id, query_param,
                                 ref)
from models.eco_indicator import INDICATORS
from models.eco_manual import MAX_VALUE

MONTH = {"type": "string", "pattern": r"^(?:20\d{2}|2100)-(?:0[1-9]|1[0-2])$",
         "examples": ["2026-11"]}
MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$"}
NULLABLE_MONEY = {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$"}
COLOUR = {"type": "string", "enum": ["green", "yellow", "orange", "red"],
          "description": "green 绿色、yellow 黄色、orange 橙色、red 红色"}
THRESHOLDS = {"type": "object", "required": ["green", "yellow", "orange"], "properties": {
    colour: {"type": "integer", "minimum": 1, "maximum": 100}
    for colour in ("green", "yellow", "orange")},
    "description": "指数不低于 green 为绿色，不低于 yellow 为黄色，不低于 orange 为橙色，否则红色"}
KEYS = sorted(INDICATORS)
ERRORS = {"400": error_ref("BadRequest"), "401": error_ref("Unauthorized"),
          "403": error_ref("Forbidden"), "404": error_ref("NotFound")}
WEIGHT = {"type": "integer", "minimum": 1, "maximum": 100}
LEAF_NODE = {"type": "object", "required": ["name", "weight", "indicator"], "properties": {
    "name": {"type": "string"}, "weight": WEIGHT,
    "indicator": {"type": "string", "enum": KEYS},
    "step": {"type": ["string", "number"], "description": "每项扣分（按件数扣分的指标）"}}}


def _node(children: dict) -> dict:
    return {"type": "object", "required": ["name", "weight", "children"], "properties": {
        "name": {"type": "string"}, "weight": WEIGHT,
        "children": {"type": "array", "maxItems": 20, "items": children}}}


SCHEMAS = {
    "IndicatorLeaf": {"type": "object", "properties": {
        "code": {"type": "string", "examples": ["1.2.3"]},
        "path": {"type": "array", "items": {"type": "string"}, "description": "一、二、三级指标名称"},
        "indicator": {"type": "string", "enum": KEYS}, "share": MONEY,
        "step": {"type": ["string", "null"]}, "formula": {"type": "string"},
        "rule": {"type": "string"}, "manual": {"type": "boolean"}}},
    "IndicatorTree": {"type": "object", "properties": {
        "year": {"type": "integer"}, "version": {"type": "integer"},
        "tree_id": {"type": ["integer", "null"]},
        "nodes": {"type": "array", "items": {"type": "object"}},
        "thresholds": THRESHOLDS,
        "leaves": {"type": "array", "items": ref("IndicatorLeaf")}}},
    "IndicatorTreeRequest": {"type": "object", "required": ["year", "nodes", "thresholds"],
                             "properties": {
        "year": YEAR, "nodes": {"type": "array", "maxItems": 20,
                                "items": _node(_node(LEAF_NODE))},
        "thresholds": THRESHOLDS, "note": {"type": "string", "maxLength": 200}},
        "description": "每个节点下级指标的权重合计须为100；三级指标须选择数据项"},
    "IndexUnit": {"type": "object", "properties": {
        "unit_id": {"type": "integer"}, "name": {"type": "string"},
        "kind": {"type": "string"}, "index": MONEY, "colour": COLOUR,
        "values": {"type": "object", "description": "三级指标编号 → 数值、得分、失分、说明、关联任务",
                   "additionalProperties": {"type": "object", "properties": {
                       "value": NULLABLE_MONEY, "score": MONEY, "lost": MONEY,
                       "note": {"type": "string"},
                       "refs": {"type": "array", "items": {"type": "integer"}}}}}}},
    "IndexMonth": {"type": "object", "properties": {
        "month": MONTH, "version": {"type": "integer"}, "sha256": {"type": "string"},
        "computed_at": {"type": "string", "format": "date-time"},
        "as_of": {"type": "string", "format": "date-time"},
        "tree_version": {"type": "integer"}, "thresholds": THRESHOLDS,
        "leaves": {"type": "array", "items": ref("IndicatorLeaf")},
        "units": {"type": "array", "items": ref("IndexUnit")}}},
    "IndexExplanation": {"type": "object", "properties": {
        "month": MONTH, "version": {"type": "integer"}, "unit": {"type": "object"},
        "why": {"type": "string"}, "lost": MONEY, "thresholds": THRESHOLDS,
        "items": {"type": "array", "items": {"type": "object"},
                  "description": "各三级指标，失分多的在前"},
        "trend": {"type": "array", "items": {"type": "object", "properties": {
            "month": MONTH, "index": MONEY, "colour": COLOUR}}}}},
    "ManualValue": {"type": "object", "properties": {
        "id": {"type": "integer"}, "unit_id": {"type": "integer"}, "month": MONTH,
        "indicator": {"type": "string"}, "value": MONEY, "source": {"type": "string"},
        "entered_at": {"type": "string", "format": "date-time"},
        "entered_by_id": {"type": ["integer", "null"]},
        "replaces_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                        "description": "被本次修改替换的记录"}}},
    "ManualValueRequest": {"type": "object",
                           "required": ["unit_id", "month", "indicator", "value", "source"],
                           "properties": {
        "unit_id": ID, "month": MONTH,
        "indicator": {"type": "string", "enum": [k for k in KEYS if INDICATORS[k].manual]},
        "value": {"type": "integer", "minimum": 0, "maximum": MAX_VALUE},
        "source": {"type": "string", "minLength": 2, "maxLength": 100}}},
    "IndexComputeRequest": {"type": "object", "required": ["month"],
                            "properties": {"month": MONTH}},
}

MONTH_PARAM = query_param("month", MONTH, "月份（默认最近计算的月份）")
PATHS = {
    "/eco-index/tree": {
        "get": {"operationId": "getIndicatorTree", "summary": "指标体系（当年生效的版本）",
                "parameters": [query_param("year", YEAR, "年度")],
                "responses": {"200": json_of(ref("IndicatorTree"), "指标体系"), **ERRORS}},
        "post": {"operationId": "saveIndicatorTree",
                 "summary": "保存指标体系的新版本（系统管理员、审核人员）",
                 "requestBody": body_of(ref("IndicatorTreeRequest")),
                 "responses": {"201": json_of(ref("IndicatorTree"), "新版本"), **ERRORS}}},
    "/eco-index": {
        "get": {"operationId": "getEcoIndex", "summary": "某月各单位政治生态指数（已计算并固定的结果）",
                "parameters": [MONTH_PARAM],
                "responses": {"200": json_of(ref("IndexMonth"), "月度指数"), **ERRORS}},
        "post": {"operationId": "computeEcoIndex",
                 "summary": "计算已结束的月份并固定为新版本（审核人员、管理员）",
                 "requestBody": body_of(ref("IndexComputeRequest")),
                 "responses": {"201": json_of(ref("IndexMonth"), "月度指数"), **ERRORS}}},
    "/eco-index/units/{unit_id}": {"get": {
        "operationId": "getEcoIndexUnit", "summary": "单位指数说明：为什么是这个颜色，各指标失分及走势",
        "parameters": [path_id("unit_id"), MONTH_PARAM],
        "responses": {"200": json_of(ref("IndexExplanation"), "说明"), **ERRORS}}},
    "/eco-index/manual": {
        "get": {"operationId": "listManualValues", "summary": "某月录入指标的数值及修改记录",
                "parameters": [query_param("month", MONTH, "月份（默认上个月）")],
                "responses": {"200": json_of({"type": "object", "properties": {
                    "month": MONTH, "items": {"type": "array", "items": ref("ManualValue")},
                    "changes": {"type": "array", "items": ref("ManualValue")}}}, "录入值"),
                    **ERRORS}},
        "post": {"operationId": "enterManualValue",
                 "summary": "录入或修改一项录入指标（审核人员），注明来源并留痕",
                 "requestBody": body_of(ref("ManualValueRequest")),
                 "responses": {"200": json_of(ref("ManualValue"), "与现值相同，未改动"),
                               "201": json_of(ref("ManualValue"), "已录入"), **ERRORS}}},
}
