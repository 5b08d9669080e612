"""The callback protocol (消息与事件推送): verify, decrypt and parse; encrypt replies.

Plaintext, compatible and safe mode exactly as wechat-platform.md §1 describes:
signature = sha1(sorted(token, timestamp, nonce)); in aes modes also
msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt)), AES-256-CBC per §1.3.
详情请参阅 https://developers.weixin.qq.com/doc/oplatform/developers/dev/push/encryption.html
"""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import NamedTuple
from xml.parsers import expat

from wechatpy.crypto import PrpCrypto
from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, BaseMessage, UnknownMessage

MAX_BODY = 64 * 1024
REPLAY_WINDOW = 300  # seconds between the signed timestamp and now
# The platform's own 消息加解密方式 (明文 / 兼容 / 安全模式): safe refuses plaintext bodies.
MODES = ("plain", "compat", "safe")
# <xml> → SendPicsInfo → PicList → item → PicMd5Sum is WeChat's deepest (5): room to spare,
# and a bound so that 5,000 nested elements cost nothing (issue 14, item 11).
MAX_DEPTH = 8
# Fields the app reads as text, and those of the AES envelope: nested or repeated → 400.
TEXT_FIELDS = frozenset((
    "ToUserName", "FromUserName", "CreateTime", "MsgType", "MsgId", "MsgID", "MsgDataId", "Idx",
    "Content", "MediaId", "PicUrl", "Format", "Recognition", "ThumbMediaId", "Location_X",
    "Location_Y", "Scale", "Label", "Title", "Description", "Url", "Event", "EventKey",
    "Ticket", "Latitude", "Longitude", "Precision", "Status", "Encrypt"))
NONCE_KEY = "wechat:nonce:"  # + timestamp:nonce → digest of the body first signed with them
ENVELOPE = ("<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
            "<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
            "<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>")


class Refused(Exception):
    """A callback we will not process; `status` is the HTTP answer, `reason` goes to the log."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


REPLAYED = "signed query string replayed with another body"


class Nonce(NamedTuple):
    """A signed (timestamp, nonce) to remember while the timestamp is inside the window, with
    the body it signed: the same query string with another body is a replay (Refused(403,
    REPLAYED)); with the same body it is WeChat's retry, which may reuse them (fact sheet
    §11) and which the message's dedupe answers. Checked by whoever makes the callback's
    Redis call (handlers/wechat/inbox.py), in that call."""

    key: str  # NONCE_KEY + timestamp:nonce
    digest: str  # sha1 of the body
    ttl: int  # seconds until the timestamp leaves the window


@dataclass
class Inbound:
    """A verified, decrypted and parsed callback."""

    message: BaseMessage
    xml: str
    encrypted: bool
    nonce: Nonce


def signature_of(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Gateway:
    """Holds the account's Token, AppID, EncodingAESKey and mode; one per process.

    `mode` is the platform's 消息加解密方式 (default: safe with a key, else plain).
    """

    def __init__(self, token: str, appid: str, aes_key: str = "", mode: str = ""):
        mode = mode or ("safe" if aes_key else "plain")
        if mode not in MODES:
            raise ValueError(f"WECHAT_MODE must be one of {', '.join(MODES)}, not {mode!r}")
        if mode != "plain" and not aes_key:
            raise ValueError(f"WECHAT_MODE={mode} needs WECHAT_AES_KEY")
        self.token = token
        self.appid = appid
        self.mode = mode
        self._aes = _Aes(base64.b64decode(aes_key + "=")) if aes_key else None

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
        if not encrypted and self.mode == "safe":
            raise Refused(403, "plaintext callback in safe mode")
        timestamp = args["timestamp"]
        nonce = Nonce(f"{NONCE_KEY}{timestamp}:{args.get('nonce', '')}",
                      hashlib.sha1(body).hexdigest(),
                      max(1, int(timestamp) + REPLAY_WINDOW - int(now) + 1))
        if encrypted:
            xml = self._decrypt(args, parse_fields(body))
        else:
            xml = body.decode("utf-8", "replace")
        return Inbound(parse_message(xml), xml, encrypted, nonce)

    def encode(self, reply_xml: str, inbound: Inbound, now: float) -> str:
        """The reply body: `success` for nothing, else the XML (encrypted in aes modes)."""
        if not reply_xml:
            return "success"
        if not inbound.encrypted:
            return reply_xml
        timestamp, nonce = str(int(now)), secrets.token_hex(8)
        encrypt = self._aes.encrypt(reply_xml, self.appid).decode()
        return ENVELOPE.format(encrypt=encrypt, nonce=nonce, timestamp=timestamp,
                               signature=signature_of(self.token, timestamp, nonce, encrypt))

    def _decrypt(self, args, fields: dict) -> str:
        if self._aes is None:
            raise Refused(400, "encrypted callback but no WECHAT_AES_KEY configured")
        encrypt = fields.get("Encrypt") or ""
        expected = signature_of(self.token, args.get("timestamp", ""), args.get("nonce", ""), encrypt)
        if not hmac.compare_digest(expected, args.get("msg_signature", "")):
            raise Refused(403, "bad or missing msg_signature")
        try:
            return self._aes.decrypt(encrypt, self.appid)
        except Exception as exc:  # wechatpy raises several types on bad input (§1.3)
            raise Refused(400, f"undecryptable ({type(exc).__name__})") from None


class _Aes(PrpCrypto):
    """wechatpy's AES-256-CBC scheme (fact sheet §1.3), built once per process rather than
    per message, its 16-character random prefix taken from the OS (wechatpy's random.sample
    was a fifth of a reply's crypto time)."""

    def get_random_string(self) -> str:
        return secrets.token_hex(8)


def text_reply(content: str, message: BaseMessage) -> str:
    """The passive text reply (被动回复用户消息) to `message`, as wechatpy's TextReply renders
    it, CDATA kept intact when the text holds "]]>".
    详情请参阅 https://developers.weixin.qq.com/doc/service/guide/product/message/Passive_user_reply_message.html
    """
    fields = message._data
    return (f"<xml>\n<ToUserName>{_cdata(fields['FromUserName'])}</ToUserName>\n"
            f"<FromUserName>{_cdata(fields.get('ToUserName', ''))}</FromUserName>\n"
            f"<CreateTime>{int(time.time())}</CreateTime>\n"
            f"<MsgType><![CDATA[text]]></MsgType>\n<Content>{_cdata(content)}</Content>\n</xml>")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def parse_message(xml: str) -> BaseMessage:
    """wechatpy's message object for one plaintext callback, or Refused(400).

    The class is chosen as wechatpy's parse_message does (wechatpy/parser.py, v1.8.18),
    over fields parsed by parse_fields instead of xmltodict.
    """
    fields = parse_fields(xml)
    if not fields.get("MsgType") or not fields.get("FromUserName"):
        raise Refused(400, "no MsgType or FromUserName")
    msg_type = fields["MsgType"].lower()
    if msg_type != "event":
        return MESSAGE_TYPES.get(msg_type, UnknownMessage)(fields)
    event, key = fields.get("Event", "").lower(), fields.get("EventKey", "")
    if event == "subscribe" and key.startswith(("scanbarcode|", "scanimage|")):
        event = fields["Event"] = "subscribe_scan_product"
    elif event == "subscribe" and key.startswith("qrscene_"):
        event = fields["Event"] = "subscribe_scan"  # 扫码关注: the scene without its prefix
        fields["EventKey"] = key.removeprefix("qrscene_")
    return EVENT_TYPES.get(event, UnknownMessage)(fields)


def parse_fields(xml: bytes | str) -> dict:
    """The children of a `<xml>` document: text as a string, nested elements as dicts,
    repeated ones as lists; or Refused(400) for a DTD (no entity is ever expanded), more
    than MAX_DEPTH levels, malformed XML, another root, or a TEXT_FIELDS field that is not
    text. 详情请参阅 https://docs.python.org/3/library/pyexpat.html"""
    tree = _Tree()
    parser = expat.ParserCreate("utf-8")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = tree.start
    parser.EndElementHandler = tree.end
    parser.CharacterDataHandler = tree.text
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise Refused(400, f"malformed XML ({expat.ErrorString(exc.code)})") from None
    name, fields = tree.root or ("", None)
    if name != "xml" or not isinstance(fields, dict):
        raise Refused(400, "no <xml> root")
    for field in TEXT_FIELDS.intersection(fields):
        if not isinstance(fields[field], str):
            raise Refused(400, f"{field} is not text")
    return fields


def _refuse_doctype(*_args) -> None:
    raise Refused(400, "DOCTYPE or entity in XML")


class _Tree:
    """expat's callbacks building parse_fields' dicts, one open element per stack entry."""

    def __init__(self):
        self.stack: list[tuple[str, dict, list[str]]] = []
        self.root: tuple[str, dict | str] | None = None

    def start(self, name: str, _attributes) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise Refused(400, f"XML nested deeper than {MAX_DEPTH}")
        self.stack.append((name, {}, []))

    def text(self, data: str) -> None:
        self.stack[-1][2].append(data)

    def end(self, _name: str) -> None:
        name, children, text = self.stack.pop()
        value = children or "".join(text).strip()
        if not self.stack:
            self.root = (name, value)
            return
        siblings = self.stack[-1][1]
        if name not in siblings:
            siblings[name] = value
        elif isinstance(siblings[name], list):
            siblings[name].append(value)
        else:
            siblings[name] = [siblings[name], value]
