"""A labelled corpus for the reused-photo detector (issue 13): real photos from scikit-image's
data folder, each edited the ways people re-use an old photo, and hard negatives.

- `originals()`: distinct photos. scikit-image's photographs, the four quarter tiles of its
  two large ones (retina 1411 px, hubble_deep_field 1000 px: "different tiles of one large
  photo"), faces from its LFW subset (one composition, different people: "similar scenes"),
  and drawn meeting rooms: one room, one angle, different people at the table.
- `EDITS`: name -> function, the issue's list (JPEG at low quality, resize, crop 10 %,
  brighten, darken, contrast, grey, tilt, border, phone screenshot, date bar, watermark, PNG)
  plus two combinations.
- `hard_negatives()`: the pairs of originals that look most alike by construction.

Everything is made in memory by Pillow from the package's files; nothing is downloaded.
Shared by tests/test_photo_print.py and benchmarks/_integrity_photo.py.
"""

import io
import random
from collections.abc import Callable
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "coins", "moon", "brick",
          "grass", "gravel", "cell", "clock", "immunohistochemistry", "page")
TILED = ("retina", "hubble_deep_field")
FACES = 6  # the LFW subset's first images are faces
ROOMS = 4


def _skimage(name: str) -> Image.Image:
    from skimage import data  # test/bench-only dependency (requirements-dev.txt)

    return Image.fromarray(getattr(data, name)()).convert("RGB")


@cache
def originals() -> dict[str, Image.Image]:
    """name -> a distinct photo (RGB), the pictures every edit is applied to."""
    photos = {name: _skimage(name) for name in PHOTOS}
    for name in TILED:
        photos.update(_tiles(name, _skimage(name)))
    photos.update(_faces())
    photos.update((f"room-{seed}", meeting_room(seed)) for seed in range(ROOMS))
    return photos


def hard_negatives() -> list[tuple[str, str]]:
    """Pairs of distinct originals alike by construction: tiles of one photo, faces, rooms."""
    groups: dict[str, list[str]] = {}
    for name in originals():
        groups.setdefault(name.split("-")[0], []).append(name)
    return [(a, b) for group in groups.values() for i, a in enumerate(group)
            for b in group[i + 1:] if len(group) > 1]


def _tiles(name: str, image: Image.Image) -> dict[str, Image.Image]:
    width, height = image.size
    return {f"{name}-{row}{col}": image.crop((col * width // 2, row * height // 2,
                                              (col + 1) * width // 2, (row + 1) * height // 2))
            for row in range(2) for col in range(2)}


def _faces() -> dict[str, Image.Image]:
    from skimage import data

    faces = data.lfw_subset()[:FACES]
    return {f"face-{index}": Image.fromarray((face * 255).astype(np.uint8)).convert("RGB")
            .resize((300, 300), Image.Resampling.BICUBIC) for index, face in enumerate(faces)}


def meeting_room(seed: int) -> Image.Image:
    """One meeting room seen from the same corner (wall, banner, long table), with different
    people seated by `seed`: the "two meetings in the same room" hard negative."""
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), (214, 206, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(120, 90, 60))  # floor
    draw.rectangle((120, 40, 680, 110), fill=(180, 20, 20))  # the red banner
    draw.polygon([(60, 400), (740, 400), (800, 520), (0, 520)], fill=(150, 110, 70))  # table
    for _ in range(rng.randrange(6, 10)):
        x, y = rng.randrange(20, 760), rng.randrange(200, 330)
        size = rng.randrange(35, 70)
        shirt = tuple(rng.randrange(20, 230) for _ in range(3))
        draw.rectangle((x - size, y + size // 2, x + size, y + 3 * size), fill=shirt)
        draw.ellipse((x - size // 2, y - size // 2, x + size // 2, y + size // 2),
                     fill=(rng.randrange(180, 235), rng.randrange(140, 190), 130))
    # A camera's light falls off to the corners and its sensor adds noise: no real photo has
    # the flat colours drawn above.
    pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32)
    rows, cols = np.mgrid[-1:1:600j, -1:1:800j]
    shade = 1.0 - 0.18 * (rows ** 2 + cols ** 2)
    noise = np.random.default_rng(seed).normal(0, 4, pixels.shape)
    return Image.fromarray(np.clip(pixels * shade[..., None] + noise, 0, 255).astype(np.uint8))


# The edits: what people do to an old photo before handing it in again.

def _encoded(image: Image.Image, fmt: str, **params) -> Image.Image:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    width, height = image.size
    return image.resize((max(1, round(width * factor)), max(1, round(height * factor))),
                        Image.Resampling.LANCZOS)


def _cropped(image: Image.Image, left: float, top: float, right: float,
             bottom: float) -> Image.Image:
    width, height = image.size
    return image.crop((round(width * left), round(height * top),
                       round(width * (1 - right)), round(height * (1 - bottom))))


def _tilted(image: Image.Image, degrees: float, fill=(255, 255, 255)) -> Image.Image:
    return image.rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def _tilted_cropped(image: Image.Image, degrees: float) -> Image.Image:
    """Tilted, then cut to the straight rectangle inside (no corners show)."""
    return _cropped(image.rotate(degrees, Image.Resampling.BICUBIC), 0.06, 0.06, 0.06, 0.06)


def _bordered(image: Image.Image, share: float, colour) -> Image.Image:
    width, height = image.size
    pad = round(max(width, height) * share)
    canvas = Image.new("RGB", (width + 2 * pad, height + 2 * pad), colour)
    canvas.paste(image, (pad, pad))
    return canvas


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def screenshot(image: Image.Image) -> Image.Image:
    """The photo as a phone shows it in a chat: a 1080×2340 black screen with a status bar
    (time, signal, battery), the photo fit to the width, a toolbar of icons below."""
    canvas = Image.new("RGB", (1080, 2340), (0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.text((48, 24), "09:41", fill="white", font=_font(44))
    draw.rectangle((930, 34, 1010, 70), outline="white", width=4)
    draw.rectangle((936, 40, 980, 64), fill="white")
    for bar in range(4):
        draw.rectangle((820 + bar * 22, 66 - bar * 10, 834 + bar * 22, 70), fill="white")
    photo = image.resize((1080, round(image.height * 1080 / image.width)),
                         Image.Resampling.LANCZOS)
    canvas.paste(photo, (0, (2340 - photo.height) // 2))
    for icon in range(4):
        x = 135 + icon * 270
        draw.ellipse((x - 36, 2150, x + 36, 2222), outline="white", width=5)
    draw.text((400, 2260), "1 / 9", fill=(200, 200, 200), font=_font(40))
    return canvas


def date_bar(image: Image.Image) -> Image.Image:
    """A black strip across the bottom with the time stamp and place, as camera apps add."""
    stamped = image.copy()
    draw = ImageDraw.Draw(stamped)
    height = max(12, round(stamped.height * 0.09))
    draw.rectangle((0, stamped.height - height, stamped.width, stamped.height), fill=(0, 0, 0))
    draw.text((round(stamped.width * 0.03), stamped.height - height * 0.85),
              "2025-06-12 09:30  QINGSHAN", fill=(255, 160, 0), font=_font(round(height * 0.6)))
    return stamped


def watermark(image: Image.Image) -> Image.Image:
    """A semi-transparent watermark across the middle and a stamp in the corner."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(10, base.width // 10)
    draw.text((base.width * 0.12, base.height * 0.42), "WATERMARK 2025", font=_font(size),
              fill=(255, 255, 255, 110))
    draw.text((base.width * 0.62, base.height * 0.05), "06-12 09:30", font=_font(size // 2),
              fill=(255, 200, 0, 230))
    return Image.alpha_composite(base, layer).convert("RGB")


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg-q15": lambda image: _encoded(image, "JPEG", quality=15),
    "png": lambda image: _encoded(image, "PNG"),
    "down-35%": lambda image: _scaled(image, 0.35),
    "up-200%": lambda image: _scaled(image, 2.0),
    "crop-5%-each-edge": lambda image: _cropped(image, 0.05, 0.05, 0.05, 0.05),
    "crop-10%-left-top": lambda image: _cropped(image, 0.10, 0.10, 0, 0),
    "crop-10%-right": lambda image: _cropped(image, 0, 0, 0.10, 0),
    "brighten": lambda image: ImageEnhance.Brightness(image).enhance(1.4),
    "darken": lambda image: ImageEnhance.Brightness(image).enhance(0.6),
    "low-contrast": lambda image: ImageEnhance.Contrast(image).enhance(0.5),
    "grey": lambda image: image.convert("L").convert("RGB"),
    "tilt-3°": lambda image: _tilted(image, 3),
    "tilt-5°-cropped": lambda image: _tilted_cropped(image, -5),
    "white-border": lambda image: _bordered(image, 0.06, (255, 255, 255)),
    "thick-red-border": lambda image: _bordered(image, 0.12, (150, 20, 20)),
    "screenshot": screenshot,
    "date-bar": date_bar,
    "watermark": watermark,
    "screenshot+jpeg-q40": lambda image: _encoded(screenshot(image), "JPEG", quality=40),
    "crop+darken+jpeg": lambda image: _encoded(
        ImageEnhance.Brightness(_cropped(image, 0.08, 0, 0, 0.08)).enhance(0.7), "JPEG",
        quality=50),
}
