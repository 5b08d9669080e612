"""The Emulator: all platform state behind one lock, plus the fault and clock knobs.

Behaviour lives in focused mixins (tokens, media, menu, QR codes, messaging, OAuth, callback
delivery, user actions); this module holds the shared state they use.
"""

import copy
import hashlib
import itertools
import secrets
import threading
import time

from wechat.emulator.actions import UserActionsMixin
from wechat.emulator.callback import DeliveryMixin
from wechat.emulator.errors import ApiError
from wechat.emulator.media import MediaMixin
from wechat.emulator.menu import MenuMixin
from wechat.emulator.messaging import MessagingMixin
from wechat.emulator.oauth import OAuthMixin
from wechat.emulator.qrcode import QRCodeMixin
from wechat.emulator.tokens import TokenMixin
from wechat.emulator.users import SimUser
from wechat.emulator.users import simulated_users

DEFAULT_TEMPLATES = {
    "QL_TASK_DISPATCHED": ["thing1", "time2", "thing3"],
    "QL_TASK_WARNING": ["thing1", "phrase2", "time3", "thing4"],
    "QL_REVIEW_REQUEST": ["thing1", "thing2", "time3"],
    "QL_REVIEW_RESULT": ["thing1", "phrase2", "thing3"],
    "QL_SUPERVISION": ["thing1", "thing2", "time3"],
}
# Display only (the phone page's template cards): title and keyword names.
TEMPLATE_INFO = {
    "QL_TASK_DISPATCHED": {"title": "任务派发通知", "labels": {
        "thing1": "任务名称", "time2": "截止时间", "thing3": "责任单位"}},
    "QL_TASK_WARNING": {"title": "任务预警提醒", "labels": {
        "thing1": "任务名称", "phrase2": "预警等级", "time3": "截止时间", "thing4": "提醒内容"}},
    "QL_REVIEW_REQUEST": {"title": "待审核提醒", "labels": {
        "thing1": "任务名称", "thing2": "提交人", "time3": "提交时间"}},
    "QL_REVIEW_RESULT": {"title": "审核结果通知", "labels": {
        "thing1": "任务名称", "phrase2": "审核结果", "thing3": "审核意见"}},
    "QL_SUPERVISION": {"title": "工作督办通知", "labels": {
        "thing1": "督办事项", "thing2": "责任单位", "time3": "办理时限"}},
}
# api_add_template: keyword name → key type (anything else is `thing`).
KEYWORD_TYPES = (("时间", "time"), ("日期", "date"), ("金额", "amount"), ("电话", "phone_number"),
                 ("车牌", "car_number"), ("编号", "character_string"), ("单号", "character_string"),
                 ("数量", "number"), ("状态", "phrase"), ("结果", "phrase"), ("姓名", "name"))
MAX_TEMPLATES = 25
FOLLOWED_SINCE = 30 * 86400


class Emulator(UserActionsMixin, DeliveryMixin, MessagingMixin, TokenMixin, MediaMixin,
               MenuMixin, QRCodeMixin, OAuthMixin):
    """A local stand-in for the WeChat platform; every public method is thread-safe."""

    def __init__(self, settings: dict):
        self.settings = dict(settings)
        self.appid = settings["WECHAT_APPID"]
        self.secret = settings["WECHAT_SECRET"]
        self.token = settings["WECHAT_TOKEN"]
        self.aes_key = settings["WECHAT_AES_KEY"]
        self.mode = settings["EMULATOR_MODE"]
        self.callback_url = settings["EMULATOR_CALLBACK_URL"]
        self.public_url = settings["EMULATOR_PUBLIC_URL"]
        self.oauth_domains = list(settings["EMULATOR_OAUTH_DOMAINS"])
        self.user_count = settings["EMULATOR_USERS"]
        self.finish_delay = settings["EMULATOR_FINISH_DELAY"]
        self.callback_timeout = settings["EMULATOR_CALLBACK_TIMEOUT"]
        self.callback_attempts = settings["EMULATOR_CALLBACK_ATTEMPTS"]
        self.configured_templates = settings["EMULATOR_TEMPLATES"] or DEFAULT_TEMPLATES
        self.original_id = "gh_" + hashlib.sha1(self.appid.encode()).hexdigest()[:12]
        self._lock = threading.RLock()
        self._init_delivery()
        self.reset()

    @property
    def public_url(self) -> str:
        """The emulator's own base URL, always ending with "/" (settable after creation)."""
        return self._public_url

    @public_url.setter
    def public_url(self, value: str) -> None:
        self._public_url = value.rstrip("/") + "/"

    def reset(self) -> None:
        """Back to the initial state: tokens, media, menu, inboxes, faults, counters, follows."""
        with self._lock:
            self._clock_offset = 0.0
            self._entry_seq = itertools.count(1)
            self._msgid = int(time.time() * 1000) * 1000
            self.templates = copy.deepcopy(dict(self.configured_templates))
            self.template_info = {key: copy.deepcopy(value) for key, value in
                                  TEMPLATE_INFO.items() if key in self.templates}
            self._users = self._initial_users()
            self._latency_ms = 0
            self._faults: list[dict] = []
            self._drop_results = False
            self._stats = {"token_fetches": {"token": 0, "stable_token": 0}, "api_calls": {},
                           "template_sends": 0, "custom_sends": 0, "subscribe_sends": 0,
                           "callback_posts": 0}
            for part in ("tokens", "media", "menu", "qrcodes", "messaging", "oauth"):
                getattr(self, f"_reset_{part}")()

    def _initial_users(self) -> dict[str, SimUser]:
        since = int(self.now()) - FOLLOWED_SINCE
        return {user["openid"]: SimUser(user["openid"], user["nickname"], subscribe_time=since)
                for user in simulated_users(self.appid, self.user_count)}

    # clock -----------------------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock: wall time plus everything advance_clock() added."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> float:
        """Move the emulator's clock forward (token, media, code expiry; 48 h window)."""
        with self._lock:
            self._clock_offset += float(seconds)
            return self._clock_offset

    # users and inboxes -------------------------------------------------------------------------

    def users(self) -> list[dict]:
        """Every user (simulated and seen), followed or not."""
        with self._lock:
            return [user.public() for user in self._users.values()]

    def user_ids(self) -> set[str]:
        """The openids the account knows."""
        with self._lock:
            return set(self._users)

    def nickname(self, openid: str) -> str:
        """A user's nickname ("微信用户" when unknown)."""
        with self._lock:
            user = self._users.get(openid)
            return user.nickname if user else "微信用户"

    def user_info(self, openid: str | None) -> dict:
        """GET cgi-bin/user/info (no nickname or avatar since 2021)."""
        with self._lock:
            user = self._users.get(openid or "")
            if user is None:
                raise ApiError(40003)
            if not user.subscribed:
                return {"subscribe": 0, "openid": user.openid, "tagid_list": []}
            return {"subscribe": 1, "openid": user.openid, "language": "zh_CN",
                    "subscribe_time": user.subscribe_time, "remark": "", "groupid": 0,
                    "tagid_list": [], "subscribe_scene": user.subscribe_scene, "qr_scene": 0,
                    "qr_scene_str": user.qr_scene_str}

    def followers(self) -> list[str]:
        """Openids of current followers (cgi-bin/user/get)."""
        with self._lock:
            return [user.openid for user in self._users.values() if user.subscribed]

    def record(self, openid: str, entry: dict) -> dict:
        """Append to a user's timeline (inbox entries and the user's own sent messages)."""
        with self._lock:
            user = self._user_or_register(openid)
            full = {"seq": next(self._entry_seq), "time": int(self.now()), "msgid": None, **entry}
            user.timeline.append(full)
            return full

    def inbox(self, openid: str) -> list[dict]:
        """Everything the user received, in order (kinds reply, custom, template, ...)."""
        return [entry for entry in self.chat(openid) if entry["kind"] != "sent"]

    def chat(self, openid: str, after: int = 0) -> list[dict]:
        """The whole conversation: received entries plus the user's own (kind "sent")."""
        with self._lock:
            user = self._users.get(openid)
            entries = user.timeline if user else []
            return [copy.deepcopy(entry) for entry in entries if entry["seq"] > after]

    def inboxes(self) -> dict[str, list[dict]]:
        """Every user's non-empty inbox."""
        with self._lock:
            openids = list(self._users)
        return {openid: box for openid in openids if (box := self.inbox(openid))}

    def media_url(self, media_id: str) -> str:
        """The CDN-like URL (PicUrl) serving a media's bytes."""
        media = self.media_bytes(media_id)
        extension = media.extension if media else "jpg"
        return f"{self.public_url}mmbiz_{extension}/{media_id}/0"

    def _user_or_register(self, openid: str) -> SimUser:
        user = self._users.get(openid)
        if user is None:
            user = SimUser(openid, f"用户{openid[-4:]}", subscribe_time=int(self.now()))
            self._users[openid] = user
        return user

    def _next_msgid(self) -> int:
        with self._lock:
            self._msgid += 1
            return self._msgid

    # knobs -------------------------------------------------------------------------------------

    def set_latency(self, ms: float) -> None:
        """Delay every API call by `ms` milliseconds."""
        with self._lock:
            self._latency_ms = max(0.0, float(ms))

    def fail_next(self, errcode: int, count: int = 1, path: str | None = None) -> None:
        """The next `count` API calls (whose path contains `path`) answer `errcode`."""
        with self._lock:
            self._faults.append({"errcode": int(errcode), "count": int(count), "path": path})

    def drop_send_results(self, flag: bool = True) -> None:
        """Stop (or resume) posting TEMPLATESENDJOBFINISH and other send-result events."""
        with self._lock:
            self._drop_results = bool(flag)

    def fail_deliveries(self, count: int = 1) -> None:
        """The next `count` template messages end as "failed: system failed", undelivered."""
        with self._lock:
            self._system_failures = int(count)

    def set_blocked(self, openid: str, flag: bool = True) -> None:
        """The user refuses the account's messages (finish status "failed:user block")."""
        with self._lock:
            self._user_or_register(openid).blocked = bool(flag)

    def set_snapshot(self, openid: str, flag: bool = True) -> None:
        """OAuth for this user returns is_snapshotuser=1 (快照页 virtual user)."""
        with self._lock:
            self._user_or_register(openid).snapshot = bool(flag)

    def opt_in(self, openid: str, template_id: str, long_term: bool = False) -> None:
        """The user accepts a subscribe notification (one message, or long-term)."""
        with self._lock:
            self._user_or_register(openid).opt_ins[template_id] = bool(long_term)

    def stats(self) -> dict:
        """Counters: token fetches by kind, API calls by path, sends, callback posts."""
        with self._lock:
            return copy.deepcopy(self._stats)

    # API gate (used by the HTTP blueprints) ------------------------------------------------------

    def begin_api_call(self, path: str) -> tuple[float, int | None]:
        """Count a call; returns (latency seconds, injected errcode or None)."""
        with self._lock:
            calls = self._stats["api_calls"]
            calls[path] = calls.get(path, 0) + 1
            errcode = None
            for fault in self._faults:
                if fault["path"] is None or fault["path"] in path:
                    errcode = fault["errcode"]
                    fault["count"] -= 1
                    break
            self._faults = [fault for fault in self._faults if fault["count"] > 0]
            return self._latency_ms / 1000.0, errcode

    # templates -----------------------------------------------------------------------------------

    def add_template(self, body: dict) -> dict:
        """POST cgi-bin/template/api_add_template: 40246 for an empty keyword list."""
        names = body.get("keyword_name_list")
        if not body.get("template_id_short"):
            raise ApiError(40037)
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ApiError(40246)
        with self._lock:
            if len(self.templates) >= MAX_TEMPLATES:
                raise ApiError(45026)
            keys = [f"{_keyword_type(name)}{index}" for index, name in enumerate(names, 1)]
            template_id = secrets.token_urlsafe(32)[:43]
            self.templates[template_id] = keys
            self.template_info[template_id] = {
                "title": str(body["template_id_short"]), "labels": dict(zip(keys, names))}
            return {"errcode": 0, "errmsg": "ok", "template_id": template_id}

    def private_templates(self) -> dict:
        """GET cgi-bin/template/get_all_private_template."""
        with self._lock:
            return {"template_list": [self._template_listing(key) for key in self.templates]}

    def _template_listing(self, template_id: str) -> dict:
        info = self.template_info.get(template_id, {})
        labels = info.get("labels", {})
        content = "".join(f"{labels.get(key, key)}:{{{{{key}.DATA}}}}\n"
                          for key in self.templates[template_id])
        return {"template_id": template_id, "title": info.get("title", template_id),
                "primary_industry": "", "deputy_industry": "", "content": content,
                "example": ""}


def _keyword_type(name: str) -> str:
    for word, kind in KEYWORD_TYPES:
        if word in name:
            return kind
    return "thing"
