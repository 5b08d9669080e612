"""The political-ecology index (政治生态指数, issue 12): the README's hand-computed example for
the small county's November, weights validated, a manual value edited later (audited, shown,
the frozen month unchanged until computed again), a past month recomputed unchanged, the xlsx,
the API and the pages."""

import io
import json
import re

import openpyxl
import pytest
import sqlalchemy as sa

from conftest import at
from models import AuditEvent, session
from models.eco_tree import DEFAULT_NODES
from models.escalation import sweep
from tests.test_scoring import schema_check

# README "政治生态指数的例子": two first-level indicators, one manual.
SMALL_TREE = [
    {"name": "责任落实", "weight": 60, "children": [
        {"name": "任务完成", "weight": 100, "children": [
            {"name": "按时完成率", "weight": 50, "indicator": "on_time_rate"},
            {"name": "红色预警", "weight": 50, "indicator": "warnings_red", "step": "20"}]}]},
    {"name": "群众监督", "weight": 40, "children": [
        {"name": "信访举报", "weight": 100, "children": [
            {"name": "信访举报件数", "weight": 100, "indicator": "petitions", "step": "10"}]}]},
]
THRESHOLDS = {"green": 90, "yellow": 80, "orange": 70}
PETITIONS = {"qingshan": 3, "baishui": 2, "hongyan": 6, "bureau": 4}
# unit → (on-time rate, red warnings, index, colour), worked out in the README.
EXPECTED = {"青山镇": ("33.33", "2.00", "56.00", "red"), "白水镇": ("100.00", "0.00", "92.00", "green"),
            "红岩镇": ("100.00", "0.00", "76.00", "orange"),
            "城建局": ("100.00", "0.00", "84.00", "yellow"),
            "青山镇纪委": (None, "0.00", "100.00", "green")}


def save_small_tree(api, person):
    return api(person, "POST", "/eco-index/tree",
               json={"year": 2026, "nodes": SMALL_TREE, "thresholds": THRESHOLDS})


def enter_petitions(api, c, counts=PETITIONS):
    for key, count in counts.items():
        answer = api(c["zhao"], "POST", "/eco-index/manual", json={
            "unit_id": c[key].id, "month": "2026-11", "indicator": "petitions", "value": count,
            "source": "县信访局11月信访件统计"})
        assert answer.status_code == 201, answer.get_json()


@pytest.fixture
def example(assessed_county, api):
    """The small county's November with the README's tree and petitions, on 2 Dec."""
    c = assessed_county
    assert save_small_tree(api, c["admin"]).status_code == 201
    enter_petitions(api, c)
    return c


def by_name(month: dict) -> dict:
    return {unit["name"]: unit for unit in month["units"]}


def test_the_readme_example_computed_by_hand(example, api, client):
    c = example
    made = api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"})
    assert made.status_code == 201, made.get_json()
    month = made.get_json()
    schema_check(client, "IndexMonth", month)
    assert month["version"] == 1 and month["tree_version"] == 1
    assert [leaf["share"] for leaf in month["leaves"]] == ["30.00", "30.00", "40.00"]
    found = by_name(month)
    for name, (rate, red, index, colour) in EXPECTED.items():
        values = found[name]["values"]
        assert (values["1.1.1"]["value"], values["1.1.2"]["value"], found[name]["index"],
                found[name]["colour"]) == (rate, red, index, colour), name
    qingshan = found["青山镇"]["values"]
    assert (qingshan["1.1.1"]["score"], qingshan["1.1.2"]["score"],
            qingshan["2.1.1"]["score"]) == ("33.33", "60.00", "70.00")
    assert qingshan["2.1.1"]["note"] == "来源：县信访局11月信访件统计"
    # The two red tasks are the ones the explanation links to.
    assert sorted(qingshan["1.1.2"]["refs"]) == sorted(
        c["tasks"][k].id for k in ("red", "undone"))
    assert api(c["zhao"], "GET", "/eco-index?month=2026-11").get_json() == month


def test_a_units_explanation_says_which_indicators_lost_points(example, api, client):
    c = example
    api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"})
    answer = api(c["admin"], "GET", f"/eco-index/units/{c['hongyan'].id}?month=2026-11")
    assert answer.status_code == 200
    body = answer.get_json()
    schema_check(client, "IndexExplanation", body)
    assert body["why"] == "指数76.00，低于黄色分数线80，不低于橙色分数线70，故为橙色。"
    assert [(item["path"][-1], item["lost"]) for item in body["items"]] == [
        ("信访举报件数", "24.00"), ("按时完成率", "0.00"), ("红色预警", "0.00")]
    assert body["trend"] == [{"month": "2026-11", "index": "76.00", "colour": "orange"}]


@pytest.mark.parametrize("nodes, message", [
    ([{**SMALL_TREE[0], "weight": 50}, SMALL_TREE[1]], "一级指标权重合计为90，应为100。"),
    ([SMALL_TREE[0], {**SMALL_TREE[1], "children": [{**SMALL_TREE[1]["children"][0],
                                                       "children": [{
        "name": "信访举报件数", "weight": 80, "indicator": "petitions"}]}]}],
     "“信访举报”下的三级指标权重合计为80，应为100。"),
    ([{**SMALL_TREE[0], "children": []}, SMALL_TREE[1]], "“责任落实”下的二级指标至少要有一项。"),
    ([SMALL_TREE[0], {**SMALL_TREE[1], "children": [{**SMALL_TREE[1]["children"][0],
                                                       "children": [{
        "name": "信访举报件数", "weight": 100}]}]}], "请为三级指标“信访举报件数”选择计算或录入的数据项。"),
])
def test_weights_must_sum_to_100_at_each_level(assessed_county, api, nodes, message):
    c = assessed_county
    answer = api(c["admin"], "POST", "/eco-index/tree",
                 json={"year": 2026, "nodes": nodes, "thresholds": THRESHOLDS})
    assert (answer.status_code, answer.get_json()["error"]) == (400, message)
    assert api(c["admin"], "GET", "/eco-index/tree?year=2026").get_json()["version"] == 0


def test_thresholds_must_descend(assessed_county, api):
    c = assessed_county
    answer = api(c["admin"], "POST", "/eco-index/tree", json={
        "year": 2026, "nodes": SMALL_TREE, "thresholds": {"green": 80, "yellow": 85,
                                                          "orange": 70}})
    assert answer.status_code == 400
    assert "绿色 > 黄色 > 橙色" in answer.get_json()["error"]


def test_a_manual_value_edited_later_is_audited_shown_and_waits_for_a_recompute(
        example, api, clock):
    c = example
    first = api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).get_json()
    clock.move_to(at(5, 10, month=12))
    edited = api(c["zhao"], "POST", "/eco-index/manual", json={
        "unit_id": c["hongyan"].id, "month": "2026-11", "indicator": "petitions", "value": 2,
        "source": "县信访局更正：4件不属于红岩镇"})
    assert edited.status_code == 201
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "eco_manual.enter")
                           .order_by(AuditEvent.id.desc()).limit(1))
    data = json.loads(event.data)
    assert (data["before"], data["value"], event.actor_id) == ("6.00", "2.00", c["zhao"].id)
    listed = api(c["zhao"], "GET", "/eco-index/manual?month=2026-11").get_json()
    [change] = listed["changes"]
    assert (change["value"], change["source"], change["replaces_id"]) == (
        "2.00", "县信访局更正：4件不属于红岩镇", edited.get_json()["replaces_id"])
    # November as frozen is unchanged until an inspector computes it again.
    assert api(c["zhao"], "GET", "/eco-index?month=2026-11").get_json() == first
    second = api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).get_json()
    assert second["version"] == 2
    assert (by_name(second)["红岩镇"]["index"], by_name(second)["红岩镇"]["colour"]) == (
        "92.00", "green")
    # Entering the same value again changes nothing.
    again = api(c["zhao"], "POST", "/eco-index/manual", json={
        "unit_id": c["hongyan"].id, "month": "2026-11", "indicator": "petitions", "value": 2,
        "source": "县信访局更正：4件不属于红岩镇"})
    assert again.status_code == 200


def test_a_past_month_recomputed_later_gives_the_same_values(assessed_county, api, clock,
                                                             make_assignment, make_template):
    """The default tree, every computed indicator: what happens after the month's end does not
    reach it."""
    c = assessed_county
    first = api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).get_json()
    assert first["tree_version"] == 0 and len(first["leaves"]) == 12
    codes = {leaf["indicator"]: leaf["code"] for leaf in first["leaves"]}
    qingshan = by_name(first)["青山镇"]["values"]
    assert qingshan[codes["supervised"]]["refs"] == [c["tasks"]["supervised"].id]
    assert qingshan[codes["deducted"]]["value"] == "0.00"
    clock.move_to(at(8, 10, month=12))
    later = {"unit_id": c["qingshan"].id, "points": 2, "reason": "补记11月会议记录不全",
             "day": "2026-11-28"}
    assert api(c["zhao"], "POST", "/deductions", json=later).status_code == 201
    sweep(at(8, 17, month=12).replace(minute=10))
    session.commit()
    again = api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).get_json()
    assert again["version"] == 2
    assert again["units"] == first["units"]


def test_only_inspectors_and_admins_read_and_only_inspectors_enter(example, api):
    c = example
    assert api(c["zhang"], "GET", "/eco-index/tree").status_code == 403
    assert api(c["zhang"], "POST", "/eco-index", json={"month": "2026-11"}).status_code == 403
    refused = api(c["admin"], "POST", "/eco-index/manual", json={
        "unit_id": c["hongyan"].id, "month": "2026-11", "indicator": "petitions", "value": 1,
        "source": "县信访局"})
    assert refused.status_code == 403
    assert api(c["zhao"], "POST", "/eco-index", json={"month": "2026-12"}).status_code == 400
    assert api(c["zhao"], "GET", "/eco-index?month=2026-10").status_code == 404


def test_the_default_tree_sums_to_100_everywhere(assessed_county, api):
    body = api(assessed_county["zhao"], "GET", "/eco-index/tree?year=2026").get_json()
    assert body["nodes"] == DEFAULT_NODES
    assert sum(float(leaf["share"]) for leaf in body["leaves"]) == 100


# The pages.

def computed(example, api):
    assert api(example["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).status_code == 201
    return example


def test_the_grid_and_table_show_each_units_colour_and_lead_to_its_explanation(
        example, api, admin_browser):
    c = computed(example, api)
    browser = admin_browser(c["zhao"])
    page = browser.get("/admin/eco-index?month=2026-11")
    assert page.status_code == 200
    text = page.text
    for name, (_, _, index, colour) in EXPECTED.items():
        unit_id = next(u.id for u in (c["qingshan"], c["baishui"], c["hongyan"], c["bureau"],
                                      c["wang"].unit) if u.name == name)
        assert f'class="eco-tile eco_{colour}" data-unit="{unit_id}"' in text
        assert f'<tr data-unit="{unit_id}" data-colour="{colour}">' in text
        assert f'>{index}</span>' in text
    unit = browser.get(f"/admin/eco-index/units/{c['qingshan'].id}?month=2026-11")
    assert "为什么是红色？" in unit.text
    assert f'href="/m/tasks/{c["tasks"]["red"].id}">专题会议</a>' in unit.text
    assert "本月2项任务达到红色预警" in unit.text


def test_manual_values_entered_on_the_grid_need_a_source(assessed_county, admin_browser):
    c = assessed_county
    browser = admin_browser(c["zhao"])
    form = "/admin/eco-index/manual?month=2026-11"
    key = f"{c['hongyan'].id}-petitions"
    refused = browser.post("/admin/eco-index/manual", {"month": "2026-11", f"value-{key}": "3"},
                           form)
    assert refused.status_code == 400
    assert "红岩镇的“信访举报件数”：请注明来源" in refused.text
    saved = browser.post("/admin/eco-index/manual", {
        "month": "2026-11", f"value-{key}": "3", f"source-{key}": "县信访局月报"}, form)
    assert saved.status_code == 303
    changed = browser.post("/admin/eco-index/manual", {
        "month": "2026-11", f"value-{key}": "1", f"source-{key}": "县信访局更正"}, form)
    assert changed.status_code == 303
    history = browser.get(form).text
    assert "县信访局月报" in history and "县信访局更正" in history


def test_the_tree_page_refuses_weights_that_do_not_sum_to_100(assessed_county, admin_browser):
    c = assessed_county
    browser = admin_browser(c["admin"])
    rows = [(1, "责任落实", 60, "", ""), (2, "任务完成", 100, "", ""),
            (3, "按时完成率", 100, "on_time_rate", ""), (1, "群众监督", 30, "", ""),
            (2, "信访举报", 100, "", ""), (3, "信访举报件数", 100, "petitions", "10")]
    form = {"year": "2026", "threshold_green": "90", "threshold_yellow": "80",
            "threshold_orange": "70", "level": [], "name": [], "weight": [], "indicator": [],
            "step": []}
    for row in rows:
        for field, value in zip(("level", "name", "weight", "indicator", "step"), row, strict=True):
            form[field].append(str(value))
    refused = browser.post("/admin/eco-index/tree", form, "/admin/eco-index/tree?year=2026")
    assert refused.status_code == 400 and "一级指标权重合计为90，应为100。" in refused.text
    form["weight"][3] = "40"
    saved = browser.post("/admin/eco-index/tree", form, "/admin/eco-index/tree?year=2026")
    assert saved.status_code == 303
    assert "第1版" in browser.get("/admin/eco-index/tree?year=2026").text


def test_the_xlsx_has_every_indicator_with_numbers_as_numbers(example, api, admin_browser):
    c = computed(example, api)
    answer = admin_browser(c["zhao"]).get("/admin/eco-index.xlsx?month=2026-11")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "2026-11政治生态指数（第1版）"
    assert rows[1][:4] == ("单位", "单位类别", "政治生态指数", "颜色")
    assert rows[1][4:] == ("责任落实/任务完成/按时完成率（%）", "责任落实/任务完成/按时完成率（得分）",
                           "责任落实/任务完成/红色预警（项）", "责任落实/任务完成/红色预警（得分）",
                           "群众监督/信访举报/信访举报件数（件）", "群众监督/信访举报/信访举报件数（得分）")
    qingshan = next(row for row in rows if row[0] == "青山镇")
    assert qingshan[1:] == ("乡镇", 56.0, "红色", 33.33, 33.33, 2.0, 60.0, 3.0, 70.0)


def test_cadres_do_not_see_the_index_on_the_phone(example, app):
    from conftest import Phone

    c = example
    page = Phone(app, c["phones"]["li"]).get("/m/eco-index")
    assert page.status_code == 403 and "政治生态指数仅供县纪委监委审核人员和系统管理员查看" in page.text


def test_the_phone_lists_units_lowest_index_first(example, api, app):
    from conftest import Phone

    c = example
    assert api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).status_code == 201
    page = Phone(app, c["phones"]["zhao"]).get("/m/eco-index?month=2026-11").text
    listed = re.findall(r'<div class="weui-cell__bd">([^<]+)</div>\s*'
                        r'<div class="weui-cell__ft"><b>([\d.]+)</b>', page)
    # 青山镇纪委 100.00 would come first if the stored text were sorted as text
    assert [float(index) for _, index in listed] == sorted(float(index) for _, index in listed)
    assert [name for name, _ in listed][:2] == ["青山镇", "红岩镇"]
