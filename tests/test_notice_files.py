"""Files (PDF, Word, Excel) with a notice: an item's reply and a draft's attachments, checked
by their bytes, listed on the notice page by name and size and downloaded under that name by
those who may see the notice."""

import io
import zipfile
from urllib.parse import quote

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from models import Evidence, EvidenceKind, Notice, session
from models.document_file import document_type, safe_name
from models.notice_lifecycle import issue
from test_notice import make_notice  # noqa: F401 (fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_file() -> bytes:
    document = docx.Document()
    document.add_paragraph("整改台账")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def excel_file() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "整改台账"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ole2(stream: str) -> bytes:
    """The start of a compound file whose directory names `stream`, as Word 97 and Excel 97
    write them."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + (stream + "\0").encode("utf-16-le")


@pytest.fixture
def issued(county, make_notice, now):
    notice = make_notice()
    issue(notice, county["discipline"], now=now)
    session.commit()
    return notice


def files_of(notice) -> list[Evidence]:
    session.rollback()
    return list(session.scalars(sa.select(Evidence).where(
        Evidence.notice_id == notice.id, Evidence.kind == EvidenceKind.FILE)
        .order_by(Evidence.id)))


def test_a_reply_with_a_pdf_and_a_docx_is_listed_and_downloaded_by_the_issuer(phone, issued):
    page = f"/m/notices/{issued.id}"
    first = issued.items[0]
    word = word_file()
    done = phone("secretary").post(
        f"{page}/items/{first.id}/reply", form_page=page,
        data={"reply": "已补齐2026年1至11月专题会议记录共11份。"},
        files=[("files", ("会议记录.pdf", PDF, "application/pdf")),
               ("files", ("学习台账.docx", word, "application/octet-stream"))])
    assert done.status_code == 200 and "第1次回复" in done.text
    pdf_row, word_row = files_of(issued)
    assert (pdf_row.text, pdf_row.content_type, pdf_row.size_bytes) == (
        "会议记录.pdf", "application/pdf", len(PDF))
    assert (word_row.text, word_row.content_type, word_row.round) == ("学习台账.docx", DOCX_TYPE, 1)

    body = phone("discipline")
    shown = body.get(page).text
    link = f"/m/evidence/{word_row.id}/file"
    assert f'href="{link}"' in shown and "学习台账.docx" in shown and "KB）" in shown
    answer = body.get(link)
    assert answer.status_code == 200 and answer.content == word
    assert answer.headers["Content-Type"] == DOCX_TYPE
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote('学习台账.docx')}" in answer.headers["Content-Disposition"]
    assert docx.Document(io.BytesIO(answer.content)).paragraphs[0].text == "整改台账"
    assert phone("member").get(f"/m/evidence/{pdf_row.id}/file").content == PDF
    for stranger in ("other_secretary", "other_discipline", "colleague"):
        assert phone(stranger).get(link).status_code == 404
    assert body.get(f"/m/evidence/{word_row.id}/display").status_code == 404  # not a photo


def test_a_program_named_pdf_is_refused_by_name_and_nothing_is_saved(phone, issued):
    page = f"/m/notices/{issued.id}"
    first = issued.items[0]
    refused = phone("secretary").post(
        f"{page}/items/{first.id}/reply", form_page=page,
        data={"reply": "已补齐2026年1至11月专题会议记录共11份。"},
        files=[("files", ("会议记录.pdf", PDF, "application/pdf")),
               ("files", ("报告.pdf", b"MZ\x90\x00" + bytes(60), "application/pdf"))])
    assert refused.status_code == 200  # back on the notice page, the form says why
    assert "第2个文件未能保存（报告.pdf）：只接受 PDF、Word、Excel 文件" in refused.text
    assert "已补齐2026年1至11月" in refused.text  # what was typed comes back
    assert files_of(issued) == []
    assert session.get(Notice, issued.id).items[0].round == 0  # the reply was not saved either


def test_more_than_five_files_are_refused(phone, issued):
    page = f"/m/notices/{issued.id}"
    refused = phone("secretary").post(
        f"{page}/items/{issued.items[0].id}/reply", form_page=page,
        data={"reply": "已补齐2026年1至11月专题会议记录共11份。"},
        files=[("files", (f"{n}.pdf", PDF, "application/pdf")) for n in range(6)])
    assert "一次最多上传5个文件" in refused.text and files_of(issued) == []


def test_a_draft_takes_files_as_attachments(phone, make_notice):
    notice = make_notice()
    edit = f"/m/notices/{notice.id}/edit"
    body = phone("discipline")
    form = body.get(edit).text
    assert 'name="files" accept=".pdf,.doc,.docx,.xls,.xlsx"' in form and "附件文件" in form
    typed = {"kind": "rectification", "title": notice.title, "facts": notice.facts,
             "basis": notice.basis, "reply_due": "2026-12-31", "follow_up_days": "30",
             "requirement": [item.requirement for item in notice.items],
             "due": ["2026-12-31"] * len(notice.items),
             "person_id": [str(item.person_id or "") for item in notice.items]}
    sheet = excel_file()
    saved = body.post(edit, form_page=edit, data=typed,
                      files=[("files", ("检查底稿.xlsx", sheet, "application/octet-stream"))])
    assert saved.status_code == 200
    [row] = files_of(notice)
    assert (row.text, row.notice_item_id, row.content_type) == (
        "检查底稿.xlsx", None,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    shown = body.get(f"/m/notices/{notice.id}").text
    assert "附件" in shown and f'href="/m/evidence/{row.id}/file"' in shown
    assert body.get(f"/m/evidence/{row.id}/file").content == sheet
    assert phone("secretary").get(f"/m/evidence/{row.id}/file").status_code == 404  # a draft


def test_documents_are_told_by_their_bytes():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("photos/a.jpg", b"x")
    assert [document_type(data) for data in (
        PDF, word_file(), excel_file(), ole2("WordDocument"), ole2("Workbook"), ole2("Book"),
        ole2("PowerPoint Document"), zipped.getvalue(), b"PK\x03\x04broken", b"MZ", b"")] == [
        "pdf", "docx", "xlsx", "doc", "xls", "xls", None, None, None, None, None]


@pytest.mark.parametrize("uploaded, ext, kept", [
    ("报告.pdf", "pdf", "报告.pdf"),
    ("../../etc/报告.PDF", "pdf", "报告.pdf"),
    ("a<b>:c|d?.docx", "docx", "abcd.docx"),
    ("报告.exe", "pdf", "报告.exe.pdf"),
    ("", "xls", "附件.xls"),
    ("长" * 200 + ".xlsx", "xlsx", "长" * 75 + ".xlsx"),
])
def test_a_file_keeps_a_safe_name_of_at_most_80_characters(uploaded, ext, kept):
    assert safe_name(uploaded, ext) == kept
