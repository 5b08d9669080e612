"""Admin page 批量导入导出 (`/admin/org/import`): the organisation as an .xlsx workbook
(models.org_sheet). Download the template or the current organisation, edit it, upload it:
the preview lists what would be new, changed and unchanged, or every problem by sheet, row
and column; 确认导入 applies the same file again and saves it all, or nothing. The uploaded
file waits in Redis for an hour between the preview and the confirmation."""

import hashlib
import io
import secrets
from zipfile import BadZipFile

from flask import current_app, flash, g, redirect, render_template, request, url_for
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from handlers.admin import texts
from handlers.admin.access import editors_only
from handlers.exports import xlsx_response
from models import Role, audit, utcnow
from models import session as db
from models.org_sheet import CHANGED, COLUMNS, EXAMPLE, NEW, UNCHANGED, export_rows, import_rows

PENDING = "org-import:{token}"
PENDING_SECONDS = 3600
MAX_BYTES = 5 * 1024 * 1024
EXAMPLES = {
    "单位": [f"{EXAMPLE}：青山镇", "某县纪委监委", "乡镇", "青山镇/青山镇纪委"],
    "人员": [f"{EXAMPLE}：李明", "青山镇", "班子成员", "副镇长", "13800000000"],
    "岗位": [f"{EXAMPLE}：李明", "青山镇", "分管财政工作", "负责全镇财政预算执行、专项资金管理"],
    "风险点": [f"{EXAMPLE}：李明", "青山镇", "分管财政工作", "专项资金拨付审核把关不严", "高",
            "资金拨付实行集体研究、分级审批，每季度公示", "李明"],
}
INSTRUCTIONS = [
    "填写说明",
    "本文件有“单位”“人员”“岗位”“风险点”四张表，表头（第1行）不要改动；不需要的表可以留空或删除。",
    "每张表第2行是示例（以“示例”开头），请改写或删除，否则无法导入。",
    "单位：以“上级单位/单位名称”识别，如“青山镇/青山镇纪委”；单位名称全县唯一时也可只写名称。"
    "已有单位填写新的上级单位即为调动；单位类别为：县纪委监委、乡镇、部门、村（社区）、纪检组织；"
    "监督单位须为纪检组织或县纪委监委，留空表示随上级单位。",
    "人员：填写手机号时按手机号识别本人，否则按“姓名+所属单位”识别；角色为：党委(党组)班子、党组织书记、"
    "班子成员、科室及二级机构负责人、纪检监察人员、县纪委监委审核人员、系统管理员。",
    "岗位：按“姓名+所属单位+岗位名称”识别，一人可有多个岗位。",
    "风险点：按“岗位+风险点”识别；风险等级为高、中、低；责任人留空即为岗位本人，须为同一单位的在职人员。",
    "导入只新增和修改，不会删除表中没有的单位、人员、岗位或风险点（停用请在页面上操作）。",
    "上传后先预览：列出新增、修改、不变的行数和明细；任何一行有误都不会保存，并指出第几行哪一列有什么问题。",
]


def import_page():
    return render_template("admin/org_import.html", can_edit=g.person.role == Role.ADMIN)


def read_workbook(data: bytes) -> dict[str, list[tuple[int, list]]]:
    """Each sheet's rows, numbered as Excel shows them."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {sheet.title.strip(): list(enumerate(
            (list(cells) for cells in sheet.iter_rows(values_only=True)), start=1))
            for sheet in book.worksheets if sheet.title.strip() in COLUMNS}
    finally:
        book.close()


def _report(data: bytes, *, apply: bool):
    try:
        sheets = read_workbook(data)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        return None
    return import_rows(sheets, now=utcnow(), actor=g.person, apply=apply)


@editors_only
def preview():
    """Upload: nothing is saved; the page shows what 确认导入 would do, or what is wrong."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _refused(texts.IMPORT_PICK_FILE)
    if not upload.filename.lower().endswith(".xlsx"):
        return _refused(texts.IMPORT_XLSX_ONLY)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _refused(texts.IMPORT_TOO_LARGE)
    report = _report(data, apply=False)
    db.rollback()
    if report is None:
        return _refused(texts.IMPORT_UNREADABLE)
    token = None
    if not report.problems:
        token = secrets.token_urlsafe(16)
        current_app.extensions["redis"].set(PENDING.format(token=token), data,
                                            ex=PENDING_SECONDS)
    return _page(report, token, upload.filename, 422 if report.problems else 200)


@editors_only
def apply(token: str):
    """确认导入: the previewed file, applied for real, all rows or none."""
    key = PENDING.format(token=token)
    data = current_app.extensions["redis"].get(key)
    if data is None:
        return _refused(texts.IMPORT_EXPIRED)
    report = _report(data, apply=True)
    if report is None or report.problems:
        db.rollback()
        return _page(report, None, request.form.get("filename", ""), 422)
    audit.record("org.import_file", "organisation", now=utcnow(), actor=g.person,
                 sha256=hashlib.sha256(data).hexdigest(), file=request.form.get("filename", ""))
    db.commit()
    current_app.extensions["redis"].delete(key)
    counts = {kind: sum(report.counts(sheet)[kind] for sheet in COLUMNS)
              for kind in (NEW, CHANGED, UNCHANGED)}
    flash(texts.IMPORTED.format(**counts), "ok")
    return redirect(url_for("admin.org_units"), 303)


def _refused(message: str):
    return render_template("admin/org_import.html", can_edit=True, problems=[message]), 422


def _page(report, token, filename: str, status: int):
    return render_template("admin/org_import.html", can_edit=True, report=report, token=token,
                           filename=filename, sheets=list(COLUMNS),
                           problems=report.shown_problems() if report else []), status


def _workbook(rows: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    notes = book.active
    notes.title = "说明"
    for line in INSTRUCTIONS:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 120
    for cell in notes["A"]:
        cell.alignment = Alignment(wrap_text=True)
    for sheet, values in rows.items():
        page = book.create_sheet(sheet)
        for row in values:
            page.append(row)
        for cell in page[1]:
            cell.font = Font(bold=True)
        for index, header in enumerate(COLUMNS[sheet]):
            page.column_dimensions[chr(ord("A") + index)].width = \
                40 if header in ("岗位职责", "防控措施", "风险点") else 18
        page.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_xlsx():
    """The empty workbook to fill in: headers, one example row each, the instructions."""
    rows = {sheet: [list(columns), EXAMPLES[sheet]] for sheet, columns in COLUMNS.items()}
    return xlsx_response(_workbook(rows), "组织机构导入模板.xlsx", "org-template.xlsx")


def export_xlsx():
    """The organisation as it stands, in the import's columns (audited)."""
    rows = export_rows()
    audit.record("org.export", "organisation", now=utcnow(), actor=g.person,
                 **{sheet: len(values) - 1 for sheet, values in rows.items()})
    db.commit()
    return xlsx_response(_workbook(rows), "组织机构.xlsx", "org.xlsx")

