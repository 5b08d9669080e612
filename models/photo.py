"""Validate and process one evidence photo: bytes in, a ProcessedPhoto out.

Pure (no database, no Flask, no storage) so the media job can call it on downloaded bytes and
tests can call it on bytes Pillow made. The rules come from the issue: real JPEG, PNG, GIF or
WebP only; at most 10 MB and 40 megapixels; decompression bombs refused; auto-oriented by EXIF;
a 1280 px display JPEG and a 320 px thumbnail without metadata; EXIF capture time, GPS and a
perceptual hash (dHash) kept as evidence metadata.

Decoding is the expensive part, and it happens only in the media job (jobs/evidence.py): a web
worker calls `inspect_photo`, which reads the header alone and refuses what would cost more
memory to decode than MAX_DECODE_BYTES (issue 14: a 151 KB PNG of 6320×6320 transparent pixels
used to take 753 MB). The cost is counted as Pillow really spends it: by decoded mode (RGB and
RGBA take 4 bytes a pixel, 16-bit 2), with the copies flattening makes, a JPEG at its draft
scale but with a progressive file's full-size coefficient buffers, WebP with its decoder's own.
"""

import hashlib
import io
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, TypeVar

from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from models.clock import SHANGHAI
from models.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Memory one photo may take to decode and flatten, and all photos of one page upload together.
# A 12 MP phone JPEG costs about 34 MB (decoded at its draft scale), a 20 MP one 45 MB; a
# 29 MP RGB or a 14 MP RGBA PNG reaches the per-photo budget.
MAX_DECODE_BYTES = 128 * 1024 * 1024
MAX_UPLOAD_DECODE_BYTES = 4 * MAX_DECODE_BYTES
DISPLAY_EDGE = 1280
THUMB_EDGE = 320
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
EXTENSIONS = {content_type: ext for ext, content_type in CONTENT_TYPES.items()}
JPEG_QUALITY = 82

# Phone cameras often write multi-picture JPEGs (a preview or depth map after the photo);
# Pillow calls them MPO, but they are JPEG files and every viewer shows the first picture.
_ALIASES = {"MPO": "JPEG"}
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")
_DEEP = (*_SIXTEEN_BIT, "I")  # scaled down to 8-bit greyscale
_ALPHA = ("RGBA", "LA")
# Bytes Pillow keeps per decoded pixel (every multi-band mode, RGB included, takes 4).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, **dict.fromkeys(_SIXTEEN_BIT, 2)}
# Bytes per pixel a decoder holds beside the image while it decodes: libwebp decodes into a
# canvas of its own and Pillow copies it out (measured: benchmarks/upload.py).
_DECODER_BYTES = {"WEBP": 12}
# PNG text chunks (tEXt, zTXt, iTXt) are inflated while the header is read, up to Pillow's
# documented MAX_TEXT_MEMORY: 64 MB by default, which a 70 KB file reaches (benchmarks/upload.py).
# Nothing of evidence is in them beyond EXIF (at most 64 KB); 8 MB leaves room for large XMP.
PngImagePlugin.MAX_TEXT_MEMORY = 8 * PngImagePlugin.MAX_TEXT_CHUNK
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")
_EXIF_TIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")

T = TypeVar("T")


class NotAnImage(DomainError):
    status = 422
    message = "无法识别该图片，请发送JPG、PNG、GIF或WebP格式的照片。"


class ImageTooLarge(DomainError):
    status = 422
    message = "照片太大（超过10MB），请压缩后重新发送。"


class TooManyPixels(DomainError):
    status = 422
    message = "照片像素太高（超过4000万像素），请压缩后重新发送。"


class TooCostlyToDecode(DomainError):
    status = 422
    message = ("照片尺寸太大（透明背景、16位色深或WebP格式的大图占用更多资源），无法处理，"
               "请缩小尺寸或另存为JPG后重新发送。")


class CorruptImage(DomainError):
    status = 422
    message = "照片文件已损坏，请重新拍摄或发送。"


@dataclass(frozen=True)
class PhotoHeader:
    """What the header alone tells about a photo: enough to refuse it or to store it unopened.

    `width`/`height` are as stored (before EXIF orientation); `decode_cost` is the memory, in
    bytes, that processing it will take at its peak.
    """

    ext: str
    content_type: str
    width: int
    height: int
    decode_cost: int


@dataclass(frozen=True)
class ProcessedPhoto:
    """One accepted photo: facts about the original plus its two display copies.

    `width`/`height` are the original's, after EXIF orientation; `taken_at` is aware UTC.
    """

    sha256: str
    ext: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    taken_at: datetime | None
    gps: tuple[float, float] | None
    dhash: str
    display: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)
    camera_serial: str | None = None  # EXIF BodySerialNumber: one camera across units


def inspect_photo(data: bytes) -> PhotoHeader:
    """The header of `data` checked as an evidence photo, without decoding a pixel.

    For the web worker: byte size, format, pixel count and decode cost, each refused as
    process_photo would (ImageTooLarge, NotAnImage, TooManyPixels, TooCostlyToDecode); what
    passes may still turn out damaged when the media job decodes it (CorruptImage).
    """
    if len(data) > MAX_BYTES:
        raise ImageTooLarge()
    return _open(data)[1]


def process_photo(data: bytes) -> ProcessedPhoto:
    """Validate `data` as an evidence photo and build its display copies and metadata.

    The header's checks run first (inspect_photo's), so hostile files are refused before any
    pixel is allocated. Raises NotAnImage, ImageTooLarge, TooManyPixels, TooCostlyToDecode or
    CorruptImage; no Pillow exception escapes (R9: a 500 is a bug).
    """
    if len(data) > MAX_BYTES:
        raise ImageTooLarge()
    image, header = _open(data)
    flat = _guarded(lambda: _decode(image), CorruptImage)
    display = _guarded(lambda: _upright(flat, image), CorruptImage)
    thumbnail = _fit(display, THUMB_EDGE)
    taken_at, gps, camera_serial = _evidence_metadata(image)
    width, height = _oriented_size((header.width, header.height), flat.size, display.size)
    return ProcessedPhoto(
        sha256=hashlib.sha256(data).hexdigest(),
        ext=header.ext,
        content_type=header.content_type,
        size_bytes=len(data),
        width=width,
        height=height,
        taken_at=taken_at,
        gps=gps,
        dhash=_dhash(display),
        display=_jpeg(display),
        thumbnail=_jpeg(thumbnail),
        camera_serial=camera_serial,
    )


def hamming(a: str, b: str) -> int:
    """How many of the 64 bits differ between two dhash strings: 0 is the same picture.

    Re-encoded or resized copies of one photo stay within about 10; unrelated photos are
    usually above 20 (used later to spot one photo handed in for several duties).
    """
    if len(a) != len(b):
        raise ValueError("dhash strings differ in length")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _guarded(step: Callable[[], T], failure: type[DomainError]) -> T:
    """Run one Pillow step: bombs become TooManyPixels, any other Pillow failure `failure`.

    Pillow answers hostile bytes with OSError, ValueError, SyntaxError, EOFError, struct.error
    and more; to the sender they all mean the same, so they are caught broadly here, around
    Pillow calls only. The warning filter is scoped to this block (catch_warnings restores it),
    so the rest of the process keeps Pillow's default of merely warning.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return step()
        except _BOMB as error:
            raise TooManyPixels() from error
        except DomainError:
            raise
        except Exception as error:
            raise failure() from error


def _open(data: bytes) -> tuple[ImageFile.ImageFile, PhotoHeader]:
    """The lazily opened image (a JPEG set to its draft scale) and its header, from the header
    alone.

    Only the four allowed decoders are tried, so BMP, TIFF, PDF or SVG never reach a parser.
    Pillow's own bomb limit is about 89 MP, so the 40 MP rule and the decode budget are checked
    here, before any pixel data is read.
    """
    if not data:
        raise NotAnImage()
    image = _guarded(lambda: Image.open(io.BytesIO(data), formats=list(FORMATS)), NotAnImage)
    ext = FORMATS.get(_ALIASES.get(image.format or "", image.format or ""))
    if ext is None:
        raise NotAnImage()
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise TooManyPixels()
    cost = _guarded(lambda: _decode_cost(image), NotAnImage)
    if cost > MAX_DECODE_BYTES:
        raise TooCostlyToDecode()
    return image, PhotoHeader(ext, CONTENT_TYPES[ext], width, height, cost)


def _decode_cost(image: ImageFile.ImageFile) -> int:
    """Bytes that decoding and flattening `image` will hold at the peak, from its header.

    A JPEG is decoded at the smallest DCT scale still at least DISPLAY_EDGE on both sides
    (draft, set here), which keeps a typical 40 MP photo near 10 MB, not 160 MB; a progressive
    one still makes libjpeg keep every coefficient of the full-size picture.
    """
    coefficients = _coefficient_bytes(image)
    if image.format in ("JPEG", "MPO"):
        image.draft(None, (DISPLAY_EDGE, DISPLAY_EDGE))
    transparent = "transparency" in image.info
    per_pixel = (_PIXEL_BYTES.get(image.mode, 4) + _flatten_bytes(image.mode, transparent)
                 + _DECODER_BYTES.get(image.format or "", 0))
    # Then the display-size work: resampling's first pass (DISPLAY_EDGE wide, full height)
    # and the display copies themselves.
    display_work = 4 * DISPLAY_EDGE * (max(image.size) + 2 * DISPLAY_EDGE)
    return image.width * image.height * per_pixel + coefficients + display_work


def _coefficient_bytes(image: ImageFile.ImageFile) -> int:
    """What libjpeg buffers for a progressive JPEG: every 8×8 block's 64 two-byte coefficients,
    per component at its own sampling, at full size whatever the draft scale; 0 otherwise."""
    layers = getattr(image, "layer", None)
    if image.format not in ("JPEG", "MPO") or not image.info.get("progressive") or not layers:
        return 0
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    return sum(math.ceil(image.width * h / h_max / 8) * math.ceil(image.height * v / v_max / 8)
               * 128 for _, h, v, _ in layers)


def _decode(image: ImageFile.ImageFile) -> Image.Image:
    """The first frame's pixels flattened and fit to DISPLAY_EDGE, before orientation.

    Only the decoded pixels (a JPEG at its draft scale, set by _open) and the one copy
    _flatten makes are ever full size; orientation and colour conversion work on the small
    copy. Animated GIF/WebP: load() reads frame 0 only.
    """
    image.load()
    return _fit(_flatten(image), DISPLAY_EDGE)


def _upright(flat: Image.Image, original: ImageFile.ImageFile) -> Image.Image:
    """The display copy turned as the original's EXIF (or XMP) orientation says, in sRGB."""
    try:
        orientation = original.getexif().get(ExifTags.Base.Orientation)
    except Exception:  # unreadable EXIF means no orientation, never a rejected photo
        orientation = None
    method = _ORIENTATIONS.get(orientation)
    upright = flat.transpose(method) if method is not None else flat
    return _to_srgb(upright, original.info.get("icc_profile"))


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, L or CMYK pixels, with any transparency composited onto white.

    Transparent pixels often hide black underneath; on a white page they must look as the
    sender saw them. 16-bit greyscale is scaled down (a plain convert would clip it to white).
    At most one full-size copy beside the decoded pixels (two for a palette or colour key with
    transparency); _flatten_bytes counts them for the decode budget.
    """
    if image.mode in _DEEP:
        return image.point(lambda value: value / 256).convert("L")
    if image.mode in _ALPHA or image.mode == "PA" or "transparency" in image.info:
        source = image if image.mode in _ALPHA else image.convert("RGBA")
        canvas = Image.new("RGB", image.size, "white")
        canvas.paste(source, (0, 0), source)  # blends by the alpha band: over opaque white
        return canvas
    if image.mode in ("RGB", "L", "CMYK"):
        return image
    return image.convert("L" if image.mode == "1" else "RGB")


def _flatten_bytes(mode: str, transparent: bool) -> int:
    """Bytes per pixel of the full-size copies _flatten makes for `mode` (keep the two alike)."""
    if mode in _DEEP:
        return _PIXEL_BYTES.get(mode, 4) + 1
    if mode in _ALPHA:
        return 4
    if mode == "PA" or transparent:
        return 4 + 4
    if mode in ("RGB", "L", "CMYK"):
        return 0
    return 1 if mode == "1" else 4


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB in sRGB: the display copies carry no profile, so their colours must already be sRGB.

    Dropping a CMYK or wide-gamut (Display P3) profile without converting shifts colours; an
    unreadable or mismatched profile falls back to Pillow's plain conversion.
    """
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
        if converted is not None:
            return converted
    return image.convert("RGB")


def _fit(image: Image.Image, edge: int) -> Image.Image:
    """A copy whose longest side is at most `edge` (never upscaled), with no metadata attached.

    Resized straight from the source (Pillow first reduces by whole factors, keeping twice the
    target, then resamples), never through a full-size copy. Clearing `info` drops EXIF (GPS),
    XMP, comments and the ICC profile, which Pillow would otherwise write back into the JPEG.
    """
    width, height = image.size
    scale = edge / max(width, height)
    if scale >= 1:
        fitted = image.copy()
    else:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        fitted = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    fitted.info = {}
    return fitted


def _jpeg(image: Image.Image) -> bytes:
    """Encode a display copy: progressive, optimised JPEG at JPEG_QUALITY, no metadata."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _oriented_size(
    original: tuple[int, int], decoded: tuple[int, int], upright: tuple[int, int]
) -> tuple[int, int]:
    """The original's size after EXIF orientation.

    The decoded size may be a JPEG draft scale; if orienting turned it a quarter, turn the
    original's size too (a square cannot tell, and needs no turn).
    """
    return original if upright == decoded else (original[1], original[0])


def _dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits (the standard dHash, as in `imagehash`).

    Greyscale, shrink to 9×8, and for each row set a bit when a pixel is brighter than its
    left neighbour; first bit most significant. Survives re-encoding and resizing.
    """
    pixels = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS).tobytes()
    value = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            value = value << 1 | (right > left)
    return f"{value:016x}"


def _evidence_metadata(
    image: Image.Image,
) -> tuple[datetime | None, tuple[float, float] | None, str | None]:
    """Capture time, GPS and camera serial number from the original's EXIF.

    EXIF is written by countless cameras and apps; unreadable EXIF means no metadata, never a
    rejected photo.
    """
    try:
        exif = image.getexif()
        return _taken_at(exif), _gps(exif), _camera_serial(exif)
    except Exception:
        return None, None, None


def camera_serial_of(data: bytes) -> str | None:
    """The camera serial number of a stored original (for a photo checked again later)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _camera_serial(image.getexif())
    except Exception:
        return None


def _camera_serial(exif: Image.Exif) -> str | None:
    """BodySerialNumber (EXIF 2.3, tag 0xA431), at most 64 characters; None if absent."""
    serial = _text(exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.BodySerialNumber))[:64]
    return serial or None


def _taken_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal, else DateTime, as aware UTC; None if missing or garbage."""
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    candidates = (
        (sub.get(ExifTags.Base.DateTimeOriginal), sub.get(ExifTags.Base.OffsetTimeOriginal)),
        (exif.get(ExifTags.Base.DateTime), sub.get(ExifTags.Base.OffsetTime)),
    )
    for stamp, offset in candidates:
        if (moment := _exif_time(stamp, offset)) is not None:
            return moment
    return None


def _exif_time(stamp: object, offset: object) -> datetime | None:
    """Parse "YYYY:MM:DD HH:MM:SS" in the camera's local time.

    EXIF times carry no zone; the EXIF 2.31 offset tag is honoured when present, otherwise the
    time is taken as Asia/Shanghai (the county's clock).
    """
    match = _EXIF_TIME.match(_text(stamp))
    if match is None:
        return None
    try:
        local = datetime(*(int(part) for part in match.groups()))
        return local.replace(tzinfo=_exif_zone(offset)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _exif_zone(offset: object) -> tzinfo:
    """A fixed zone from an EXIF offset like "+08:00", else Asia/Shanghai."""
    match = _EXIF_OFFSET.fullmatch(_text(offset))
    if match is None:
        return SHANGHAI
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return SHANGHAI
    return timezone(-delta if sign == "-" else delta)


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    """(latitude, longitude) in decimal degrees, south and west negative; None if garbage.

    (0, 0) is what some phones write without a fix, so it counts as no position.
    """
    info = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not info:
        return None
    lat = _degrees(
        info.get(ExifTags.GPS.GPSLatitude), info.get(ExifTags.GPS.GPSLatitudeRef), ("N", "S"), 90
    )
    lng = _degrees(
        info.get(ExifTags.GPS.GPSLongitude), info.get(ExifTags.GPS.GPSLongitudeRef), ("E", "W"), 180
    )
    if lat is None or lng is None or (lat, lng) == (0.0, 0.0):
        return None
    return lat, lng


def _degrees(value: Any, ref: object, refs: tuple[str, str], limit: float) -> float | None:
    """Decimal degrees from EXIF (degrees, minutes, seconds) rationals and a hemisphere ref.

    A missing ref counts as north/east (the county's hemispheres); a zero denominator, a wrong
    shape or an out-of-range angle is garbage.
    """
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    angle = degrees + minutes / 60 + seconds / 3600
    hemisphere = _text(ref).upper() or refs[0]
    if not math.isfinite(angle) or not 0 <= angle <= limit or hemisphere not in refs:
        return None
    return -angle if hemisphere == refs[1] else angle


def _text(value: object) -> str:
    """An EXIF ASCII value as a stripped str ("" for None or non-text)."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""
