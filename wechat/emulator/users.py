"""Simulated WeChat users: stable openids and per-user state (follow, 48 h window, inbox)."""

import base64
import hashlib
from dataclasses import dataclass
from dataclasses import field


def simulated_openid(appid: str, index: int) -> str:
    """The openid of simulated user `index` under `appid`: 28 URL-safe chars starting with "o".

    Stable forever: the app's demo seed binds people to these openids.
    """
    digest = hashlib.sha256(f"{appid}:{index}".encode()).digest()
    return "o" + base64.urlsafe_b64encode(digest).decode()[:27]


def simulated_users(appid: str, count: int) -> list[dict]:
    """The first `count` simulated users as {openid, nickname} ("模拟用户01", ...)."""
    return [
        {"openid": simulated_openid(appid, index), "nickname": f"模拟用户{index:02d}"}
        for index in range(1, count + 1)
    ]


@dataclass
class SimUser:
    """One user as the platform sees them. Times are on the emulator's clock."""

    openid: str
    nickname: str
    subscribed: bool = True
    subscribe_time: int = 0
    subscribe_scene: str = "ADD_SCENE_SEARCH"
    qr_scene_str: str = ""
    last_interaction: float | None = None
    custom_sent: int = 0
    blocked: bool = False
    snapshot: bool = False
    opt_ins: dict = field(default_factory=dict)
    timeline: list = field(default_factory=list)

    def public(self) -> dict:
        """The JSON shape served at /_emu/users."""
        return {
            "openid": self.openid,
            "nickname": self.nickname,
            "subscribed": self.subscribed,
            "blocked": self.blocked,
            "snapshot": self.snapshot,
            "last_interaction": self.last_interaction,
        }
