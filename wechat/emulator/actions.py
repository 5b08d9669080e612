"""What a simulated user does in WeChat, turned into the XML WeChat posts (fact sheet §2).

Messages and menu events need a follower (a non-follower has no chat input and no menu);
subscribe and QR scans work for anyone. Messages, CLICK, scancode_*, subscribe and SCAN open
the 48 h customer-service window (§3.6).
详情请参阅 https://developers.weixin.qq.com/doc/service/guide/dev/push/
"""

import hashlib

from wechat.emulator.callback import CallbackResult
from wechat.emulator.errors import UserActionError

DEFAULT_VOICE = b"#!AMR\n" + bytes(64)
DEFAULT_VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
DEFAULT_FILE = b"%PDF-1.4\n% emulator file\n"
INTERACTION_EVENTS = {"subscribe", "SCAN", "CLICK", "scancode_push", "scancode_waitmsg"}


class UserActionsMixin:
    """User-side actions for the Emulator; each returns what the callback answered."""

    # messages ----------------------------------------------------------------------------------

    def send_text(self, openid: str, content: str, msg_id: int | None = None) -> CallbackResult:
        """A text message."""
        fields = self._message(openid, "text", {"Content": content}, msg_id)
        return self._push(openid, fields, {"type": "text", "content": content})

    def send_image(self, openid: str, image_bytes: bytes | None = None,
                   filename: str = "photo.jpg", msg_id: int | None = None) -> CallbackResult:
        """A photo: stored as temporary media, sent with PicUrl, MediaId and MsgId."""
        media = self.store_media("image", image_bytes or self.new_photo(), filename)
        url = self.media_url(media.media_id)
        fields = self._message(openid, "image", {"PicUrl": url, "MediaId": media.media_id},
                               msg_id)
        return self._push(openid, fields, {"type": "image", "url": url,
                                           "media_id": media.media_id})

    def send_voice(self, openid: str, voice_bytes: bytes | None = None, fmt: str = "amr",
                   recognition: str | None = None, msg_id: int | None = None) -> CallbackResult:
        """A voice message (Format amr/speex, optional Recognition)."""
        media = self.store_media("voice", voice_bytes or DEFAULT_VOICE, f"voice.{fmt}")
        extra = {"MediaId": media.media_id, "Format": fmt}
        if recognition is not None:
            extra["Recognition"] = recognition
        fields = self._message(openid, "voice", extra, msg_id)
        return self._push(openid, fields, {"type": "voice", "media_id": media.media_id})

    def send_video(self, openid: str, video_bytes: bytes | None = None,
                   msg_id: int | None = None, msg_type: str = "video") -> CallbackResult:
        """A video message (MediaId and ThumbMediaId)."""
        media = self.store_media("video", video_bytes or DEFAULT_VIDEO, "video.mp4")
        thumb = self.store_media("thumb", self.new_photo(), "thumb.jpg")
        fields = self._message(openid, msg_type, {"MediaId": media.media_id,
                                                  "ThumbMediaId": thumb.media_id}, msg_id)
        return self._push(openid, fields, {"type": msg_type, "media_id": media.media_id})

    def send_shortvideo(self, openid: str, video_bytes: bytes | None = None,
                        msg_id: int | None = None) -> CallbackResult:
        """A short video (小视频) message."""
        return self.send_video(openid, video_bytes, msg_id, msg_type="shortvideo")

    def send_location(self, openid: str, lat: float, lng: float, scale: int = 15,
                      label: str = "", msg_id: int | None = None) -> CallbackResult:
        """A location message (Location_X = latitude, Location_Y = longitude)."""
        extra = {"Location_X": float(lat), "Location_Y": float(lng), "Scale": int(scale),
                 "Label": label}
        fields = self._message(openid, "location", extra, msg_id)
        return self._push(openid, fields, {"type": "location", "content": label or f"{lat},{lng}"})

    def send_link(self, openid: str, title: str, description: str, url: str,
                  msg_id: int | None = None) -> CallbackResult:
        """A link message."""
        extra = {"Title": title, "Description": description, "Url": url}
        fields = self._message(openid, "link", extra, msg_id)
        return self._push(openid, fields, {"type": "link", "content": title, "url": url})

    def send_file(self, openid: str, file_bytes: bytes | None = None,
                  filename: str = "report.pdf", msg_id: int | None = None) -> CallbackResult:
        """A file message: undocumented for 公众号 (WeCom/mini-program shape), sent anyway."""
        data = file_bytes or DEFAULT_FILE
        media = self.store_media("file", data, filename)
        extra = {"Title": filename, "Description": "", "FileKey": media.media_id,
                 "FileMd5": hashlib.md5(data).hexdigest(), "FileTotalLen": len(data)}
        fields = self._message(openid, "file", extra, msg_id)
        return self._push(openid, fields, {"type": "file", "content": filename})

    # follow and QR -----------------------------------------------------------------------------

    def subscribe(self, openid: str, scene: str | None = None) -> CallbackResult:
        """Follow the account; via a QR code: EventKey qrscene_<scene> + Ticket."""
        extra = {"EventKey": ""}
        if scene is not None:
            extra = {"EventKey": f"qrscene_{scene}", "Ticket": self.ticket_for_scene(str(scene))}
        with self._lock:
            user = self._user_or_register(openid)
            user.subscribed = True
            user.subscribe_time = int(self.now())
            user.subscribe_scene = "ADD_SCENE_QR_CODE" if scene is not None else "ADD_SCENE_SEARCH"
            user.qr_scene_str = "" if scene is None else str(scene)
        return self._push(openid, self._event(openid, "subscribe", extra))

    def unsubscribe(self, openid: str) -> CallbackResult:
        """Unfollow the account."""
        with self._lock:
            self._follower(openid).subscribed = False
        return self._push(openid, self._event(openid, "unsubscribe", {"EventKey": ""}))

    def scan(self, openid: str, scene: str) -> CallbackResult:
        """A follower scans a parametric QR code: SCAN with EventKey = scene and Ticket."""
        self._require_follower(openid)
        extra = {"EventKey": str(scene), "Ticket": self.ticket_for_scene(str(scene))}
        return self._push(openid, self._event(openid, "SCAN", extra))

    def scan_qrcode(self, openid: str, ticket: str) -> CallbackResult:
        """Scan a created code: SCAN for a follower, subscribe (qrscene_) for anyone else."""
        code = self.find_qrcode(ticket)
        with self._lock:
            following = self._user_or_register(openid).subscribed
        if not following:
            return self.subscribe(openid, code.scene)
        extra = {"EventKey": code.scene, "Ticket": code.ticket}
        return self._push(openid, self._event(openid, "SCAN", extra))

    # menu and other events ---------------------------------------------------------------------

    def click(self, openid: str, key: str) -> CallbackResult:
        """A click menu button."""
        self._require_follower(openid)
        return self._push(openid, self._event(openid, "CLICK", {"EventKey": key}))

    def view(self, openid: str, url: str) -> CallbackResult:
        """A view menu button (the page then opens in the in-app browser)."""
        self._require_follower(openid)
        extra = {"EventKey": url, "MenuId": self.menu_id}
        return self._push(openid, self._event(openid, "VIEW", extra))

    def location_event(self, openid: str, lat: float, lng: float,
                       precision: float = 30.0) -> CallbackResult:
        """The periodic LOCATION report."""
        self._require_follower(openid)
        extra = {"Latitude": float(lat), "Longitude": float(lng), "Precision": float(precision)}
        return self._push(openid, self._event(openid, "LOCATION", extra))

    def pic_event(self, openid: str, event: str = "pic_photo_or_album", key: str = "",
                  images: list[bytes] | None = None) -> list[CallbackResult]:
        """A pic_* menu: the event with PicMd5Sums, then one image message per photo."""
        self._require_follower(openid)
        photos = list(images) if images else [self.new_photo()]
        pictures = [{"PicMd5Sum": hashlib.md5(photo).hexdigest()} for photo in photos]
        extra = {"EventKey": key, "SendPicsInfo": {"Count": len(photos), "PicList": pictures}}
        results = [self._push(openid, self._event(openid, event, extra))]
        return results + [self.send_image(openid, photo) for photo in photos]

    def scancode_event(self, openid: str, key: str = "", scan_result: str = "",
                       event: str = "scancode_push", scan_type: str = "qrcode") -> CallbackResult:
        """A scancode_push / scancode_waitmsg menu."""
        self._require_follower(openid)
        extra = {"EventKey": key,
                 "ScanCodeInfo": {"ScanType": scan_type, "ScanResult": scan_result}}
        return self._push(openid, self._event(openid, event, extra))

    def location_select_event(self, openid: str, key: str = "", lat: float = 25.383,
                              lng: float = 114.922, label: str = "", poiname: str = "",
                              scale: int = 15) -> list[CallbackResult]:
        """A location_select menu: the event, then the location message."""
        self._require_follower(openid)
        info = {"Location_X": str(lat), "Location_Y": str(lng), "Scale": str(scale),
                "Label": label, "Poiname": poiname}
        extra = {"EventKey": key, "SendLocationInfo": info}
        first = self._push(openid, self._event(openid, "location_select", extra))
        return [first, self.send_location(openid, lat, lng, scale, label)]

    def send_event(self, openid: str, event: str, **fields) -> CallbackResult:
        """Any event, with extra XML fields as given."""
        return self._push(openid, self._event(openid, event, fields))

    def push_raw(self, xml_fields: dict, copies: int = 1) -> list[CallbackResult]:
        """POST the same message `copies` times, one attempt each, fresh timestamp and nonce.

        Simulates WeChat's retries after timeouts; only the last copy's reply reaches the user.
        """
        fields = dict(xml_fields)
        fields.setdefault("ToUserName", self.original_id)
        fields.setdefault("CreateTime", int(self.now()))
        return [self.deliver(fields, attempts=1, user_visible=(index == copies - 1))
                for index in range(copies)]

    # helpers -----------------------------------------------------------------------------------

    def _message(self, openid: str, msg_type: str, extra: dict, msg_id: int | None) -> dict:
        with self._lock:
            self._interact(self._follower(openid))
            return {"ToUserName": self.original_id, "FromUserName": openid,
                    "CreateTime": int(self.now()), "MsgType": msg_type, **extra,
                    "MsgId": int(msg_id) if msg_id is not None else self._next_msgid()}

    def _event(self, openid: str, event: str, extra: dict) -> dict:
        with self._lock:
            if event in INTERACTION_EVENTS:
                self._interact(self._user_or_register(openid))
            return {"ToUserName": self.original_id, "FromUserName": openid,
                    "CreateTime": int(self.now()), "MsgType": "event", "Event": event, **extra}

    def _interact(self, user) -> None:
        user.last_interaction = self.now()
        user.custom_sent = 0

    def _follower(self, openid: str):
        user = self._user_or_register(openid)
        if not user.subscribed:
            raise UserActionError(f"{openid} is not following the account (未关注公众号)")
        return user

    def _require_follower(self, openid: str) -> None:
        with self._lock:
            self._follower(openid)

    def _push(self, openid: str, fields: dict, sent: dict | None = None) -> CallbackResult:
        if sent is not None:
            self.record(openid, {"kind": "sent", "msgid": fields.get("MsgId"), **sent})
        return self.deliver(fields)
