"""Binding an openid to a person: codes, QR scans, every error, the rate limit, unsubscribe."""

from datetime import timedelta

import sqlalchemy as sa

from conftest import flush_redis, openid
from handlers.wechat import texts
from models import AuditEvent, BindCode, BindFailure, WechatBinding, session, utcnow
from models.wechat_binding import CodeExpired, CodeUsed, issue_bind_code, person_for_openid


def _code(person, now=None) -> str:
    code = issue_bind_code(person, now=now or utcnow()).code
    session.commit()
    return code


def test_bind_by_text_command(emulator, make_person):
    person = make_person(name="陈海燕")
    reply = emulator.send_text(openid(3), f"绑定 {_code(person)}").reply["content"]
    assert reply.startswith("绑定成功") and "陈海燕" in reply
    assert person_for_openid(openid(3)).id == person.id
    assert emulator.send_text(openid(3), "我的").reply["content"].startswith("姓名：陈海燕")


def test_bind_command_without_space_works(emulator, make_person):
    reply = emulator.send_text(openid(3), f"绑定{_code(make_person())}").reply["content"]
    assert reply.startswith("绑定成功")


def test_bind_by_qr_on_subscribe(emulator, make_person):
    person = make_person()
    emulator.unsubscribe(openid(4))
    reply = emulator.subscribe(openid(4), scene=f"bind:{_code(person)}").reply["content"]
    assert reply.startswith("绑定成功")
    assert person_for_openid(openid(4)).id == person.id


def test_bind_by_qr_scan_when_already_following(emulator, make_person):
    person = make_person()
    assert emulator.scan(openid(4), f"bind:{_code(person)}").reply["content"].startswith("绑定成功")


def test_wrong_code_counts_down_then_locks(emulator):
    replies = [emulator.send_text(openid(6), "绑定 000000").reply["content"] for _ in range(6)]
    assert replies[0] == texts.BIND_WRONG.format(left=4)
    assert replies[3] == texts.BIND_WRONG.format(left=1)
    assert "分钟后再试" in replies[4] and "分钟后再试" in replies[5]


def test_locked_openid_cannot_bind_even_with_a_right_code(emulator, make_person):
    for _ in range(5):
        emulator.send_text(openid(6), "绑定 000000")
    reply = emulator.send_text(openid(6), f"绑定 {_code(make_person())}").reply["content"]
    assert "分钟后再试" in reply
    assert person_for_openid(openid(6)) is None


def test_the_lock_survives_a_redis_flush(app, emulator, make_person):
    """Refused tries are rows (issue 14, item 4): a flush or restart of Redis unlocks nothing."""
    for _ in range(5):
        emulator.send_text(openid(6), "绑定 000000")
    flush_redis(app)
    again = emulator.send_text(openid(6), "绑定 000000").reply["content"]
    assert "分钟后再试" in again
    right = emulator.send_text(openid(6), f"绑定 {_code(make_person())}").reply["content"]
    assert "分钟后再试" in right and person_for_openid(openid(6)) is None


def test_the_countdown_survives_a_redis_flush(app, emulator):
    emulator.send_text(openid(6), "绑定 000000")
    flush_redis(app)
    reply = emulator.send_text(openid(6), "绑定 000001").reply["content"]
    assert reply == texts.BIND_WRONG.format(left=3)


def test_a_retried_bind_after_a_flush_gets_its_first_answer(app, emulator):
    first = emulator.send_text(openid(6), "绑定 000000", msg_id=7001).reply["content"]
    flush_redis(app)
    retried = emulator.send_text(openid(6), "绑定 000000", msg_id=7001).reply["content"]
    assert first == retried == texts.BIND_WRONG.format(left=4)
    later = emulator.send_text(openid(6), "绑定 000000").reply["content"]
    assert later == texts.BIND_WRONG.format(left=3)  # the retry was not counted again


def test_the_window_slides_an_hour_from_each_refused_try(emulator, clock):
    for _ in range(5):
        emulator.send_text(openid(6), "绑定 000000")
        clock.shift(timedelta(minutes=10))
    locked = emulator.send_text(openid(6), "绑定 000000").reply["content"]
    assert locked == texts.BIND_LOCKED.format(minutes=10)  # the first try leaves in 10 minutes
    clock.shift(timedelta(minutes=11))
    reply = emulator.send_text(openid(6), "绑定 000000").reply["content"]
    assert reply == texts.BIND_LOCKED.format(minutes=9)  # one try was free; then the next


def test_malformed_code_asks_for_six_digits(emulator):
    assert emulator.send_text(openid(6), "绑定 12ab").reply["content"] == texts.BIND_FORMAT


def test_expired_code(emulator, make_person):
    code = _code(make_person(), now=utcnow() - timedelta(days=8))
    assert emulator.send_text(openid(7), f"绑定 {code}").reply["content"] == CodeExpired.message


def test_superseded_code_no_longer_works(emulator, make_person):
    person = make_person()
    old = _code(person)
    _code(person)
    assert emulator.send_text(openid(7), f"绑定 {old}").reply["content"] == CodeExpired.message


def test_used_code(emulator, make_person):
    code = _code(make_person())
    emulator.send_text(openid(7), f"绑定 {code}")
    assert emulator.send_text(openid(8), f"绑定 {code}").reply["content"] == CodeUsed.message
    assert person_for_openid(openid(8)) is None


def test_openid_already_bound(emulator, make_bound_person, make_person, make_unit):
    make_bound_person(1, name="赵卫东")
    other = make_person(name="孙丽华", unit=make_unit(name="石桥乡"))
    reply = emulator.send_text(openid(1), f"绑定 {_code(other)}").reply["content"]
    assert "已绑定 赵卫东" in reply
    assert session.scalar(sa.select(BindCode.used_at)) is None


def test_rebinding_a_person_moves_them_to_the_new_openid(emulator, make_bound_person):
    person = make_bound_person(1)
    emulator.send_text(openid(9), f"绑定 {_code(person)}")
    assert person_for_openid(openid(9)).id == person.id
    assert person_for_openid(openid(1)) is None


def test_unsubscribe_deactivates_and_keeps_history(emulator, make_bound_person):
    person = make_bound_person(1)
    emulator.unsubscribe(openid(1))
    binding = session.scalar(sa.select(WechatBinding))
    assert binding.active is False and binding.unbound_at is not None
    assert person_for_openid(openid(1)) is None
    actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert "wechat.unbind" in actions
    # Following again restores the binding nobody replaced.
    assert emulator.subscribe(openid(1)).reply["content"] == \
        texts.WELCOME_BACK.format(name=person.name)
    assert person_for_openid(openid(1)).id == person.id


def test_stranger_subscribing_gets_the_welcome(emulator):
    emulator.unsubscribe(openid(20))
    assert emulator.subscribe(openid(20)).reply["content"] == texts.WELCOME


def test_admin_issues_code_with_qr(client, make_person, emulator):
    from models import Role

    admin = make_person(name="系统管理员", role=Role.ADMIN, title="")
    cadre = make_person(name="周国平", unit=admin.unit)
    with client.session_transaction() as browser:
        browser["admin_id"] = admin.id
    page = client.get("/admin/people").get_data(as_text=True)
    assert "周国平" in page and "未绑定" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/admin/people/{cadre.id}/bind-code", data={"csrf_token": token})
    text = response.get_data(as_text=True)
    code = session.scalar(sa.select(BindCode).where(BindCode.person_id == cadre.id))
    assert response.status_code == 200 and code.code in text and "showqrcode" in text
    qrcodes = emulator.qrcodes() if callable(getattr(emulator, "qrcodes", None)) else None
    if qrcodes is not None:
        assert any(q.get("scene") == f"bind:{code.code}" for q in qrcodes)


def test_admin_pages_refuse_people_who_are_not_admins(client, make_person):
    cadre = make_person()
    with client.session_transaction() as browser:
        browser["admin_id"] = cadre.id
    assert client.get("/admin/people").status_code == 403
    assert client.post(f"/admin/people/{cadre.id}/bind-code").status_code in (400, 403)


def test_refused_tries_older_than_the_window_are_not_kept(emulator, clock):
    emulator.send_text(openid(6), "绑定 000000")
    clock.shift(timedelta(minutes=61))
    emulator.send_text(openid(7), "绑定 000000")
    assert session.scalars(sa.select(BindFailure.openid)).all() == [openid(7)]
