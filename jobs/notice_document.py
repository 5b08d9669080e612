"""The notice as the document offices exchange (issue 11; reference/domain.md §1.3: facts,
basis, the requirements, "请于某年某月某日前将办理结果函告", 落款 and date): one set of parts,
printed as an A4 page (templates/mobile/notice_print.html) and written as .docx (python-docx).
"""

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from models import Notice, NoticeKind
from models.clock import local_date
from models.notice import KIND_LABELS

FONT, TITLE_FONT = "仿宋", "方正小标宋简体"  # the body and title faces of official documents


@dataclass(frozen=True)
class Parts:
    issuer: str
    kind: str
    reference: str
    addressee: str
    opening: str
    facts: str
    basis: str
    ask: str
    items: list[str]
    reply: str
    signature: str
    date: str


def chinese_date(value) -> str:
    day = local_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def parts(notice: Notice) -> Parts:
    """The document's words, in order."""
    suggestion = notice.kind == NoticeKind.SUGGESTION
    items = []
    for item in notice.items:
        who = f"，责任人：{item.person.name}" if item.person else ""
        items.append(f"{item.position}. {item.requirement}（整改时限：{chinese_date(item.due_at)}"
                     f"{who}）")
    return Parts(
        issuer=notice.issuer.name, kind=KIND_LABELS[NoticeKind(notice.kind)],
        reference=notice.reference or "（草稿）", addressee=f"{notice.unit.name}：",
        opening=notice.title,
        facts=f"经监督检查，发现你单位存在以下问题：{notice.facts}",
        basis=f"依据{notice.basis}，" if notice.basis else "",
        ask="现提出如下监督建议：" if suggestion else "现责令你单位限期整改，整改要求如下：",
        items=items,
        reply=f"请于{chinese_date(notice.reply_due_at)}前将整改情况书面回复"
              f"{notice.issuer.name}（可通过“清廉”公众号逐项回复并上传佐证材料）。",
        signature=notice.issuer.name,
        date=chinese_date(notice.issued_at or notice.created_at))


def write_docx(notice: Notice) -> bytes:
    """The .docx of `notice`: A4, the title and number centred, 落款 and date on the right."""
    text = parts(notice)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    _line(document, text.issuer, size=22, centre=True, face=TITLE_FONT)
    _line(document, text.kind, size=22, centre=True, face=TITLE_FONT)
    _line(document, text.reference, centre=True)
    _line(document, text.opening, centre=True, bold=True)
    _line(document, text.addressee)
    for paragraph in (text.facts, text.basis + text.ask, *text.items, text.reply):
        _line(document, paragraph, indent=True)
    _line(document, text.signature, right=True)
    _line(document, text.date, right=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _line(document, words: str, *, size: int = 16, centre=False, right=False, bold=False,
          indent=False, face: str | None = None) -> None:
    paragraph = document.add_paragraph()
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(words)
    run.font.size, run.bold = Pt(size), bold
    if face:
        run.font.name = face
        run._element.rPr.rFonts.set(qn("w:eastAsia"), face)
