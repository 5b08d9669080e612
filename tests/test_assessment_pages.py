"""The year-end assessment through its pages (issue 10): 得分排名, 扣分加分, 年度考核 (generate,
compare, publish), 评分规则, and a cadre's 考核得分 on the phone — with who may do what.

The county is tests/conftest.py's small county on 2 Dec 2026: 青山镇 60.00 (100 × 48 / 80),
白水镇 and 红岩镇 100.00, 城建局 100.00, and 城建局's yearly task still open."""

import hashlib
import json
import re

import pytest
import sqlalchemy as sa

from handlers.admin import texts as admin_texts
from handlers.mobile import texts as mobile_texts
from jobs import texts as job_texts
from models import (Assessment, AuditEvent, Deduction, Notification, NotificationKind,
                    ScoringPolicy, session)
from models.assessment import canonical
from tests.conftest import Phone, openid


def record(browser, unit, points, reason, kind="deduction", person=None, day="2026-12-01"):
    return browser.post("/admin/deductions", {
        "unit_id": unit.id, "person_id": person.id if person else "", "kind": kind,
        "points": points, "reason": reason, "reference": "县纪发〔2026〕9号", "day": day,
        "year": "2026"}, form_page="/admin/deductions")


def generate(browser, year="2026"):
    response = browser.post("/admin/assessments", {"year": year},
                            form_page=f"/admin/assessments?year={year}")
    assert response.status_code == 303, response.text
    return session.scalar(sa.select(Assessment).order_by(Assessment.id.desc()).limit(1))


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
def inspector(assessed_county, admin_browser):
    return admin_browser(assessed_county["zhao"])


def test_second_version_shows_what_changed_and_the_first_stays_as_generated(
        assessed_county, inspector):
    c = assessed_county
    page = text(inspector.get("/admin/assessments?year=2026"))
    assert admin_texts.NOT_SCORED_YET.format(count=1) in page and "一键生成年度考核" in page
    assert record(inspector, c["bureau"], "1", "会议记录不全").status_code == 303
    first = generate(inspector)
    assert first.version == 1
    frozen = first.rows()
    assert {u["name"]: u["score"] for u in frozen["units"]} == {
        "青山镇": "60.00", "白水镇": "100.00", "红岩镇": "100.00", "城建局": "99.00"}

    [wrong] = session.scalars(sa.select(Deduction)).all()
    response = inspector.post(f"/admin/deductions/{wrong.id}/revoke", {"reason": "经复核不应扣分"},
                              form_page="/admin/deductions")
    assert response.status_code == 303
    assert record(inspector, c["qingshan"], "3", "诫勉谈话并被通报").status_code == 303
    listed = text(inspector.get("/admin/deductions?year=2026"))
    assert "已撤销" in listed and "经复核不应扣分" in listed and "诫勉谈话并被通报" in listed

    second = generate(inspector)
    assert second.version == 2
    session.expire_all()
    first = session.get(Assessment, first.id)
    assert first.rows() == frozen
    [event] = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "assessment.generate", AuditEvent.subject == f"assessment:{first.id}"))
    assert json.loads(event.data)["sha256"] == hashlib.sha256(canonical(first.rows())).hexdigest() \
        == first.sha256

    page = text(inspector.get(f"/admin/assessments/{second.id}"))
    assert "与第1版相比的变化" in page
    assert "青山镇 60.00 57.00" in page and "城建局 99.00 100.00" in page
    assert "新增的扣分加分" in page and "已撤销或不再计入的扣分加分" in page
    assert second.sha256[:12] in text(inspector.get("/admin/assessments?year=2026"))


def test_the_ranking_page_shows_the_snapshots_numbers_each_a_link(assessed_county, inspector):
    c = assessed_county
    page = inspector.get("/admin/scores?year=2026&kind=township").text
    row = re.search(r'<tr id="u%d".*?</tr>' % c["qingshan"].id, page, re.S)[0]
    cells = [re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<td.*?</td>", row, re.S)]
    # Warnings count the tasks that reached each level: blue 5 (蓝, 黄, 红, the undone task at
    # 红, the 督办 one), yellow 4, red 3, 督办 1. On time: 2 of the 7 scored tasks.
    assert cells == ["3/3", "青山镇", "乡镇", "80", "48.00", "0.00", "0.00", "60.00", "28.57%",
                     "5", "4", "3", "1"]
    assert f'href="/admin/units/{c["qingshan"].id}"' in row
    assert len(re.findall(r"<a ", row)) == 12  # every number is a link (rank, name: the unit)
    assert "默认规则" in page and "进行中" in text(inspector.get("/admin/scores?year=2026"))

    red = re.search(r'href="([^"]*level=red[^"]*)"', row)[1].replace("&amp;", "&")
    tasks = text(inspector.get(red))
    assert "青山镇 · 达到红色预警的任务（3项）" in tasks
    assert "季度廉政分析" in tasks and "廉政学习" in tasks and "主体责任述职" not in tasks


def test_publishing_tells_each_secretary_once(assessed_county, inspector, work, emulator):
    c = assessed_county
    first = generate(inspector)
    work()
    response = inspector.post(f"/admin/assessments/{first.id}/publish", {},
                              form_page=f"/admin/assessments/{first.id}")
    assert response.status_code == 303
    work()
    again = inspector.post(f"/admin/assessments/{first.id}/publish", {},
                           form_page="/admin/deductions")  # a stale page's button
    assert again.status_code == 409 and "发布" in text(again)
    work()
    title = job_texts.ASSESSMENT_TITLE.format(year=2026)
    for who, unit in (("zhang", "青山镇"), ("sun", "白水镇"), ("zhou", "红岩镇"), ("wu", "城建局")):
        cards = [m for m in emulator.inbox(openid(c["phones"][who]))
                 if m["kind"] == "template" and m["data"].get("thing1") == title]
        assert len(cards) == 1, who
        score = next(u for u in first.rows()["units"] if u["name"] == unit)
        assert cards[0]["data"]["thing3"] == job_texts.ASSESSMENT_DETAIL.format(
            score=score["score"], rank=score["rank"], among=score["ranked_among"])
        assert cards[0]["url"].endswith("/m/score?year=2026")
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == NotificationKind.ASSESSMENT)) == 4
    assert "已于" in text(inspector.get(f"/admin/assessments/{first.id}"))


def test_the_policy_form_refuses_bad_values_and_saves_a_new_version(assessed_county, inspector):
    form = {"year": "2026", "penalty_blue": "20", "penalty_yellow": "10", "penalty_red": "50",
            "penalty_supervision": "100", "grace_days": "0", "unlocked_rule": "penalty",
            "bonus_cap": "5", "note": ""}
    refused = inspector.post("/admin/policy", form, form_page="/admin/policy?year=2026")
    assert refused.status_code == 400 and "扣分比例须随预警等级升高而不减" in text(refused)
    assert 'value="20"' in refused.text  # what was typed stays
    assert session.scalar(sa.select(sa.func.count(ScoringPolicy.id))) == 0
    saved = inspector.post("/admin/policy", {**form, "penalty_blue": "10", "grace_days": "3"},
                           form_page="/admin/policy?year=2026")
    assert saved.status_code == 303
    assert "第1版" in text(inspector.get("/admin/scores?year=2026"))
    assert "宽限3天" in text(inspector.get("/admin/policy?year=2026"))


def test_a_refused_deduction_is_explained_and_nothing_is_saved(assessed_county, inspector):
    c = assessed_county
    refused = record(inspector, c["qingshan"], "3", "扣分", person=c["sun"])
    assert refused.status_code == 400 and "孙书记不属于青山镇" in text(refused)
    refused = record(inspector, c["qingshan"], "abc", "诫勉谈话并被通报")
    assert refused.status_code == 400 and "分值请填写数字" in text(refused)
    assert "诫勉谈话并被通报" in text(refused)  # the reason typed is kept
    assert session.scalar(sa.select(sa.func.count(Deduction.id))) == 0


def test_only_inspectors_generate_publish_and_record(app, assessed_county, inspector,
                                                    admin_browser):
    c = assessed_county
    first = generate(inspector)
    assert record(inspector, c["qingshan"], "3", "诫勉谈话并被通报").status_code == 303
    admin = admin_browser(c["admin"])
    for path in ("/admin/scores", "/admin/assessments", f"/admin/assessments/{first.id}",
                 "/admin/deductions", "/admin/policy", f"/admin/assessments/{first.id}.xlsx"):
        assert admin.get(path).status_code == 200, path
    assert admin_texts.ONLY_INSPECTORS_GENERATE in text(admin.get("/admin/assessments"))
    assert admin_texts.ONLY_INSPECTORS_RECORD in text(admin.get("/admin/deductions"))
    # An admin has no such buttons: the posts are forged with the policy form's token.
    refused = admin.post("/admin/assessments", {"year": "2026"}, form_page="/admin/policy")
    assert refused.status_code == 403 and "只有县纪委监委审核人员" in text(refused), text(refused)
    assert admin.post(f"/admin/assessments/{first.id}/publish", {},
                      form_page="/admin/policy").status_code == 403
    assert admin.post("/admin/deductions", {"unit_id": c["qingshan"].id, "kind": "deduction",
                                            "points": "1", "reason": "会议记录不全",
                                            "day": "2026-12-01"},
                      form_page="/admin/policy").status_code == 403
    [kept] = session.scalars(sa.select(Deduction)).all()
    assert admin.post(f"/admin/deductions/{kept.id}/revoke", {"reason": "经复核不应扣分"},
                      form_page="/admin/policy").status_code == 403
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(Assessment.id))) == 1
    assert session.get(Assessment, first.id).published_at is None
    assert session.get(Deduction, kept.id).revoked_at is None
    member = Phone(app, c["phones"]["li"])  # signed in on the phone, then opens /admin
    assert member.get("/m/").status_code == 200
    for path in ("/admin/scores", "/admin/assessments", "/admin/deductions", "/admin/policy",
                 f"/admin/assessments/{first.id}.xlsx"):
        assert member.get(path).status_code == 403, path


def test_a_cadre_sees_their_own_units_score_only(app, assessed_county, inspector):
    c = assessed_county
    assert record(inspector, c["qingshan"], "3", "诫勉谈话并被通报").status_code == 303
    li = Phone(app, c["phones"]["li"])
    assert "考核得分" in li.get("/m/").text and "考核得分" in li.get("/m/me").text
    page = li.get("/m/score")
    assert page.status_code == 200
    assert "青山镇" in page.text and "57.00" in page.text and "乡镇第3名，共3个" in page.text
    assert "白水镇" not in page.text and "诫勉谈话并被通报" in page.text
    assert "逾期完成，达到红色预警，扣50%" in page.text  # 张建国's task, lost points
    assert f'/m/tasks/{c["tasks"]["undone"].id}"' in page.text  # his own: a link
    assert f'/m/tasks/{c["tasks"]["red"].id}"' not in page.text  # a colleague's: no link
    assert "我的得分" in page.text
    refused = li.get(f"/m/score?unit={c['baishui'].id}")
    assert refused.status_code == 403 and mobile_texts.SCORE_NOT_YOURS in refused.text
    zhang = Phone(app, c["phones"]["zhang"]).get("/m/score").text
    assert f'/m/tasks/{c["tasks"]["red"].id}"' in zhang
    assert Phone(app, c["phones"]["sun"]).get(
        f"/m/score?unit={c['qingshan'].id}").status_code == 403
    body = Phone(app, c["phones"]["wang"])
    own = body.get("/m/score").text  # 青山镇纪委 has no tasks: the units it supervises
    assert "以下是您可以查看的单位" in own and f"unit={c['baishui'].id}" in own
    wang = body.get(f"/m/score?unit={c['baishui'].id}")
    assert wang.status_code == 200 and "白水镇" in wang.text and "100.00" in wang.text
    inspector_phone = Phone(app, c["phones"]["zhao"])
    county = inspector_phone.get("/m/score").text
    assert "全县考核得分" in county and "3. 青山镇" in county and f"unit={c['bureau'].id}" in county
    zhao = inspector_phone.get(f"/m/score?unit={c['bureau'].id}")
    assert zhao.status_code == 200 and "城建局" in zhao.text


def test_the_published_result_is_on_the_phone(app, assessed_county, inspector):
    c = assessed_county
    first = generate(inspector)
    inspector.post(f"/admin/assessments/{first.id}/publish", {},
                   form_page=f"/admin/assessments/{first.id}")
    assert record(inspector, c["qingshan"], "3", "诫勉谈话并被通报").status_code == 303
    page = Phone(app, c["phones"]["zhang"]).get("/m/score?year=2026").text
    assert "年度考核结果" in page and "第1版" in page
    assert page.index("60.00") < page.index("57.00")  # published 60.00 first, live 57.00 after


def test_the_tasks_not_scored_yet_are_listed_under_their_count(app, assessed_county):
    c = assessed_county
    page = Phone(app, c["phones"]["zhao"]).get(f"/m/score?unit={c['bureau'].id}").text
    assert 'href="#waiting"><div class="weui-cell__bd note">另有1项任务进行中或待审核' in page
    waiting = page.split('id="waiting"')[1].split("扣分、加分")[0]
    assert "未计分的任务（1）" in waiting and "年度述职" in waiting and "进行中" in waiting
    assert re.findall(r'href="/m/tasks/(\d+)"', waiting) == [str(c["open"].id)]
    nothing_waits = Phone(app, c["phones"]["li"]).get("/m/score").text
    assert "另有" not in nothing_waits and 'id="waiting"' not in nothing_waits
