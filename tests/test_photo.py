"""Evidence photos: validation, display copies and metadata (models/photo.py), and the local
content-addressed storage (models/storage.py).

Every test image is made by Pillow here; no binary fixtures. Nothing here needs the database.
"""

import hashlib
import io
import os
import random
import struct
import warnings
import zlib
from datetime import UTC, datetime

import pytest
from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFile
from PIL.TiffImagePlugin import IFDRational

from conftest import bomb_png
from models.errors import DomainError
from models.photo import (
    DISPLAY_EDGE,
    MAX_BYTES,
    MAX_DECODE_BYTES,
    THUMB_EDGE,
    CorruptImage,
    ImageTooLarge,
    NotAnImage,
    TooCostlyToDecode,
    TooManyPixels,
    hamming,
    inspect_photo,
    process_photo,
)
from models.storage import KINDS, LocalStorage, Storage, content_key

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
GANZHOU = {  # 25°51'N 114°56'E
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (25.0, 51.0, 0.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (114.0, 56.0, 0.0),
}


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    """The file bytes Pillow writes for `image` in `fmt`."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def scene(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A photo-like picture: a gradient with coloured discs placed by `seed`."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(20, 160)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in "rgb"))
    return image


def halves(size: tuple[int, int], left: tuple, right: tuple, mode: str = "RGB") -> Image.Image:
    """An image whose left half is `left` and right half `right`."""
    image = Image.new(mode, size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def camera_exif(*, orientation=None, taken=None, offset=None, fallback=None, gps=None):
    """EXIF as a phone writes it: orientation, capture times, GPS."""
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if fallback:
        exif[ExifTags.Base.DateTime] = fallback
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if taken:
        sub[ExifTags.Base.DateTimeOriginal] = taken
    if offset:
        sub[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    return exif


def opened(data: bytes) -> Image.Image:
    """A display copy or thumbnail, opened and decoded."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(color: tuple, expected: tuple, tolerance: int = 30) -> bool:
    """Whether two RGB colours match within JPEG's error."""
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected, strict=True))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims `width`×`height` (CRC fixed so Pillow trusts it)."""
    data = encode(Image.new("1", (8, 8)), "PNG")
    # signature (8) | length (4) | "IHDR" + 13 data bytes (16..29) | CRC (29..33)
    chunk = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]


# --- accepted photos ------------------------------------------------------------------------


def test_exif_orientation_6_turns_the_photo_upright():
    data = encode(halves((400, 300), RED, BLUE), exif=camera_exif(orientation=6))
    photo = process_photo(data)
    assert (photo.width, photo.height) == (300, 400)
    display = opened(photo.display)
    assert display.size == (300, 400)
    # Orientation 6 means "turn 90° clockwise to view": the stored left (red) ends on top.
    assert near(display.getpixel((150, 20)), RED) and near(display.getpixel((150, 380)), BLUE)


def test_orientation_of_a_large_jpeg_uses_the_original_size():
    data = encode(scene(1, (4000, 3000)), exif=camera_exif(orientation=6), quality=60)
    photo = process_photo(data)
    assert (photo.width, photo.height) == (3000, 4000)
    assert opened(photo.display).size == (960, 1280)


def test_capture_time_is_shanghai_local_time_returned_in_utc():
    data = encode(scene(1), exif=camera_exif(taken="2026:11:20 09:30:00"))
    assert process_photo(data).taken_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def test_capture_time_falls_back_to_datetime():
    data = encode(scene(1), exif=camera_exif(fallback="2026:11:20 09:30:00"))
    assert process_photo(data).taken_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def test_capture_time_honours_an_exif_offset():
    data = encode(scene(1), exif=camera_exif(taken="2026:11:20 09:30:00", offset="+09:00"))
    assert process_photo(data).taken_at == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("stamp", ["0000:00:00 00:00:00", "2026:13:45 09:30:00", "yesterday"])
def test_garbage_capture_time_is_none(stamp):
    data = encode(scene(1), exif=camera_exif(taken=stamp))
    assert process_photo(data).taken_at is None


def test_gps_becomes_decimal_degrees():
    photo = process_photo(encode(scene(1), exif=camera_exif(gps=GANZHOU)))
    assert photo.gps == pytest.approx((25.85, 114.93333), abs=1e-4)


def test_gps_south_and_west_are_negative():
    gps = GANZHOU | {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLongitudeRef: "W"}
    photo = process_photo(encode(scene(1), exif=camera_exif(gps=gps)))
    assert photo.gps == pytest.approx((-25.85, -114.93333), abs=1e-4)


@pytest.mark.parametrize(
    "garbage",
    [
        {ExifTags.GPS.GPSLatitude: (IFDRational(25, 0), IFDRational(51, 1), IFDRational(0, 1))},
        {ExifTags.GPS.GPSLatitude: (125.0, 0.0, 0.0)},
        {ExifTags.GPS.GPSLatitudeRef: "X"},
        {ExifTags.GPS.GPSLatitude: (0.0, 0.0, 0.0), ExifTags.GPS.GPSLongitude: (0.0, 0.0, 0.0)},
    ],
    ids=["zero-denominator", "out-of-range", "bad-ref", "null-island"],
)
def test_garbage_gps_is_none(garbage):
    photo = process_photo(encode(scene(1), exif=camera_exif(gps=GANZHOU | garbage)))
    assert photo.gps is None


def test_no_exif_means_no_metadata():
    photo = process_photo(encode(scene(1)))
    assert photo.taken_at is None and photo.gps is None


def test_display_copies_are_stripped_jpegs_within_their_edges():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = camera_exif(taken="2026:11:20 09:30:00", gps=GANZHOU)
    data = encode(
        scene(2, (3000, 2000)), exif=exif, xmp=b"<x:xmpmeta/>", comment=b"cam", icc_profile=srgb
    )
    photo = process_photo(data)
    assert photo.gps is not None and photo.taken_at is not None  # kept as evidence metadata
    for copy, size in ((photo.display, (DISPLAY_EDGE, 853)), (photo.thumbnail, (THUMB_EDGE, 213))):
        image = opened(copy)
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == size
        assert image.info.get("progressive")
        assert len(image.getexif()) == 0
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)


def test_small_photo_is_not_upscaled():
    photo = process_photo(encode(scene(3, (200, 100))))
    assert opened(photo.display).size == (200, 100)
    assert opened(photo.thumbnail).size == (200, 100)


def test_sha256_and_size_describe_the_original_bytes():
    data = encode(scene(4))
    photo = process_photo(data)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.size_bytes == len(data)
    assert (photo.ext, photo.content_type) == ("jpg", "image/jpeg")


def transparent_png() -> bytes:
    """Left half fully transparent (black underneath), right half opaque blue."""
    return encode(halves((200, 100), (0, 0, 0, 0), (*BLUE, 255), "RGBA"), "PNG")


def animated_gif() -> bytes:
    """Two frames: red, then blue."""
    frames = [Image.new("RGB", (200, 100), RED), Image.new("RGB", (200, 100), BLUE)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=500)


def animated_webp() -> bytes:
    """Two frames: red with a transparent left half, then half-transparent blue.

    (With an opaque second frame libwebp drops the file's alpha flag and Pillow decodes the
    first frame as RGB on black, which is why the second frame has alpha too.)
    """
    first = halves((200, 100), (0, 0, 0, 0), (*RED, 255), "RGBA")
    second = Image.new("RGBA", (200, 100), (*BLUE, 128))
    return encode(first, "WEBP", save_all=True, append_images=[second])


def cmyk_jpeg() -> bytes:
    """In CMYK: red (C0 M255 Y255 K0) on the left, blue on the right."""
    return encode(halves((200, 100), (0, 255, 255, 0), (255, 255, 0, 0), "CMYK"))


def phone_mpo() -> bytes:
    """A multi-picture JPEG as phone cameras write it (photo + second picture)."""
    second = Image.new("RGB", (100, 50), (0, 255, 0))
    return encode(halves((200, 100), RED, BLUE), "MPO", save_all=True, append_images=[second])


def grey16_png() -> bytes:
    """16-bit greyscale, mid grey on the left, black on the right."""
    image = Image.new("I;16", (200, 100), 0)
    image.paste(Image.new("I;16", (100, 100), 32768), (0, 0))
    return encode(image, "PNG")


@pytest.mark.parametrize(
    ("make", "ext", "left", "right"),
    [
        (transparent_png, "png", WHITE, BLUE),
        (animated_gif, "gif", RED, RED),
        (lambda: encode(halves((200, 100), RED, BLUE), "WEBP", quality=90), "webp", RED, BLUE),
        (animated_webp, "webp", WHITE, RED),
        (cmyk_jpeg, "jpg", RED, BLUE),
        (phone_mpo, "jpg", RED, BLUE),
        (lambda: encode(halves((200, 100), RED, BLUE).convert("P"), "PNG"), "png", RED, BLUE),
        (grey16_png, "png", (128, 128, 128), (0, 0, 0)),
    ],
    ids=[
        "png-alpha",
        "gif-animated",
        "webp",
        "webp-animated",
        "cmyk",
        "mpo",
        "png-palette",
        "png-16bit",
    ],
)
def test_allowed_formats_become_rgb_display_copies(make, ext, left, right):
    photo = process_photo(make())
    assert photo.ext == ext and (photo.width, photo.height) == (200, 100)
    display = opened(photo.display)
    assert display.mode == "RGB"
    assert near(display.getpixel((20, 50)), left), "transparency is white, first frame only"
    assert near(display.getpixel((180, 50)), right)


def test_reencoded_photo_keeps_its_dhash_and_another_photo_does_not():
    original = process_photo(encode(scene(5), quality=95))
    reencoded = process_photo(encode(scene(5).resize((400, 300)), quality=40))
    other = process_photo(encode(scene(6), quality=95))
    assert len(original.dhash) == 16 and int(original.dhash, 16) >= 0
    assert hamming(original.dhash, reencoded.dhash) <= 10
    assert hamming(original.dhash, other.dhash) > 20


def test_hamming_counts_differing_bits():
    assert hamming("0" * 16, "f" * 16) == 64
    assert hamming("00000000000000ff", "000000000000000f") == 4
    assert hamming("0123456789abcdef", "0123456789ABCDEF") == 0


# --- refused files --------------------------------------------------------------------------

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "请查收本周的工作小结。".encode(),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        SVG,
        encode(Image.new("RGB", (20, 20), RED), "BMP"),
        encode(Image.new("RGB", (20, 20), RED), "TIFF"),
    ],
    ids=["empty", "text", "pdf", "svg", "bmp", "tiff"],
)
def test_not_an_allowed_image_is_refused(data):
    with pytest.raises(NotAnImage) as raised:
        process_photo(data)
    assert raised.value.status == 422 and "JPG" in raised.value.message


def test_over_10_mb_is_refused_before_decoding(monkeypatch):
    data = encode(scene(1))
    data += b"\0" * (MAX_BYTES + 1 - len(data))  # still a valid JPEG: trailing bytes are ignored

    def no_decoding(*args, **kwargs):
        raise AssertionError("a too-large file must not be opened")

    monkeypatch.setattr(Image, "open", no_decoding)
    with pytest.raises(ImageTooLarge) as raised:
        process_photo(data)
    assert raised.value.status == 422 and "10MB" in raised.value.message


def test_exactly_10_mb_is_allowed():
    data = encode(scene(1))
    photo = process_photo(data + b"\0" * (MAX_BYTES - len(data)))
    assert photo.size_bytes == MAX_BYTES


@pytest.mark.parametrize(
    "size",
    [(20000, 20000), (10000, 10000), (7000, 7000)],
    ids=["pillow-bomb-error", "pillow-bomb-warning", "over-40-megapixels"],
)
def test_decompression_bomb_is_refused_from_its_header(size):
    data = png_claiming(*size)
    assert len(data) < 200  # small file, huge claim: pixels are never allocated
    filters, limit = list(warnings.filters), Image.MAX_IMAGE_PIXELS
    with pytest.raises(TooManyPixels) as raised:
        process_photo(data)
    assert raised.value.status == 422
    assert warnings.filters == filters and Image.MAX_IMAGE_PIXELS == limit  # nothing global changed


def test_45_megapixels_is_refused():
    data = encode(Image.new("1", (9000, 5000)), "PNG")
    assert len(data) < 100_000
    with pytest.raises(TooManyPixels):
        process_photo(data)


# --- the decode budget: memory counted from the header ----------------------------------------

def _display_work(long_side: int) -> int:
    return 4 * DISPLAY_EDGE * (long_side + 2 * DISPLAY_EDGE)


def test_the_bomb_png_is_refused_by_its_header_alone(monkeypatch):
    data = bomb_png()
    assert len(data) < 200_000 and Image.open(io.BytesIO(data)).size == (6320, 6320)

    def no_decoding(*args, **kwargs):
        raise AssertionError("the header must be enough")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    for check in (inspect_photo, process_photo):  # the page, and the media job
        with pytest.raises(TooCostlyToDecode) as raised:
            check(data)
        assert raised.value.status == 422 and "另存为JPG" in raised.value.message


@pytest.mark.parametrize(("mode", "per_pixel"), [
    ("L", 1), ("RGB", 4), ("RGBA", 8), ("LA", 8), ("P", 5), ("I;16", 5), ("1", 2),
])
def test_decode_cost_counts_what_each_mode_really_takes(mode, per_pixel):
    # Pillow keeps 4 bytes a pixel for RGB too; alpha adds a white canvas, a palette its RGB
    # copy, 16-bit its scaled copy and the 8-bit result.
    header = inspect_photo(encode(Image.new(mode, (1000, 600)), "PNG"))
    assert header.decode_cost == 1000 * 600 * per_pixel + _display_work(1000)
    assert (header.ext, header.width, header.height) == ("png", 1000, 600)


def test_transparency_by_colour_key_costs_an_rgba_copy_and_the_canvas():
    plain = inspect_photo(encode(Image.new("P", (500, 500)), "PNG")).decode_cost
    keyed = inspect_photo(encode(Image.new("P", (500, 500)), "PNG", transparency=0)).decode_cost
    assert keyed - plain == 500 * 500 * 4


def test_a_jpeg_costs_its_draft_scale_and_a_progressive_one_its_coefficients():
    picture = Image.new("RGB", (4032, 3024), (90, 120, 30))  # a 12 MP phone photo
    baseline = inspect_photo(encode(picture)).decode_cost
    assert baseline == 2016 * 1512 * 4 + _display_work(2016)  # decoded at half size
    progressive = inspect_photo(encode(picture, progressive=True)).decode_cost
    blocks = 4032 // 8 * 3024 // 8  # 4:2:0: one full-size component, two at a quarter
    assert progressive - baseline == (blocks + 2 * blocks // 4) * 128
    assert baseline < 40 * 2**20 < progressive < MAX_DECODE_BYTES


def test_the_budget_refuses_large_transparent_pictures_but_not_photos():
    assert inspect_photo(encode(Image.new("RGB", (7300, 5470)))).decode_cost < 32 * 2**20
    with pytest.raises(TooCostlyToDecode):
        inspect_photo(encode(Image.new("RGBA", (4200, 4200)), "PNG"))
    assert inspect_photo(encode(Image.new("RGB", (4200, 4200)), "PNG")).decode_cost \
        < MAX_DECODE_BYTES


def test_png_text_that_inflates_past_8_mb_is_refused_while_the_header_is_read():
    text = zlib.compress(b"a" * (1024 * 1024 - 1), 9)
    data = encode(Image.new("RGB", (16, 16)), "PNG")
    chunks = b"".join(struct.pack(">I", len(body)) + b"zTXt" + body
                      + struct.pack(">I", zlib.crc32(b"zTXt" + body))
                      for body in (f"k{n}".encode() + b"\0\0" + text for n in range(9)))
    bomb = data[:33] + chunks + data[33:]  # after IHDR
    assert len(bomb) < 30_000
    with pytest.raises(NotAnImage):
        inspect_photo(bomb)
    assert inspect_photo(data[:33] + chunks[: len(chunks) // 9 * 7] + data[33:]).ext == "png"


def test_truncated_jpeg_is_corrupt():
    # The first half keeps the whole header (tables and size), so it opens as a JPEG; the scan
    # data then ends early and decoding fails: CorruptImage ("damaged"), not NotAnImage.
    data = encode(Image.effect_noise((400, 300), 60).convert("RGB"))
    with pytest.raises(CorruptImage) as raised:
        process_photo(data[: len(data) // 2])
    assert raised.value.status == 422 and "损坏" in raised.value.message


def test_truncated_png_is_corrupt():
    data = encode(Image.effect_noise((400, 300), 60), "PNG")
    with pytest.raises(CorruptImage):
        process_photo(data[: len(data) // 2])


def test_jpeg_cut_inside_its_header_is_not_an_image():
    # Too little is left to even read the header, so no format can be recognised.
    with pytest.raises(NotAnImage):
        process_photo(encode(scene(1))[:20])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_damaged_bytes_never_escape_as_pillow_errors(fmt):
    data = encode(scene(7, (64, 48)), fmt)
    rng = random.Random(fmt)
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(rng.randrange(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            process_photo(bytes(damaged))
        except DomainError as error:
            assert isinstance(error, NotAnImage | CorruptImage | TooManyPixels | TooCostlyToDecode)


# --- storage --------------------------------------------------------------------------------

SHA = hashlib.sha256(b"photo").hexdigest()


def files_under(root) -> list[str]:
    """Every file below `root`, as keys."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_content_key_is_sharded_by_hash():
    assert content_key("originals", SHA, "jpg") == f"originals/{SHA[:2]}/{SHA[2:4]}/{SHA}.jpg"
    assert set(KINDS) == {"originals", "display", "thumbs", "files"}


@pytest.mark.parametrize(
    ("kind", "sha", "ext"),
    [
        ("other", SHA, "jpg"),
        ("display", "abc", "jpg"),
        ("display", SHA.upper(), "jpg"),
        ("thumbs", SHA, "../x"),
    ],
)
def test_content_key_refuses_bad_parts(kind, sha, ext):
    with pytest.raises(ValueError):
        content_key(kind, sha, ext)


def test_storage_round_trip(tmp_path):
    storage: Storage = LocalStorage(str(tmp_path / "media"))
    key = content_key("originals", SHA, "jpg")
    assert not storage.exists(key)
    storage.put(key, b"photo")
    assert storage.exists(key) and storage.get(key) == b"photo"
    assert (tmp_path / "media" / key).read_bytes() == b"photo"


def test_storage_put_twice_is_fine(tmp_path):
    storage = LocalStorage(str(tmp_path))
    key = content_key("display", SHA, "jpg")
    storage.put(key, b"first")
    storage.put(key, b"first")
    assert storage.get(key) == b"first"
    storage.put(key, b"second")
    assert storage.get(key) == b"second"


def test_storage_missing_key_is_keyerror(tmp_path):
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(KeyError):
        storage.get(content_key("thumbs", SHA, "jpg"))
    storage.put("originals/a.jpg", b"x")
    with pytest.raises(KeyError):
        storage.get("originals/a.jpg/b.jpg")  # a file where a folder would be


@pytest.mark.parametrize(
    "key",
    [
        "../escape.jpg",
        "originals/../../etc/passwd",
        "/etc/passwd",
        "originals\\ab\\x.jpg",
        "",
        "originals//x.jpg",
        "originals/./x.jpg",
        "originals/.x.tmp",
        "a\x00b",
    ],
)
def test_storage_refuses_unsafe_keys(tmp_path, key):
    storage = LocalStorage(str(tmp_path / "media"))
    with pytest.raises(ValueError):
        storage.put(key, b"x")
    with pytest.raises(ValueError):
        storage.get(key)
    with pytest.raises(ValueError):
        storage.exists(key)
    assert not (tmp_path / "escape.jpg").exists()
    assert list(tmp_path.iterdir()) == []


def test_storage_leaves_no_temporary_files(tmp_path):
    storage = LocalStorage(str(tmp_path))
    keys = [content_key(kind, SHA, "jpg") for kind in KINDS]
    for key in keys * 2:
        storage.put(key, b"bytes")
    assert files_under(tmp_path) == sorted(keys)


def test_storage_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    storage = LocalStorage(str(tmp_path))

    def disk_full(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        storage.put(content_key("originals", SHA, "jpg"), b"photo")
    assert files_under(tmp_path) == []
