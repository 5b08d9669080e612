"""推送记录 for admins and inspectors: the outbox page with the published counts and filters, a
task's timeline (admin page, mobile page, API), the notifications API, and the RQ dashboard."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from models import Channel, NotificationKind, Notification, Role, NotificationStatus, session
from models.dispatch import dispatch
from models.escalation import sweep
from models.notification import counts
from conftest import Phone
from test_escalation import DUE, SH


@pytest.fixture
def towns(ladder_county, make_unit, make_bound_person, make_person):
    """The ladder tests' township (members, secretary, 纪委, inspector), a second township
    with a member of its own, and an admin."""
    other = make_unit(name="白水镇")
    return {**ladder_county, "other": other,
            "other_member": make_bound_person(7, name="白水委员", role=Role.MEMBER, unit=other),
            "admin": make_person(name="管理员", role=Role.ADMIN,
                                 unit=ladder_county["inspector"].unit, title="")}


def note(kind, person, status=NotificationStatus.SENT, at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
         **fields) -> Notification:
    """A notification row as the engine and the sender leave it (for exact counts)."""
    row = Notification(kind=kind, channel=fields.pop("channel", Channel.TEMPLATE),
                       person_id=person.id, step=fields.pop("step", kind),
                       status=status, created_at=at, **fields)
    session.add(row)
    session.commit()
    return row


def sign_in(client, person):
    with client.session_transaction() as browser:
        browser.clear()
        browser["admin_id"] = person.id


def page_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="n(\d+)"', page)


@pytest.fixture
def swept(towns, make_template):
    """Three members' tasks dispatched, then swept 3 days overdue: each member gets 黄色预警,
    and the secretary's three go out as one digest."""
    template = make_template()
    tasks = {key: dispatch(template, "2026-11", now=datetime(2026, 11, 1, 9, tzinfo=SH),
                           people=[towns[key]])[0]
             for key in ("member", "member2", "member3")}
    session.commit()
    sweep(DUE + timedelta(days=3))
    return tasks


@pytest.fixture
def api(client, runner):
    """`api(person, path, **query)` → response, with a token issued by `flask api-token`."""
    tokens = {}

    def call(person, path, **query):
        if person.id not in tokens:
            result = runner.invoke(args=["api-token", str(person.id)])
            tokens[person.id] = result.output.strip().splitlines()[-1]
        return client.get(f"/api/v1{path}", query_string=query,
                          headers={"Authorization": f"Bearer {tokens[person.id]}"})

    return call


# Counts: each push once

def test_counts_include_digested_steps_and_skip_sms_copies(client, towns, swept):
    member = towns["member"]
    yellow = session.scalar(sa.select(Notification).where(
        Notification.person_id == member.id, Notification.kind == NotificationKind.YELLOW))
    yellow.status, yellow.error = NotificationStatus.UNDELIVERABLE, "43004 用户未关注；已改发短信"
    note(NotificationKind.YELLOW, member, channel=Channel.SMS, step="yellow:sms",
         assignment_id=yellow.assignment_id)
    sign_in(client, towns["inspector"])
    page = client.get("/admin/notifications").get_data(as_text=True)
    # 3 to the members + 3 to the secretary inside the digest; the SMS copy is not a new push.
    assert "黄色预警 <b>6</b> 次" in page and "任务派发" in page
    assert "已合并发送 <b>3</b>" in page and "无法送达 <b>1</b>" in page
    assert "43004 用户未关注；已改发短信" in page
    assert counts()["kinds"] == {"reminder": 0, "blue": 0, "yellow": 6, "red": 0,
                                 "supervision": 0}


def test_counts_by_kind_and_status_are_exact(towns):
    member, other = towns["member"], towns["other_member"]
    for kind, number, status in (
        (NotificationKind.REMINDER, 1, NotificationStatus.DELIVERED),
        (NotificationKind.BLUE, 2, NotificationStatus.SENT),
        (NotificationKind.RED, 3, NotificationStatus.FAILED),
        (NotificationKind.SUPERVISION, 4, NotificationStatus.PENDING),
    ):
        for index in range(number):
            note(kind, member if index % 2 else other, status)
    note(NotificationKind.URGE, member, NotificationStatus.UNKNOWN)
    assert counts() == {
        "kinds": {"reminder": 1, "blue": 2, "yellow": 0, "red": 3, "supervision": 4},
        "statuses": {"pending": 4, "sending": 0, "sent": 2, "delivered": 1, "failed": 3,
                     "undeliverable": 0, "digested": 0, "unknown": 1}}
    assert counts(unit_id=towns["township"].id)["kinds"] == {
        "reminder": 0, "blue": 1, "yellow": 0, "red": 1, "supervision": 2}


# The page: filters, errors, pages

def test_filters_narrow_the_list_and_the_counts(client, towns):
    member, other = towns["member"], towns["other_member"]
    failed = note(NotificationKind.BLUE, member, NotificationStatus.FAILED, error="40003 openid 无效")
    sent = note(NotificationKind.RED, other, NotificationStatus.SENT)
    late = note(NotificationKind.REMINDER, member, at=datetime(2026, 11, 19, 23, 30, tzinfo=SH))
    early = note(NotificationKind.REMINDER, member, at=datetime(2026, 11, 20, 0, 10, tzinfo=SH))
    sign_in(client, towns["admin"])

    def shown(**query):
        page = client.get("/admin/notifications", query_string=query).get_data(as_text=True)
        return set(map(int, page_rows(page))), page

    assert shown()[0] == {failed.id, sent.id, late.id, early.id}
    ids, page = shown(status="failed")
    assert ids == {failed.id} and "40003 openid 无效" in page and "蓝色预警 <b>1</b> 次" in page
    assert shown(kind="red")[0] == {sent.id}
    assert shown(unit_id=towns["other"].id)[0] == {sent.id}
    assert shown(name="白水")[0] == {sent.id}
    # Shanghai days: 23:30 on the 19th and 00:10 on the 20th are both 19 Nov in UTC.
    ids, page = shown(**{"from": "2026-11-20", "to": "2026-11-20"})
    assert ids == {failed.id, sent.id, early.id} and "预警提醒 <b>1</b> 次" in page
    assert shown(to="2026-11-19")[0] == {late.id}


def test_page_shows_fifty_newest_first_then_the_rest(client, towns):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    ids = [note(NotificationKind.REMINDER, towns["member"], at=start + timedelta(minutes=n)).id
           for n in range(51)]
    sign_in(client, towns["inspector"])
    first = page_rows(client.get("/admin/notifications").get_data(as_text=True))
    second = client.get("/admin/notifications?page=2").get_data(as_text=True)
    assert list(map(int, first)) == ids[::-1][:50]
    assert list(map(int, page_rows(second))) == [ids[0]] and "第 2/2 页" in second


def test_cadres_cannot_open_the_admin_pages(client, towns, swept):
    sign_in(client, towns["member"])
    assert client.get("/admin/notifications").status_code == 403
    assert client.get(f"/admin/tasks/{swept['member'].id}/pushes").status_code == 403


# One task's timeline

def test_task_timeline_lists_its_pushes_in_order_with_the_digest(client, towns, swept):
    task = swept["member"]
    sign_in(client, towns["inspector"])
    page = client.get(f"/admin/tasks/{task.id}/pushes").get_data(as_text=True)
    rows = session.scalars(sa.select(Notification).where(
        Notification.assignment_id == task.id).order_by(Notification.id)).all()
    assert [n.kind for n in rows] == ["dispatched", "yellow", "yellow"]
    digest = rows[-1].digest_id
    assert list(map(int, page_rows(page))) == [n.id for n in rows] + [digest]
    assert f'href="#n{digest}"' in page and "合并提醒" in page and "书记" in page
    assert client.get("/admin/tasks/999999/pushes").status_code == 404


def test_mobile_task_page_shows_the_push_record(app, towns, swept):
    page = Phone(app, 1).get(f"/m/tasks/{swept['member'].id}")
    assert page.status_code == 200
    section = page.text.split("推送记录", 1)[1]
    assert section.index("任务派发") < section.index("黄色预警") and "委员甲" in section


# The API

def test_api_lists_filtered_pushes_with_counts(api, towns):
    member, other = towns["member"], towns["other_member"]
    blue = note(NotificationKind.BLUE, member, NotificationStatus.FAILED, error="45047 超出发送频率")
    note(NotificationKind.RED, other, NotificationStatus.SENT)
    note(
        NotificationKind.BLUE,
        other,
        NotificationStatus.SENT,
        at=datetime(2026, 11, 21, 0, 30, tzinfo=SH),
    )
    body = api(towns["inspector"], "/notifications", kind="blue", to="2026-11-20").get_json()
    assert [item["id"] for item in body["items"]] == [blue.id] and body["total"] == 1
    item = body["items"][0]
    assert (item["kind_label"], item["status_label"], item["error"], item["person_name"],
            item["unit_name"]) == ("蓝色预警", "发送失败", "45047 超出发送频率", "委员甲", "青山镇")
    assert body["counts"]["kinds"]["blue"] == 1 and body["counts"]["statuses"]["failed"] == 1
    body = api(towns["admin"], "/notifications", unit_id=towns["other"].id, limit=1).get_json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["counts"]["kinds"]["red"] == 1
    assert api(towns["admin"], "/notifications", **{"from": "20.11.2026"}).status_code == 400
    assert api(towns["admin"], "/notifications", limit=201).status_code == 400


def test_api_lists_everything_only_for_inspectors_and_admins(api, towns):
    for key in ("member", "secretary", "discipline"):
        response = api(towns[key], "/notifications")
        assert response.status_code == 403 and "审核人员" in response.get_json()["error"]


def test_api_timeline_follows_task_visibility(api, towns, swept):
    task = swept["member"]
    body = api(towns["member"], f"/assignments/{task.id}/notifications").get_json()
    kinds = [item["kind"] for item in body["items"]]
    assert kinds == ["dispatched", "yellow", "yellow", "digest"]
    assert [item["created_at"] for item in body["items"]] == sorted(
        item["created_at"] for item in body["items"])
    assert api(towns["discipline"], f"/assignments/{task.id}/notifications").status_code == 200
    assert api(towns["other_member"],
               f"/assignments/{task.id}/notifications").status_code == 404
    assert api(towns["member2"], f"/assignments/{task.id}/notifications").status_code == 404


# The RQ dashboard

def test_rq_dashboard_is_for_admins_only(app, client, towns):
    assert client.get("/admin/rq/").status_code == 403
    sign_in(client, towns["inspector"])
    assert client.get("/admin/rq/").status_code == 403
    sign_in(client, towns["admin"])
    app.extensions["queues"]["default"].enqueue("os.getcwd")
    assert client.get("/admin/rq/").status_code == 200
    queues = client.get("/admin/rq/0/data/queues.json").get_json()["queues"]
    assert {queue["name"]: queue["count"] for queue in queues}["default"] == 1
    # Its buttons post without our CSRF token; a post from another site is still refused.
    assert client.post("/admin/rq/queue/default/compact").status_code == 200
    assert client.post("/admin/rq/queue/default/compact",
                       headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.get("/admin/rq/requeue/default").status_code == 405
