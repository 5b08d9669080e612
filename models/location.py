"""Where a photo was taken: evidence for the county inspectors, private for everyone else.

An original's EXIF keeps its GPS position (and models.photo reads it into `gps_lat`/`gps_lng`);
inspectors verify with it. Everyone else who may see the task sees neither the fields nor the
position inside the file: `without_location` rewrites an original's metadata without touching
its pixels (the display copies never carry any metadata).
"""

import io
import struct
import zlib

from PIL import ExifTags, Image

from models.unit import Role

_JPEG_KEEP_APP = {0, 2, 14}  # JFIF, ICC profile (APP2 "ICC_PROFILE" only), Adobe colour transform
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"tIME"}  # text may hold XMP or a raw EXIF profile


def sees_location(person) -> bool:
    """Whether `person` sees where evidence photos were taken: county inspectors only."""
    return person.role == Role.INSPECTOR


def without_location(data: bytes, ext: str) -> bytes:
    """The original's bytes with its GPS position removed: EXIF rewritten without the GPS
    directory (orientation and capture time stay), XMP and other metadata blocks dropped, and,
    for a JPEG, anything after its first picture (a multi-picture file's second picture, a
    phone's trailer). Unparseable metadata is dropped whole."""
    strip = {"jpg": _jpeg, "png": _png, "webp": _webp}.get(ext)
    return strip(data) if strip else data


def _exif_without_gps(payload: bytes) -> bytes | None:
    """EXIF (TIFF bytes, with or without the "Exif\\0\\0" header) minus its GPS directory,
    with the header; None when it cannot be read or written back."""
    try:
        exif = Image.Exif()
        exif.load(payload)
        exif.pop(ExifTags.IFD.GPSInfo, None)
        return exif.tobytes()
    except Exception:
        return None


def _jpeg(data: bytes) -> bytes:
    out, at = io.BytesIO(), 2
    out.write(data[:2])
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xD9:  # EOI: the first picture ends; drop whatever follows
            out.write(data[at:at + 2])
            return out.getvalue()
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        end = at + 2 + length
        segment, body = data[at:end], data[at + 4:end]
        if marker == 0xDA:  # SOS: copy the scan up to the next marker that is not RSTn/stuffing
            end = _scan_end(data, end)
            out.write(data[at:end])
        elif marker == 0xE1 and body.startswith(b"Exif\0\0"):
            exif = _exif_without_gps(body)
            if exif is not None and len(exif) + 2 <= 0xFFFF:
                out.write(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            keep = marker - 0xE0 in _JPEG_KEEP_APP and (marker != 0xE2
                                                         or body.startswith(b"ICC_PROFILE"))
            if keep:
                out.write(segment)
        else:
            out.write(segment)
        at = end
    return out.getvalue() + data[at:]


def _scan_end(data: bytes, at: int) -> int:
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return len(data)
        if data[at + 1] == 0 or 0xD0 <= data[at + 1] <= 0xD7 or data[at + 1] == 0xFF:
            at += 1 if data[at + 1] == 0xFF else 2
            continue
        return at


def _png(data: bytes) -> bytes:
    out, at = [data[:8]], 8
    while at + 12 <= len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        kind, end = data[at + 4:at + 8], at + 12 + length
        if kind == b"eXIf":
            exif = _exif_without_gps(data[at + 8:at + 8 + length])
            if exif is not None:
                body = exif.removeprefix(b"Exif\0\0")
                out.append(struct.pack(">I", len(body)) + kind + body
                           + struct.pack(">I", zlib.crc32(kind + body)))
        elif kind not in _PNG_DROP:
            out.append(data[at:end])
        at = end
    return b"".join(out) + data[at:]


def _webp(data: bytes) -> bytes:
    """RIFF chunks without EXIF and XMP, the VP8X flags and the RIFF size set to match."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return data
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, length = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        end = at + 8 + length + (length & 1)
        chunk = data[at:end]
        if kind == b"VP8X":
            flags = chunk[8] & ~0x0C  # EXIF (0x08) and XMP (0x04) no longer present
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind not in (b"EXIF", b"XMP "):
            chunks.append(chunk)
        at = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
