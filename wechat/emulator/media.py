"""Temporary media: uploads, photos sent by users, media/get, 3-day expiry (fact sheet §5).

详情请参阅 https://developers.weixin.qq.com/doc/service/api/material/temporary/api_uploadtempmedia.html
"""

import io
import secrets
from dataclasses import dataclass

from PIL import Image
from PIL import ImageDraw

from wechat.emulator.errors import ApiError

MEDIA_TTL = 3 * 86400
MB = 1024 * 1024
# type → (accepted formats, size limit, errcode when too large)
UPLOAD_RULES = {
    "image": ({"jpeg", "png", "gif"}, 10 * MB, 40009),
    "voice": ({"amr", "mp3"}, 2 * MB, 40006),
    "video": ({"mp4"}, 10 * MB, 40006),
    "thumb": ({"jpeg"}, 64 * 1024, 40006),
}
FORMATS = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
    "amr": ("audio/amr", "amr"),
    "mp3": ("audio/mpeg", "mp3"),
    "mp4": ("video/mp4", "mp4"),
    "other": ("application/octet-stream", "bin"),
}


@dataclass
class Media:
    """Bytes kept under a media_id."""

    media_id: str
    kind: str
    data: bytes
    fmt: str
    created_at: int
    filename: str = ""

    @property
    def content_type(self) -> str:
        """The MIME type served by media/get."""
        return FORMATS[self.fmt][0]

    @property
    def extension(self) -> str:
        """The file extension used in Content-disposition and PicUrl paths."""
        return FORMATS[self.fmt][1]


def sniff(data: bytes) -> str:
    """The format of `data` by its magic bytes ("other" when unknown)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"#!AMR"):
        return "amr"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    if data[4:8] == b"ftyp":
        return "mp4"
    return "other"


def generate_photo(number: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A small, unique JPEG standing in for a phone photo."""
    hue = (number * 47) % 256
    image = Image.new("RGB", size, (hue, 160, 255 - hue))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, size[0] - 20, size[1] - 20), outline=(255, 255, 255), width=4)
    draw.text((40, size[1] // 2 - 6), f"photo #{number}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


class MediaMixin:
    """Media storage for the Emulator (state under `self._lock`)."""

    def _reset_media(self) -> None:
        self._media: dict[str, Media] = {}
        self._photo_seq = 0

    def store_media(self, kind: str, data: bytes, filename: str = "") -> Media:
        """Keep `data` as temporary media (no validation: media sent by users)."""
        with self._lock:
            self._expire_media()
            media = Media(secrets.token_urlsafe(48), kind, bytes(data), sniff(data),
                          int(self.now()), filename)
            self._media[media.media_id] = media
            return media

    def upload_media(self, kind: str | None, data: bytes | None, filename: str = "") -> dict:
        """POST cgi-bin/media/upload: 40004 bad type, 41005 no file, 40005 format, size errors."""
        if kind not in UPLOAD_RULES:
            raise ApiError(40004)
        if not data:
            raise ApiError(41005)
        formats, limit, size_errcode = UPLOAD_RULES[kind]
        if sniff(data) not in formats:
            raise ApiError(40005)
        if len(data) > limit:
            raise ApiError(size_errcode)
        media = self.store_media(kind, data, filename)
        id_key = "thumb_media_id" if kind == "thumb" else "media_id"
        return {"type": kind, id_key: media.media_id, "created_at": media.created_at}

    def get_media(self, media_id: str | None) -> Media:
        """The stored media, or 40007 when unknown or older than 3 days."""
        with self._lock:
            media = self._media.get(media_id or "")
            if media is None or self.now() - media.created_at >= MEDIA_TTL:
                raise ApiError(40007)
            return media

    def media_bytes(self, media_id: str) -> Media | None:
        """Media regardless of age (the CDN PicUrl outlives the media_id), or None."""
        with self._lock:
            return self._media.get(media_id)

    def new_photo(self) -> bytes:
        """A fresh generated JPEG (different bytes each time)."""
        with self._lock:
            self._photo_seq += 1
            number = self._photo_seq
        return generate_photo(number)

    def _expire_media(self) -> None:
        """Drop media a day past expiry (their PicUrl then answers 404)."""
        horizon = self.now() - MEDIA_TTL - 86400
        for media_id in [key for key, media in self._media.items() if media.created_at < horizon]:
            del self._media[media_id]
