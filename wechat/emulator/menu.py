"""Custom menu: create with WeChat's limits, get (46003 when none), delete (fact sheet §6.3).

详情请参阅 https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu.html
"""

import copy

from wechat.emulator.errors import ApiError

BUTTON_TYPES = {
    "click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
    "pic_weixin", "location_select", "media_id", "view_limited", "article_id",
    "article_view_limited", "miniprogram",
}
KEY_TYPES = {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
             "pic_weixin", "location_select"}
# errcodes for (top-level, sub-button)
SIZE = (40016, 40023)
TYPE = (40017, 40024)
NAME = (40018, 40025)
KEY = (40019, 40026)
URL = (40020, 40027)
DOMAIN = (40055, 40054)
NAME_LIMIT = (16, 60)


def _bytes(value) -> int:
    return len(str(value).encode("utf-8"))


def validate_menu(body: dict) -> list[dict]:
    """The buttons of a menu/create body, normalised as menu/get shows them; raises ApiError."""
    buttons = body.get("button") if isinstance(body, dict) else None
    if not isinstance(buttons, list):
        raise ApiError(47001)
    if not 1 <= len(buttons) <= 3:
        raise ApiError(40016)
    return [_top_button(button) for button in buttons]


def _top_button(button) -> dict:
    if not isinstance(button, dict):
        raise ApiError(47001)
    _check_name(button, level=0)
    subs = button.get("sub_button") or []
    if not subs:
        return {**_leaf(button, level=0), "sub_button": []}
    if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
        raise ApiError(40023)
    return {"name": button["name"], "sub_button": [_sub_button(sub) for sub in subs]}


def _sub_button(button) -> dict:
    if not isinstance(button, dict):
        raise ApiError(47001)
    if button.get("sub_button"):
        raise ApiError(40022)
    _check_name(button, level=1)
    return {**_leaf(button, level=1), "sub_button": []}


def _check_name(button: dict, level: int) -> None:
    name = button.get("name")
    if not isinstance(name, str) or not name or _bytes(name) > NAME_LIMIT[level]:
        raise ApiError(NAME[level])


def _leaf(button: dict, level: int) -> dict:
    """A button that acts: its type and the fields that type needs."""
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise ApiError(TYPE[level])
    if kind in KEY_TYPES:
        key = button.get("key")
        if not isinstance(key, str) or not key or _bytes(key) > 128:
            raise ApiError(KEY[level])
    if kind in ("view", "miniprogram"):
        _check_url(button.get("url"), level)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise ApiError(40035)
    if kind in ("media_id", "view_limited") and not button.get("media_id"):
        raise ApiError(40007)
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        raise ApiError(40035)
    return copy.deepcopy({key: value for key, value in button.items() if key != "sub_button"})


def _check_url(url, level: int) -> None:
    if not isinstance(url, str) or not url or _bytes(url) > 1024:
        raise ApiError(URL[level])
    if not url.startswith(("http://", "https://")):
        raise ApiError(DOMAIN[level])


class MenuMixin:
    """The published menu for the Emulator (state under `self._lock`)."""

    def _reset_menu(self) -> None:
        self._menu: list[dict] | None = None
        self._menu_id = 0

    def create_menu(self, body: dict) -> dict:
        """POST cgi-bin/menu/create."""
        buttons = validate_menu(body)
        with self._lock:
            self._menu = buttons
            self._menu_id += 1
        return {"errcode": 0, "errmsg": "ok"}

    def get_menu(self) -> dict:
        """GET cgi-bin/menu/get: {"menu": {"button": [...], "menuid"}} or 46003."""
        with self._lock:
            if self._menu is None:
                raise ApiError(46003)
            return {"menu": {"button": copy.deepcopy(self._menu), "menuid": self._menu_id}}

    def delete_menu(self) -> dict:
        """GET cgi-bin/menu/delete."""
        with self._lock:
            self._menu = None
        return {"errcode": 0, "errmsg": "ok"}

    def published_menu(self) -> list[dict]:
        """The published buttons ([] when there is no menu)."""
        with self._lock:
            return copy.deepcopy(self._menu or [])

    @property
    def menu_id(self) -> int:
        """The id VIEW events carry as MenuId."""
        return self._menu_id
