"""抽查核实 in the admin (issue 11): an inspector opens a round (drawn at once), enters each
result once; 不实 deducts the round's points, reopens the task with the reason and tells the
unit's secretary; admins look (cadres are refused in tests/test_spot_check_api.py)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from jobs import texts as job_texts
from models import (Assignment, Deduction, Evidence, EvidenceStatus, Notification,
                    NotificationKind, SpotCheckItem, SpotCheckRound, session, utcnow)
from models.evidence import expire_pending
from models.scoring import compute
from test_chat_evidence import photo
from tests.conftest import Phone, openid


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
def inspector(assessed_county, admin_browser):
    return admin_browser(assessed_county["zhao"])


def open_round(browser, sample="100%", **fields):
    return browser.post("/admin/spot-checks", {"year": "2026", "sample": sample,
                                               "points_false": "2", "points_partial": "0",
                                               **fields}, form_page="/admin/spot-checks")


def latest_round() -> SpotCheckRound:
    return session.scalar(sa.select(SpotCheckRound).order_by(SpotCheckRound.id.desc()).limit(1))


def item_for(row, task):
    return next(item for item in row.items if item.assignment_id == task.id)


def verify(browser, row, item, result, reason):
    return browser.post(f"/admin/spot-checks/{row.id}/items/{item.id}",
                        {"result": result, "reason": reason},
                        form_page=f"/admin/spot-checks/{row.id}")


def test_opening_a_round_draws_it_and_shows_how_to_redo_the_draw(assessed_county, inspector):
    response = open_round(inspector, sample="5")
    assert response.status_code == 303
    row = latest_round()
    assert response.headers["Location"].endswith(f"/admin/spot-checks/{row.id}")
    page = text(inspector.get(f"/admin/spot-checks/{row.id}"))
    assert row.seed in page and row.population_sha256 in page
    assert f"flask --app app spot-check verify {row.id}" in page
    assert "HMAC-SHA256" in page and "最大余数法" in page
    assert "已完成的任务 9 项" in page and "实际抽取 5 项" in page
    listing = text(inspector.get("/admin/spot-checks?year=2026"))
    assert "2026年第1轮抽查" in listing and "待核实" in listing
    assert "raw" not in listing and "pending" not in listing


def test_a_refused_round_saves_nothing(assessed_county, inspector):
    for sample, answer in (("", "抽查数量请填写"), ("120%", "抽查数量请填写"), ("abc", "抽查数量")):
        response = open_round(inspector, sample=sample)
        assert response.status_code == 400 and answer in text(response)
    response = open_round(inspector, sample="3", periods="2025-01")  # not a 2026 period: ignored
    assert response.status_code == 303
    empty = open_round(inspector, sample="3", periods="2026-01")
    assert empty.status_code == 400 and "没有已完成的任务" in text(empty)
    assert session.scalar(sa.select(sa.func.count(SpotCheckRound.id))) == 1


def test_a_false_result_deducts_reopens_the_task_and_tells_the_secretary(
        assessed_county, inspector, work, emulator):
    c = assessed_county
    task = c["tasks"]["on_time"]  # 李明's 专题会议, on time: full points
    before = compute(2026, utcnow()).units[c["qingshan"].id].score
    assert open_round(inspector).status_code == 303
    row = latest_round()
    item = item_for(row, task)
    round_id, item_id = row.id, item.id
    response = verify(inspector, row, item, "false", "会议记录系补写，与实际不符")
    assert response.status_code == 303
    session.expire_all()  # the page wrote in its own session; the jobs run in this one
    work()

    task = session.get(Assignment, task.id)
    assert task.state == "returned" and task.completed_at is None
    [deduction] = session.scalars(sa.select(Deduction)).all()
    assert deduction.source == f"spot_check:{item_id}" and deduction.points == 2
    assert deduction.unit_id == c["qingshan"].id and deduction.person_id == c["li"].id
    after = compute(2026, utcnow()).units[c["qingshan"].id].score
    assert after < before - 2

    returned = [m for m in emulator.inbox(openid(c["phones"]["li"]))
                if m["kind"] == "template" and m["data"].get("phrase2") == job_texts.RETURNED_VERDICT
                and m["url"].endswith(f"/m/tasks/{task.id}")]
    assert len(returned) == 1
    assert returned[0]["data"]["thing3"].startswith("理由：抽查核实不实：会议记录")
    told = [m for m in emulator.inbox(openid(c["phones"]["zhang"]))
            if m["kind"] == "template" and m["data"].get("phrase2") == "不实"]
    assert len(told) == 1
    assert told[0]["data"]["thing1"] == task.template.title
    assert told[0]["data"]["thing3"].startswith("扣2分，已退回整改，会议记录")
    assert told[0]["url"].endswith(f"/m/tasks/{task.id}")
    page = text(inspector.get(f"/admin/spot-checks/{round_id}"))
    assert "不实 ：会议记录系补写" in page and "扣 2 分" in page


def test_a_result_is_entered_once(assessed_county, inspector):
    c = assessed_county
    assert open_round(inspector).status_code == 303
    row = latest_round()
    item = item_for(row, c["tasks"]["baishui"])
    assert verify(inspector, row, item, "true", "实地核查，情况属实").status_code == 303
    again = verify(inspector, row, item, "false", "改判为不实试试看")
    assert again.status_code == 409 and "不能重复录入" in text(again)
    assert session.scalar(sa.select(sa.func.count(Deduction.id))) == 0
    short = verify(inspector, row, item_for(row, c["tasks"]["hongyan"]), "partial", "短")
    assert short.status_code == 400 and "至少5个字" in text(short)
    partial = verify(inspector, row, item_for(row, c["tasks"]["hongyan"]), "partial",
                     "照片与会议不完全对应")
    assert partial.status_code == 303
    assert session.scalar(sa.select(sa.func.count(Deduction.id))) == 0  # 部分属实 0 分
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == NotificationKind.SPOT_CHECK)) == 1  # 周书记 of 红岩镇 is told


def test_admins_look_but_neither_open_nor_verify(assessed_county, admin_browser, inspector):
    c = assessed_county
    assert open_round(inspector, sample="2").status_code == 303
    row = latest_round()
    admin = admin_browser(c["admin"])
    page = admin.get(f"/admin/spot-checks/{row.id}")
    assert page.status_code == 200 and "保存核实结果" not in page.text
    assert "开展抽查并抽取" not in admin.get("/admin/spot-checks").text
    refused = admin.post("/admin/spot-checks", {"year": "2026", "sample": "2"},
                         form_page="/admin/people")  # a form elsewhere: the page has none
    assert refused.status_code == 403
    item = row.items[0]
    refused = admin.post(f"/admin/spot-checks/{row.id}/items/{item.id}",
                         {"result": "false", "reason": "管理员不能核实"},
                         form_page="/admin/people")
    assert refused.status_code == 403
    assert session.scalar(sa.select(sa.func.count(SpotCheckRound.id))) == 1
    session.expire_all()
    assert row.items[0].result is None


def test_results_reach_the_dashboard_the_assessment_and_its_workbook(
        assessed_county, inspector, tmp_path):
    from openpyxl import load_workbook

    from jobs.assessment import write_xlsx
    from models import Assessment

    c = assessed_county
    assert open_round(inspector).status_code == 303
    row = latest_round()
    assert verify(inspector, row, item_for(row, c["tasks"]["red"]), "false",
                  "照片为往年活动照片").status_code == 303
    board = inspector.get("/admin/")
    assert "不实 <b>1</b> 项" in board.text and "抽取 <b>9</b> 项" in board.text
    assert "/admin/spot-checks?year=2026&amp;result=false#items" in board.text
    rows = text(inspector.get("/admin/spot-checks?year=2026&result=false"))
    assert "抽中的任务：不实（1项）" in rows and "照片为往年活动照片" in rows

    assert inspector.post("/admin/assessments", {"year": "2026"},
                          form_page="/admin/assessments?year=2026").status_code == 303
    frozen = session.scalar(sa.select(Assessment)).rows()
    qingshan = next(r for r in frozen["spot_checks"] if r["unit"] == "青山镇")
    assert (qingshan["drawn"], qingshan["false"], qingshan["pending"]) == (6, 1, 5)
    assert qingshan["seed"] == row.seed
    assert any(d["source"].startswith("spot_check:") for d in frozen["deductions"])
    workbook = inspector.get(f"/admin/assessments/{session.scalar(sa.select(Assessment.id))}.xlsx")
    path = tmp_path / "a.xlsx"
    path.write_bytes(workbook.content)
    sheet = load_workbook(path)["抽查核实"]
    values = [[cell for cell in line] for line in sheet.iter_rows(values_only=True)]
    assert ["2026年第1轮抽查", "2026-12-02 09:00", "青山镇", 6, 0, 0, 1, 5, row.seed] in \
        [list(line[:9]) for line in values]

    older = {key: value for key, value in frozen.items() if key != "spot_checks"}
    write_xlsx(older, tmp_path / "older.xlsx")  # a snapshot from before spot checks
    assert "抽查核实" not in load_workbook(tmp_path / "older.xlsx").sheetnames


def test_a_result_keeps_its_photos_for_inspectors_only(app, assessed_county, inspector, work,
                                                       clock):
    c = assessed_county
    assert open_round(inspector).status_code == 303
    row = latest_round()
    item = item_for(row, c["tasks"]["baishui"])
    page = f"/admin/spot-checks/{row.id}"
    typed = {"result": "true", "reason": "实地核查，情况属实"}
    bad = inspector.post(f"{page}/items/{item.id}", typed, form_page=page,
                         files=[("photos", ("会议.jpg", photo(), "image/jpeg")),
                                ("photos", ("坏的.jpg", b"not a picture", "image/jpeg"))])
    assert bad.status_code == 400 and "坏的.jpg" in text(bad)  # refused by name, nothing kept
    session.expire_all()
    assert session.get(SpotCheckItem, item.id).result is None
    assert session.scalar(sa.select(sa.func.count(Evidence.id)).where(
        Evidence.spot_check_item_id.is_not(None))) == 0
    done = inspector.post(f"{page}/items/{item.id}", typed, form_page=page,
                          files=[("photos", ("会议.jpg", photo(), "image/jpeg"))])
    assert done.status_code == 303
    assert "照片处理中" in inspector.get(page).text
    work()
    shown = inspector.get(page).text
    [thumb] = re.findall(r'src="(/m/evidence/\d+/thumb)"', shown)
    assert inspector.get(thumb).status_code == 200
    assert inspector.get(thumb).headers["Content-Type"] == "image/jpeg"
    assert Phone(app, c["phones"]["li"]).get(thumb).status_code == 404  # a cadre
    clock.move_to(utcnow() + timedelta(days=2))  # never taken for a waiting chat photo
    assert expire_pending(utcnow()) == 0
    session.expire_all()
    [kept] = session.scalars(sa.select(Evidence).where(Evidence.spot_check_item_id == item.id))
    assert kept.status == EvidenceStatus.STORED and kept.assignment_id is None
