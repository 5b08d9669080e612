"""Days that are hard for this domain, driven through the pages and chat with the app's clock
moved there (`clock`): the suite also runs whole under faketime at such dates (.ci/run).

- 2028-02-29 15:30 UTC is 23:30 on the leap day in Shanghai; an hour later the county is in
  March while the server's UTC date is still 29 February: the county's date names the period,
  and a push made then waits for the end of quiet hours.
- A year whose holiday schedule nobody has imported yet keeps working and only warns.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import openid
from models import Assignment, Notification, Role, TemplateKind, session

SH = ZoneInfo("Asia/Shanghai")
LEAP_NIGHT = datetime(2028, 2, 29, 15, 30, tzinfo=UTC)


@pytest.fixture
def monthly(make_template):
    return make_template(title="廉政谈话", kind=TemplateKind.COMMON, due_rule="day:29",
                         review_levels=2)


def _admin(client, make_person):
    admin = make_person(name="管理员", role=Role.ADMIN, title="")
    with client.session_transaction() as browser:
        browser["admin_id"] = admin.id
    return admin


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_leap_day_night_dispatches_shanghais_month_and_waits_for_morning(
        app, client, clock, make_person, make_bound_person, monthly, monkeypatch, work,
        emulator):
    monkeypatch.setitem(app.config, "QUIET_HOURS", "22:00-07:30")
    member = make_bound_person(1, name="委员甲", role=Role.MEMBER)
    clock.move_to(LEAP_NIGHT)
    _admin(client, make_person)
    page = client.get("/admin/dispatch").get_data(as_text=True)
    assert 'value="2028-02"' in page  # 23:30 on 29 February in the county
    assert "缺少2028年节假日安排" in page  # an unknown year only warns
    clock.move_to(LEAP_NIGHT + timedelta(hours=1))  # 00:30 on 1 March; UTC: still 29 February
    page = client.get("/admin/dispatch").get_data(as_text=True)
    assert 'value="2028-03"' in page
    response = client.post("/admin/dispatch", data={
        "csrf_token": _csrf(page), "template_id": monthly.id, "period": "2028-03"})
    assert response.status_code == 302
    [task] = session.scalars(sa.select(Assignment)).all()
    assert task.person_id == member.id
    assert task.due_at == datetime(2028, 3, 29, 17, 0, tzinfo=SH)
    notice = session.scalar(sa.select(Notification).where(Notification.kind == "dispatched"))
    assert notice.send_after == datetime(2028, 3, 1, 7, 30, tzinfo=SH)  # after quiet hours
    work()
    assert [m for m in emulator.inbox(openid(1)) if m["kind"] == "template"] == []
    reply = emulator.send_text(openid(1), "待办").reply["content"]
    assert "廉政谈话" in reply and "截止03月29日" in reply


def test_healthz_on_new_years_day_of_an_unknown_year_is_200_and_names_it(client, clock):
    clock.move_to(datetime(2027, 1, 1, 0, 30, tzinfo=UTC))
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["calendar"] == "missing 2027"
