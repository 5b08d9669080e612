"""Parametric QR codes: create, showqrcode PNG, lookup for scanning (fact sheet §6.4).

详情请参阅 https://developers.weixin.qq.com/doc/service/api/qrcode/qrcodes/api_createqrcode.html
"""

import base64
import io
import secrets
from dataclasses import dataclass

import segno

from wechat.emulator.errors import ApiError
from wechat.emulator.errors import UserActionError

DEFAULT_EXPIRE = 60
MAX_EXPIRE = 2592000
TEMPORARY = ("QR_SCENE", "QR_STR_SCENE")
PERMANENT = ("QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE")


@dataclass
class QRCode:
    """A created code; `expires_at` None for permanent ones."""

    ticket: str
    action_name: str
    scene: str
    url: str
    created_at: int
    expires_at: int | None

    def public(self, now: float) -> dict:
        """The JSON shape served at /_emu/qrcodes."""
        return {"ticket": self.ticket, "action_name": self.action_name, "scene": self.scene,
                "url": self.url, "created_at": self.created_at, "expires_at": self.expires_at,
                "expired": self.expires_at is not None and now >= self.expires_at}


def parse_scene(body: dict) -> tuple[str, str]:
    """(action_name, scene as text) of a qrcode/create body; 40035 on invalid arguments."""
    action = body.get("action_name")
    scene = ((body.get("action_info") or {}).get("scene") or {})
    if action in ("QR_SCENE", "QR_LIMIT_SCENE"):
        scene_id = scene.get("scene_id")
        high = 2**32 - 1 if action == "QR_SCENE" else 100000
        if isinstance(scene_id, bool) or not isinstance(scene_id, int) or not 0 < scene_id <= high:
            raise ApiError(40035)
        return action, str(scene_id)
    if action in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE"):
        scene_str = scene.get("scene_str")
        if not isinstance(scene_str, str) or not 1 <= len(scene_str) <= 64:
            raise ApiError(40035)
        return action, scene_str
    raise ApiError(40035)


class QRCodeMixin:
    """QR code registry for the Emulator (state under `self._lock`)."""

    def _reset_qrcodes(self) -> None:
        self._qrcodes: dict[str, QRCode] = {}

    def create_qrcode(self, body: dict) -> dict:
        """POST cgi-bin/qrcode/create → {"ticket", "expire_seconds", "url"}."""
        action, scene = parse_scene(body)
        with self._lock:
            now = int(self.now())
            if action in PERMANENT:
                return self._permanent_qrcode(action, scene, now)
            expire = body.get("expire_seconds") or DEFAULT_EXPIRE
            if not isinstance(expire, int) or expire <= 0:
                raise ApiError(40035)
            expire = min(expire, MAX_EXPIRE)
            code = self._new_qrcode(action, scene, now, now + expire)
            return {"ticket": code.ticket, "expire_seconds": expire, "url": code.url}

    def qrcode_png(self, ticket: str) -> bytes | None:
        """showqrcode: a PNG of the code's url, or None for an unknown ticket."""
        with self._lock:
            code = self._qrcodes.get(ticket)
        if code is None:
            return None
        buffer = io.BytesIO()
        segno.make(code.url, error="m").save(buffer, kind="png", scale=6, border=2)
        return buffer.getvalue()

    def find_qrcode(self, ticket: str) -> QRCode:
        """A scannable code; UserActionError when unknown or expired (二维码已过期)."""
        with self._lock:
            code = self._qrcodes.get(ticket)
            if code is None:
                raise UserActionError(f"unknown QR ticket {ticket!r}")
            if code.expires_at is not None and self.now() >= code.expires_at:
                raise UserActionError("二维码已过期")
            return code

    def ticket_for_scene(self, scene: str) -> str:
        """The ticket of a created code with this scene (the newest), else a made-up one."""
        with self._lock:
            for code in reversed(list(self._qrcodes.values())):
                if code.scene == str(scene):
                    return code.ticket
        return _new_ticket()

    def qrcodes(self) -> list[dict]:
        """Every created code, newest first."""
        with self._lock:
            now = self.now()
            return [code.public(now) for code in reversed(list(self._qrcodes.values()))]

    def _permanent_qrcode(self, action: str, scene: str, now: int) -> dict:
        """The same scene always yields the same permanent ticket."""
        for code in self._qrcodes.values():
            if code.action_name == action and code.scene == scene:
                return {"ticket": code.ticket, "url": code.url}
        code = self._new_qrcode(action, scene, now, None)
        return {"ticket": code.ticket, "url": code.url}

    def _new_qrcode(self, action: str, scene: str, now: int, expires_at: int | None) -> QRCode:
        ticket = _new_ticket()
        url = "http://weixin.qq.com/q/" + secrets.token_urlsafe(18)
        code = QRCode(ticket, action, scene, url, now, expires_at)
        self._qrcodes[ticket] = code
        return code


def _new_ticket() -> str:
    """Real tickets are standard base64 (with + / =): callers must URL-encode them."""
    return "gQ" + base64.b64encode(secrets.token_bytes(60)).decode()
