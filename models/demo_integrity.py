"""照搬照抄 in the demo county (issue 13): 青山镇's secretary hands in 节前廉洁过节专项提醒 with
石桥乡's photo (re-saved, its edges cropped) and a copy of 石桥乡's summary wrapped in a new
opening and closing, so its review page (青山镇纪委, user 10), the API and both dashboards
show a photo flag and a summary flag after `make run`."""

import io
import random

from PIL import Image, ImageDraw

from models.integrity import check_photo

TEMPLATE = "节前廉洁过节专项提醒"
ORIGINAL_UNIT, COPYING_UNIT = "石桥乡", "青山镇"
SUMMARY = ("{date}，乡党委召开节前廉洁过节专题提醒会，传达学习中央八项规定及其实施细则精神，"
           "通报近期查处的违规收送礼品礼金、违规公款吃喝典型案例，逐一签订廉洁过节承诺书46份，"
           "安排乡纪委在节日期间开展明察暗访，重点检查公车使用和办公场所值班情况。")
WRAPPED = ("为营造风清气正的节日氛围，{body}下一步将持续加强监督检查，发现问题严肃处理。")


def handed_in(task, when) -> tuple[str, bytes] | None:
    """What the demo's two chosen units hand in for TEMPLATE (summary, photo), else None."""
    if task.template.title != TEMPLATE or task.unit.name not in (ORIGINAL_UNIT, COPYING_UNIT):
        return None
    date = f"{when:%m月%d日}"
    if task.unit.name == ORIGINAL_UNIT:
        return SUMMARY.format(date=date), _jpeg(meeting_photo())
    body = SUMMARY.format(date=date).replace("乡党委", "镇党委").replace("乡纪委", "镇纪委")
    return WRAPPED.format(body=body), _jpeg(_trimmed(meeting_photo()), quality=60)


def check(evidence, processed, when) -> None:
    """Fingerprint and flag a chosen photo as the media job would (jobs.evidence)."""
    with Image.open(io.BytesIO(processed.display)) as display:
        check_photo(evidence, display, now=when)


def meeting_photo() -> Image.Image:
    """A generated meeting room: wall, red banner, table, people, light and shade."""
    shapes = random.Random(13)
    image = Image.new("RGB", (960, 720))
    draw = ImageDraw.Draw(image)
    for y in range(720):
        shade = 235 - y * 90 // 720
        draw.line((0, y, 960, y), fill=(shade, shade - 12, shade - 30))
    draw.rectangle((120, 40, 840, 130), fill=(190, 30, 35))
    for x in range(0, 960, 120):
        draw.rectangle((x + 10, 160, x + 100, 330), fill=(200 - x // 8, 215, 230))
    draw.rectangle((60, 430, 900, 560), fill=(120, 72, 40))
    for seat in range(8):
        x = 100 + seat * 105
        colour = tuple(shapes.randrange(40, 200) for _ in range(3))
        draw.ellipse((x, 330, x + 60, 390), fill=(230, 190, 160))
        draw.rectangle((x - 10, 390, x + 70, 440), fill=colour)
    return image


def _trimmed(image: Image.Image, share: float = 0.005) -> Image.Image:
    w, h = image.size
    cut = image.crop((int(w * share), int(h * share), int(w * (1 - share)), int(h * (1 - share))))
    return cut.resize((w * 2 // 3, h * 2 // 3))


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
