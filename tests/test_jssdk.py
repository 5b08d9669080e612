"""JS-SDK photos inside WeChat: wx.config signing, and serverIds fetched like chat photos."""

import hashlib
import io
import re

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from conftest import openid
from models import Evidence, Role, TemplateKind, session
from models.dispatch import dispatch
from wechat.client import Client


def _jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def task(make_bound_person, make_template, now):
    make_bound_person(1, role=Role.MEMBER, title="党委委员")
    template = make_template(title="作风建设专项检查", kind=TemplateKind.COMMON, due_rule="day:28",
                             category="深化作风建设", min_photos=2, review_levels=2)
    made = dispatch(template, "2026-12", now=now)[0]
    session.commit()
    return made


def _phone(app, index=1):
    browser = requests.Session()
    browser.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 10) MicroMessenger/8.0.50"
    browser.cookies.set("emu_openid", openid(index))
    return browser


def test_wx_config_is_signed_and_the_ticket_shared(app, emulator):
    client = app.extensions["wechat"].client
    url = "https://qinglian.example.gov.cn/m/tasks/1/report?x=1#frag"
    first, second = client.jsapi_config(url), client.jsapi_config(url)
    ticket = client.jsapi.get_jsapi_ticket()
    plain = (f"jsapi_ticket={ticket}&noncestr={first['nonceStr']}&timestamp={first['timestamp']}"
             f"&url={url.split('#')[0]}")
    assert first["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert first["appId"] == app.config["WECHAT_APPID"] and second["nonceStr"] != first["nonceStr"]
    assert emulator.stats()["api_calls"]["/cgi-bin/ticket/getticket"] == 1


def test_choose_button_only_inside_real_wechat(app, emulator, task, monkeypatch):
    report = app.config["PUBLIC_BASE_URL"] + f"m/tasks/{task.id}/report"
    assert 'id="wx-choose"' not in _phone(app).get(report).text  # the emulator has no JS-SDK
    monkeypatch.setattr(Client, "is_official", property(lambda self: True))
    page = _phone(app).get(report).text
    assert 'id="wx-choose"' in page and "jweixin-1.6.0.js" in page and "signature" in page


def _post(browser, app, task, body, with_token=True):
    report = app.config["PUBLIC_BASE_URL"] + f"m/tasks/{task.id}/report"
    token = re.search(r'name="csrf-token" content="([^"]+)"', browser.get(report).text).group(1)
    headers = {"X-CSRFToken": token} if with_token else {}
    return browser.post(app.config["PUBLIC_BASE_URL"] + f"m/tasks/{task.id}/wx-photos",
                        json=body, headers=headers)


def test_server_ids_become_photo_evidence(app, emulator, task, work):
    ids = [emulator.store_media("image", _jpeg(c), "p.jpg").media_id
           for c in ((200, 0, 0), (0, 0, 200))]
    answer = _post(_phone(app), app, task, {"server_ids": ids})
    assert answer.status_code == 200 and answer.json() == {"received": 2}
    work()
    stored = session.scalars(sa.select(Evidence).order_by(Evidence.id)).all()
    assert [(e.media_id, e.status, e.width) for e in stored] == [(ids[0], "stored", 800),
                                                                 (ids[1], "stored", 800)]


@pytest.mark.parametrize("body", [{}, {"server_ids": "abc"}, {"server_ids": []},
                                  {"server_ids": ["x"] * 10}, {"server_ids": ["../etc"]}])
def test_bad_server_ids_are_refused_and_store_nothing(app, emulator, task, body):
    answer = _post(_phone(app), app, task, body)
    assert answer.status_code == 400 and "照片" in answer.json()["error"]
    assert session.scalar(sa.select(sa.func.count(Evidence.id))) == 0


def test_wx_photos_need_csrf_and_the_assignee(app, emulator, task, make_bound_person,
                                              make_unit):
    assert _post(_phone(app), app, task, {"server_ids": ["abc"]}, with_token=False
                 ).status_code == 400
    make_bound_person(2, name="外单位", role=Role.MEMBER, unit=make_unit(name="石桥乡"))
    browser = _phone(app, 2)
    browser.get(app.config["PUBLIC_BASE_URL"] + "m/")
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      browser.get(app.config["PUBLIC_BASE_URL"] + "m/").text).group(1)
    answer = browser.post(app.config["PUBLIC_BASE_URL"] + f"m/tasks/{task.id}/wx-photos",
                          json={"server_ids": ["abc"]}, headers={"X-CSRFToken": token})
    assert answer.status_code == 404
    assert session.scalar(sa.select(sa.func.count(Evidence.id))) == 0
