"""The callback protocol (消息与事件推送): verify, decrypt and parse; encrypt replies.

Plaintext, compatible and safe mode exactly as wechat-platform.md §1 describes:
signature = sha1(sorted(token, timestamp, nonce)); in aes modes also
msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt)), AES-256-CBC per §1.3.
详情请参阅 https://developers.weixin.qq.com/doc/oplatform/developers/dev/push/encryption.html
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.messages import BaseMessage

MAX_BODY = 64 * 1024
REPLAY_WINDOW = 300  # seconds between the signed timestamp and now
_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(Exception):
    """A callback we will not process; `status` is the HTTP answer, `reason` goes to the log."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Inbound:
    """A verified, decrypted and parsed callback."""

    message: BaseMessage
    xml: str
    encrypted: bool


def signature_of(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Gateway:
    """Holds the account's Token, AppID and EncodingAESKey; one per process."""

    def __init__(self, token: str, appid: str, aes_key: str = ""):
        self.token = token
        self.appid = appid
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self._key = base64.b64decode(aes_key + "=") if aes_key else b""

    def verify(self, args, now: float) -> None:
        """Check `signature` (constant time) and the timestamp window, or raise Refused(403)."""
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        expected = signature_of(self.token, timestamp, nonce)
        if not hmac.compare_digest(expected, args.get("signature", "")):
            raise Refused(403, "bad or missing signature")
        try:
            skew = abs(now - int(timestamp))
        except ValueError:
            raise Refused(403, "timestamp is not a number") from None
        if skew > REPLAY_WINDOW:
            raise Refused(403, f"timestamp {skew:.0f}s away from now (replay window)")

    def decode(self, args, body: bytes, now: float) -> Inbound:
        """Verify, decrypt when `encrypt_type=aes`, and parse one POSTed message or event."""
        self.verify(args, now)
        if len(body) > MAX_BODY:
            raise Refused(413, f"body of {len(body)} bytes")
        encrypted = args.get("encrypt_type", "raw") == "aes"
        xml = self._decrypt(args, _parse_xml(body)) if encrypted else body.decode("utf-8", "replace")
        return Inbound(_parse_message(xml), xml, encrypted)

    def encode(self, reply_xml: str, inbound: Inbound, now: float) -> str:
        """The reply body: `success` for nothing, else the XML (encrypted in aes modes)."""
        if not reply_xml:
            return "success"
        if inbound.encrypted:
            return self.crypto.encrypt_message(reply_xml, secrets.token_hex(8), str(int(now)))
        return reply_xml

    def _decrypt(self, args, fields: dict) -> str:
        if self.crypto is None:
            raise Refused(400, "encrypted callback but no WECHAT_AES_KEY configured")
        encrypt = fields.get("Encrypt") or ""
        expected = signature_of(self.token, args.get("timestamp", ""), args.get("nonce", ""), encrypt)
        if not hmac.compare_digest(expected, args.get("msg_signature", "")):
            raise Refused(403, "bad or missing msg_signature")
        try:
            return PrpCrypto(self._key).decrypt(encrypt, self.appid)
        except Exception as exc:  # wechatpy raises several types on bad input (§1.3)
            raise Refused(400, f"undecryptable ({type(exc).__name__})") from None


def _parse_message(xml: str) -> BaseMessage:
    """wechatpy's message object for one plaintext callback, or Refused(400)."""
    if _FORBIDDEN.search(xml.encode()):
        raise Refused(400, "DOCTYPE or entity in XML")
    try:
        message = parse_message(xml)
    except KeyError:
        raise Refused(400, "no MsgType") from None
    except Exception as exc:
        raise Refused(400, f"malformed XML ({type(exc).__name__})") from None
    fields = getattr(message, "_data", None)
    if not isinstance(fields, dict) or not fields.get("MsgType") or not fields.get("FromUserName"):
        raise Refused(400, "no MsgType or FromUserName")
    return message


def _parse_xml(body: bytes) -> dict:
    """Parse a flat `<xml>` document; DOCTYPE and entities are refused outright."""
    if _FORBIDDEN.search(body):
        raise Refused(400, "DOCTYPE or entity in XML")
    try:
        document = xmltodict.parse(body, disable_entities=True)
    except Exception as exc:
        raise Refused(400, f"malformed XML ({type(exc).__name__})") from None
    fields = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(fields, dict):
        raise Refused(400, "no <xml> root")
    return fields
