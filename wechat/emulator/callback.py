"""The callback driver: WeChat → app POSTs, signed and encrypted per mode, with retries.

Query: signature, timestamp, nonce, openid (+ encrypt_type=aes, msg_signature in compat/safe).
Each attempt waits EMULATOR_CALLBACK_TIMEOUT; on timeout, connection error or HTTP 5xx WeChat
posts again ("总共重试三次") with a fresh timestamp and nonce and the same body fields.
The query timestamp is wall-clock time (the app's replay window); CreateTime uses the emulator
clock. 详情请参阅 fact sheet §1 and
https://developers.weixin.qq.com/doc/service/guide/dev/push/
"""

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto

SERVICE_DOWN = "该公众号暂时无法提供服务，请稍后再试"
HEADERS = {"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0", "Pragma": "no-cache"}
Transport = Callable[..., tuple[int, bytes]]


@dataclass
class CallbackResult:
    """What one push achieved: last HTTP status, attempts made, parsed reply, raw body."""

    status: int | None
    attempts: int
    reply: dict | None
    raw: str
    error: str | None = None
    message: dict | None = None


def cdata(text: str) -> str:
    """A CDATA section, splitting any "]]>" inside."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(fields: dict) -> str:
    """WeChat-style XML: strings in CDATA, numbers bare, dicts nested, lists as <item>s."""
    return "<xml>" + "".join(_element(key, value) for key, value in fields.items()) + "</xml>"


def _element(key: str, value) -> str:
    if isinstance(value, dict):
        inner = "".join(_element(k, v) for k, v in value.items())
    elif isinstance(value, list):
        inner = "".join(
            "<item>" + "".join(_element(k, v) for k, v in item.items()) + "</item>"
            for item in value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        inner = str(value)
    else:
        inner = cdata("" if value is None else str(value))
    return f"<{key}>{inner}</{key}>"


def sha1_signature(*parts: str) -> str:
    """sha1 of the sorted, concatenated parts (signature and msg_signature)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def requests_transport() -> Transport:
    """The default transport: one keep-alive requests.Session per thread."""
    local = threading.local()

    def transport(method, url, params, data, headers, timeout) -> tuple[int, bytes]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.request(method, url, params=params, data=data, headers=headers,
                                   timeout=timeout, allow_redirects=False)
        return response.status_code, response.content

    return transport


def parse_reply(fields: dict) -> dict:
    """A passive reply's XML fields as {"type", ...}; ValueError for an unknown MsgType."""
    kind = (fields.get("MsgType") or "").lower()
    if kind == "text":
        return {"type": "text", "content": fields.get("Content") or ""}
    if kind in ("image", "voice"):
        return {"type": kind, "media_id": (fields.get(kind.capitalize()) or {}).get("MediaId")}
    if kind == "video":
        video = fields.get("Video") or {}
        return {"type": "video", "media_id": video.get("MediaId"),
                "title": video.get("Title"), "description": video.get("Description")}
    if kind == "music":
        music = fields.get("Music") or {}
        return {"type": "music", "title": music.get("Title"), "url": music.get("MusicUrl")}
    if kind == "news":
        items = (fields.get("Articles") or {}).get("item") or []
        items = items if isinstance(items, list) else [items]
        return {"type": "news", "articles": [
            {"title": item.get("Title"), "description": item.get("Description"),
             "url": item.get("Url"), "picurl": item.get("PicUrl")} for item in items]}
    if kind == "transfer_customer_service":
        return {"type": "transfer_customer_service"}
    raise ValueError(f"unknown reply MsgType {kind!r}")


class DeliveryMixin:
    """Signing, posting and reply decoding for the Emulator."""

    def _init_delivery(self) -> None:
        self.transport: Transport = requests_transport()
        self._crypto_cache: tuple[tuple, WeChatCrypto] | None = None

    @property
    def crypto(self) -> WeChatCrypto:
        """WeChatCrypto for the current token, AES key and appid (mode may change at runtime)."""
        key = (self.token, self.aes_key, self.appid)
        if not self.aes_key:
            raise ValueError(f"EMULATOR_MODE={self.mode} needs WECHAT_AES_KEY")
        if self._crypto_cache is None or self._crypto_cache[0] != key:
            self._crypto_cache = (key, WeChatCrypto(*key))
        return self._crypto_cache[1]

    def deliver(self, fields: dict, attempts: int | None = None,
                user_visible: bool = True) -> CallbackResult:
        """POST one message or event to the callback URL, retrying like WeChat."""
        xml = render_xml(fields)
        openid = str(fields.get("FromUserName", ""))
        limit = attempts or self.callback_attempts
        status, raw, error = None, b"", None
        for attempt in range(1, limit + 1):
            status, raw, error = self._post_once(xml, fields, openid)
            if error is None and status is not None and status < 500:
                break
        result = self._result(status, attempt, raw, error, fields)
        if user_visible:
            self._record_outcome(openid, result)
        return result

    def verify_url(self) -> bool:
        """The GET echostr handshake: True when the app echoes echostr back."""
        timestamp, nonce = str(int(time.time())), self._nonce()
        echostr = str(secrets.randbelow(10**19))
        params = {"signature": sha1_signature(self.token, timestamp, nonce),
                  "timestamp": timestamp, "nonce": nonce, "echostr": echostr}
        try:
            status, body = self.transport("GET", self.callback_url, params, b"", {},
                                          self.callback_timeout)
        except (requests.RequestException, OSError):
            return False
        return status == 200 and body.decode("utf-8", "replace") == echostr

    def _post_once(self, xml: str, fields: dict, openid: str):
        """One signed attempt: (status, body, error text or None)."""
        params, body = self._sign(xml, fields, openid)
        with self._lock:
            self._stats["callback_posts"] += 1
        try:
            status, raw = self.transport("POST", self.callback_url, params, body, dict(HEADERS),
                                         self.callback_timeout)
        except (requests.RequestException, OSError) as exc:
            return None, b"", f"{type(exc).__name__}: {exc}"
        error = f"HTTP {status}" if status >= 500 else None
        return status, raw or b"", error

    def _sign(self, xml: str, fields: dict, openid: str) -> tuple[dict, bytes]:
        """Query parameters and body for the current mode, fresh timestamp and nonce."""
        timestamp, nonce = str(int(time.time())), self._nonce()
        params = {"signature": sha1_signature(self.token, timestamp, nonce),
                  "timestamp": timestamp, "nonce": nonce, "openid": openid}
        if self.mode == "plain":
            return params, xml.encode("utf-8")
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        encrypt = envelope["Encrypt"]
        params.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        if self.mode == "compat":
            body = render_xml({**fields, "Encrypt": encrypt})
        else:
            body = render_xml({"ToUserName": fields.get("ToUserName", self.original_id),
                               "Encrypt": encrypt})
        return params, body.encode("utf-8")

    def _result(self, status, attempts, raw: bytes, error, fields) -> CallbackResult:
        text = raw.decode("utf-8", "replace")
        reply = None
        if error is None and status is not None and status >= 400:
            error = f"HTTP {status}"
        if error is None:
            try:
                reply = self._decode_reply(text)
            except Exception as exc:  # any undecodable reply is shown as a service failure
                error = f"invalid reply: {exc}"
        return CallbackResult(status, attempts, reply, text, error, dict(fields))

    def _decode_reply(self, text: str) -> dict | None:
        """None for "success"/empty, else the reply (decrypted and verified in aes modes)."""
        if text.strip() in ("", "success"):
            return None
        fields = xmltodict.parse(text)["xml"]
        if "Encrypt" in fields:
            if self.mode == "plain":
                raise ValueError("encrypted reply in plaintext mode")
            inner = self.crypto.decrypt_message(fields, fields.get("MsgSignature"),
                                                fields.get("TimeStamp"), fields.get("Nonce"))
            fields = xmltodict.parse(inner)["xml"]
        elif self.mode == "safe":
            raise ValueError("plaintext reply in safe mode")
        return parse_reply(fields)

    def _record_outcome(self, openid: str, result: CallbackResult) -> None:
        """Passive replies land in the inbox; failures show WeChat's service-down notice."""
        if result.error:
            self.record(openid, {"kind": "system", "type": "text", "content": SERVICE_DOWN})
        elif result.reply:
            entry = {"kind": "reply", **result.reply}
            if entry.get("media_id"):
                entry["url"] = self.media_url(entry["media_id"])
            self.record(openid, entry)

    @staticmethod
    def _nonce() -> str:
        return str(secrets.randbelow(9 * 10**9) + 10**9)
