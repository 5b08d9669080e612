"""The admin side of notices: an inspector drafts (a refused form keeps what was typed and
saves nothing), issues (numbered, the unit told), and reads the 台账 with its filters, counts
and xlsx."""

import io
from datetime import timedelta

import openpyxl
import sqlalchemy as sa

from models import Notice, NoticeState, Notification, NotificationKind, session
from models.clock import local_date
from models.notice_lifecycle import issue
from test_notice import make_notice  # noqa: F401 (fixture)


def form(county, now, **changes) -> dict:
    due = (local_date(now) + timedelta(days=10)).isoformat()
    data = {"kind": "suggestion", "unit_id": str(county["township"].id),
            "title": "关于加强“三重一大”决策监督的建议", "facts": "抽查发现部分重大事项未经集体研究决定。",
            "basis": "《中国共产党纪律检查机关监督执纪工作规则》", "reply_due": due,
            "follow_up_days": "30", "requirement": ["完善“三重一大”议事规则", ""],
            "due": [due, ""], "person_id": [str(county["member"].id), ""]}
    return {**data, **changes}


def test_draft_issue_and_the_ledger(admin_browser, county, now, clock):
    browser = admin_browser(county["inspector"])
    refused = browser.post("/admin/notices/new", form(county, now, facts="太短"),
                           form_page="/admin/notices/new")
    assert refused.status_code == 400 and "至少10个字" in refused.text
    assert "完善“三重一大”议事规则" in refused.text  # what was typed is kept
    assert session.scalar(sa.select(sa.func.count(Notice.id))) == 0

    saved = browser.post("/admin/notices/new", form(county, now), form_page="/admin/notices/new")
    assert saved.status_code == 303
    notice = session.scalars(sa.select(Notice)).one()
    page = f"/admin/notices/{notice.id}"
    assert notice.state == NoticeState.DRAFTED and notice.items[0].person_id == county["member"].id
    issued = browser.post(f"{page}/issue", {}, form_page=page)
    assert issued.status_code == 303 and issued.headers["Location"].endswith(f"/m/notices/{notice.id}")
    session.expire_all()
    notice = session.get(Notice, notice.id)
    assert notice.reference == f"〔{local_date(now).year}〕第1号" and notice.issuer.name == "县纪委监委"
    told = session.scalars(sa.select(Notification.person_id).where(
        Notification.notice_id == notice.id,
        Notification.kind == NotificationKind.NOTICE_ISSUED)).all()
    assert told == [county["secretary"].id]

    ledger = browser.get("/admin/notices").text
    assert notice.reference in ledger and "监督建议书" in ledger
    assert "共 <a" in ledger and "已下发 <a" in ledger
    assert notice.reference not in browser.get("/admin/notices?overdue=1").text
    clock.move_to(now + timedelta(days=12))
    browser = admin_browser(county["inspector"])  # the session has expired meanwhile
    late = browser.get("/admin/notices?overdue=1").text
    assert notice.reference in late and "逾期" in late
    assert notice.reference not in browser.get("/admin/notices?state=closed").text

    book = openpyxl.load_workbook(io.BytesIO(browser.get("/admin/notices.xlsx?overdue=1").content))
    rows = list(book["台账"].values)
    assert rows[0][:3] == ("文号", "类型", "下发单位")
    assert rows[1][0] == notice.reference and rows[1][11] == "是"
    assert list(book["整改要求"].values)[1][2:4] == ("完善“三重一大”议事规则", "李明")


def test_a_discipline_body_draft_is_not_the_inspectors(admin_browser, county, make_notice, now):
    draft = make_notice()  # 青山镇纪委's draft
    browser = admin_browser(county["inspector"])
    assert browser.get(f"/admin/notices/{draft.id}").status_code == 404
    assert "本单位草稿" not in browser.get("/admin/notices").text
    issue(draft, county["discipline"], now=now)
    session.commit()
    assert draft.reference in browser.get("/admin/notices").text


def test_the_points_a_return_costs_are_the_scoring_policys(admin_browser, county, make_notice,
                                                             now):
    from decimal import Decimal

    from models import Deduction
    from models.notice_lifecycle import reply, return_item

    year = str(local_date(now).year)
    browser = admin_browser(county["inspector"])
    policy = {"year": year, "penalty_blue": "10", "penalty_yellow": "30", "penalty_red": "50",
              "penalty_supervision": "100", "grace_days": "0", "unlocked_rule": "penalty",
              "bonus_cap": "5", "note": "", "notice_late_points": "1",
              "notice_return_points": "2"}
    assert 'name="notice_return_points" value="0.5"' in browser.get(f"/admin/policy?year={year}").text
    refused = browser.post("/admin/policy", {**policy, "notice_return_points": "x"},
                           form_page=f"/admin/policy?year={year}")
    assert refused.status_code == 400 and "整改退回扣分" in refused.text
    assert browser.post("/admin/policy", policy,
                        form_page=f"/admin/policy?year={year}").status_code == 303
    notice = make_notice()
    issue(notice, county["discipline"], now=now)
    reply(notice.items[0], county["secretary"], "已补齐全部专题会议记录共11份。", now=now)
    return_item(notice.items[0], county["discipline"], "只补了目录，未见会议记录。", now=now)
    session.commit()
    [row] = session.scalars(sa.select(Deduction).where(Deduction.source == f"notice:{notice.id}"))
    assert row.points == Decimal("2.00")
