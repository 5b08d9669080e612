"""The year-end assessment through the API: frozen, versioned, diffed, published once."""

import hashlib
import json

import sqlalchemy as sa

from models import AuditEvent, Notification, session
from models.scoring import save_policy
from tests.test_scoring import DEC_2, lived, schema_check  # noqa: F401 (fixtures)


def generate(api, person, year=2026):
    return api(person, "POST", "/assessments", json={"year": year})


def test_a_generated_assessment_is_frozen_and_version_2_says_what_changed(lived, api, client):
    c = lived
    first = generate(api, c["zhao"])
    assert first.status_code == 201
    schema_check(client, "Assessment", first.get_json())
    v1 = first.get_json()
    detail = api(c["zhao"], "GET", f"/assessments/{v1['id']}").get_json()
    schema_check(client, "AssessmentDetail", detail)
    content = detail["content"]
    body = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(body.encode()).hexdigest() == v1["sha256"]
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "assessment.generate", AuditEvent.subject == f"assessment:{v1['id']}"))
    assert json.loads(event.data)["sha256"] == v1["sha256"]
    assert detail["changes"] is None
    qingshan = next(u for u in content["units"] if u["name"] == "青山镇")
    assert (qingshan["score"], qingshan["rank"]) == ("58.00", 3)
    assert content["title"] == "某县2026年度党风廉政建设责任制考核结果"

    # Later: another 2 points off 青山镇. Version 1 does not move; version 2 shows the change.
    added = api(c["zhao"], "POST", "/deductions", json={
        "unit_id": c["qingshan"].id, "points": 2, "reason": "抽查发现记录不实", "day": "2026-12-02"})
    assert added.status_code == 201
    again = api(c["zhao"], "GET", f"/assessments/{v1['id']}").get_json()
    assert again["content"] == content and again["sha256"] == v1["sha256"]
    v2 = generate(api, c["zhao"]).get_json()
    assert v2["version"] == 2
    changes = api(c["zhao"], "GET", f"/assessments/{v2['id']}").get_json()["changes"]
    assert [(u["name"], u["score"]) for u in changes["units"]] == [("青山镇", ["58.00", "56.00"])]
    assert [d["reason"] for d in changes["deductions_added"]] == ["抽查发现记录不实"]
    assert changes["lines"] == [] and changes["deductions_gone"] == []
    listed = api(c["zhao"], "GET", "/assessments?year=2026").get_json()["items"]
    assert [row["version"] for row in listed] == [2, 1]


def test_only_inspectors_generate_and_publish(lived, api, make_person):
    c = lived
    admin = make_person("管理员", "admin", c["zhao"].unit)
    assert generate(api, admin).status_code == 403
    assert generate(api, c["zhang"]).status_code == 403
    assert api(c["zhang"], "GET", "/assessments?year=2026").status_code == 403
    made = generate(api, c["zhao"]).get_json()
    assert api(admin, "GET", f"/assessments/{made['id']}").status_code == 200
    assert api(admin, "POST", f"/assessments/{made['id']}/publish").status_code == 403
    assert generate(api, c["zhao"], year=1999).status_code == 400


def test_publishing_tells_each_secretary_once(lived, api):
    c = lived
    made = generate(api, c["zhao"]).get_json()
    published = api(c["zhao"], "POST", f"/assessments/{made['id']}/publish")
    assert published.status_code == 200 and published.get_json()["pushed"] == 4
    told = session.scalars(sa.select(Notification.person_id).where(
        Notification.kind == "assessment")).all()
    assert sorted(told) == sorted(c[k].id for k in ("zhang", "sun", "zhou", "wu"))
    assert api(c["zhao"], "POST", f"/assessments/{made['id']}/publish").status_code == 409


def test_the_policy_version_an_assessment_used(lived, api):
    c = lived
    save_policy(2026, actor=c["zhao"], now=DEC_2,
                penalties={"blue": 20, "yellow": 40, "red": 60, "supervision": 100},
                grace_days=0, unlocked_rule="penalty", bonus_cap=5, note="县纪委常委会调整")
    session.commit()
    made = generate(api, c["zhao"]).get_json()
    assert made["policy_version"] == 1
    content = api(c["zhao"], "GET", f"/assessments/{made['id']}").get_json()["content"]
    qingshan = next(u for u in content["units"] if u["name"] == "青山镇")
    # blue 10 × 0.8 = 8, yellow 20 × 0.6 = 12, red 10 × 0.4 = 4: 10+10+8+12+4 = 44 of 80 = 55,
    # − 3 + 1 = 53.
    assert qingshan["score"] == "53.00"
    assert content["rules"]["penalties"]["blue"] == 20


def test_the_workbook_through_the_api_holds_the_apis_numbers(lived, api):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    c = lived
    made = generate(api, c["zhao"]).get_json()
    content = api(c["zhao"], "GET", f"/assessments/{made['id']}").get_json()["content"]
    response = api(c["zhao"], "GET", f"/assessments/{made['id']}.xlsx")
    assert response.status_code == 200
    summary = load_workbook(io.BytesIO(response.data))["汇总"]
    rows = {row[1]: row for row in summary.iter_rows(min_row=3, values_only=True)
            if isinstance(row[0], int)}
    for unit in content["units"]:
        rank, _, _, possible, earned, deducted, bonus, score = rows[unit["name"]][:8]
        assert (rank, possible) == (unit["rank"], unit["possible"])
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in (earned, deducted, bonus,
                                                                    score)] == [
            Decimal(unit[k]) for k in ("earned", "deducted", "bonus", "score")]
    assert api(c["zhang"], "GET", f"/assessments/{made['id']}.xlsx").status_code == 403
