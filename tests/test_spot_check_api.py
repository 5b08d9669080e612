"""抽查核实 through the API (issue 11): open (drawn at once) and read rounds, verify an item
once; 不实 deducts and reopens; cadres can neither open nor verify; answers match the OpenAPI
document."""

import sqlalchemy as sa

from models import Assignment, Deduction, SpotCheckRound, session
from tests.test_scoring import schema_check


def test_an_inspector_opens_a_round_and_verifies_an_item(assessed_county, api, client):
    c = assessed_county
    opened = api(c["zhao"], "POST", "/spot-checks", json={"year": 2026, "sample_percent": 100})
    assert opened.status_code == 201, opened.get_json()
    body = opened.get_json()
    schema_check(client, "SpotCheckRound", body)
    assert body["population_size"] == body["drawn"] == 9 and len(body["seed"]) == 32
    assert sorted(u["unit"] for u in body["units"]) == ["城建局", "白水镇", "红岩镇", "青山镇"]

    task = c["tasks"]["blue"]
    item = next(i for i in body["items"] if i["assignment_id"] == task.id)
    path = f"/spot-checks/{body['id']}/items/{item['id']}/verification"
    verified = api(c["zhao"], "POST", path, json={"result": "false", "reason": "签到表与照片不符"})
    assert verified.status_code == 200, verified.get_json()
    schema_check(client, "SpotCheckItem", verified.get_json())
    assert verified.get_json()["result"] == "false" and verified.get_json()["deduction_id"]
    again = api(c["zhao"], "POST", path, json={"result": "true", "reason": "再核实一次看看"})
    assert again.status_code == 409 and "不能重复录入" in again.get_json()["error"]
    session.expire_all()
    assert session.get(Assignment, task.id).state == "returned"
    assert session.scalar(sa.select(sa.func.count(Deduction.id))) == 1

    shown = api(c["admin"], "GET", f"/spot-checks/{body['id']}").get_json()
    schema_check(client, "SpotCheckRound", shown)
    assert sum(u["false"] for u in shown["units"]) == 1
    listed = api(c["admin"], "GET", "/spot-checks?year=2026")
    assert [r["id"] for r in listed.get_json()["items"]] == [body["id"]]


def test_a_cadre_can_neither_open_a_round_nor_verify(assessed_county, api):
    c = assessed_county
    refused = api(c["zhang"], "POST", "/spot-checks", json={"year": 2026, "sample_size": 3})
    assert refused.status_code == 403 and "审核人员" in refused.get_json()["error"]
    assert api(c["zhang"], "GET", "/spot-checks").status_code == 403
    body = api(c["zhao"], "POST", "/spot-checks", json={"year": 2026, "sample_size": 4}).get_json()
    item = body["items"][0]
    path = f"/spot-checks/{body['id']}/items/{item['id']}/verification"
    for who in ("zhang", "wang", "admin"):
        answer = api(c[who], "POST", path, json={"result": "false", "reason": "我来核实一下"})
        assert answer.status_code == 403, who
    session.expire_all()
    assert session.scalar(sa.select(SpotCheckRound)).items[0].result is None


def test_bad_input_is_a_polite_400(assessed_county, api):
    c = assessed_county
    for body in ({"year": 2026}, {"year": 2026, "sample_size": 3, "sample_percent": 10},
                 {"year": 2026, "sample_percent": 300}, {"year": "2026", "sample_size": 3},
                 {"year": 2026, "sample_size": 3, "points_false": "很多"},
                 {"year": 2026, "sample_size": 3, "periods": "2026-11"}):
        answer = api(c["zhao"], "POST", "/spot-checks", json=body)
        assert answer.status_code == 400, body
        assert answer.get_json()["error"]
    assert session.scalar(sa.select(sa.func.count(SpotCheckRound.id))) == 0
