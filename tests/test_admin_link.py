"""The one-time admin sign-in link (`flask admin-link`): once means once, however its signature
is spelled and whatever happened to Redis (issue 14, item 5)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from conftest import flush_redis
from handlers.admin import login_link
from models import AdminLinkUse, AuditEvent, Role, session

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _spellings(token: str) -> list[str]:
    """The token with each spelling of its signature's last character that decodes to the same
    bytes (a 20-byte HMAC in 27 characters leaves its last 2 bits unused)."""
    index = BASE64URL.index(token[-1])
    return [token[:-1] + BASE64URL[(index & ~3) | low] for low in range(4)]


def test_a_sign_in_link_opens_once_whichever_way_its_signature_is_spelled(app, client,
                                                                          make_person):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    token = login_link(inspector).rsplit("/", 1)[1]
    spellings = _spellings(token)
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="admin-login")
    assert len(set(spellings)) == 4 and all(serializer.loads(s) for s in spellings)

    answers = [app.test_client().get(f"/admin/login/{spelling}") for spelling in spellings]

    assert [answer.status_code for answer in answers] == [302, 403, 403, 403]
    assert all("已使用过" in answer.get_data(as_text=True) for answer in answers[1:])
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "admin.login")) == 1


def test_a_used_link_stays_used_after_redis_is_flushed(app, client, make_person):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    path = _path(login_link(inspector))
    assert client.get(path).status_code == 302

    flush_redis(app)
    again = app.test_client().get(path)

    assert again.status_code == 403 and "已使用过" in again.get_data(as_text=True)
    assert session.scalar(sa.select(AdminLinkUse.person_id)) == inspector.id


def test_two_links_of_one_person_each_open_once(app, make_person, clock):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    first = _path(login_link(inspector))
    clock.shift(2)  # signed a second later: another link
    second = _path(login_link(inspector))
    assert [app.test_client().get(path).status_code for path in (first, second, first)] == [
        302, 302, 403]


def test_a_link_for_someone_no_longer_an_admin_is_refused(app, client, make_person):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    path = _path(login_link(inspector))
    inspector.role = Role.MEMBER
    session.commit()
    refused = client.get(path)
    assert refused.status_code == 403 and "只有系统管理员" in refused.get_data(as_text=True)
    assert client.get("/admin/people").status_code == 403


def test_of_simultaneous_uses_of_one_link_only_one_signs_in(app, make_person):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    link = login_link(inspector)
    start = threading.Barrier(6)

    def use(_):
        browser = requests.Session()
        start.wait(timeout=10)
        return browser.get(link, allow_redirects=False, timeout=30).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(use, range(6)))

    assert statuses == [302, 403, 403, 403, 403, 403]
