"""The per-template late policy (issue 10; 富宁/太仓/兴平): under `close` input closes some days
after the due time, in chat, on the pages and through the API, with a polite answer saying when
and what to do; a returned task stays open; an inspector's 补报 unlock (with a reason, audited,
the assignee told) opens it again. Under `allow` late work is accepted as before."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from conftest import ONE_OFF, openid
from test_admin import _form_fields
from handlers.wechat import texts
from models import (Assignment, AuditEvent, Evidence, EvidenceKind, LatePolicy, Level, State,
                    session)
from models.assignment import Action
from models.escalation import sweep
from models.evidence import attach
from models.lifecycle import transition

CLOSED_AT = "2026-11-28 17:00"  # due 2026-11-27 17:00 (Shanghai), closed one day after
SUMMARY = "11月26日召开专题会议，班子成员全体参加，形成会议纪要。"


@pytest.fixture
def make_late_task(county, make_template, make_assignment, now):
    """A one-off task of `county`'s member due 2026-11-27 17:00, a summary its only proof,
    reviewed once, under `policy` closing `days` after the due time."""

    def make(policy=LatePolicy.CLOSE, days=1) -> Assignment:
        template = make_template(title="廉政风险点排查", **ONE_OFF, min_photos=0, review_levels=1,
                                 late_policy=policy, close_after_days=days)
        return make_assignment(county["member"], template, period="once", at=now)

    return make


@pytest.fixture
def task(make_late_task):
    return make_late_task()


def reload(task) -> Assignment:
    session.rollback()
    session.expire_all()
    return session.get(Assignment, task.id)


def closes(task) -> object:
    return task.due_at + timedelta(days=1)


def report_in_chat(emulator) -> str:
    """上报 1, a summary, 提交, as the member; the last answer."""
    me = openid(1)
    emulator.send_text(me, "待办")
    opened = emulator.send_text(me, "上报 1").reply["content"]
    if not opened.startswith("开始上报"):
        return opened
    emulator.send_text(me, SUMMARY)
    return emulator.send_text(me, "提交").reply["content"]


def evidence_count() -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count(Evidence.id)))


def landed_on(page, path: str) -> bool:
    """A refused POST redirected (303) to `path` (Post/Redirect/Get)."""
    return [step.status_code for step in page.history] == [303] and \
        urlsplit(page.url).path == path


# Chat.

def test_chat_accepts_late_work_before_input_closes(emulator, clock, task):
    clock.move_to(task.due_at + timedelta(hours=2))  # late, not closed yet
    assert report_in_chat(emulator).startswith("已提交：廉政风险点排查")
    assert reload(task).state == State.SUBMITTED


def test_chat_refuses_a_report_once_input_closed(emulator, clock, task):
    clock.move_to(closes(task) + timedelta(minutes=1))
    answer = report_in_chat(emulator)
    assert answer == texts.INPUT_CLOSED.format(title="廉政风险点排查", at=CLOSED_AT)
    assert "联系县纪委监委审核人员解锁" in answer
    assert reload(task).state == State.DISPATCHED and evidence_count() == 0


def test_input_closing_during_a_chat_report_ends_it(emulator, clock, task):
    me = openid(1)
    clock.move_to(closes(task) - timedelta(minutes=30))
    emulator.send_text(me, "待办")
    assert emulator.send_text(me, "上报 1").reply["content"].startswith("开始上报")
    assert emulator.send_text(me, "第一段小结").reply["content"].startswith("已收到第1段")
    clock.move_to(closes(task) + timedelta(minutes=1))
    closed = texts.INPUT_CLOSED.format(title="廉政风险点排查", at=CLOSED_AT)
    assert emulator.send_text(me, "第二段小结").reply["content"] == closed
    assert emulator.send_text(me, "提交").reply["content"] == texts.NO_SESSION  # session ended
    assert reload(task).state == State.DISPATCHED and evidence_count() == 1


def test_an_allow_task_accepts_work_long_after_its_due_time(emulator, clock, make_late_task):
    task = make_late_task(policy=LatePolicy.ALLOW)
    clock.move_to(task.due_at + timedelta(days=20))
    assert report_in_chat(emulator).startswith("已提交")
    assert reload(task).state == State.SUBMITTED


# Pages.

def test_the_pages_show_a_banner_instead_of_the_forms_once_closed(phone, clock, task):
    member, page_url, report = phone("member"), f"/m/tasks/{task.id}", f"/m/tasks/{task.id}/report"
    clock.move_to(closes(task) - timedelta(hours=1))
    assert 'name="summary"' in member.get(report).text
    clock.move_to(closes(task) + timedelta(minutes=1))
    page = member.get(page_url).text
    assert "填报已截止关闭" in page and CLOSED_AT in page and "联系县纪委监委审核人员解锁" in page
    assert f'href="{report}"' not in page and f"/m/tasks/{task.id}/submit" not in page
    form = member.get(report).text
    assert "填报已截止关闭" in form and 'name="summary"' not in form
    # A form opened before the close and posted after it is refused, and nothing is kept.
    posted = member.post(report, {"summary": SUMMARY, "then": "submit"},
                         form_page=page_url)
    assert landed_on(posted, report) and "该任务填报已于 2026-11-28 17:00 截止关闭" in posted.text
    submitted = member.post(f"/m/tasks/{task.id}/submit", form_page=page_url)
    assert landed_on(submitted, page_url) and "截止关闭" in submitted.text
    assert reload(task).state == State.DISPATCHED and evidence_count() == 0


def test_a_task_handed_in_before_the_close_and_returned_stays_open(phone, clock, county, task):
    attach(task, EvidenceKind.TEXT, county["member"], now=task.due_at, text=SUMMARY)
    transition(task, Action.SUBMIT, county["member"], now=task.due_at)
    clock.move_to(closes(task) + timedelta(days=2))
    transition(task, Action.RETURN, county["discipline"], now=closes(task) + timedelta(days=2),
               reason="会议纪要缺少参会人员签字")
    session.commit()
    member = phone("member")
    page = member.get(f"/m/tasks/{task.id}").text
    assert "已被退回整改" in page and "填报已截止关闭" not in page
    done = member.post(f"/m/tasks/{task.id}/submit", form_page=f"/m/tasks/{task.id}")
    assert "已提交，等待审核" in done.text and reload(task).state == State.SUBMITTED


# The API.

def test_the_api_refuses_input_after_the_close_and_accepts_it_before(api, clock, county,
                                                                     make_late_task):
    member = county["member"]
    early, late = make_late_task(), make_late_task()
    clock.move_to(closes(early) - timedelta(hours=1))
    added = api(member, "POST", f"/assignments/{early.id}/evidence", json={"text": SUMMARY})
    assert added.status_code == 201 and added.get_json()["kind"] == "text"
    handed = api(member, "POST", f"/assignments/{early.id}/submit")
    assert handed.status_code == 200 and handed.get_json()["state"] == "submitted"

    clock.move_to(closes(late) + timedelta(minutes=1))
    shown = api(member, "GET", f"/assignments/{late.id}").get_json()
    assert shown["input_closed"] is True and shown["closes_at"].startswith("2026-11-28T09:00")
    for path, body in ((f"/assignments/{late.id}/evidence", {"text": SUMMARY}),
                       (f"/assignments/{late.id}/submit", None)):
        refused = api(member, "POST", path, json=body)
        assert refused.status_code == 409, path
        assert refused.get_json()["error"] == (
            f"该任务填报已于 {CLOSED_AT} 截止关闭。如需补报，请联系县纪委监委审核人员解锁。")
    assert reload(late).state == State.DISPATCHED
    assert api(county["colleague"], "POST", f"/assignments/{early.id}/submit").status_code == 404


# 补报: the inspector's unlock.

def test_only_inspectors_may_unlock_and_only_closed_input(api, phone, clock, county, task):
    reason = {"reason": "因防汛抢险未能按时上报，准予补报"}
    path = f"/assignments/{task.id}/unlock"
    assert api(county["inspector"], "POST", path, json=reason).status_code == 409  # still open
    clock.move_to(closes(task) + timedelta(minutes=1))
    for role in ("member", "secretary", "discipline", "admin"):
        refused = api(county[role], "POST", path, json=reason)
        assert refused.status_code == 403, role
        assert refused.get_json()["error"] == "只有县纪委监委审核人员可以解锁补报。"
    secretary, page_url = phone("secretary"), f"/m/tasks/{task.id}"
    assert 'name="reason"' not in secretary.get(page_url).text
    posted = secretary.post(f"/m/tasks/{task.id}/unlock", {"reason": reason["reason"]},
                            form_page=page_url)
    assert landed_on(posted, page_url) and "只有县纪委监委审核人员可以解锁补报" in posted.text
    assert reload(task).unlocked_at is None


def test_an_unlock_needs_a_reason(api, phone, clock, county, task):
    clock.move_to(closes(task) + timedelta(minutes=1))
    path = f"/assignments/{task.id}/unlock"
    for body in ({}, {"reason": ""}, {"reason": "补报"}):
        refused = api(county["inspector"], "POST", path, json=body)
        assert refused.status_code == 400 and "至少5个字" in refused.get_json()["error"], body
    assert api(county["inspector"], "POST", path, json={"reason": 5}).status_code == 400
    inspector, page_url = phone("inspector"), f"/m/tasks/{task.id}"
    posted = inspector.post(f"/m/tasks/{task.id}/unlock", {"reason": "同意"}, form_page=page_url)
    assert landed_on(posted, page_url) and "请填写解锁理由（至少5个字）" in posted.text
    assert ">同意</textarea>" in posted.text  # what was typed is still there
    assert reload(task).unlocked_at is None
    assert session.scalar(sa.select(AuditEvent.id).where(
        AuditEvent.action == "assignment.unlock")) is None


def test_an_unlock_is_audited_the_assignee_told_and_then_the_task_submitted(
        phone, emulator, work, clock, county, task):
    clock.move_to(closes(task) + timedelta(days=2))
    inspector, page_url = phone("inspector"), f"/m/tasks/{task.id}"
    page = inspector.get(page_url).text
    assert "填报已截止关闭" in page and 'name="reason"' in page and "解锁补报" in page
    reason = "该同志参加防汛抢险未能按时上报，经研究准予补报"
    done = inspector.post(f"/m/tasks/{task.id}/unlock", {"reason": reason}, form_page=page_url)
    assert "已解锁补报，已通知李明" in done.text
    unlocked = reload(task)
    assert unlocked.unlocked_by_id == county["inspector"].id and unlocked.unlocked_at
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assignment.unlock"))
    assert event.actor_id == county["inspector"].id and reason in event.data
    work()
    [card] = [m for m in emulator.inbox(openid(1))
              if m["kind"] == "template" and m["template_id"] == "QL_REVIEW_RESULT"]
    assert card["data"]["thing1"] == "廉政风险点排查" and card["data"]["phrase2"] == "准予补报"
    assert card["url"].endswith(f"/m/tasks/{task.id}")
    page = phone("member").get(page_url).text
    assert f"已解锁补报</strong>（原因：{reason}）" in page and "填报已截止关闭" not in page
    assert "解锁补报" in page.split("办理记录")[1]  # in the history, with its reason
    assert report_in_chat(emulator).startswith("已提交：廉政风险点排查")
    assert reload(task).state == State.SUBMITTED


def test_the_ladder_stops_when_input_closes_and_an_unlock_resumes_it(api, clock, county,
                                                                      make_late_task):
    task = make_late_task(days=0)  # closes at the due time
    blue = task.due_at + timedelta(days=1, minutes=1)
    clock.move_to(blue)
    report = sweep(blue)
    assert not report.steps and reload(task).next_step_at is None  # no 蓝色预警 "请尽快办理"
    unlocked = api(county["inspector"], "POST", f"/assignments/{task.id}/unlock",
                   json={"reason": "系统故障期间未能上报，准予补报"})
    assert unlocked.status_code == 200 and unlocked.get_json()["input_closed"] is False
    assert sweep(blue + timedelta(minutes=1)).steps == {"blue": 1}
    assert reload(task).warning == Level.BLUE


# The admin's template form, and the migration.

def _signed_in(client, county):
    with client.session_transaction() as browser:
        browser["admin_id"] = county["inspector"].id


def test_the_template_form_sets_the_late_policy_and_the_list_shows_it(client, county, task):
    _signed_in(client, county)
    url = f"/admin/templates/{task.template_id}"
    form = client.get(url).get_data(as_text=True)
    assert "逾期处理" in form and "允许逾期补交（按预警扣分）" in form and "截止后关闭填报" in form
    assert "截止后N天关闭" in form
    fields = {**_form_fields(form), "late_policy": "close"}
    assert fields["close_after_days"] == "1"
    for days, error in (("31", "截止后关闭的天数须在0到30之间。"), ("-1", "截止后关闭的天数须在0到30之间。"),
                        ("两天", "请填写整数。")):
        bad = client.post(url, data={**fields, "close_after_days": days})
        assert bad.status_code == 422 and error in bad.get_data(as_text=True), days
        assert bad.get_data(as_text=True).count('class="field__error"') == 1
    ok = client.post(url, data={**fields, "close_after_days": "3"}, follow_redirects=True)
    assert "已保存任务清单" in ok.get_data(as_text=True)
    saved = reload(task).template
    assert (saved.late_policy, saved.close_after_days) == (LatePolicy.CLOSE, 3)
    listing = client.get("/admin/templates").get_data(as_text=True)
    assert "截止后关闭填报（截止后3天）" in listing and ">close<" not in listing
    assert reload(task).next_step_at is not None  # replanned: the reminder is still ahead


def test_the_migration_adds_the_columns_the_models_declare(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if any(name in str(d) for name in (
                           "late_policy", "close_after_days", "unlocked_at", "unlocked_by_id"))]
    assert differences == []
