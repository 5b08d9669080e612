"""Scores, deductions and ranking for a small county computed by hand (README: 考核计分的例子).

Every task below is a November 2026 task due 25 Nov 17:00 (Shanghai) unless it says otherwise;
the period ends 30 Nov, so its deadline is 1 Dec 00:00 (grace 0). Warning steps are set by
running the sweep at the times the ladder reaches them (blue 26 Nov, yellow 28 Nov, red 30 Nov).
"""

import pytest

from models import Role, session
from models.escalation import sweep
from models.scoring import compute
from tests.conftest import at, live_the_month


def test_a_small_county_by_hand(small_county):
    c = small_county
    live_the_month(c)
    scores = compute(2026, at(2, 9, month=12))
    earned = {line.assignment_id: line.earned for line in scores.lines}
    t = c["tasks"]
    assert [earned[t[name].id] for name in ("on_time", "returned", "blue", "yellow", "red",
                                            "undone", "supervised")] == [
        10, 10, 9, 14, 5, 0, 0]
    assert earned[t["cancelled"].id] is None
    qingshan = scores.units[c["qingshan"].id]
    # 应得分 10+10+10+20+10+10+10 (the cancelled task is out) = 80;
    # 实得分 10+10+9+14+5+0+0 = 48.
    assert (qingshan.possible, qingshan.earned) == (80, 48)
    assert str(qingshan.score) == "60.00"  # 100 × 48 / 80


# Through the API: deductions, the ranking, what each role sees, as_of.

def schema_check(client, name: str, instance) -> None:
    """`instance` matches the OpenAPI document's schema `name`."""
    from openapi_schema_validator import OAS31Validator

    document = client.get("/api/v1/openapi.json").get_json()
    OAS31Validator({"$ref": f"#/components/schemas/{name}",
                    "components": document["components"]}).validate(instance)


DEC_2 = at(2, 9, month=12)


@pytest.fixture
def lived(small_county, clock, api):
    """The month lived, then on 1 Dec the inspector records 扣3分 on 李明, 加1分 on 青山镇,
    and a 扣2分 on 青山镇 revoked the same day."""
    c = small_county
    live_the_month(c)
    clock.move_to(at(1, 10, month=12))
    zhao, qingshan = c["zhao"], c["qingshan"]
    deduction = {"unit_id": qingshan.id, "day": "2026-12-01"}
    made = [api(zhao, "POST", "/deductions", json={**deduction, **extra}) for extra in (
        {"person_id": c["li"].id, "points": 3, "reason": "诫勉谈话并被通报", "reference": "某纪发〔2026〕12号"},
        {"kind": "bonus", "points": "1", "reason": "经验做法被县委推广"},
        {"points": 2, "reason": "会议记录不全"})]
    assert [r.status_code for r in made] == [201, 201, 201], [r.get_json() for r in made]
    revoked = api(zhao, "POST", f"/deductions/{made[2].get_json()['id']}/revoke",
                  json={"reason": "经复核记录齐全"})
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    clock.move_to(DEC_2)
    return c


def test_the_ranking_through_the_api(lived, api, client):
    c = lived
    response = api(c["zhao"], "GET", "/scores?year=2026")
    assert response.status_code == 200
    body = response.get_json()
    schema_check(client, "ScoreList", body)
    rows = {row["name"]: row for row in body["items"]}
    # 青山镇: 100 × 48 / 80 = 60.00, − 3 (李明's 诫勉谈话) + 1 (加分) = 58.00; the revoked 2 do
    # not count. 白水镇 and 红岩镇 each did their one task on time: 100, equal on every rule,
    # so both rank 1 and 青山镇 is 3rd; 城建局 ranks alone among departments.
    assert rows["青山镇"]["score"] == "58.00"
    assert (rows["青山镇"]["possible"], rows["青山镇"]["earned"]) == (80, "48.00")
    assert (rows["青山镇"]["deducted"], rows["青山镇"]["bonus"]) == ("3.00", "1.00")
    assert [(name, rows[name]["rank"]) for name in ("白水镇", "红岩镇", "青山镇")] == [
        ("白水镇", 1), ("红岩镇", 1), ("青山镇", 3)]
    assert rows["青山镇"]["ranked_among"] == 3
    assert (rows["城建局"]["rank"], rows["城建局"]["ranked_among"]) == (1, 1)
    # On time: the 专题会议 and the returned 谈心谈话, 2 of 7 scored tasks.
    assert rows["青山镇"]["on_time_rate"] == "28.57"
    assert rows["青山镇"]["warnings"] == {"blue": 5, "yellow": 4, "red": 3, "supervision": 1}
    assert rows["青山镇"]["counts"]["cancelled"] == 1


def test_a_units_lines_people_and_deductions(lived, api, client):
    c = lived
    response = api(c["zhao"], "GET", f"/units/{c['qingshan'].id}/score")
    assert response.status_code == 200
    detail = response.get_json()
    schema_check(client, "UnitScore", detail)
    lines = {(line["task"], line["person"]): line for line in detail["lines"]}
    assert lines[("专题会议", "钱委员")]["reason"] == "逾期完成，达到蓝色预警，扣10%"
    assert lines[("主体责任述职", None)]["earned"] == "14.00"
    assert lines[("季度廉政分析", "张建国")]["reason"] == "逾期完成，达到工作督办，扣100%"
    assert lines[("廉政学习", "李明")]["reason"] == "周期结束未完成，不得分"
    assert lines[("调研", "钱委员")]["earned"] is None
    people = {row["name"]: row for row in detail["people"]}
    # 李明: 10 + 10 + 0 of 30 = 66.67, less his 3 points.
    assert people["李明"]["score"] == "63.67"
    assert [d["points"] for d in detail["deductions"]] == ["3.00", "1.00"]


def test_scores_as_of_an_earlier_day(lived, api):
    c = lived
    nov_30 = api(c["zhao"], "GET", f"/units/{c['qingshan'].id}/score?as_of=2026-11-30")
    assert nov_30.status_code == 200
    unit = nov_30.get_json()["unit"]
    # At the end of 30 Nov the period had not ended: 廉政学习 was still open, not yet 0, and
    # the deductions of 1 Dec did not exist. 100 × 48 / 70.
    assert (unit["possible"], unit["score"], unit["counts"]["open"]) == (70, "68.57", 1)
    bad = api(c["zhao"], "GET", f"/units/{c['qingshan'].id}/score?as_of=yesterday")
    assert bad.status_code == 400 and "as_of" in bad.get_json()["error"]


def test_each_role_sees_its_own(lived, api):
    c = lived
    mine = api(c["li"], "GET", "/scores?year=2026").get_json()["items"]
    assert [row["name"] for row in mine] == ["青山镇"]
    own = api(c["li"], "GET", f"/units/{c['qingshan'].id}/score").get_json()
    assert [row["name"] for row in own["people"]] == ["李明"]
    assert {line["person"] for line in own["lines"]} <= {"李明", None}
    assert api(c["li"], "GET", f"/units/{c['baishui'].id}/score").status_code == 404
    secretary = api(c["zhang"], "GET", f"/units/{c['qingshan'].id}/score").get_json()
    assert {row["name"] for row in secretary["people"]} == {"李明", "钱委员", "张建国"}
    body = api(c["wang"], "GET", "/scores?year=2026").get_json()["items"]
    assert {row["name"] for row in body} == {"青山镇", "白水镇", "红岩镇", "城建局"}


def test_deductions_refused_politely(lived, api):
    c = lived
    body = {"unit_id": c["qingshan"].id, "points": 1, "reason": "材料不全不实", "day": "2026-12-01"}
    assert api(c["zhang"], "POST", "/deductions", json=body).status_code == 403
    for bad, word in (({"points": 0}, "分值"), ({"points": "1.234"}, "两位小数"),
                      ({"reason": "短"}, "事由"), ({"day": "2026-12-31"}, "日期"),
                      ({"person_id": c["sun"].id}, "不属于"), ({"kind": "gift"}, "kind")):
        answer = api(c["zhao"], "POST", "/deductions", json={**body, **bad})
        assert answer.status_code == 400 and word in answer.get_json()["error"], bad
    listed = api(c["zhao"], "GET", f"/deductions?year=2026&unit={c['qingshan'].id}").get_json()
    assert len(listed["items"]) == 3  # nothing half-saved by the refusals; the revoked one kept
    revoked = next(item for item in listed["items"] if item["revoked_at"])
    again = api(c["zhao"], "POST", f"/deductions/{revoked['id']}/revoke",
                json={"reason": "重复撤销试试"})
    assert again.status_code == 409


def test_a_closed_task_scores_0_until_unlocked_then_as_late_work(small_county, clock, api,
                                                                   make_template, make_assignment):
    """城建局's 廉政档案 closes at its due time (25 Nov 17:00). Not handed in by then it
    scores 0 at once; the inspector unlocks it on 27 Nov, 吴局长 hands it in after the blue
    warning and it scores 9 of 10 — or 0 under a policy that scores 补报 0."""
    from models.scoring import save_policy

    c = small_county
    files = make_assignment(c["wu"], make_template(
        title="廉政档案", points=10, target_role=Role.SECRETARY, late_policy="close",
        close_after_days=0))
    clock.move_to(at(26))
    line = next(x for x in compute(2026, at(26)).lines if x.assignment_id == files.id)
    assert (line.earned, line.reason) == (0, "截止后未报，填报已关闭，不得分")
    clock.move_to(at(27))
    unlocked = api(c["zhao"], "POST", f"/assignments/{files.id}/unlock",
                   json={"reason": "系统故障期间未能上报"})
    assert unlocked.status_code == 200, unlocked.get_json()
    sweep(at(27).replace(minute=5))  # the ladder resumes: blue, due 26 Nov 17:00, goes now
    assert api(c["wu"], "POST", f"/assignments/{files.id}/evidence",
               json={"text": "已建立本局干部廉政档案52份"}).status_code == 201
    assert api(c["wu"], "POST", f"/assignments/{files.id}/submit").status_code == 200
    approved = api(c["wang"], "POST", f"/assignments/{files.id}/reviews",
                   json={"decision": "approve"})
    assert approved.status_code == 201, approved.get_json()
    clock.move_to(DEC_2)
    lines = {x["task"]: x for x in api(c["zhao"], "GET", f"/units/{c['bureau'].id}/score")
             .get_json()["lines"]}
    assert (lines["廉政档案"]["earned"], lines["廉政档案"]["level"]) == ("9.00", "blue")
    save_policy(2026, actor=c["zhao"], now=DEC_2, penalties=dict(
        blue=10, yellow=30, red=50, supervision=100), grace_days=0, unlocked_rule="zero",
        bonus_cap=5)
    session.commit()
    lines = {x["task"]: x for x in api(c["zhao"], "GET", f"/units/{c['bureau'].id}/score")
             .get_json()["lines"]}
    assert (lines["廉政档案"]["earned"], lines["廉政档案"]["reason"]) == (
        "0.00", "填报关闭后解锁补报，按规则不得分")



def test_the_dashboard_series_and_a_trend_through_the_api(lived, api, client):
    c = lived
    body = api(c["zhao"], "GET", "/dashboard?year=2026")
    assert body.status_code == 200
    series = body.get_json()
    schema_check(client, "Dashboard", series)
    tiles = {tile["name"]: tile for tile in series["tiles"]}
    assert tiles["白水镇"]["colour"] == "none" and tiles["青山镇"]["colour"] == "red"  # 廉政学习
    assert [row["name"] for row in series["ranking"] if row["kind"] == "township"] == [
        "白水镇", "红岩镇", "青山镇"]
    assert api(c["zhang"], "GET", "/dashboard").status_code == 403
    trend = api(c["zhao"], "GET", f"/units/{c['qingshan'].id}/trend?year=2026").get_json()
    schema_check(client, "TrendPoint", trend["items"][-1])
    assert trend["items"][-1]["score"] == "58.00"
    assert trend["items"][-2]["score"] == "68.57"  # at the end of November
    assert api(c["li"], "GET", f"/units/{c['baishui'].id}/trend").status_code == 404
