"""The callback `/wechat` driven by the emulator: every type, both modes, every refusal."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
import xmltodict
from wechatpy.crypto import WeChatCrypto

from conftest import AES_KEY, APPID, TOKEN, openid, same_clock, set_mode
from handlers.wechat import texts
from jobs import dedicated_redis
from models import AuditEvent, BindCode, InboundMessage, WechatBinding, session, utcnow
from wechat.inbound import signature_of

MODES = ["plain", "compat", "safe"]


@pytest.fixture(params=MODES)
def mode(request, app, emulator):
    set_mode(app, emulator, request.param)
    return request.param


def test_get_verification_echoes_echostr(emulator):
    assert emulator.verify_url() is True


def test_get_verification_refuses_bad_signature(client):
    response = client.get("/wechat", query_string={
        "signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "1", "echostr": "x"})
    assert response.status_code == 403
    assert b"x" not in response.data


def test_signature_matches_official_vector():
    # wechat-platform.md §1.1: the documented example.
    assert signature_of("AAAAA", "1714037059", "486452656") == \
        "899cf89e464efb63f54ddac96b0a0a235f53aa78"


def test_text_help_in_every_mode(mode, emulator, make_bound_person):
    make_bound_person(1)
    result = emulator.send_text(openid(1), "帮助")
    assert result.status == 200
    assert result.reply == {"type": "text", "content": texts.HELP}
    if mode == "safe":
        assert "<Encrypt>" in result.raw and texts.HELP not in result.raw


def test_me_answers_name_unit_and_role(mode, emulator, make_bound_person):
    person = make_bound_person(1, name="李秀英", title="党委书记")
    reply = emulator.send_text(openid(1), "我的").reply["content"]
    assert "李秀英" in reply and person.unit.name in reply and "党组织书记" in reply


@pytest.mark.parametrize("send", [
    lambda e, o: e.send_voice(o),
    lambda e, o: e.send_video(o),
    lambda e, o: e.send_shortvideo(o),
    lambda e, o: e.send_location(o, 25.8, 114.9, label="县政府"),
    lambda e, o: e.send_link(o, "标题", "描述", "https://example.org/a"),
    lambda e, o: e.send_file(o),
], ids=["voice", "video", "shortvideo", "location", "link", "file"])
def test_unsupported_message_types_get_a_short_help_text(mode, emulator, make_bound_person, send):
    make_bound_person(1)
    result = send(emulator, openid(1))
    assert result.status == 200
    assert result.reply == {"type": "text", "content": texts.UNSUPPORTED}


@pytest.mark.parametrize("send", [
    lambda e, o: e.location_event(o, 25.8, 114.9),
    lambda e, o: e.view(o, "http://127.0.0.1/m/"),
    lambda e, o: e.scan(o, "some-other-scene"),
    lambda e, o: e.send_event(o, "scancode_push", EventKey="SCAN",
                              ScanCodeInfo={"ScanType": "qrcode", "ScanResult": "x"}),
    lambda e, o: e.send_event(o, "location_select", EventKey="LOC"),
    lambda e, o: e.send_event(o, "pic_photo_or_album", EventKey="REPORT_PHOTO",
                              SendPicsInfo={"Count": 0}),
    lambda e, o: e.send_event(o, "subscribe_msg_popup_event"),
    lambda e, o: e.send_event(o, "a_future_event_nobody_knows"),
    lambda e, o: e.send_event(o, "TEMPLATESENDJOBFINISH", MsgID="123", Status="success"),
], ids=["LOCATION", "VIEW", "SCAN", "scancode_push", "location_select", "pic", "popup",
        "future", "TEMPLATESENDJOBFINISH"])
def test_quiet_events_are_accepted_without_reply(mode, emulator, make_bound_person, send):
    make_bound_person(1)
    result = send(emulator, openid(1))
    assert result.status == 200
    assert result.reply is None


def test_photo_without_a_task_says_so(mode, emulator, make_bound_person):
    make_bound_person(1)
    assert emulator.send_image(openid(1)).reply["content"] == texts.PHOTO_KEPT_NO_TASK


def test_click_me_answers_like_the_command(mode, emulator, make_bound_person):
    make_bound_person(1, name="王志强")
    assert "王志强" in emulator.click(openid(1), "ME").reply["content"]


def test_unbound_user_gets_binding_instructions(mode, emulator):
    assert emulator.send_text(openid(5), "我的").reply["content"] == texts.BIND_INSTRUCTIONS
    assert emulator.click(openid(5), "TASKS").reply["content"] == texts.BIND_INSTRUCTIONS


def test_retried_message_has_one_effect_and_the_same_reply(emulator, make_person, now):
    from models.wechat_binding import issue_bind_code

    person = make_person()
    code = issue_bind_code(person, now=now).code
    session.commit()
    fields = {"ToUserName": emulator.original_id, "FromUserName": openid(2),
              "CreateTime": int(time.time()), "MsgType": "text", "Content": f"绑定 {code}",
              "MsgId": 7_000_001}
    results = emulator.push_raw(fields, copies=3)
    replies = [result.reply["content"] for result in results]
    assert replies[0].startswith("绑定成功") and replies == [replies[0]] * 3
    assert session.scalar(sa.select(sa.func.count(WechatBinding.id))) == 1
    binds = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "wechat.bind")
    assert session.scalar(binds) == 1
    assert session.get(BindCode, 1).used_by_openid == openid(2)


def test_redis_down_still_answers_reading_commands(app, emulator, make_bound_person,
                                                   monkeypatch):
    import redis

    make_bound_person(1, name="吴德明")
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(unix_socket_path="/nonexistent"))
    assert "吴德明" in emulator.send_text(openid(1), "我的").reply["content"]
    assert session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 0


def test_a_connection_redis_dropped_is_opened_again_for_the_next_message(app, emulator,
                                                                          make_bound_person):
    """The callback keeps one Redis connection per process (jobs.dedicated_redis): after Redis
    restarts or drops it, the next message is answered as usual, claimed and deduplicated."""
    make_bound_person(1, name="吴德明")
    assert "吴德明" in emulator.send_text(openid(1), "我的").reply["content"]
    with app.app_context():
        kept = dedicated_redis().client_id()
    shared = app.extensions["redis"]
    assert shared.client_kill_filter(_id=kept) == 1  # what a restart does to it
    again = emulator.send_text(openid(1), "我的")
    assert "吴德明" in again.reply["content"]
    with app.app_context():
        assert dedicated_redis().client_id() != kept
    [retry] = emulator.push_raw(again.message, copies=1)  # WeChat's retry: the first answer
    assert retry.status == 200 and retry.reply == again.reply


def test_redis_down_keeps_a_binding_and_carries_it_out_later(app, emulator, make_person, work,
                                                             monkeypatch, now):
    import redis

    from handlers.wechat.inbox import replay_pending
    from models.wechat_binding import issue_bind_code, person_for_openid

    person = make_person(name="曹光辉")
    code = issue_bind_code(person, now=utcnow()).code
    session.commit()
    working = app.extensions["redis"]
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(unix_socket_path="/nonexistent"))
    result = emulator.send_text(openid(3), f"绑定 {code}")
    assert result.status == 200 and result.reply["content"] == texts.DEFERRED
    assert session.scalar(sa.select(InboundMessage.status)) == "pending"
    # A WeChat retry while Redis is still down is kept once, not twice.
    emulator.push_raw(result.message, copies=1)
    assert session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1
    assert person_for_openid(openid(3)) is None

    monkeypatch.setitem(app.extensions, "redis", working)
    assert replay_pending() == 1
    work()
    assert person_for_openid(openid(3)).id == person.id
    custom = [m for m in emulator.inbox(openid(3)) if m["kind"] == "custom"]
    assert len(custom) == 1 and custom[0]["content"].startswith("绑定成功")
    assert replay_pending() == 0


# Refusals: crafted requests straight at the endpoint.

def _signed(timestamp=None, nonce="42"):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"signature": signature_of(TOKEN, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, "openid": openid(1)}


def _text_xml(content="帮助", msg_id=1):
    return (f"<xml><ToUserName>gh_1</ToUserName><FromUserName>{openid(1)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
            f"<Content>{content}</Content><MsgId>{msg_id}</MsgId></xml>")


def _encrypted(xml: str, appid=APPID, key=AES_KEY):
    timestamp, nonce = str(int(time.time())), "77"
    envelope = xmltodict.parse(WeChatCrypto(TOKEN, key, appid).encrypt_message(xml, nonce, timestamp))
    encrypt = envelope["xml"]["Encrypt"]
    args = {"signature": signature_of(TOKEN, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, "encrypt_type": "aes",
            "msg_signature": signature_of(TOKEN, timestamp, nonce, encrypt)}
    return args, f"<xml><ToUserName>gh_1</ToUserName><Encrypt>{encrypt}</Encrypt></xml>"


@pytest.mark.parametrize("args, body, status", [
    (lambda: {}, _text_xml, 403),
    (lambda: {**_signed(), "signature": "f" * 40}, _text_xml, 403),
    (lambda: _signed(timestamp=int(time.time()) - 301), _text_xml, 403),
    (lambda: _signed(timestamp=int(time.time()) + 3600), _text_xml, 403),
    (_signed, lambda: "<xml><MsgType>text" + "x" * 70_000 + "</MsgType></xml>", 413),
    (_signed, lambda: "<xml><MsgType>text</MsgType", 400),
    (_signed, lambda: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>', 400),
    (_signed, lambda: "<xml><FromUserName>o</FromUserName><Content>hi</Content></xml>", 400),
    (_signed, lambda: "not xml at all", 400),
    (_signed, lambda: "", 400),
], ids=["no-signature", "bad-signature", "replayed", "future", "too-big", "malformed",
        "doctype", "no-msgtype", "garbage", "empty"])
def test_refusals(client, args, body, status, caplog):
    response = client.post("/wechat", query_string=args(), data=body().encode())
    assert response.status_code == status
    assert "refused" in caplog.text and TOKEN not in caplog.text


def test_refuses_bad_msg_signature(client):
    args, body = _encrypted(_text_xml())
    response = client.post("/wechat", query_string={**args, "msg_signature": "0" * 40}, data=body)
    assert response.status_code == 403


def test_refuses_foreign_appid(client):
    args, body = _encrypted(_text_xml(), appid="wxforeign0000000")
    assert client.post("/wechat", query_string=args, data=body).status_code == 400


def test_refuses_undecryptable_ciphertext(client):
    args, body = _encrypted(_text_xml(), key="Z" * 43)
    assert client.post("/wechat", query_string=args, data=body).status_code == 400


def test_encrypted_doctype_inside_is_refused(client):
    args, body = _encrypted('<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>')
    assert client.post("/wechat", query_string=args, data=body).status_code == 400


def test_safe_mode_reply_is_encrypted(client, make_bound_person):
    make_bound_person(1)
    args, body = _encrypted(_text_xml("帮助", msg_id=99))
    response = client.post("/wechat", query_string=args, data=body)
    envelope = xmltodict.parse(response.data)["xml"]
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    inner = crypto.decrypt_message(response.data, envelope["MsgSignature"], envelope["TimeStamp"],
                                   envelope["Nonce"])
    assert xmltodict.parse(inner)["xml"]["Content"] == texts.HELP


def test_retried_reading_command_gets_the_first_reply(app, emulator, make_bound_person):
    person = make_bound_person(1, name="马振华")
    fields = {"ToUserName": emulator.original_id, "FromUserName": openid(1),
              "CreateTime": int(time.time()), "MsgType": "text", "Content": "我的",
              "MsgId": 7_000_002}
    first = emulator.push_raw(fields, copies=1)[0].reply["content"]
    person.name = "改名后"
    session.commit()  # even if the answer would now differ, a retry replays the first one
    replies = [result.reply["content"] for result in emulator.push_raw(fields, copies=2)]
    assert "马振华" in first and replies == [first, first]


def test_a_retry_after_redis_lost_everything_has_no_second_effect(app, emulator, make_person,
                                                                  now):
    """The dedupe of messages that change something is kept in the database too: after a
    FLUSHALL (or a Redis restart) WeChat's retry of a 绑定 gets the first answer, not "used"."""
    from conftest import flush_redis
    from models.wechat_binding import issue_bind_code

    code = issue_bind_code(make_person(), now=now).code
    session.commit()
    fields = {"ToUserName": emulator.original_id, "FromUserName": openid(2),
              "CreateTime": int(time.time()), "MsgType": "text", "Content": f"绑定 {code}",
              "MsgId": 7_000_003}
    first = emulator.push_raw(fields, copies=1)[0].reply["content"]
    flush_redis(app)
    again = emulator.push_raw(fields, copies=1)[0].reply["content"]
    assert first.startswith("绑定成功") and again == first
    binds = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "wechat.bind")
    assert session.scalar(binds) == 1


def test_database_down_the_callback_answers_politely_and_keeps_the_message(app, emulator,
                                                                           make_person, work,
                                                                           now):
    from handlers.wechat.inbox import replay_pending
    from models.db import make_engine
    from models.wechat_binding import issue_bind_code, person_for_openid

    person = make_person(name="曹光辉")
    code = issue_bind_code(person, now=now).code
    session.commit()
    session.remove()
    session.configure(bind=make_engine("sqlite:////nonexistent/qinglian.db"))
    try:
        reading = emulator.send_text(openid(3), "帮助")
        acting = emulator.send_text(openid(3), f"绑定 {code}")
        emulator.push_raw(acting.message, copies=1)  # WeChat's retry
    finally:
        session.remove()
        session.configure(bind=app.extensions["db_engine"])
    assert (reading.status, reading.reply["content"]) == (200, texts.SERVER_ERROR)
    assert (acting.status, acting.reply["content"]) == (200, texts.DEFERRED)
    assert person_for_openid(openid(3)) is None
    assert replay_pending() == 1  # the retry was kept once
    work()
    assert person_for_openid(openid(3)).id == person.id
    custom = [m for m in emulator.inbox(openid(3)) if m["kind"] == "custom"]
    assert len(custom) == 1 and custom[0]["content"].startswith("绑定成功")


# WECHAT_MODE: the platform's 明文 / 兼容 / 安全模式 (issue 14, item 9).

def test_mode_defaults_to_safe_with_a_key_and_plain_without():
    from wechat.inbound import Gateway

    assert Gateway(TOKEN, APPID, AES_KEY).mode == "safe"
    assert Gateway(TOKEN, APPID, "").mode == "plain"
    for mode, key in (("compat", ""), ("safe", ""), ("secure", AES_KEY)):
        with pytest.raises(ValueError, match="WECHAT_MODE"):
            Gateway(TOKEN, APPID, key, mode)


def test_safe_mode_refuses_a_plaintext_body(app, emulator, client, make_bound_person):
    make_bound_person(1)
    set_mode(app, emulator, "safe")
    response = client.post("/wechat", query_string=_signed(), data=_text_xml("我的").encode())
    assert response.status_code == 403 and "姓名" not in response.get_data(as_text=True)
    args, body = _encrypted(_text_xml("我的"))
    assert "姓名" in _decrypted_content(client.post("/wechat", query_string=args, data=body))


@pytest.mark.parametrize("mode", ["plain", "compat"])
def test_plain_and_compat_modes_take_plaintext_and_encrypted_bodies(app, emulator, client,
                                                                    make_bound_person, mode):
    make_bound_person(1, name="贺兰山")
    set_mode(app, emulator, mode)
    plain = client.post("/wechat", query_string=_signed(), data=_text_xml("我的", msg_id=1))
    assert "贺兰山" in xmltodict.parse(plain.data)["xml"]["Content"]
    args, body = _encrypted(_text_xml("我的", msg_id=2))
    assert "贺兰山" in _decrypted_content(client.post("/wechat", query_string=args, data=body))


def test_the_emulator_sends_what_wechat_sends_in_each_mode(mode, emulator, make_bound_person):
    """Each mode's query and body (fact sheet §1.2), as the app receives them."""
    make_bound_person(1)
    sent = []
    transport = emulator.transport

    def spy(method, url, params, data, headers, timeout):
        sent.append((params, xmltodict.parse(data)["xml"]))
        return transport(method, url, params, data, headers, timeout)

    emulator.transport = spy
    try:
        assert emulator.send_text(openid(1), "帮助").reply["content"] == texts.HELP
    finally:
        emulator.transport = transport
    params, body = sent[0]
    aes = {"encrypt_type", "msg_signature"}
    assert set(params) == {"signature", "timestamp", "nonce", "openid"} | (
        aes if mode != "plain" else set())
    assert set(body) == {"plain": {"ToUserName", "FromUserName", "CreateTime", "MsgType",
                                   "Content", "MsgId"},
                         "compat": {"ToUserName", "FromUserName", "CreateTime", "MsgType",
                                    "Content", "MsgId", "Encrypt"},
                         "safe": {"ToUserName", "Encrypt"}}[mode]


def test_a_signed_query_string_carries_one_body_only(client, make_bound_person, make_person,
                                                     now):
    """Replaying a captured query string with another body is refused for as long as its
    timestamp is in the window; WeChat's retry of the same body still gets its answer."""
    from models.wechat_binding import issue_bind_code

    make_bound_person(1, name="龙首山")
    code = issue_bind_code(make_person(name="张冒名"), now=now).code
    session.commit()
    args = _signed(nonce="8675309")
    first = client.post("/wechat", query_string=args, data=_text_xml("我的", msg_id=11))
    forged = (f"<xml><ToUserName>gh_1</ToUserName><FromUserName>{openid(9)}</FromUserName>"
              f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
              f"<Content>绑定 {code}</Content><MsgId>12</MsgId></xml>")
    replayed = client.post("/wechat", query_string=args, data=forged)
    retried = client.post("/wechat", query_string=args, data=_text_xml("我的", msg_id=11))
    assert first.status_code == 200 and "龙首山" in first.get_data(as_text=True)
    assert replayed.status_code == 403
    assert session.scalar(sa.select(sa.func.count(WechatBinding.id))) == 1
    assert retried.status_code == 200 and retried.data == first.data


def test_a_replayed_query_with_a_reading_command_leaves_nothing(client, make_bound_person,
                                                                 make_template, now):
    """A forged 待办 on a replayed query string is refused before what it would have shown
    is recorded: the cadre's "签收 1" still means the list they saw themselves."""
    from models import ShownList, TemplateKind
    from models.dispatch import dispatch

    make_bound_person(1)
    dispatch(make_template(kind=TemplateKind.COMMON), "2026-12", now=now)
    session.commit()
    args = _signed(nonce="2718281")
    assert client.post("/wechat", query_string=args, data=_text_xml(msg_id=31)).status_code == 200
    replayed = client.post("/wechat", query_string=args, data=_text_xml("待办", msg_id=32))
    assert replayed.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(ShownList)) == 0


def test_a_used_nonce_is_remembered_for_the_window_only(app, client, make_bound_person):
    make_bound_person(1)
    args = _signed(nonce="5550100")
    assert client.post("/wechat", query_string=args, data=_text_xml(msg_id=21)).status_code == 200
    ttl = app.extensions["redis"].ttl(f"wechat:nonce:{args['timestamp']}:5550100")
    assert 290 <= ttl <= 301


def test_without_redis_the_nonce_check_lets_the_callback_through(app, client,
                                                                 make_bound_person,
                                                                 monkeypatch):
    import redis

    make_bound_person(1, name="祁连山")
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(unix_socket_path="/nonexistent"))
    response = client.post("/wechat", query_string=_signed(), data=_text_xml("我的"))
    assert response.status_code == 200 and "祁连山" in response.get_data(as_text=True)


def _decrypted_content(response) -> str:
    assert response.status_code == 200
    envelope = xmltodict.parse(response.data)["xml"]
    inner = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        response.data, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    return xmltodict.parse(inner)["xml"]["Content"]


# Odd shapes (issue 14, items 11 and 12): flat strings, bounded depth, DTDs refused by the
# parser and never by looking for "<!DOCTYPE" in the text.

def _xml(fields: str) -> str:
    return f"<xml><ToUserName>gh_1</ToUserName>{fields}<CreateTime>1</CreateTime></xml>"


@pytest.mark.parametrize("body", [
    _xml(f"<FromUserName><a>{openid(1)}</a></FromUserName><MsgType>text</MsgType>"
         "<Content>帮助</Content><MsgId>1</MsgId>"),
    _xml(f"<FromUserName>{openid(1)}</FromUserName><FromUserName>{openid(2)}</FromUserName>"
         "<MsgType>text</MsgType><Content>帮助</Content><MsgId>1</MsgId>"),
    _xml(f"<FromUserName>{openid(1)}</FromUserName><MsgType>text</MsgType>"
         "<Content>" + "<a>" * 5000 + "帮助" + "</a>" * 5000 + "</Content><MsgId>1</MsgId>"),
    _xml(f"<FromUserName>{openid(1)}</FromUserName><MsgType><t>text</t></MsgType>"
         "<Content>帮助</Content><MsgId>1</MsgId>"),
    _xml(f"<FromUserName>{openid(1)}</FromUserName><MsgType>event</MsgType>"
         "<Event>CLICK</Event><EventKey>ME</EventKey><EventKey>HELP</EventKey>"),
    _xml(f"<FromUserName>{openid(1)}</FromUserName><MsgType>text</MsgType>"
         "<Content>帮助</Content><MsgId><n>1</n></MsgId>"),
    '<!DOCTYPE xml><xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName>'
    '<MsgType>text</MsgType><Content>帮助</Content><MsgId>1</MsgId></xml>',
], ids=["nested-sender", "repeated-sender", "content-5000-deep", "nested-msgtype",
        "repeated-eventkey", "nested-msgid", "harmless-doctype"])
def test_odd_shapes_are_refused_not_a_500(mode, client, make_bound_person, body):
    make_bound_person(1)
    args, data = (_signed(), body) if mode == "plain" else _encrypted(body)
    response = client.post("/wechat", query_string=args, data=data.encode())
    assert response.status_code == 400


def test_a_repeated_encrypt_in_the_envelope_is_refused(client):
    args, body = _encrypted(_text_xml())
    doubled = body.replace("</xml>", "<Encrypt>AAAA</Encrypt></xml>")
    assert client.post("/wechat", query_string=args, data=doubled).status_code == 400


def test_nested_fields_wechat_does_send_still_reach_their_handler(mode, emulator,
                                                                  make_bound_person):
    make_bound_person(1)
    result = emulator.send_event(openid(1), "pic_photo_or_album", EventKey="REPORT_PHOTO",
                                 SendPicsInfo={"Count": 2, "PicList": [
                                     {"PicMd5Sum": "a" * 32}, {"PicMd5Sum": "b" * 32}]})
    assert (result.status, result.reply) == (200, None)


@pytest.mark.parametrize("words", ["<!DOCTYPE html>", "<!ENTITY 是什么",
                                   "网站首页开头的 <!DOCTYPE html> 已按要求整改"])
def test_text_mentioning_doctype_is_answered(mode, emulator, make_bound_person, words):
    make_bound_person(1)
    result = emulator.send_text(openid(1), words)
    assert result.status == 200 and result.reply["content"] == texts.UNKNOWN_COMMAND


def test_a_summary_mentioning_doctype_becomes_evidence(mode, emulator, make_bound_person,
                                                       make_template, now):
    from models import Evidence, Role, TemplateKind
    from models.dispatch import dispatch

    make_bound_person(1, role=Role.MEMBER, title="副书记")
    dispatch(make_template(title="门户网站整改", kind=TemplateKind.COMMON, category="加强组织领导"),
             "2026-12", now=now)
    session.commit()
    summary = "门户网站首页的 <!DOCTYPE html> 声明已补上，<![CDATA[ 旧代码 ]]> 已清理"
    for text in ("待办", "签收 1", "上报 1"):
        emulator.send_text(openid(1), text)
    reply = emulator.send_text(openid(1), summary).reply["content"]
    assert reply == texts.SUMMARY_RECEIVED.format(number=1)
    assert session.scalar(sa.select(Evidence.text)) == summary


def test_the_web_process_logs_the_callback_without_its_query_string(app, tmp_path):
    """The Procfile's gunicorn, as deployed: its access log must not hand out signed query
    strings (timestamp, nonce, signature) or openids to whoever reads the log."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "Procfile")) as f:
        web = next(line.split(":", 1)[1].strip() for line in f if line.startswith("web:"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = app.config
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": config["DATABASE_URL"],
           "REDIS_URL": config["REDIS_URL"], "SECRET_KEY": config["SECRET_KEY"],
           "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_AES_KEY": AES_KEY,
           "WECHAT_MODE": "plain", "WECHAT_API_BASE": config["WECHAT_API_BASE"],
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    log = tmp_path / "web.log"
    args = {**_signed(nonce="31415926"), "echostr": "ready"}
    path = "/wechat?" + "&".join(f"{key}={value}" for key, value in args.items())
    with open(log, "w") as out:
        web_process = subprocess.Popen(["sh", "-c", f"exec {web}"], cwd=root, env=same_clock(env),
                                       stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait for gunicorn (another process), not for a fixed time
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", path)
                # 200, or 403 should its clock differ from ours (faketime starts each process
                # at the same instant): logged the same way either way.
                status = connection.getresponse().status
                connection.close()
                break
            except OSError:
                assert web_process.poll() is None and time.monotonic() < deadline, \
                    log.read_text()
                time.sleep(0.1)
    finally:
        os.killpg(web_process.pid, signal.SIGTERM)
        web_process.wait(timeout=30)
    assert f'"GET /wechat HTTP/1.1" {status}' in log.read_text()
    for secret in (args["signature"], "31415926", args["timestamp"], openid(1)):
        assert secret not in log.read_text()
