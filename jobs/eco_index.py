"""The political-ecology index of one computed month as an .xlsx workbook (issue 12): one row
per unit with its index, colour, and every third-level indicator's value and score, numbers as
numbers, headers in Chinese."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from models.eco_tree import COLOUR_LABELS
from models.unit import UNIT_KIND_LABELS

FILLS = {"green": "C8E6C9", "yellow": "FFF59D", "orange": "FFCC80", "red": "EF9A9A"}


def _number(text: str | None):
    return None if text is None else float(Decimal(text))


def _cell(leaf: dict, value: str | None):
    """A value as a number; none is 0 items for a count, and a blank for a rate not yet had."""
    if value is None:
        return None if leaf["unit"] == "%" else 0
    return _number(value)


def header(content: dict) -> list[str]:
    columns = ["单位", "单位类别", "政治生态指数", "颜色"]
    for leaf in content["leaves"]:
        name = "/".join(leaf["path"])
        columns += [f"{name}（{leaf['unit']}）", f"{name}（得分）"]
    return columns


def write_xlsx(content: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "政治生态指数"
    sheet.append([f"{content['month']}政治生态指数（第{content['version']}版）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(header(content))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for unit in content["units"]:
        row = [unit["name"], UNIT_KIND_LABELS.get(unit["kind"], ""), _number(unit["index"]),
               COLOUR_LABELS[unit["colour"]]]
        for leaf in content["leaves"]:
            value = unit["values"][leaf["code"]]
            row += [_cell(leaf, value["value"]), _number(value["score"])]
        sheet.append(row)
        sheet.cell(sheet.max_row, 4).fill = PatternFill("solid", fgColor=FILLS[unit["colour"]])
    sheet.column_dimensions["A"].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
