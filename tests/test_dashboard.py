"""全县态势 (issue 10): the tiles' colours, every number's link to exactly the tasks it counts,
谁还没交 with 催办 for one or all under the 5-minute rule, a unit's page, the phone version and
who may see them. (In headless Chromium: test_dashboard_browser.py.)

The county (conftest `county`): 青山镇 has two people late with November's 专题会议 (blue, yellow
and red pushed by the sweep), one who handed it in and waits for review, and a December task
not due yet; 白水镇's secretary did hers on time. The pages are read on 1 December 09:00, after
November's deadline (so the late ones score 0).
"""

import json
import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from handlers.admin import texts as admin_texts
from handlers.mobile import texts as mobile_texts
from models import Notification, NotificationKind, Role, session
from models.assessment import unit_rows
from models.assignment import Action
from models.dashboard import series, trend
from models.deduction import record
from models.escalation import sweep
from models.level_scheme import save_scheme
from models.lifecycle import transition
from models.scoring import compute, current, month_ends

SH = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 11, 25, 17, 0, tzinfo=SH)  # make_template's day:25 in period 2026-11
READ_AT = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
TILE = re.compile(r'<li class="tile level_(\w+)" data-unit="(\d+)".*?</li>', re.S)


@pytest.fixture
def board(county, clock, make_template, make_assignment):
    """The county's November, swept at blue, yellow and red, and the clock at READ_AT."""
    meeting = make_template(title="专题会议")
    study = make_template(title="廉政学习")
    tasks = {who: make_assignment(county[who], meeting) for who in
             ("member", "secretary", "colleague", "other_secretary")}
    tasks["study"] = make_assignment(county["member"], study, period="2026-12")
    transition(tasks["other_secretary"], Action.SUBMIT, county["other_secretary"],
               now=DUE - timedelta(days=2))
    transition(tasks["other_secretary"], Action.APPROVE, county["other_discipline"],
               now=DUE - timedelta(days=1))
    transition(tasks["colleague"], Action.SUBMIT, county["colleague"], now=DUE - timedelta(hours=1))
    session.commit()
    for days in (1, 3, 5):
        sweep(DUE + timedelta(days=days, minutes=10))
    clock.move_to(READ_AT)
    return {**county, "tasks": tasks, "meeting": meeting}


def signed_in(client, person):
    with client.session_transaction() as browser:
        browser["admin_id"] = person.id
    return person


def page(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def listed(client, path: str) -> set[int]:
    """The tasks a list page shows (every page of it)."""
    html = page(client, path.replace("&amp;", "&"))
    found = {int(task) for task in re.findall(r'data-task="(\d+)"', html)}
    more = re.search(r'href="([^"]+)">下一页', html)
    return found | (listed(client, more.group(1)) if more else set())


def ids(*tasks) -> set[int]:
    return {task.id for task in tasks}


def csrf(client, path: str) -> str:
    return page(client, path).split('name="csrf_token" value="')[1].split('"')[0]


def test_tiles_are_the_units_with_tasks_coloured_by_their_worst_open_warning(client, board):
    signed_in(client, board["inspector"])
    html = page(client, "/admin/")
    tiles = {int(unit): colour for colour, unit in TILE.findall(html)}
    township, other = board["township"].id, board["other_secretary"].unit_id
    assert tiles == {township: "red", other: "none"}  # the 纪委 and the county have no tasks
    block = next(b for b in TILE.finditer(html) if b.group(2) == str(township)).group(0)
    assert "待办 <b>3</b>" in block and "逾期 <b>2</b>" in block and "督办 <b>0</b>" in block


def test_each_tile_count_lists_exactly_its_tasks(client, board):
    signed_in(client, board["inspector"])
    t = board["tasks"]
    block = next(b for b in TILE.finditer(page(client, "/admin/"))
                 if b.group(2) == str(board["township"].id)).group(0)
    links = dict((words, href) for href, words in re.findall(
        r'<a href="(/admin/tasks[^"]+)">(\S+) <b>', block))
    assert listed(client, links["待办"]) == ids(t["member"], t["secretary"], t["study"])
    assert listed(client, links["逾期"]) == ids(t["member"], t["secretary"])
    assert listed(client, links["督办"]) == set()
    unit_page = re.search(r'href="(/admin/units/\d+[^"]*)"', block).group(1)
    assert re.findall(r'data-task="(\d+)"', page(client, unit_page.replace("&amp;", "&")))


def test_warnings_per_month_count_tasks_and_link_to_them(client, board):
    signed_in(client, board["inspector"])
    t = board["tasks"]
    data = client.get("/admin/dashboard.json").get_json()
    assert {kind: months[10] for kind, months in data["warnings"].items()} == {
        "blue": 2, "yellow": 2, "red": 2, "supervision": 0}  # two tasks, however many recipients
    assert sum(sum(months) for months in data["warnings"].values()) == 6
    html = page(client, "/admin/")
    red_november = re.search(r'href="(/admin/tasks\?level=red&amp;month=2026-11)"', html).group(1)
    assert listed(client, red_november) == ids(t["member"], t["secretary"])
    assert listed(client, "/admin/tasks?level=blue&month=2026-10") == set()


def test_rates_by_category_come_from_the_scoring_lines(client, board):
    signed_in(client, board["inspector"])
    t = board["tasks"]
    [row] = client.get("/admin/dashboard.json").get_json()["categories"]
    # On time: 孙书记; not done by the deadline: 李明 and 张建国; 钱委员 waits for review.
    assert (row["scored"], row["on_time"], row["late"], row["unfinished"]) == (3, 1, 0, 2)
    assert (row["on_time_rate"], row["completion_rate"]) == (33.3, 33.3)
    html = page(client, "/admin/")
    for outcome, expected in (("on_time", ids(t["other_secretary"])),
                              ("unfinished", ids(t["member"], t["secretary"])),
                              ("scored", ids(t["other_secretary"], t["member"], t["secretary"]))):
        link = re.search(rf'href="(/admin/tasks\?[^"]*outcome={outcome}[^"]*)"', html).group(1)
        assert listed(client, link) == expected, outcome


def test_the_ranking_shows_the_assessments_own_rows(client, board, now):
    signed_in(client, board["inspector"])
    data = client.get("/admin/dashboard.json").get_json()
    rows = unit_rows(current(2026, READ_AT))
    assert data["ranking"] == rows
    html = page(client, "/admin/")
    for row in rows:
        assert f'{row["name"]}</a></td>\n      <td><b>{row["score"]}</b>' in html
    assert 'href="/admin/scores?year=2026"' in html


def test_supervision_and_urges_are_counted_and_listed(client, board):
    signed_in(client, board["inspector"])
    t = board["tasks"]
    sweep(DUE + timedelta(days=7, minutes=10))  # 督办 for both late ones
    session.commit()
    token = csrf(client, f"/admin/owed?template={board['meeting'].id}&period=2026-11")
    client.post(f"/admin/owed/{t['member'].id}/urge",
                data={"csrf_token": token, "template": board["meeting"].id, "period": "2026-11"})
    data = client.get("/admin/dashboard.json").get_json()
    assert (data["supervised"], data["urged"]) == (2, 1)
    html = page(client, "/admin/")
    assert re.findall(r'<li class="tile level_(\w+)" data-unit="%d"' % board["township"].id,
                      html) == ["supervision"]
    assert listed(client, "/admin/tasks?state=supervised&month=2026") == ids(t["member"],
                                                                              t["secretary"])
    assert listed(client, "/admin/tasks?state=urged&month=2026") == ids(t["member"])
    assert 'href="/admin/tasks?state=urged&amp;month=2026"><b>1</b> 次催办' in html


def test_who_has_not_submitted_lists_exactly_the_owed_tasks(client, board):
    signed_in(client, board["inspector"])
    t = board["tasks"]
    path = f"/admin/owed?template={board['meeting'].id}&period=2026-11"
    assert listed(client, path) == ids(t["member"], t["secretary"])
    html = page(client, path)
    assert "李明" in html and "张建国" in html and "钱委员" not in html and "孙书记" not in html
    assert html.count(">催办</button>") == 2 and "全部催办（2 项）" in html
    assert listed(client, f"/admin/owed?template={board['meeting'].id}&period=2026-12") == set()


def test_urge_all_urges_each_once_and_a_second_press_is_too_soon(client, board, clock):
    signed_in(client, board["inspector"])
    path = f"/admin/owed?template={board['meeting'].id}&period=2026-11"
    form = {"template": board["meeting"].id, "period": "2026-11"}

    def press() -> str:
        answer = client.post("/admin/owed/urge-all", follow_redirects=True,
                             data={**form, "csrf_token": csrf(client, path)})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    assert admin_texts.urged_all(2, 0, 0) in press()
    urges = sa.select(Notification.person_id).where(Notification.kind == NotificationKind.URGE)
    assert sorted(session.scalars(urges)) == sorted([board["member"].id, board["secretary"].id])
    assert admin_texts.urged_all(0, 2, 0) in press()
    assert len(session.scalars(urges).all()) == 2
    clock.move_to(READ_AT + timedelta(minutes=6))
    assert admin_texts.urged_all(2, 0, 0) in press()
    assert len(session.scalars(urges).all()) == 4


def test_one_tap_urge_and_a_too_soon_press(client, board):
    signed_in(client, board["inspector"])
    task = board["tasks"]["member"]
    path = f"/admin/owed?template={board['meeting'].id}&period=2026-11"
    form = {"template": board["meeting"].id, "period": "2026-11"}
    first = client.post(f"/admin/owed/{task.id}/urge", follow_redirects=True,
                        data={**form, "csrf_token": csrf(client, path)}).get_data(as_text=True)
    assert mobile_texts.URGED.format(names="李明") in first
    again = client.post(f"/admin/owed/{task.id}/urge", follow_redirects=True,
                        data={**form, "csrf_token": csrf(client, path)}).get_data(as_text=True)
    assert "您刚催办过该任务" in again


def test_an_admin_sees_the_owed_but_cannot_urge(client, board):
    signed_in(client, board["admin"])
    path = f"/admin/owed?template={board['meeting'].id}&period=2026-11"
    html = page(client, path)
    assert ">催办</button>" not in html and "全部催办" not in html
    answer = client.post("/admin/owed/urge-all", follow_redirects=True, data={
        "template": board["meeting"].id, "period": "2026-11",
        "csrf_token": csrf(client, "/admin/people")})  # a page with a form
    assert admin_texts.urged_all(0, 0, 2) in answer.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == NotificationKind.URGE)) == 0


def test_owed_without_a_choice_is_answered_politely(client, board):
    signed_in(client, board["inspector"])
    answer = client.get("/admin/owed?template=&period=")
    assert answer.status_code == 400 and admin_texts.OWED_PICK_TEMPLATE in answer.get_data(
        as_text=True)
    answer = client.get(f"/admin/owed?template={board['meeting'].id}")
    assert answer.status_code == 400 and admin_texts.OWED_PICK_PERIOD in answer.get_data(
        as_text=True)
    assert client.get("/admin/?year=abc").status_code == 400


def test_a_units_page_has_its_score_deductions_and_trend(client, board):
    inspector = signed_in(client, board["inspector"])
    record(unit=board["township"], points="2", reason="诫勉谈话并被通报", day=READ_AT.date(),
           actor=inspector, now=datetime.now(SH))
    session.commit()
    html = page(client, f"/admin/units/{board['township'].id}")
    [row] = [r for r in unit_rows(current(2026, datetime.now(SH)))
             if r["unit_id"] == board["township"].id]
    assert f"<b>{row['score']}</b> 分" in html and f"排名 <b>{row['rank']}</b>" in html
    assert "诫勉谈话并被通报" in html
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", html).group(1)))
    assert chart["x"] == [f"{month}月末" for month in range(1, 12)] + ["当前"]
    assert chart["series"][0]["data"] == [100.0] * 11 + [float(row["score"])]
    assert set(map(int, re.findall(r'data-task="(\d+)"', html))) == ids(
        *(board["tasks"][who] for who in ("member", "secretary", "colleague", "study")))
    assert client.get("/admin/units/999999").status_code == 404


def test_admins_open_the_task_pages_from_the_dashboard(client, board):
    signed_in(client, board["inspector"])
    task = board["tasks"]["member"]
    assert f'href="/m/tasks/{task.id}"' in page(client, "/admin/tasks?state=overdue")
    assert "专题会议" in page(client, f"/m/tasks/{task.id}")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARY])
def test_cadres_get_403_on_both_dashboards(client, board, phone, role):
    person = board["member" if role == Role.MEMBER else "secretary"]
    signed_in(client, person)
    for path in ("/admin/", "/admin/dashboard.json", f"/admin/units/{board['township'].id}",
                 "/admin/tasks"):
        assert client.get(path).status_code == 403, path
    answer = phone("member" if role == Role.MEMBER else "secretary").get("/m/situation")
    assert answer.status_code == 403 and mobile_texts.SITUATION_REFUSED in answer.text


def test_the_phone_version_shows_the_units_and_links_to_the_overview(board, phone):
    answer = phone("inspector").get("/m/situation")
    assert answer.status_code == 200
    township = board["township"].id
    link = re.search(rf'href="(/m/overview\?unit={township}&amp;state=overdue)"',
                     answer.text).group(1)
    overview = phone("inspector").get(link.replace("&amp;", "&")).text
    assert {int(i) for i in re.findall(r'href="/m/tasks/(\d+)"', overview)} == ids(
        board["tasks"]["member"], board["tasks"]["secretary"])
    assert "白水镇" in answer.text and "data-chart=" in answer.text
    workbench = phone("inspector").get("/m/").text
    assert 'href="/m/situation"' in workbench


def phone_listed(phone, path: str) -> set[int]:
    """The tasks a phone list shows (every page of it)."""
    answer = phone.get(unescape(path))
    assert answer.status_code == 200, (path, answer.status_code)
    found = {int(task) for task in re.findall(r'href="/m/tasks/(\d+)"', answer.text)}
    more = re.search(r'href="([^"]+)">下一页', answer.text)
    return found | (phone_listed(phone, more.group(1)) if more else set())


def test_every_number_on_the_phone_version_opens_its_tasks(board, phone):
    t = board["tasks"]
    inspector = phone("inspector")
    sweep(DUE + timedelta(days=7, minutes=10))  # 督办 for both late ones
    session.commit()
    html = inspector.get("/m/situation").text
    charts = [json.loads(unescape(spec)) for spec in re.findall(r"data-chart='([^']+)'", html)]
    bars = {(series["key"], month): (count, series["links"][month])
            for series in charts[0]["series"] for month, count in enumerate(series["data"])}
    assert bars[("red", 10)][0] == 2
    for (key, month), (count, link) in bars.items():
        assert len(phone_listed(inspector, link)) == count, (key, month)
    assert phone_listed(inspector, bars[("red", 10)][1]) == ids(t["member"], t["secretary"])
    on_time, completion = charts[1]["series"]
    assert phone_listed(inspector, on_time["links"][0]) == ids(t["other_secretary"])
    assert phone_listed(inspector, completion["links"][0]) == ids(
        t["other_secretary"], t["member"], t["secretary"])
    supervised = re.search(r'href="([^"]+)">工作督办 <b>2</b> 项', html).group(1)
    assert phone_listed(inspector, supervised) == ids(t["member"], t["secretary"])
    listing = inspector.get(unescape(supervised)).text
    assert "曾被督办" in listing and "共 2 项" in listing
    red = re.search(r'href="([^"]+)"><span class="counts__number"><i class="swatch '
                    r'level_supervision"></i>1<', html).group(1)
    only = inspector.get(unescape(red)).text
    assert "青山镇" in only.split('id="units"')[1].split("各月预警")[0]
    assert "白水镇" not in only.split('id="units"')[1].split("各月预警")[0]
    assert phone("secretary").get(supervised.replace("&amp;", "&")).status_code == 403


def test_the_menu_opens_the_situation_page(emulator, runner):
    assert runner.invoke(args=["menu-publish"]).exit_code == 0
    [review] = [b for b in emulator.get_menu()["menu"]["button"] if b["name"] == "审核督查"]
    assert review["sub_button"][-1]["name"] == "全县态势"
    assert review["sub_button"][-1]["url"].endswith("/m/situation")


def test_one_function_gives_every_series(board):
    data = series(2026, READ_AT.astimezone(ZoneInfo("UTC")))
    assert set(data) == {"year", "as_of", "tiles", "warnings", "supervised", "urged",
                         "categories", "ranking", "notices",
                         "spot_checks", "integrity", "self_checks"}
    assert [tile["name"] for tile in data["tiles"]] == ["青山镇", "白水镇"]


def test_a_units_trend_is_the_whole_countys_computation_at_each_month_end(board):
    township = board["township"].id
    record(unit=board["township"], points="3", reason="诫勉谈话并被通报",
           day=datetime(2026, 10, 9).date(), actor=board["inspector"], now=datetime.now(SH))
    session.commit()
    now = datetime.now(SH)
    points = trend(2026, township, now)
    assert [point["as_of"] for point in points] == [t.isoformat() for t in month_ends(2026, now)]
    for point, instant in zip(points[:-1], month_ends(2026, now)):
        assert point["score"] == str(compute(2026, instant).units[township].score)
    # Dated 9 October but recorded today: the month ends before today did not know of it.
    assert [point["score"] for point in points] == ["100.00"] * 11 + ["97.00"]


def test_the_dashboard_speaks_the_countys_level_scheme(client, board):
    signed_in(client, board["inspector"])
    save_scheme(preset="green_yellow_orange_red", actor=board["admin"], now=datetime.now(SH))
    session.commit()
    html = page(client, "/admin/")
    assert 'class="swatch level_none"></i>绿色' in html and "橙色预警" in html
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", html).group(1)))
    assert [item["name"] for item in chart["series"]] == ["黄色预警", "橙色预警", "红色预警",
                                                          "工作督办"]
    assert f'data-unit="{board["other_secretary"].unit_id}" title="绿色"' in html
