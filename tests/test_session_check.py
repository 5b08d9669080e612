"""One session check on every request (issue 14, item 6): a cookie keeps working only while the
WeChat account behind it is still bound to the same person, the person is active and their
role still allows the page, for the admin pages as for the mobile ones."""

import sqlalchemy as sa

from conftest import openid
from models import Person, Role, session


def _signed_in_on_the_phone(phone, role: str):
    browser = phone(role)
    assert browser.get("/m/").status_code == 200  # through WeChat OAuth: openid + person
    return browser


def test_an_unbound_inspectors_old_cookie_no_longer_opens_the_admin(phone, emulator):
    inspector = _signed_in_on_the_phone(phone, "inspector")
    assert inspector.get("/admin/people").status_code == 200

    emulator.unsubscribe(openid(4))  # 取消关注: the binding ends

    refused = inspector.get("/admin/people")
    assert refused.status_code == 403 and "请使用管理后台登录链接进入" in refused.text
    assert "生成绑定码" not in refused.text


def test_a_demoted_persons_cookie_no_longer_opens_the_admin(phone, admin_browser, county):
    on_phone = _signed_in_on_the_phone(phone, "inspector")
    on_pc = admin_browser(county["inspector"])
    assert on_pc.get("/admin/people").status_code == 200

    session.execute(sa.update(Person).where(Person.id == county["inspector"].id)
                    .values(role=Role.STAFF))
    session.commit()

    for browser in (on_phone, on_pc):
        refused = browser.get("/admin/people")
        assert refused.status_code == 403 and "生成绑定码" not in refused.text
    mobile = on_pc.http.get(on_pc.base + "/m/", allow_redirects=False, timeout=10)
    assert mobile.status_code == 302 and "authorize" in mobile.headers["Location"]  # not in


def test_a_deactivated_person_is_signed_out_of_the_phone_pages(phone, county):
    member = _signed_in_on_the_phone(phone, "member")

    session.execute(sa.update(Person).where(Person.id == county["member"].id)
                    .values(active=False))
    session.commit()

    page = member.get("/m/")  # the session ends; OAuth finds the account stopped
    assert page.status_code == 403 and "您的账号已停用" in page.text
    assert member.get("/m/me").status_code == 403


def test_a_deactivated_admins_sign_in_ends(admin_browser, county):
    browser = admin_browser(county["admin"])
    assert browser.get("/admin/").status_code == 200
    session.execute(sa.update(Person).where(Person.id == county["admin"].id).values(active=False))
    session.commit()
    assert browser.get("/admin/").status_code == 403
