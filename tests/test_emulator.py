"""The WeChat emulator on its own: API rules, OAuth, callback signing, retries, knobs."""

import hashlib
import io
import json
import threading

import pytest
import requests
import xmltodict
from PIL import Image
from wechatpy import create_reply
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from wechat.emulator import DEFAULT_TEMPLATES
from wechat.emulator import UserActionError
from wechat.emulator import create_emulator
from wechat.emulator import serve_in_thread
from wechat.emulator import simulated_openid
from wechat.emulator import simulated_users

APPID = "wx7c1e3a9d5b2f4e60"
SECRET = "qinglian-demo-secret"
TOKEN = "qinglian-demo-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ALICE = simulated_openid(APPID, 1)
BOB = simulated_openid(APPID, 2)
GOOD_DATA = {"thing1": {"value": "季度廉政谈话"}, "time2": {"value": "2026-10-09 17:00"},
             "thing3": {"value": "县纪委监委"}}


class FakeApp:
    """A transport answering callbacks like the app: verify, decrypt, optionally reply."""

    def __init__(self, reply: str | None = None, timeouts: int = 0, aes_key: str = ""):
        self.reply = reply
        self.timeouts = timeouts
        self.crypto = WeChatCrypto(TOKEN, aes_key, APPID) if aes_key else None
        self.requests = []
        self.messages = []

    def __call__(self, method, url, params, data, headers, timeout):
        self.requests.append({"method": method, "url": url, "params": dict(params),
                              "data": data, "timeout": timeout})
        if self.timeouts:
            self.timeouts -= 1
            raise requests.Timeout("read timed out")
        check_signature(TOKEN, params["signature"], params["timestamp"], params["nonce"])
        if method == "GET":
            return 200, params["echostr"].encode()
        xml = data.decode()
        if params.get("encrypt_type") == "aes":
            xml = self.crypto.decrypt_message(data, params["msg_signature"], params["timestamp"],
                                              params["nonce"])
        message = parse_message(xml)
        self.messages.append(message)
        if self.reply is None or message.type == "event":
            return 200, b"success"
        body = create_reply(self.reply, message).render()
        if self.crypto is not None:
            body = self.crypto.encrypt_message(body, params["nonce"], params["timestamp"])
        return 200, body.encode()


@pytest.fixture
def make_app():
    """Factory: an emulator app with test settings (send results only on flush)."""

    def make(**settings):
        base = {"EMULATOR_FINISH_DELAY": None, "EMULATOR_USERS": 5,
                "WECHAT_AES_KEY": "", "EMULATOR_MODE": None}
        return create_emulator({**base, **settings})

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def emulator(app):
    return app.emulator


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fake(emulator):
    transport = FakeApp()
    emulator.transport = transport
    return transport


def fetch_token(client) -> str:
    response = client.get("/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET})
    return response.get_json()["access_token"]


def call(client, path, token, body=None):
    """GET (no body) or POST JSON to an API path with the token; returns the JSON."""
    if body is None:
        return client.get(path, query_string={"access_token": token}).get_json()
    return client.post(path, query_string={"access_token": token},
                       data=json.dumps(body, ensure_ascii=False).encode()).get_json()


def template_body(**changes) -> dict:
    return {"touser": ALICE, "template_id": "QL_TASK_DISPATCHED", "url": "http://x.test/m",
            "data": GOOD_DATA, **changes}


def jpeg(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


# users -----------------------------------------------------------------------------------------


def test_simulated_openid_is_stable_and_url_safe():
    openid = simulated_openid(APPID, 1)
    assert openid == simulated_openid(APPID, 1) != simulated_openid(APPID, 2)
    assert len(openid) == 28 and openid.startswith("o")
    assert set(openid) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    assert simulated_users(APPID, 2)[1] == {"openid": BOB, "nickname": "模拟用户02"}


def test_default_templates_are_category_templates(emulator):
    assert DEFAULT_TEMPLATES["QL_TASK_WARNING"] == ["thing1", "phrase2", "time3", "thing4"]
    assert emulator.templates == DEFAULT_TEMPLATES


# access_token ----------------------------------------------------------------------------------


def test_token_rotation_keeps_old_token_five_minutes(client, emulator):
    old = fetch_token(client)
    new = fetch_token(client)
    assert old != new
    assert call(client, "/cgi-bin/menu/get", old)["errcode"] == 46003
    emulator.advance_clock(301)
    assert call(client, "/cgi-bin/menu/get", old)["errcode"] == 40001
    assert call(client, "/cgi-bin/menu/get", new)["errcode"] == 46003
    emulator.advance_clock(7200)
    assert call(client, "/cgi-bin/menu/get", new)["errcode"] == 42001
    assert emulator.stats()["token_fetches"]["token"] == 2


def test_token_errors(client):
    assert call(client, "/cgi-bin/menu/get", "")["errcode"] == 41001
    assert call(client, "/cgi-bin/menu/get", "nope")["errcode"] == 40001
    bad = client.get("/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": "wx0", "secret": SECRET}).get_json()
    assert bad == {"errcode": 40013, "errmsg": "invalid appid"}
    bad = client.get("/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": APPID, "secret": "x"}).get_json()
    assert bad["errcode"] == 40125


def stable(client, force=False) -> dict:
    return client.post("/cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET,
        "force_refresh": force}).get_json()


def test_stable_token_same_until_renewal_window(client, emulator):
    first = stable(client)
    assert first["expires_in"] == 7200
    emulator.advance_clock(6800)
    assert stable(client)["access_token"] == first["access_token"]
    emulator.advance_clock(150)
    renewed = stable(client)
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] == 7200
    assert call(client, "/cgi-bin/menu/get", first["access_token"])["errcode"] == 46003
    emulator.advance_clock(300)
    assert call(client, "/cgi-bin/menu/get", first["access_token"])["errcode"] == 42001


def test_stable_token_force_refresh_limits(client, emulator):
    first = stable(client)
    forced = stable(client, force=True)
    assert forced["access_token"] != first["access_token"]
    assert stable(client, force=True)["errcode"] == 45009
    emulator.advance_clock(31)
    assert "access_token" in stable(client, force=True)
    assert call(client, "/cgi-bin/menu/get", forced["access_token"])["errcode"] == 46003
    emulator.advance_clock(300)
    assert call(client, "/cgi-bin/menu/get", forced["access_token"])["errcode"] == 40001
    assert call(client, "/cgi-bin/menu/get", first["access_token"])["errcode"] == 40001


def test_stable_token_force_refresh_twenty_per_day(client, emulator):
    emulator.advance_clock(-((emulator.now() + 8 * 3600) % 86400) + 3600)  # 01:00 CST
    for _ in range(20):
        assert "access_token" in stable(client, force=True)
        emulator.advance_clock(31)
    assert stable(client, force=True)["errcode"] == 45009
    assert stable(client)["access_token"]  # normal mode still works


# template messages ----------------------------------------------------------------------------


def test_template_send_delivers_and_posts_finish_on_flush(client, emulator, fake):
    token = fetch_token(client)
    answer = call(client, "/cgi-bin/message/template/send", token, template_body(
        data={**GOOD_DATA, "first": {"value": "您好"}, "remark": {"value": "备注"}}))
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok" and answer["msgid"] > 0
    card = emulator.inbox(ALICE)[-1]
    assert card["kind"] == "template" and card["msgid"] == answer["msgid"]
    assert card["data"] == {"thing1": "季度廉政谈话", "time2": "2026-10-09 17:00",
                            "thing3": "县纪委监委"}
    assert card["url"] == "http://x.test/m"
    assert fake.requests == []
    results = emulator.flush()
    assert len(results) == 1 and results[0].status == 200
    event = fake.messages[0]
    assert event.event == "templatesendjobfinish"
    assert event.id == answer["msgid"] and event.status == "success"
    assert emulator.flush() == []


def test_finish_event_posted_in_background_after_delay(make_app):
    app = make_app(EMULATOR_FINISH_DELAY=0)
    posted = threading.Event()
    received = []

    def transport(method, url, params, data, headers, timeout):
        received.append(parse_message(data))
        posted.set()
        return 200, b"success"

    app.emulator.transport = transport
    client = app.test_client()
    answer = call(client, "/cgi-bin/message/template/send", fetch_token(client), template_body())
    assert posted.wait(timeout=5)
    assert received[0].event == "templatesendjobfinish" and received[0].id == answer["msgid"]


def test_template_send_errors(client, emulator, fake):
    token = fetch_token(client)
    send = lambda body: call(client, "/cgi-bin/message/template/send", token, body)  # noqa: E731
    assert send(template_body(template_id="47123"))["errcode"] == 40037
    assert send(template_body(touser="o-unknown"))["errcode"] == 40003
    long_thing = {**GOOD_DATA, "thing1": {"value": "一" * 21}}
    assert send(template_body(data=long_thing)) == {
        "errcode": 47003, "errmsg": "argument invalid! data.thing1.value invalid"}
    assert send(template_body(data={**GOOD_DATA, "time2": {"value": "明天"}}))["errcode"] == 47003
    missing = {key: GOOD_DATA[key] for key in ("thing1", "time2")}
    assert send(template_body(data=missing))["errmsg"].endswith("data.thing3.value invalid")
    emulator.unsubscribe(ALICE)
    assert send(template_body())["errcode"] == 43004
    assert emulator.stats()["template_sends"] == 0


def test_template_client_msg_id_dedupes_for_ten_minutes(client, emulator):
    token = fetch_token(client)
    body = template_body(client_msg_id="n-1")
    first = call(client, "/cgi-bin/message/template/send", token, body)
    again = call(client, "/cgi-bin/message/template/send", token, body)
    assert again == first
    assert len(emulator.inbox(ALICE)) == 1 and emulator.pending_events() == 1
    emulator.advance_clock(601)
    later = call(client, "/cgi-bin/message/template/send", fetch_token(client), body)
    assert later["msgid"] != first["msgid"]
    assert len(emulator.inbox(ALICE)) == 2


def test_template_finish_dropped_and_blocked(client, emulator, fake):
    token = fetch_token(client)
    emulator.drop_send_results(True)
    call(client, "/cgi-bin/message/template/send", token, template_body())
    assert emulator.flush() == [] and fake.requests == []
    emulator.drop_send_results(False)
    emulator.set_blocked(ALICE, True)
    answer = call(client, "/cgi-bin/message/template/send", token, template_body())
    assert answer["errcode"] == 0
    emulator.flush()
    assert fake.messages[-1].status == "failed:user block"
    assert [entry["kind"] for entry in emulator.inbox(ALICE)] == ["template"]


def test_template_typed_values(client, emulator):
    emulator.templates["T"] = ["phrase1", "number2", "character_string3", "amount4", "date5"]
    token = fetch_token(client)
    good = {"phrase1": "已逾期", "number2": "12", "character_string3": "QL-2026-001",
            "amount4": "¥100.50", "date5": "2026年10月9日"}
    body = {"touser": ALICE, "template_id": "T",
            "data": {key: {"value": value} for key, value in good.items()}}
    assert call(client, "/cgi-bin/message/template/send", token, body)["errcode"] == 0
    for key, value in {"phrase1": "逾期六天以上", "number2": "12a",
                       "character_string3": "编号1", "amount4": "一百"}.items():
        bad = {**body, "data": {**body["data"], key: {"value": value}}}
        answer = call(client, "/cgi-bin/message/template/send", token, bad)
        assert answer["errmsg"] == f"argument invalid! data.{key}.value invalid"


def test_add_template_needs_keywords(client, emulator):
    token = fetch_token(client)
    path = "/cgi-bin/template/api_add_template"
    assert call(client, path, token, {"template_id_short": "47123",
                                      "keyword_name_list": []})["errcode"] == 40246
    added = call(client, path, token, {"template_id_short": "47123",
                                       "keyword_name_list": ["任务名称", "截止时间"]})
    assert emulator.templates[added["template_id"]] == ["thing1", "time2"]


# customer-service messages ---------------------------------------------------------------------


def custom(client, token, openid=ALICE, content="已收到"):
    return call(client, "/cgi-bin/message/custom/send", token,
                {"touser": openid, "msgtype": "text", "text": {"content": content}})


def test_custom_send_window_and_cap(client, emulator, fake):
    token = fetch_token(client)
    assert custom(client, token)["errcode"] == 45015
    emulator.send_text(ALICE, "我的小结")
    for index in range(20):
        assert custom(client, token, content=f"第{index}条") == {"errcode": 0, "errmsg": "ok"}
    assert custom(client, token)["errcode"] == 45047
    emulator.click(ALICE, "TODO")
    assert custom(client, token)["errcode"] == 0
    emulator.advance_clock(48 * 3600 + 1)
    token = fetch_token(client)
    assert custom(client, token)["errcode"] == 45015
    emulator.unsubscribe(ALICE)
    assert custom(client, token)["errcode"] == 43004
    kinds = [entry["kind"] for entry in emulator.inbox(ALICE)]
    assert kinds.count("custom") == 21


def test_subscribe_notification_needs_opt_in(client, emulator, fake):
    token = fetch_token(client)
    body = {"touser": ALICE, "template_id": "QL_TASK_DISPATCHED", "data": GOOD_DATA}
    assert call(client, "/cgi-bin/message/subscribe/bizsend", token, body)["errcode"] == 43101
    emulator.opt_in(ALICE, "QL_TASK_DISPATCHED")
    assert call(client, "/cgi-bin/message/subscribe/bizsend", token, body)["errcode"] == 0
    assert call(client, "/cgi-bin/message/subscribe/bizsend", token, body)["errcode"] == 43101


# media -----------------------------------------------------------------------------------------


def upload(client, token, data, kind="image", name="a.jpg"):
    return client.post("/cgi-bin/media/upload",
                       query_string={"access_token": token, "type": kind},
                       data={"media": (io.BytesIO(data), name)},
                       content_type="multipart/form-data").get_json()


def test_media_upload_get_and_expiry(client, emulator):
    token = fetch_token(client)
    photo = jpeg()
    answer = upload(client, token, photo)
    assert answer["type"] == "image" and answer["created_at"] > 0
    media_id = answer["media_id"]
    got = client.get("/cgi-bin/media/get", query_string={"access_token": token,
                                                         "media_id": media_id})
    assert got.data == photo and got.content_type == "image/jpeg"
    assert got.headers["Content-disposition"] == f'attachment; filename="{media_id}.jpg"'
    emulator.advance_clock(3 * 86400)
    token = fetch_token(client)
    expired = client.get("/cgi-bin/media/get", query_string={"access_token": token,
                                                             "media_id": media_id})
    assert expired.status_code == 200
    assert expired.get_json() == {"errcode": 40007, "errmsg": "invalid media_id"}


def test_media_upload_errors(client):
    token = fetch_token(client)
    assert upload(client, token, jpeg(), kind="pdf")["errcode"] == 40004
    assert upload(client, token, b"plain text", name="a.txt")["errcode"] == 40005
    big = jpeg() + bytes(10 * 1024 * 1024)
    assert upload(client, token, big)["errcode"] == 40009


def test_user_photo_is_stored_as_media(client, emulator, fake):
    result = emulator.send_image(ALICE)
    message = fake.messages[0]
    assert message.type == "image" and message.media_id == result.message["MediaId"]
    assert message.image.startswith(emulator.public_url + "mmbiz_jpg/")
    token = fetch_token(client)
    got = client.get("/cgi-bin/media/get", query_string={"access_token": token,
                                                         "media_id": message.media_id})
    assert got.data[:3] == b"\xff\xd8\xff"
    assert client.get(message.image.replace(emulator.public_url, "/")).data == got.data


# menu ------------------------------------------------------------------------------------------

MENU = {"button": [
    {"type": "click", "name": "我的待办", "key": "TODO"},
    {"name": "上报", "sub_button": [
        {"type": "pic_photo_or_album", "name": "拍照上报", "key": "PHOTO"},
        {"type": "view", "name": "工作台", "url": "http://127.0.0.1:5000/m"}]},
]}


def test_menu_create_get_delete(client):
    token = fetch_token(client)
    assert call(client, "/cgi-bin/menu/get", token) == {"errcode": 46003,
                                                        "errmsg": "menu no exist"}
    assert call(client, "/cgi-bin/menu/create", token, MENU) == {"errcode": 0, "errmsg": "ok"}
    buttons = call(client, "/cgi-bin/menu/get", token)["menu"]["button"]
    assert buttons[0]["key"] == "TODO" and buttons[0]["sub_button"] == []
    assert buttons[1]["sub_button"][1]["url"] == "http://127.0.0.1:5000/m"
    assert call(client, "/cgi-bin/menu/delete", token)["errcode"] == 0
    assert call(client, "/cgi-bin/menu/get", token)["errcode"] == 46003


@pytest.mark.parametrize(("menu", "errcode"), [
    ({"button": []}, 40016),
    ({"button": [{"type": "click", "name": f"b{i}", "key": "k"} for i in range(4)]}, 40016),
    ({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]}, 40018),
    ({"button": [{"type": "tap", "name": "a", "key": "k"}]}, 40017),
    ({"button": [{"type": "click", "name": "a", "key": "k" * 129}]}, 40019),
    ({"button": [{"name": "a", "sub_button": [
        {"type": "click", "name": f"s{i}", "key": "k"} for i in range(6)]}]}, 40023),
    ({"button": [{"name": "a", "sub_button": [
        {"type": "view", "name": "s", "url": "http://x.test/" + "a" * 1024}]}]}, 40027),
])
def test_menu_limits(client, menu, errcode):
    token = fetch_token(client)
    assert call(client, "/cgi-bin/menu/create", token, menu)["errcode"] == errcode


# OAuth -----------------------------------------------------------------------------------------


def authorize(client, redirect_uri="http://127.0.0.1:5000/m/auth", openid=ALICE, **extra):
    if openid:
        client.set_cookie("emu_openid", openid)
    else:
        client.delete_cookie("emu_openid")
    return client.get("/connect/oauth2/authorize", query_string={
        "appid": APPID, "redirect_uri": redirect_uri, "response_type": "code",
        "scope": "snsapi_base", "state": "s1", **extra})


def exchange(client, code):
    return client.get("/sns/oauth2/access_token", query_string={
        "appid": APPID, "secret": SECRET, "code": code,
        "grant_type": "authorization_code"}).get_json()


def code_of(response) -> str:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("http://127.0.0.1:5000/m/auth?code=") and "state=s1" in location
    return location.split("code=")[1].split("&")[0]


def test_oauth_code_is_single_use(client):
    code = code_of(authorize(client))
    answer = exchange(client, code)
    assert answer["openid"] == ALICE and answer["scope"] == "snsapi_base"
    assert answer["expires_in"] == 7200 and "is_snapshotuser" not in answer
    assert exchange(client, code) == {"errcode": 40163, "errmsg": "code been used"}
    assert exchange(client, "bogus")["errcode"] == 40029


def test_oauth_code_expires_after_five_minutes(client, emulator):
    code = code_of(authorize(client))
    emulator.advance_clock(301)
    assert exchange(client, code) == {"errcode": 40029, "errmsg": "invalid code"}


def test_oauth_redirect_domain_and_user_picker(client):
    page = authorize(client, redirect_uri="http://evil.test/m")
    assert page.status_code == 200
    assert "10003" in page.text and "redirect_uri域名与后台配置不一致" in page.text
    picker = authorize(client, openid=None)
    assert picker.status_code == 200 and "模拟用户01" in picker.text
    wrong = client.get("/connect/oauth2/authorize", query_string={
        "appid": "wx0", "redirect_uri": "http://127.0.0.1/m", "response_type": "code",
        "scope": "snsapi_base"})
    assert "appid" in wrong.text and wrong.status_code == 200


def test_oauth_snapshot_user(client, emulator):
    emulator.set_snapshot(ALICE, True)
    answer = exchange(client, code_of(authorize(client)))
    assert answer["is_snapshotuser"] == 1
    auth = client.get("/sns/auth", query_string={"access_token": answer["access_token"],
                                                 "openid": ALICE}).get_json()
    assert auth == {"errcode": 0, "errmsg": "ok"}


def test_oauth_query_user_sets_cookie(client):
    response = authorize(client, openid=None, emu_openid=BOB)
    assert exchange(client, code_of(response))["openid"] == BOB
    assert "emu_openid=" + BOB in response.headers["Set-Cookie"]


# faults ----------------------------------------------------------------------------------------


def test_fail_next_by_path_and_count(client, emulator):
    token = fetch_token(client)
    emulator.fail_next(-1, count=2, path="template/send")
    assert call(client, "/cgi-bin/menu/get", token)["errcode"] == 46003
    for _ in range(2):
        answer = call(client, "/cgi-bin/message/template/send", token, template_body())
        assert answer == {"errcode": -1, "errmsg": "system error"}
    assert call(client, "/cgi-bin/message/template/send", token, template_body())["errcode"] == 0
    emulator.fail_next(45009)
    assert call(client, "/cgi-bin/menu/get", token)["errcode"] == 45009
    calls = emulator.stats()["api_calls"]
    assert calls["/cgi-bin/message/template/send"] == 3 and calls["/cgi-bin/menu/get"] == 2


def test_reset_restores_initial_state(client, emulator, fake):
    token = fetch_token(client)
    emulator.send_text(ALICE, "hi")
    emulator.unsubscribe(BOB)
    emulator.reset()
    assert call(client, "/cgi-bin/menu/get", token)["errcode"] == 40001
    assert emulator.inbox(ALICE) == [] and emulator.chat(ALICE) == []
    assert all(user["subscribed"] for user in emulator.users())
    assert emulator.stats()["callback_posts"] == 0


# callbacks -------------------------------------------------------------------------------------


def test_plain_callback_signature_and_reply(emulator):
    fake = FakeApp(reply="收到")
    emulator.transport = fake
    result = emulator.send_text(ALICE, "你好", msg_id=1234567890123456)
    request = fake.requests[0]
    assert request["url"] == "http://127.0.0.1:5000/wechat"
    assert set(request["params"]) == {"signature", "timestamp", "nonce", "openid"}
    assert request["params"]["openid"] == ALICE and request["timeout"] == 5.0
    message = fake.messages[0]
    assert (message.type, message.content, message.id) == ("text", "你好", 1234567890123456)
    assert message.target == emulator.original_id and message.source == ALICE
    assert result.status == 200 and result.attempts == 1
    assert result.reply == {"type": "text", "content": "收到"}
    assert emulator.inbox(ALICE)[-1]["content"] == "收到"


def test_safe_mode_encrypts_and_verifies_reply(make_app):
    emulator = make_app(WECHAT_AES_KEY=AES_KEY).emulator
    assert emulator.mode == "safe"
    fake = FakeApp(reply="中文回复", aes_key=AES_KEY)
    emulator.transport = fake
    result = emulator.send_text(ALICE, "加密的消息")
    request = fake.requests[0]
    assert request["params"]["encrypt_type"] == "aes"
    body = xmltodict.parse(request["data"])["xml"]
    assert set(body) == {"ToUserName", "Encrypt"}
    parts = sorted([TOKEN, request["params"]["timestamp"], request["params"]["nonce"],
                    body["Encrypt"]])
    assert request["params"]["msg_signature"] == hashlib.sha1("".join(parts).encode()).hexdigest()
    assert fake.messages[0].content == "加密的消息"
    assert result.reply == {"type": "text", "content": "中文回复"}


def test_safe_mode_rejects_plaintext_reply(make_app):
    emulator = make_app(WECHAT_AES_KEY=AES_KEY).emulator
    emulator.transport = lambda *args: (200, create_reply("明文", render=True).encode())
    result = emulator.send_text(ALICE, "x")
    assert result.reply is None and "safe mode" in result.error
    assert emulator.inbox(ALICE)[-1]["content"] == "该公众号暂时无法提供服务，请稍后再试"


def test_compat_mode_sends_plain_fields_and_encrypt(make_app):
    emulator = make_app(WECHAT_AES_KEY=AES_KEY, EMULATOR_MODE="compat").emulator
    fake = FakeApp(reply="ok", aes_key=AES_KEY)
    emulator.transport = fake
    result = emulator.click(ALICE, "TODO")
    body = xmltodict.parse(fake.requests[0]["data"])["xml"]
    assert body["Event"] == "CLICK" and body["EventKey"] == "TODO" and body["Encrypt"]
    assert fake.messages[0].key == "TODO"
    assert result.reply is None  # the fake app does not answer events


def test_retries_after_timeouts(emulator):
    fake = FakeApp(reply="好的", timeouts=2)
    emulator.transport = fake
    result = emulator.send_text(ALICE, "慢")
    assert result.attempts == 3 and result.status == 200
    assert result.reply == {"type": "text", "content": "好的"}
    nonces = {request["params"]["nonce"] for request in fake.requests}
    assert len(fake.requests) == 3 and len(nonces) == 3
    assert len({request["data"] for request in fake.requests}) == 1


def test_gives_up_after_three_attempts(emulator):
    fake = FakeApp(timeouts=5)
    emulator.transport = fake
    result = emulator.send_text(ALICE, "无人应答")
    assert result.attempts == 3 and result.status is None and result.error
    assert emulator.inbox(ALICE)[-1]["kind"] == "system"
    assert emulator.stats()["callback_posts"] == 3


def test_push_raw_copies_same_fields(emulator, fake):
    fields = {"FromUserName": ALICE, "CreateTime": 1700000000, "MsgType": "text",
              "Content": "重复", "MsgId": 42}
    results = emulator.push_raw(fields, copies=3)
    assert [result.attempts for result in results] == [1, 1, 1]
    assert {message.id for message in fake.messages} == {42}
    assert len({request["params"]["nonce"] for request in fake.requests}) == 3


def test_verify_url(emulator, fake):
    assert emulator.verify_url() is True
    emulator.transport = lambda *args: (200, b"nope")
    assert emulator.verify_url() is False


def test_events_follow_state_and_qr(client, emulator, fake):
    token = fetch_token(client)
    temp = call(client, "/cgi-bin/qrcode/create", token, {
        "expire_seconds": 600, "action_name": "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": "bind:7"}}})
    assert temp["expire_seconds"] == 600 and temp["url"].startswith("http://weixin.qq.com/q/")
    png = client.get("/cgi-bin/showqrcode", query_string={"ticket": temp["ticket"]})
    assert png.content_type == "image/png" and png.data.startswith(b"\x89PNG")
    emulator.scan_qrcode(ALICE, temp["ticket"])
    assert fake.messages[-1].event == "scan" and fake.messages[-1].scene_id == "bind:7"
    emulator.unsubscribe(BOB)
    with pytest.raises(UserActionError):
        emulator.send_text(BOB, "未关注")
    emulator.scan_qrcode(BOB, temp["ticket"])
    event = fake.messages[-1]
    assert event.type == "event" and event.event == "subscribe_scan"
    assert event.scene_id == "bind:7" and event.ticket == temp["ticket"]
    assert {user["openid"]: user["subscribed"] for user in emulator.users()}[BOB] is True
    emulator.advance_clock(601)
    with pytest.raises(UserActionError):
        emulator.scan_qrcode(ALICE, temp["ticket"])


def test_pic_event_then_one_image_per_photo(emulator, fake):
    results = emulator.pic_event(ALICE, key="PHOTO", images=[jpeg(), jpeg((50, 50))])
    assert len(results) == 3
    event, *photos = fake.messages
    assert event.event == "pic_photo_or_album" and event.count == 2
    assert [picture["PicMd5Sum"] for picture in event.pictures] == [
        hashlib.md5(jpeg()).hexdigest(), hashlib.md5(jpeg((50, 50))).hexdigest()]
    assert [photo.type for photo in photos] == ["image", "image"]


def test_user_info_without_nickname(client, emulator, fake):
    token = fetch_token(client)
    info = client.get("/cgi-bin/user/info", query_string={"access_token": token,
                                                          "openid": ALICE}).get_json()
    assert info["subscribe"] == 1 and info["openid"] == ALICE and "nickname" not in info
    emulator.unsubscribe(ALICE)
    info = client.get("/cgi-bin/user/info", query_string={"access_token": token,
                                                          "openid": ALICE}).get_json()
    assert info["subscribe"] == 0


# control endpoints and server ------------------------------------------------------------------


def test_control_endpoints(client, emulator, fake):
    assert len(client.get("/_emu/users").get_json()) == 5
    result = client.post(f"/_emu/users/{ALICE}/text", json={"content": "来自网页"}).get_json()
    assert result["status"] == 200 and result["attempts"] == 1
    assert client.post(f"/_emu/users/{ALICE}/image", json={}).get_json()["status"] == 200
    assert fake.messages[-1].type == "image"
    token = fetch_token(client)
    client.post("/_emu/faults", json={"fail": {"errcode": 40001, "count": 1}})
    assert call(client, "/cgi-bin/menu/get", token)["errcode"] == 40001
    assert call(client, "/cgi-bin/menu/get", token)["errcode"] == 46003
    client.post("/_emu/clock", json={"advance": 10})
    assert client.post("/_emu/flush").get_json()["posted"] == 0
    chat = client.get(f"/_emu/chat/{ALICE}").get_json()
    assert [entry["kind"] for entry in chat] == ["sent", "sent"]
    client.post(f"/_emu/users/{ALICE}/unsubscribe", json={})
    refused = client.post(f"/_emu/users/{ALICE}/text", json={"content": "x"})
    assert refused.status_code == 409
    assert client.get("/").status_code == 200


def test_serve_in_thread(app, emulator):
    server, base_url = serve_in_thread(app)
    try:
        emulator.public_url = base_url
        users = requests.get(base_url + "_emu/users", timeout=5).json()
        assert users[0]["openid"] == ALICE
        assert emulator.public_url == base_url
    finally:
        server.shutdown()
