"""A property-based fuzz of the callback parser (issue 14, "In CI, bounded"): random shapes,
texts and bytes at `/wechat`, in plaintext and inside the AES envelope, are answered 200, 400
or 403, never a 500 and never a handler's logged failure.

Derandomized with a fixed example budget, so CI runs the same examples each time in seconds.
"""

import itertools
import logging
import time

import pytest
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from conftest import AES_KEY, APPID, TOKEN, openid, set_mode
from wechat.emulator.callback import cdata
from wechat.inbound import signature_of

FUZZ = settings(max_examples=100, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
NAMES = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "MsgID",
         "Event", "EventKey", "MediaId", "PicUrl", "Status", "Encrypt", "SendPicsInfo",
         "PicList", "item", "ScanCodeInfo", "xml", "a"]
EXTRA = ["SendPicsInfo", "PicList", "ScanCodeInfo", "SendLocationInfo", "item", "a", "xml"]
WORDS = ["帮助", "我的", "待办", "签收 1", "签收 99999999999999999999", "上报 1", "提交", "取消",
         "删除 1", "督办回复 1 已办", "绑定 123456", "绑定", "?", "<!DOCTYPE html>", "]]>",
         "&amp;", "\U0001f600", " ", ""]
HOSTILE = ["\u0000", "\ud800", "\x1b[31m", "&a;", "<![CDATA[", "\ufffe"]
MSG_TYPES = ["text", "TEXT", "image", "voice", "event", "location", "link", "file", "unknown",
             ""]
EVENTS = ["subscribe", "unsubscribe", "SCAN", "CLICK", "VIEW", "LOCATION",
          "TEMPLATESENDJOBFINISH", "pic_photo_or_album", "subscribe_msg_popup_event", ""]

words = st.one_of(st.sampled_from(WORDS),
                  st.text(st.characters(exclude_categories=["Cs", "Cc", "Cn"]), max_size=40),
                  st.integers(-2**70, 2**70).map(str), st.sampled_from(EVENTS + MSG_TYPES),
                  st.sampled_from(["qrscene_bind:123456", "bind:000000", "TASKS", "ME"]))
texts = st.one_of(words, st.sampled_from(HOSTILE), st.text(max_size=20))


def _trees(leaves):
    return st.recursive(leaves, lambda children: st.lists(
        st.tuples(st.sampled_from(NAMES), children), max_size=5), max_leaves=25)


trees = _trees(texts)


@st.composite
def messages(draw, shaped: bool) -> bytes:
    """A callback body: WeChat-shaped (fields as WeChat sends them, odd texts, extra nested
    elements), or not (any field hostile, nested, repeated or missing; a DTD in front)."""
    value = words if shaped else st.one_of(texts, trees)
    fields = [("ToUserName", "gh_fuzz"),
              ("FromUserName", draw(st.sampled_from([openid(1), openid(2)]) if shaped
                                    else value)),
              ("CreateTime", draw(st.just(str(int(time.time()))) if shaped else value)),
              ("MsgType", draw(st.sampled_from(MSG_TYPES) if shaped else value)),
              ("Event", draw(st.sampled_from(EVENTS) if shaped else value)),
              ("Content", draw(value)), ("EventKey", draw(value)), ("MsgId", draw(value))]
    if shaped:
        fields += draw(st.lists(st.tuples(st.sampled_from(EXTRA), _trees(words)), max_size=2))
    else:
        fields = [field for field in draw(st.permutations(fields)) if draw(st.booleans())]
        fields += draw(st.lists(st.tuples(st.sampled_from(NAMES + EXTRA), trees), max_size=3))
    body = _element("xml", fields, draw(st.booleans()))
    prefix = "" if shaped else draw(st.sampled_from([
        "", "", "", "", '<?xml version="1.0"?>', "<!DOCTYPE xml>",
        '<!DOCTYPE x [<!ENTITY a "b">]>', '<!DOCTYPE x SYSTEM "file:///etc/passwd">']))
    return (prefix + body).encode("utf-8", "surrogatepass")


def _element(name: str, value, use_cdata: bool) -> str:
    if isinstance(value, list):
        inner = "".join(_element(child, grand, use_cdata) for child, grand in value)
    elif use_cdata:
        inner = cdata(value)
    else:
        inner = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{name}>{inner}</{name}>"


BODIES = {
    "shaped": messages(shaped=True),
    "odd": messages(shaped=False),
    "bytes": st.one_of(
        messages(shaped=True).flatmap(lambda xml: st.integers(0, len(xml)).map(
            lambda cut: xml[:cut])),  # cut anywhere, in a character too
        st.binary(max_size=300),
        st.integers(1, 6000).map(lambda depth: (
            "<xml><Content>" + "<a>" * depth + "x" + "</a>" * depth + "</Content></xml>"
        ).encode())),
}


class Signer:
    """Freshly signed query strings (a new nonce each, so none is refused as a replay)."""

    def __init__(self):
        self.nonces = itertools.count(10**9)
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    def plain(self, body: bytes) -> tuple[dict, bytes]:
        timestamp, nonce = str(int(time.time())), str(next(self.nonces))
        return {"signature": signature_of(TOKEN, timestamp, nonce), "timestamp": timestamp,
                "nonce": nonce, "openid": openid(1)}, body

    def safe(self, body: bytes) -> tuple[dict, bytes]:
        args, _ = self.plain(b"")
        text = body.decode("utf-8", "replace")
        envelope = xmltodict.parse(self.crypto.encrypt_message(text, args["nonce"],
                                                               args["timestamp"]))["xml"]
        args.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        return args, (f"<xml><ToUserName>gh_fuzz</ToUserName>"
                      f"<Encrypt>{envelope['Encrypt']}</Encrypt></xml>").encode()


def _fuzz(client, caplog, sign, body: bytes) -> None:
    args, data = sign(body)
    seen = len(caplog.records)
    response = client.post("/wechat", query_string=args, data=data)
    assert response.status_code in (200, 400, 403), (response.status_code, body)
    errors = [record for record in caplog.records[seen:] if record.levelno >= logging.ERROR]
    assert not errors, (errors[0].getMessage(), body)


@pytest.mark.parametrize("bodies", BODIES)
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_callbacks_of_any_shape(app, emulator, client, make_bound_person, caplog, mode, bodies):
    make_bound_person(1)
    set_mode(app, emulator, mode)
    signer = Signer()
    sign = signer.safe if mode == "safe" else signer.plain

    @FUZZ
    @given(BODIES[bodies])
    def fuzz(body: bytes) -> None:
        _fuzz(client, caplog, sign, body)

    fuzz()
