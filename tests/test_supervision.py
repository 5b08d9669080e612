"""督办 and 催办 as people meet them: the written 督办回复 on the task page and in chat, 催办
from the page and the API, and inspectors' new due dates and 改派 (pages and API).

A task comes under 督办 the real way: dispatched with its due time long past, then one sweep.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from conftest import openid
from handlers.mobile import texts as page_texts
from handlers.wechat import texts as chat_texts
from models.clock import SHANGHAI
from models import (
    AuditEvent,
    NotificationKind,
    Level,
    Notification,
    Person,
    Supervision,
    WechatBinding,
    session,
    utcnow,
)
from models.escalation import sweep
from models.supervision import MIN_RESPONSE
from test_mobile_pages import redirected, reload

ANSWER = "已于11月22日召开专题会议补办，会议纪要已上传，整改到位。"


@pytest.fixture
def supervised(county, now, make_task):
    """The member's task, dispatched 20 days ago with a 7-day deadline, swept into 督办."""
    task = make_task(at=now - timedelta(days=20))
    report = sweep(now)
    assert report.steps.get("supervision") == 1
    return reload(task)


def task_page(task) -> str:
    return f"/m/tasks/{task.id}"


def record(task) -> Supervision:
    session.rollback()
    return session.scalars(sa.select(Supervision).where(Supervision.assignment_id == task.id)).one()


def urge_cards(emulator, index: int) -> list[dict]:
    """The 催办 template messages a phone received."""
    return [m for m in emulator.inbox(openid(index))
            if m["kind"] == "template" and "催办" in str(m.get("data"))]


def urges() -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == NotificationKind.URGE))


# 督办回复 on the task page.

def test_the_assignee_answers_on_the_page_and_reviewers_read_it(phone, county, supervised):
    member = phone("member")
    page = member.get(task_page(supervised)).text
    assert "工作督办" in page and "待回复" in page and 'name="response"' in page
    assert 'name="response"' not in phone("inspector").get(task_page(supervised)).text

    done = member.post(f"/m/tasks/{supervised.id}/supervision", {"response": ANSWER},
                       form_page=task_page(supervised))
    assert done.status_code == 200 and page_texts.SUPERVISION_RESPONDED in done.text
    saved = record(supervised)
    assert saved.response == ANSWER and saved.responder_id == county["member"].id
    assert 'name="response"' not in done.text  # nothing left to answer

    for role in ("inspector", "secretary", "discipline"):
        seen = phone(role).get(task_page(supervised)).text
        assert ANSWER in seen and "已回复" in seen and "李明" in seen, role
    assert session.scalar(sa.select(AuditEvent.actor_id).where(
        AuditEvent.action == "supervision.respond")) == county["member"].id


def test_a_too_short_answer_is_refused_on_the_page_and_nothing_saved(phone, supervised):
    page = phone("member").post(f"/m/tasks/{supervised.id}/supervision", {"response": "已整改"},
                                form_page=task_page(supervised))
    assert redirected(page, task_page(supervised))
    assert f"至少{MIN_RESPONSE}个字" in page.text and ">已整改</textarea>" in page.text
    assert record(supervised).responded_at is None
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "supervision.respond")) == 0


@pytest.mark.parametrize("role, status", [("secretary", 303), ("inspector", 303),
                                          ("colleague", 404)])
def test_only_the_assignee_answers(phone, supervised, role, status):
    page = phone(role).post(f"/m/tasks/{supervised.id}/supervision", {"response": ANSWER},
                            form_page="/m/")
    if status == 303:
        assert redirected(page, task_page(supervised))
    else:
        assert page.status_code == status
    assert record(supervised).responded_at is None


# 督办回复 in chat.

def test_the_list_marks_supervision_and_the_answer_by_number_is_saved(emulator, county,
                                                                     supervised):
    listing = emulator.send_text(openid(1), "待办").reply["content"]
    hint = chat_texts.TASKS_SUPERVISION_HINT.format(name="工作督办")
    assert "工作督办" in listing and hint in listing

    reply = emulator.send_text(openid(1), f"督办回复 1 {ANSWER}").reply["content"]
    assert reply == chat_texts.SUPERVISION_RESPONDED.format(title=supervised.template.title)
    saved = record(supervised)
    assert saved.response == ANSWER and saved.responder_id == county["member"].id
    again = emulator.send_text(openid(1), f"督办回复 {ANSWER}").reply["content"]
    assert again == chat_texts.NO_OPEN_SUPERVISION


def test_one_open_supervision_needs_no_number(emulator, supervised):
    answer = "2026年11月22日已补开会议，纪要已上传。"  # starts with digits: still all text
    reply = emulator.send_text(openid(1), f"督办回复 {answer}").reply["content"]
    assert reply.startswith("已提交督办回复")
    assert record(supervised).response == answer


def test_a_too_short_answer_in_chat_is_explained_and_not_saved(emulator, supervised):
    emulator.send_text(openid(1), "待办")
    reply = emulator.send_text(openid(1), "督办回复 1 好的").reply["content"]
    assert f"至少{MIN_RESPONSE}个字" in reply and chat_texts.SUPERVISION_FORMAT in reply
    assert record(supervised).responded_at is None


def test_two_open_supervisions_need_the_number(emulator, county, now, make_task):
    make_task(at=now - timedelta(days=20))
    make_task(at=now - timedelta(days=20), title="廉政教育月活动")
    sweep(now)
    reply = emulator.send_text(openid(1), f"督办回复 {ANSWER}").reply["content"]
    assert reply == chat_texts.SUPERVISION_WHICH.format(count=2)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Supervision.id)).where(
        Supervision.responded_at.is_not(None))) == 0


def test_chat_answer_without_supervision(emulator, county, now, make_task):
    make_task()
    reply = emulator.send_text(openid(1), f"督办回复 {ANSWER}").reply["content"]
    assert reply == chat_texts.NO_OPEN_SUPERVISION


# 催办.

def test_secretary_urges_once_and_again_within_five_minutes_is_refused(phone, emulator, work,
                                                                       supervised):
    work()
    assert urge_cards(emulator, 1) == []
    secretary = phone("secretary")
    page = secretary.get(task_page(supervised)).text
    assert 'action="/m/tasks/%d/urge"' % supervised.id in page

    done = secretary.post(f"/m/tasks/{supervised.id}/urge", form_page=task_page(supervised))
    assert done.status_code == 200 and page_texts.URGED.format(names="李明") in done.text
    work()
    assert len(urge_cards(emulator, 1)) == 1

    again = secretary.post(f"/m/tasks/{supervised.id}/urge", form_page=task_page(supervised))
    assert redirected(again, task_page(supervised))
    assert "您刚催办过该任务，请5分钟后再试。" in again.text
    work()
    assert len(urge_cards(emulator, 1)) == 1 and urges() == 1


@pytest.mark.parametrize("role, status", [("member", 303), ("discipline", 303),
                                          ("colleague", 404)])
def test_others_cannot_urge(phone, work, emulator, supervised, role, status):
    page = phone(role).post(f"/m/tasks/{supervised.id}/urge", form_page="/m/")
    work()
    assert urges() == 0 and urge_cards(emulator, 1) == []
    if status == 303:
        assert redirected(page, task_page(supervised))
        assert "只有本单位党组织书记或县纪委监委审核人员可以催办" in page.text
    else:
        assert page.status_code == status


def test_urge_through_the_api(api, county, work, emulator, supervised):
    path = f"/assignments/{supervised.id}/urge"
    answer = api(county["inspector"], "POST", path)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert [(n["person_id"], n["person_name"]) for n in body["notifications"]] == [
        (county["member"].id, "李明")]
    assert session.get(Notification, body["notifications"][0]["id"]).kind == NotificationKind.URGE

    again = api(county["inspector"], "POST", path)
    assert again.status_code == 429 and "分钟后再试" in again.get_json()["error"]
    assert api(county["member"], "POST", path).status_code == 403
    assert api(county["other_secretary"], "POST", path).status_code == 404
    assert urges() == 1
    work()
    assert len(urge_cards(emulator, 1)) == 1


# New due date and 改派.

def _future_day(days: int = 30) -> date:
    return (utcnow() + timedelta(days=days)).date()


def _at_five(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), SHANGHAI).astimezone(UTC)


def test_inspector_extends_on_the_page_and_the_ladder_starts_again(phone, supervised):
    day = _future_day()
    done = phone("inspector").post(f"/m/tasks/{supervised.id}/extend",
                                   {"due_date": day.isoformat(), "reason": "汛期抗灾，顺延一个月"},
                                   form_page=task_page(supervised))
    assert done.status_code == 200 and "截止时间已调整为" in done.text
    task = reload(supervised)
    assert task.due_at == _at_five(day) and task.warning == Level.NONE
    assert task.next_step_at == task.due_at - timedelta(days=3)  # the reminder, afresh
    assert task.ladder_cycle == 1
    assert "调整截止时间" in done.text and "汛期抗灾，顺延一个月" in done.text  # history


@pytest.mark.parametrize("due_date, words", [("", page_texts.DUE_DATE_BAD),
                                             ("2020-01-01", "新的截止时间须晚于现在")])
def test_a_bad_new_due_date_is_refused_and_changes_nothing(phone, supervised, due_date, words):
    page = phone("inspector").post(f"/m/tasks/{supervised.id}/extend", {"due_date": due_date},
                                   form_page=task_page(supervised))
    assert redirected(page, task_page(supervised)) and words in page.text
    task = reload(supervised)
    assert task.warning == Level.SUPERVISION and task.ladder_cycle == 0


def test_only_inspectors_get_the_adjust_forms(phone, supervised):
    assert 'name="due_date"' in phone("inspector").get(task_page(supervised)).text
    for role in ("member", "secretary", "discipline"):
        assert 'name="due_date"' not in phone(role).get(task_page(supervised)).text, role
    refused = phone("secretary").post(f"/m/tasks/{supervised.id}/extend",
                                      {"due_date": _future_day().isoformat()},
                                      form_page=task_page(supervised))
    assert redirected(refused, task_page(supervised)) and "审核人员" in refused.text
    assert reload(supervised).ladder_cycle == 0


def test_inspector_reassigns_on_the_page_and_the_new_person_is_told(phone, county, work,
                                                                    emulator, supervised):
    page = phone("inspector").get(task_page(supervised)).text
    assert f'<option value="{county["colleague"].id}">钱委员' in page
    done = phone("inspector").post(f"/m/tasks/{supervised.id}/reassign",
                                   {"person_id": county["colleague"].id},
                                   form_page=task_page(supervised))
    assert done.status_code == 200 and page_texts.REASSIGNED.format(name="钱委员") in done.text
    assert reload(supervised).person_id == county["colleague"].id
    work()
    told = [m for m in emulator.inbox(openid(8)) if m.get("template_id") == "QL_TASK_DISPATCHED"]
    assert len(told) == 1


def test_extend_and_reassign_through_the_api(api, county, work, emulator, supervised):
    path = f"/assignments/{supervised.id}"
    day = _future_day(40)
    changed = api(county["inspector"], "PATCH", path, json={
        "due_at": f"{day.isoformat()}T17:00:00+08:00", "reason": "专项整治延期",
        "person_id": county["colleague"].id})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["person_id"] == county["colleague"].id and body["warning"] == "none"
    task = reload(supervised)
    assert task.due_at == _at_five(day) and task.next_step_at == task.due_at - timedelta(days=3)
    events = dict(session.execute(sa.select(AuditEvent.action, AuditEvent.data).where(
        AuditEvent.action.in_(("assignment.extend", "assignment.reassign")))).all())
    assert "专项整治延期" in events["assignment.extend"] and "assignment.reassign" in events
    work()
    assert [m for m in emulator.inbox(openid(8)) if m.get("template_id") == "QL_TASK_DISPATCHED"]


@pytest.mark.parametrize("role, body, status, words", [
    ("inspector", {}, 400, "due_at"),
    ("inspector", {"due_at": "2026-12-31T17:00:00"}, 400, "带时区"),
    ("inspector", {"due_at": "明天"}, 400, "带时区"),
    ("inspector", {"due_at": "2020-01-01T17:00:00+08:00"}, 400, "须晚于现在"),
    ("inspector", {"person_id": "8"}, 400, "类型有误"),
    ("inspector", {"person_id": 999999}, 400, "不存在"),
    ("inspector", {"person_id": "other_secretary"}, 400, "本单位"),
    ("secretary", {"due_at": "2099-12-31T17:00:00+08:00"}, 403, "审核人员"),
    ("other_secretary", {"due_at": "2099-12-31T17:00:00+08:00"}, 404, "未找到"),
])
def test_api_changes_are_refused_with_a_reason(api, county, supervised, role, body, status,
                                               words):
    if body.get("person_id") == "other_secretary":
        body = {"person_id": county["other_secretary"].id}
    answer = api(county[role], "PATCH", f"/assignments/{supervised.id}", json=body)
    assert answer.status_code == status and words in answer.get_json()["error"]
    task = reload(supervised)
    assert task.ladder_cycle == 0 and task.person_id == county["member"].id


# 催办 to someone WeChat cannot reach: said up front, with the reason.

def _unbind(person: Person, now) -> None:
    session.execute(sa.update(WechatBinding).where(WechatBinding.person_id == person.id)
                    .values(active=False, unbound_at=now))
    session.commit()


def test_urging_an_unsubscribed_cadre_says_it_cannot_be_delivered(phone, county, supervised,
                                                                  now):
    _unbind(county["member"], now)
    page = phone("secretary").post(f"/m/tasks/{supervised.id}/urge",
                                   form_page=task_page(supervised))
    assert redirected(page, task_page(supervised))
    assert "李明已取消关注公众号，微信提醒无法送达，请电话联系本人。" in page.text
    assert "提醒已发送" not in page.text


def test_urging_a_never_bound_cadre_says_why(phone, county, supervised):
    session.execute(sa.delete(WechatBinding).where(
        WechatBinding.person_id == county["member"].id))
    session.commit()
    page = phone("inspector").post(f"/m/tasks/{supervised.id}/urge",
                                   form_page=task_page(supervised))
    assert page_texts.URGE_UNDELIVERABLE.format(name="李明", why="尚未绑定微信") in page.text
    assert "提醒已发送" not in page.text


def test_the_api_names_an_undeliverable_urge(api, county, supervised, now):
    _unbind(county["member"], now)
    body = api(county["inspector"], "POST", f"/assignments/{supervised.id}/urge").get_json()
    assert [(n["person_name"], n["undeliverable"]) for n in body["notifications"]] == [
        ("李明", "已取消关注公众号")]


def test_urging_a_reachable_cadre_still_says_sent(phone, county, supervised):
    page = phone("secretary").post(f"/m/tasks/{supervised.id}/urge",
                                   form_page=task_page(supervised))
    assert page_texts.URGED.format(names="李明") in page.text and "无法送达" not in page.text
