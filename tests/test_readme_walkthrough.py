"""README “演示：一项任务的完整流程”, step by step, on the county `seed-demo` builds (issue 9).

User 07 (城关镇班子成员) reports a task that needs a summary, two photos and two reviews;
user 05 (城关镇纪委书记) approves it through the pushed link, inspector 03 returns it with a
reason, 07 reworks it, and 05 and inspector 02 approve: the task is done.
"""

import sqlalchemy as sa

from conftest import AdminBrowser, openid
from models import Assessment, Person, session, utcnow
from models.clock import local_date
from test_whole_life import phone, photo, review_through_link, templates_to

CADRE, FIRST, RETURNS, FINAL = 7, 5, 3, 2
REASON = "会议记录照片不清晰，请补拍签到表"


def report(emulator, work, summary: str, colours) -> str:
    """Steps 3 and 5's rework in chat: 上报 1, a summary, two photos, 提交; returns the reply."""
    me = openid(CADRE)
    assert "至少2张照片" in emulator.send_text(me, "上报 1").reply["content"]
    emulator.send_text(me, summary)
    for colour in colours:
        emulator.send_image(me, photo(colour))
    work()
    return emulator.send_text(me, "提交").reply["content"]


def test_the_readme_walkthrough_works_on_the_demo_county(app, runner, emulator, work, clock):
    # 1. The demo county, tasks dispatched for the current periods.
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    work()
    me = openid(CADRE)
    # 2. 待办 lists the tasks numbered; 签收 1.
    listing = emulator.send_text(me, "待办").reply["content"]
    assert "1. 班子成员“一岗双责”履职报告" in listing and "待签收" in listing
    assert emulator.send_text(me, "签收 1").reply["content"].startswith("已签收：班子成员")
    # 3. 上报 1, a summary and two photos, 提交.
    answer = report(emulator, work, "11月18日召开党委会，班子成员逐一报告“一岗双责”履职情况。",
                    [(180, 40, 40), (40, 40, 180)])
    assert answer.startswith("已提交")
    work()
    # 4. User 05 gets 待审核提醒 and approves (初审) on the page its 详情 opens.
    assert templates_to(emulator, FIRST) == ["QL_REVIEW_REQUEST"]
    review_through_link(emulator, FIRST, "approve")
    work()
    # 5. The inspectors get the final review; one returns it with a reason.
    assert templates_to(emulator, RETURNS) == ["QL_REVIEW_REQUEST"]
    assert templates_to(emulator, FINAL) == ["QL_REVIEW_REQUEST"]
    review_through_link(emulator, RETURNS, "return", REASON)
    work()
    [returned] = [m for m in emulator.inbox(me) if m.get("template_id") == "QL_REVIEW_RESULT"]
    assert "退回整改" in str(returned)
    assert REASON in phone(CADRE).get(returned["url"]).text  # the reason on the task page
    # ... 07 adds what was missing and hands it in again; 初审 and 终审 approve.
    assert "1. 班子成员“一岗双责”履职报告" in emulator.send_text(me, "待办").reply["content"]
    assert report(emulator, work, "已补拍会议签到表。",
                  [(40, 160, 40), (160, 160, 40)]).startswith("已提交")
    work()
    review_through_link(emulator, FIRST, "approve")
    work()
    review_through_link(emulator, FINAL, "approve")
    work()
    results = [m for m in emulator.inbox(me) if m.get("template_id") == "QL_REVIEW_RESULT"]
    assert len(results) == 2 and "通过" in str(results[-1])
    assert emulator.send_text(me, "待办").reply["content"].startswith("您目前没有待办任务")
    # 9. 全县态势 on an inspector's phone: the demo county's units, the charts.
    situation = phone(FINAL).get(app.config["PUBLIC_BASE_URL"] + "m/situation")
    assert situation.status_code == 200
    assert "城关镇" in situation.text and situation.text.count("data-chart=") == 2
    # 10. 年度考核: an inspector generates and publishes it; 城关镇's secretary (user 06) is
    # told, and 详情 opens 考核得分 with the unit's score and rank.
    inspector = AdminBrowser(app, session.scalars(
        sa.select(Person).where(Person.role == "inspector").order_by(Person.id)).first())
    assert inspector.post("/admin/assessments", {"year": str(local_date(utcnow()).year)},
                          form_page="/admin/assessments").status_code == 303
    made = session.scalar(sa.select(Assessment).order_by(Assessment.id.desc()).limit(1))
    assert inspector.post(f"/admin/assessments/{made.id}/publish", {},
                          form_page=f"/admin/assessments/{made.id}").status_code == 303
    work()
    [told] = [m for m in emulator.inbox(openid(6)) if "考核结果" in str(m)]
    row = next(u for u in made.rows()["units"] if u["name"] == "城关镇")
    score_page = phone(6).get(told["url"]).text
    assert row["score"] in score_page and f"第{row['rank']}名" in score_page



def test_the_readme_notice_step_works_on_the_demo_county(app, runner, emulator, work, clock):
    """Step 11: 城关镇's secretary answers yesterday's notice in chat with a photo; the
    discipline body's secretary is told and verifies each item on the page it links to."""
    import re

    from models import Notice, NoticeState

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    work()
    secretary, body = openid(6), openid(FIRST)
    listing = emulator.send_text(secretary, "整改通知").reply["content"]
    assert "1. 整改通知书" in listing and "2. 整改通知书" in listing
    emulator.send_text(secretary, "整改回复 1 班子成员已逐一开展分管领域廉政风险排查，形成清单。")
    assert "佐证照片" in emulator.send_image(secretary, photo((90, 120, 60))).reply["content"]
    emulator.send_text(secretary, "整改回复 2 11月党委会专题研究整改措施，会议纪要已归档。")
    work()
    [card] = [m for m in emulator.inbox(body) if m.get("template_id") == "QL_REVIEW_REQUEST"]
    assert card["data"]["thing1"].startswith("待核实：整改通知书")
    browser = phone(FIRST)
    page = browser.get(card["url"])
    assert page.status_code == 200 and page.text.count("核实通过") == 2
    for action in re.findall(r'action="([^"]+/verify)"', page.text):
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(card["url"]).text)[1]
        browser.post(app.config["PUBLIC_BASE_URL"].rstrip("/") + action,
                     data={"csrf_token": token, "decision": "accept"})
    notice_id = int(card["url"].rsplit("/", 1)[1])
    session.expire_all()
    assert session.get(Notice, notice_id).state == NoticeState.FOLLOW_UP
    document = browser.get(card["url"] + ".docx")
    assert document.status_code == 200 and document.content[:2] == b"PK"


def test_the_readme_spot_check_step_works_on_the_demo_county(app, runner, emulator, work, clock):
    """Step 12: the demo's finished round on its page, redrawn from its seed by the command;
    an inspector opens a second round and enters a result once."""
    import re

    from models import SpotCheckRound

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    work()
    inspector = session.scalars(sa.select(Person).where(Person.role == "inspector")
                                .order_by(Person.id)).first()
    browser = AdminBrowser(app, inspector)
    listing = browser.get("/admin/spot-checks").text
    assert "第1轮抽查" in listing
    [row] = session.scalars(sa.select(SpotCheckRound)).all()
    page = browser.get(f"/admin/spot-checks/{row.id}").text
    assert row.seed in page and row.population_sha256 in page
    assert f"flask --app app spot-check verify {row.id}" in page
    assert "待核实" in page and "保存核实结果" not in page  # every item verified
    verified = runner.invoke(args=["spot-check", "verify", "1"])
    assert verified.exit_code == 0 and "结论：一致" in verified.output
    assert "抽查核实不实，已退回整改" in verified.output
    board = browser.get("/admin/").text
    assert re.search(r"不实 <b>1</b> 项", board)
    opened = browser.post("/admin/spot-checks", {"year": str(local_date(utcnow()).year),
                                                 "sample": "5", "unit_kinds": "township"},
                          form_page="/admin/spot-checks")
    assert opened.status_code == 303
    second = browser.get(opened.headers["Location"]).text
    assert "第2轮抽查" in second and second.count("保存核实结果") == 5
