"""OAuth into /m/: code → openid → signed session cookie; refusals for the wrong people."""

import requests

from conftest import openid


def _browser(emulator, index: int) -> requests.Session:
    """A phone browser inside WeChat as simulated user `index` (the emulator knows who)."""
    browser = requests.Session()
    browser.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 10) MicroMessenger/8.0.50"
    browser.cookies.set("emu_openid", openid(index))
    return browser


def test_oauth_into_the_workbench(app, emulator, make_bound_person):
    make_bound_person(1, name="黄春梅")
    browser = _browser(emulator, 1)
    page = browser.get(app.config["PUBLIC_BASE_URL"] + "m/")
    assert page.status_code == 200
    assert "您好，黄春梅" in page.text
    assert page.url.split("#")[0].endswith("/m/")
    cookie = next(c for c in browser.cookies if c.name == "session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    # The second visit needs no new OAuth round.
    calls = emulator.stats()
    assert "您好，黄春梅" in browser.get(app.config["PUBLIC_BASE_URL"] + "m/").text
    assert emulator.stats() == calls


def test_snapshot_user_is_refused(app, emulator, make_bound_person):
    make_bound_person(1)
    emulator.set_snapshot(openid(1))
    page = _browser(emulator, 1).get(app.config["PUBLIC_BASE_URL"] + "m/")
    assert page.status_code == 403 and "使用完整服务" in page.text


def test_unbound_user_is_told_to_bind(app, emulator):
    page = _browser(emulator, 5).get(app.config["PUBLIC_BASE_URL"] + "m/")
    assert page.status_code == 403 and "绑定" in page.text


def test_unsubscribing_ends_the_page_session(app, emulator, make_bound_person):
    make_bound_person(1)
    browser = _browser(emulator, 1)
    browser.get(app.config["PUBLIC_BASE_URL"] + "m/")
    emulator.unsubscribe(openid(1))
    page = browser.get(app.config["PUBLIC_BASE_URL"] + "m/")
    assert page.status_code == 403 and "您好" not in page.text


def test_forged_oauth_return_starts_one_fresh_round_then_refuses(client):
    response = client.get("/m/auth", query_string={"code": "abc", "state": "guess"})
    assert response.status_code == 302 and "oauth_retry" in response.headers["Location"]
    client.get(response.headers["Location"])  # the fresh round stores its own state
    with client.session_transaction() as browser:
        browser["oauth_state"] = "other"
    response = client.get("/m/auth", query_string={"code": "abc", "state": "guess"})
    assert response.status_code == 400


def test_page_without_session_redirects_to_wechat_authorize(client):
    response = client.get("/m/")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "connect/oauth2/authorize" in location and "snsapi_base" in location
