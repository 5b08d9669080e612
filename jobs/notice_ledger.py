"""The notice ledger (台账) as .xlsx: one row per notice, one per 整改要求, printable A4
landscape; the same rows as /admin/notices shows for the same filters."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from models.clock import local_time
from models.notice import ITEM_STATE_LABELS, KIND_LABELS, STATE_LABELS, Notice
from models.notice_ledger import item_counts

NOTICE_HEADER = ("文号", "类型", "下发单位", "主送单位", "标题", "下发时间", "回复期限", "状态",
                 "整改要求", "已核实", "退回次数", "逾期", "回访日期", "销账时间", "回访情况")
ITEM_HEADER = ("文号", "序号", "整改要求", "责任人", "整改时限", "状态", "回复时间", "整改情况",
               "核实时间", "退回次数", "退回理由")
DAY = "%Y-%m-%d"


def write_ledger(notices: list[Notice], overdue: set[int]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(NOTICE_HEADER)
    for notice in notices:
        counted = item_counts(notice)
        sheet.append((notice.reference, KIND_LABELS[notice.kind], notice.issuer.name,
                      notice.unit.name, notice.title, local_time(notice.issued_at),
                      local_time(notice.reply_due_at), STATE_LABELS[notice.state],
                      counted["items"], counted["accepted"], counted["returns"],
                      "是" if notice.id in overdue else "否",
                      local_time(notice.follow_up_due_at, DAY), local_time(notice.closed_at),
                      notice.follow_up_note))
    items = book.create_sheet("整改要求")
    items.append(ITEM_HEADER)
    for notice in notices:
        for item in notice.items:
            items.append((notice.reference, item.position, item.requirement,
                          item.person.name if item.person else "", local_time(item.due_at),
                          ITEM_STATE_LABELS[item.state], local_time(item.replied_at),
                          item.reply, local_time(item.verified_at), item.returns,
                          item.return_reason))
    for each in (sheet, items):
        _tidy(each)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _tidy(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width * 2, 8), 50)
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
