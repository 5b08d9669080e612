"""People as admins maintain them (issue 12): create, edit, move, change role, deactivate and
reactivate through the admin pages; open tasks are handed over task by task (改派 or 撤销);
deactivating ends the WeChat binding so the chat refuses politely; reactivation needs a new
bind code."""

import sqlalchemy as sa

from conftest import ONE_OFF, openid
from handlers.wechat import texts
from models import (AuditEvent, Notification, Person, State, WechatBinding, session)
from models.wechat_binding import issue_bind_code, person_for_openid


def _person(name: str) -> Person:
    session.expire_all()
    return session.scalars(sa.select(Person).where(Person.name == name)).one()


def _actions(subject: str) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject == subject).order_by(AuditEvent.id)))


def test_an_admin_creates_and_edits_a_person_with_a_polite_refusal_for_a_bad_phone(
        county, admin_browser):
    admin = admin_browser(county["admin"])
    township = county["township"]
    bad = admin.post("/admin/people/new", {"name": "韩文静", "unit_id": township.id,
                                           "role": "staff", "title": "党政办主任",
                                           "phone": "12345"}, form_page="/admin/people")
    assert bad.status_code == 422 and "手机号“12345”格式不正确" in bad.text
    assert session.scalar(sa.select(Person.id).where(Person.name == "韩文静")) is None

    made = admin.post("/admin/people/new", {"name": "韩文静", "unit_id": township.id,
                                            "role": "staff", "title": "党政办主任",
                                            "phone": "13800001111"}, form_page="/admin/people")
    assert made.status_code == 303
    person = _person("韩文静")
    assert (person.role, person.phone, person.unit_id) == ("staff", "13800001111", township.id)
    assert "请为其生成绑定码" in admin.get("/admin/people").text

    admin.post(f"/admin/people/{person.id}", {"name": "韩文静", "role": "member",
                                              "title": "党委委员", "phone": "13800001111"},
               form_page="/admin/people")
    person = _person("韩文静")
    assert (person.role, person.title) == ("member", "党委委员")
    assert _actions(f"person:{person.id}") == ["person.create", "person.update"]
    page = admin.get(f"/admin/people?unit={township.id}").text
    assert "班子成员" in page and "member" not in page.replace('value="member"', "")


def test_deactivation_asks_for_each_open_task_then_hands_it_over_and_ends_the_chat(
        county, make_template, make_assignment, admin_browser, emulator, work, now):
    member, colleague = county["member"], county["colleague"]
    meeting = make_assignment(member, make_template(**ONE_OFF, title="专题会议"), period="once",
                              at=now)
    study = make_assignment(member, make_template(**ONE_OFF, title="廉政学习"), period="once",
                            at=now)
    admin = admin_browser(county["admin"])
    page = f"/admin/people/{member.id}/deactivate"
    assert "改派给钱委员" in admin.get(page).text

    refused = admin.post(page, {}, form_page=page)
    assert refused.status_code == 409
    assert "任务“专题会议”（一次性）：请选择改派给谁，或撤销" in refused.text
    assert _person("李明").active and person_for_openid(openid(1)) is not None

    short = admin.post(page, {f"task-{meeting.id}": str(colleague.id),
                              f"task-{study.id}": "cancel", f"reason-{study.id}": "调离"},
                       form_page=page)
    assert short.status_code == 409 and "请填写撤销理由（至少5个字）" in short.text

    done = admin.post(page, {f"task-{meeting.id}": str(colleague.id),
                             f"task-{study.id}": "cancel",
                             f"reason-{study.id}": "本人已调离，学习任务不再进行"}, form_page=page)
    assert done.status_code == 303
    assert "已停用李明的账号" in admin.get("/admin/people").text
    session.expire_all()
    assert meeting.person_id == colleague.id and meeting.state == State.DISPATCHED
    assert study.state == State.CANCELLED
    assert session.scalar(sa.select(Notification.id).where(
        Notification.assignment_id == meeting.id, Notification.person_id == colleague.id))
    assert session.scalar(sa.select(WechatBinding.active).where(
        WechatBinding.person_id == member.id)) is False
    assert _actions(f"person:{member.id}")[-2:] == ["wechat.unbind", "person.deactivate"]

    reply = emulator.send_text(openid(1), "待办").reply["content"]
    assert reply == texts.ACCOUNT_DEACTIVATED and reply.startswith("您的账号已停用")
    assert emulator.send_text(openid(1), "我的").reply["content"] == texts.ACCOUNT_DEACTIVATED


def test_a_deactivated_person_still_bound_cannot_chat(county, emulator):
    """Deactivated by other means (the binding left active): the chat checks the person too."""
    session.execute(sa.update(Person).where(Person.id == county["member"].id)
                    .values(active=False))
    session.commit()
    assert person_for_openid(openid(1)) is None
    assert emulator.send_text(openid(1), "待办").reply["content"] == texts.ACCOUNT_DEACTIVATED


def test_a_move_hands_over_the_old_units_tasks_and_the_person_joins_the_new_unit(
        county, make_template, make_assignment, admin_browser, now):
    member, colleague = county["member"], county["colleague"]
    task = make_assignment(member, make_template(**ONE_OFF, title="专题会议"), period="once",
                           at=now)
    other = county["other_secretary"].unit
    admin = admin_browser(county["admin"])
    page = f"/admin/people/{member.id}/move"
    missing = admin.post(page, {"unit_id": other.id}, form_page=page)
    assert missing.status_code == 422 and "请选择改派给谁" in missing.text
    assert _person("李明").unit_id == county["township"].id

    moved = admin.post(page, {"unit_id": other.id, f"task-{task.id}": str(colleague.id)},
                       form_page=page)

    assert moved.status_code == 303
    assert "已将李明从青山镇调到白水镇。其未办结任务：改派1项任务。" in admin.get(
        f"/admin/people?unit={other.id}").text
    session.expire_all()
    assert _person("李明").unit_id == other.id
    assert task.person_id == colleague.id and task.unit_id == county["township"].id
    assert _actions(f"person:{member.id}")[-1] == "person.move"


def test_reactivation_needs_a_new_bind_code(county, admin_browser, emulator, now):
    member = county["member"]
    admin = admin_browser(county["admin"])
    admin.post(f"/admin/people/{member.id}/deactivate", {}, form_page="/admin/people")
    assert admin.post(f"/admin/people/{member.id}/bind-code", {},
                      form_page="/admin/people").status_code == 303  # refused: inactive

    admin.post(f"/admin/people/{member.id}/reactivate", {}, form_page="/admin/people")

    assert "请为其生成新的绑定码重新绑定" in admin.get("/admin/people").text
    assert _person("李明").active
    assert person_for_openid(openid(1)) is None  # the old binding stays ended
    assert emulator.send_text(openid(1), "待办").reply["content"] == texts.BIND_INSTRUCTIONS
    code = issue_bind_code(_person("李明"), now=now).code
    session.commit()
    assert emulator.send_text(openid(1), f"绑定 {code}").reply["content"].startswith("绑定成功")
    assert _actions(f"person:{member.id}")[-3:] == ["person.reactivate", "bind_code.issue",
                                                    "wechat.bind"]
