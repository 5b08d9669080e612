"""Outbound messages: template (§3.1), customer-service (§3.6), subscribe notification (§3.5).

Template sends answer at once and post TEMPLATESENDJOBFINISH later: after EMULATOR_FINISH_DELAY
wall-clock seconds on a background thread, or on flush().
详情请参阅 https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
"""

import heapq
import itertools
import threading
import time

from wechat.emulator.errors import ApiError
from wechat.emulator.values import invalid_key

STATUS_SUCCESS = "success"
STATUS_BLOCKED = "failed:user block"
STATUS_SYSTEM = "failed: system failed"
CLIENT_MSG_ID_TTL = 600
CUSTOM_WINDOW = 48 * 3600
CUSTOM_CAP = 20
CUSTOM_TYPES = {"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu",
                "wxcard", "miniprogrampage", "mpnewsarticle"}
LINE_LIMIT = 20


class MessagingMixin:
    """Message APIs for the Emulator (state under `self._lock`)."""

    def _reset_messaging(self) -> None:
        self._client_msg_ids: dict[tuple[str, str], tuple[int, float]] = {}
        self._pending: list[tuple[float, int, dict]] = []
        self._pending_seq = itertools.count()
        self._next_template_msgid = int(time.time() * 1000) * 1000
        self._system_failures = 0
        if not hasattr(self, "_pending_cond"):
            self._pending_cond = threading.Condition(self._lock)
            self._dispatcher = None

    def send_template(self, body: dict) -> dict:
        """POST cgi-bin/message/template/send → {"errcode": 0, "errmsg": "ok", "msgid"}."""
        with self._lock:
            user = self._addressee(body.get("touser"))
            if not user.subscribed:
                raise ApiError(43004)
            keys = self._template_keys(body.get("template_id"))
            self._check_data(keys, body.get("data"))
            duplicate = self._duplicate_msgid(user.openid, body.get("client_msg_id"))
            if duplicate is not None:
                return {"errcode": 0, "errmsg": "ok", "msgid": duplicate}
            self._next_template_msgid += 1
            msgid = self._next_template_msgid
            self._remember_client_msg_id(user.openid, body.get("client_msg_id"), msgid)
            self._stats["template_sends"] += 1
            status = self._delivery_status(user)
            if status == STATUS_SUCCESS:
                self.record(user.openid, self._template_entry(body, keys, msgid))
            self._queue_event(user.openid, {"Event": "TEMPLATESENDJOBFINISH", "MsgID": msgid,
                                            "Status": status})
            return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def send_custom(self, body: dict) -> dict:
        """POST cgi-bin/message/custom/send: 48 h window, 20 messages per interaction."""
        with self._lock:
            user = self._addressee(body.get("touser"))
            if not user.subscribed:
                raise ApiError(43004)
            last = user.last_interaction
            if last is None or self.now() - last > CUSTOM_WINDOW:
                raise ApiError(45015)
            if user.custom_sent >= CUSTOM_CAP:
                raise ApiError(45047)
            entry = self._custom_entry(body)
            user.custom_sent += 1
            self._stats["custom_sends"] += 1
            self.record(user.openid, entry)
            return {"errcode": 0, "errmsg": "ok"}

    def send_subscribe(self, body: dict) -> dict:
        """POST cgi-bin/message/subscribe/bizsend: needs the user's opt-in (43101)."""
        with self._lock:
            user = self._addressee(body.get("touser"))
            template_id = body.get("template_id")
            keys = self._template_keys(template_id)
            if template_id not in user.opt_ins:
                raise ApiError(43101)
            self._check_data(keys, body.get("data"))
            if not user.opt_ins[template_id]:
                del user.opt_ins[template_id]  # one-time opt-in: one message per accept
            self._next_template_msgid += 1
            msgid = self._next_template_msgid
            self._stats["subscribe_sends"] += 1
            entry = self._template_entry(body, keys, msgid)
            self.record(user.openid, {**entry, "kind": "subscribe", "page": body.get("page")})
            info = {"TemplateId": template_id, "MsgID": msgid, "ErrorCode": 0,
                    "ErrorStatus": "success"}
            self._queue_event(user.openid, {"Event": "subscribe_msg_sent_event",
                                            "SubscribeMsgSentEvent": {"List": info}})
            return {"errcode": 0, "errmsg": "ok"}

    def flush(self) -> list:
        """Post every pending send-result event now, in order; returns their CallbackResults."""
        with self._lock:
            pending = [fields for _, _, fields in sorted(self._pending)]
            self._pending = []
        return [self.deliver(fields, user_visible=False) for fields in pending
                if not self._drop_results]

    def pending_events(self) -> int:
        """How many send-result events wait to be posted."""
        with self._lock:
            return len(self._pending)

    def _addressee(self, openid) -> object:
        user = self._users.get(openid) if isinstance(openid, str) else None
        if user is None:
            raise ApiError(40003)
        return user

    def _template_keys(self, template_id) -> list[str]:
        keys = self.templates.get(template_id) if isinstance(template_id, str) else None
        if keys is None:
            raise ApiError(40037)
        return keys

    @staticmethod
    def _check_data(keys: list[str], data) -> None:
        if data is not None and not isinstance(data, dict):
            raise ApiError(47001)
        bad = invalid_key(keys, data or {})
        if bad is not None:
            raise ApiError(47003, f"argument invalid! data.{bad}.value invalid")

    def _duplicate_msgid(self, openid: str, client_msg_id) -> int | None:
        if not client_msg_id:
            return None
        seen = self._client_msg_ids.get((openid, str(client_msg_id)))
        if seen and self.now() - seen[1] < CLIENT_MSG_ID_TTL:
            return seen[0]
        return None

    def _remember_client_msg_id(self, openid: str, client_msg_id, msgid: int) -> None:
        if client_msg_id:
            now = self.now()
            # Oldest first (insertion order; the clock only moves on): drop the expired ones.
            for key, (_, at) in list(itertools.islice(self._client_msg_ids.items(), 64)):
                if now - at < CLIENT_MSG_ID_TTL:
                    break
                del self._client_msg_ids[key]
            self._client_msg_ids.pop((openid, str(client_msg_id)), None)
            self._client_msg_ids[(openid, str(client_msg_id))] = (msgid, now)

    def _delivery_status(self, user) -> str:
        if user.blocked:
            return STATUS_BLOCKED
        if self._system_failures > 0:
            self._system_failures -= 1
            return STATUS_SYSTEM
        return STATUS_SUCCESS

    def _template_entry(self, body: dict, keys: list[str], msgid: int) -> dict:
        """The inbox card: first/remark dropped, colours ignored, lines cut to 20 characters."""
        info = self.template_info.get(body["template_id"], {})
        labels = info.get("labels", {})
        data = {key: str(body["data"][key]["value"]) for key in keys}
        lines = [{"key": key, "label": labels.get(key, key), "value": _cut(data[key])}
                 for key in keys]
        return {"kind": "template", "type": "template", "template_id": body["template_id"],
                "title": info.get("title", body["template_id"]), "data": data, "lines": lines,
                "url": body.get("url"), "miniprogram": body.get("miniprogram"),
                "client_msg_id": body.get("client_msg_id"), "msgid": msgid}

    def _custom_entry(self, body: dict) -> dict:
        kind = body.get("msgtype")
        if kind not in CUSTOM_TYPES:
            raise ApiError(40008)
        payload = body.get(kind)
        if not isinstance(payload, dict):
            raise ApiError(47001)
        if kind == "text":
            content = payload.get("content")
            if not content:
                raise ApiError(44004)
            if len(str(content).encode("utf-8")) > 2048:
                raise ApiError(45002)
            return {"kind": "custom", "type": "text", "content": str(content)}
        if kind in ("image", "voice", "video"):
            media = self.get_media(payload.get("media_id"))
            return {"kind": "custom", "type": kind, "media_id": media.media_id,
                    "url": self.media_url(media.media_id), "title": payload.get("title")}
        if kind == "news":
            return {"kind": "custom", "type": "news", "articles": _articles(payload)}
        return {"kind": "custom", "type": kind, "payload": payload}

    def _queue_event(self, openid: str, event: dict) -> None:
        """Schedule a send-result event (dropped when drop_send_results is on)."""
        if self._drop_results:
            return
        fields = {"ToUserName": self.original_id, "FromUserName": openid,
                  "CreateTime": int(self.now()), "MsgType": "event", **event}
        due = float("inf") if self.finish_delay is None else time.monotonic() + self.finish_delay
        heapq.heappush(self._pending, (due, next(self._pending_seq), fields))
        if self.finish_delay is not None:
            self._start_dispatcher()
            self._pending_cond.notify_all()

    def _start_dispatcher(self) -> None:
        if self._dispatcher is None:
            self._dispatcher = threading.Thread(target=self._dispatch_loop, daemon=True,
                                                name="emulator-send-results")
            self._dispatcher.start()

    def _dispatch_loop(self) -> None:
        """Post send-result events as they fall due; exits when nothing timed is pending."""
        while True:
            with self._pending_cond:
                fields = self._next_due()
                if fields is None:
                    self._dispatcher = None
                    return
                dropped = self._drop_results
            if not dropped:
                self.deliver(fields, user_visible=False)

    def _next_due(self) -> dict | None:
        """Wait (lock held by the caller) for the next timed event; None when there is none."""
        while self._pending and self._pending[0][0] != float("inf"):
            wait = self._pending[0][0] - time.monotonic()
            if wait <= 0:
                return heapq.heappop(self._pending)[2]
            self._pending_cond.wait(wait)
        return None


def _cut(value: str) -> str:
    return value if len(value) <= LINE_LIMIT else value[:LINE_LIMIT] + "…"


def _articles(payload: dict) -> list[dict]:
    """News articles of a custom message: exactly one since 2018 (45008 otherwise)."""
    articles = payload.get("articles")
    if not articles:
        raise ApiError(44003)
    if not isinstance(articles, list) or len(articles) > 1:
        raise ApiError(45008)
    return [{key: article.get(key) for key in ("title", "description", "url", "picurl")}
            for article in articles]
