"""The year-end assessment as an .xlsx workbook (issue 10): 汇总, one sheet per unit, 扣分明细,
抽查核实 (issue 11; a snapshot from before spot checks has no such rows and no such sheet).

It reads nothing but a snapshot dict (models.assessment.snapshot, live or frozen), so the CLI,
the admin download and a background job write the same file from the rows the pages show.
openpyxl's write-only mode streams the rows out, so a city's 250,000 task lines fit in memory.
"""

import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from jobs import texts
from models.clock import local_time
from models.deduction import DEDUCTION_KIND_LABELS
from models.duty import period_label
from models.ladder import Level
from models.notification import KIND_LABELS
from models.scoring import OUTCOME_LABELS, PENALTY_LEVELS, UNLOCKED_RULE_LABELS
from models.unit import UNIT_KIND_LABELS

SUMMARY_WIDTHS = (7, 24, 11, 9, 9, 8, 8, 9, 11, 10, 10, 10, 12)
UNIT_WIDTHS = (40, 12, 14, 8, 8, 40)
DEDUCTION_WIDTHS = (22, 10, 7, 8, 40, 20, 12, 10)
SPOT_CHECK_WIDTHS = (20, 18, 22, 8, 8, 10, 8, 8, 36)
# Excel refuses these in a sheet's name, and names longer than 31 characters.
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin", color="BFBFBF")
_STYLES = (
    NamedStyle("ql_title", font=Font(bold=True, size=16),
               alignment=Alignment(horizontal="center", vertical="center")),
    NamedStyle("ql_header", font=Font(bold=True), fill=PatternFill("solid", fgColor="F2F2F2"),
               border=Border(bottom=_THIN, top=_THIN, left=_THIN, right=_THIN),
               alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
    NamedStyle("ql_group", font=Font(bold=True), fill=PatternFill("solid", fgColor="FBE9E7")),
    NamedStyle("ql_text", alignment=Alignment(vertical="top", wrap_text=True)),
    NamedStyle("ql_note", font=Font(color="595959"), alignment=Alignment(wrap_text=True)),
    NamedStyle("ql_whole", number_format="0"),
    NamedStyle("ql_points", number_format="0.00"),
    NamedStyle("ql_percent", number_format="0.00%"),
    NamedStyle("ql_date", number_format="yyyy-mm-dd", alignment=Alignment(horizontal="left")),
)


def level_label(level) -> str:
    """A warning level's name as every page and push says it (the configurable labels)."""
    return KIND_LABELS[Level(level)]


def summary_header() -> list[str]:
    return [*texts.SUMMARY_HEADER,
            *(texts.WARNING_COUNT.format(level=level_label(level)) for level in PENALTY_LEVELS)]


def describe_rules(rules: dict) -> str:
    """The rules a snapshot was scored by, in one sentence (xlsx, admin pages, /m/score)."""
    if not rules["version"]:
        version = texts.RULES_DEFAULT
    elif rules.get("from_year"):
        version = texts.RULES_CARRIED.format(year=rules["from_year"], version=rules["version"])
    else:
        version = texts.RULES_VERSION.format(version=rules["version"])
    penalties = "、".join(texts.PENALTY.format(level=level_label(level),
                                                percent=rules["penalties"][str(level)])
                          for level in PENALTY_LEVELS)
    return texts.RULES.format(version=version, penalties=penalties, grace=rules["grace_days"],
                              unlocked=UNLOCKED_RULE_LABELS[rules["unlocked_rule"]],
                              cap=_plain(rules["bonus_cap"]))


def formula() -> str:
    return texts.FORMULA.format(supervision=level_label(Level.SUPERVISION),
                                red=level_label(Level.RED))


def provenance(content: dict) -> str:
    """Which version this is and when its data stops, or that it is the live computation."""
    as_of = local_time(datetime.fromisoformat(content["as_of"]))
    if "version" not in content:
        return texts.LIVE.format(as_of=as_of)
    return texts.GENERATED.format(version=content["version"], as_of=as_of,
                                  who=content.get("generated_by", ""),
                                  when=local_time(datetime.fromisoformat(content["generated_at"])))


def write_xlsx(content: dict, out) -> None:
    """Write the workbook of one snapshot to `out` (a path or a binary file)."""
    book = Workbook(write_only=True)
    for style in _STYLES:
        book.add_named_style(style)
    taken = {texts.SUMMARY_SHEET.casefold(), texts.DEDUCTIONS_SHEET.casefold(),
             texts.SPOT_CHECK_SHEET.casefold(), "history"}
    _summary(book, content)
    lines, deductions = defaultdict(list), defaultdict(list)
    for line in content["lines"]:
        lines[line["unit_id"]].append(line)
    for row in content["deductions"]:
        deductions[row["unit_id"]].append(row)
    for unit in content["units"]:
        _unit(book, content, unit, lines[unit["unit_id"]], deductions[unit["unit_id"]],
              sheet_name(unit["name"], taken))
    _deductions(book, content)
    if "spot_checks" in content:
        _spot_checks(book, content)
    book.save(out)


def sheet_name(name: str, taken: set) -> str:
    """A unit's sheet name: Excel's forbidden characters replaced, at most 31 characters,
    unique (Excel compares names ignoring case); `taken` collects the names given."""
    base = SHEET_NAME_BAD.sub("_", name).strip("'").strip() or "_"
    candidate, number = base[:SHEET_NAME_MAX], 2
    while candidate.casefold() in taken:
        suffix = f"({number})"
        candidate, number = base[:SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


class _Sheet:
    """A write-only sheet set up for A4 landscape printing: title row merged across, the
    header under it frozen and repeated on every page, fit to the page's width."""

    def __init__(self, book: Workbook, name: str, title: str, header, widths):
        self.ws = ws = book.create_sheet(name)
        self.width, self.count = len(widths), 0
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A3"
        ws.print_title_rows = "1:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.oddFooter.center.text = texts.FOOTER
        ws.row_dimensions[1].height = 32
        self.banner(title, "ql_title")
        self.add([self.cell(text, "ql_header") for text in header])

    def cell(self, value, style: str):
        cell = WriteOnlyCell(self.ws, value=value)
        cell.style = style
        return cell

    def add(self, values) -> None:
        self.ws.append(values)
        self.count += 1

    def banner(self, text: str, style: str = "ql_note") -> None:
        """A row of one text merged across the sheet's columns."""
        self.add([self.cell(text, style)])
        self.ws.merged_cells.add(f"A{self.count}:{get_column_letter(self.width)}{self.count}")


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _plain(value: str) -> str:
    """A decimal string without needless zeros ("5.00" → "5", "0.50" → "0.5")."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _summary(book: Workbook, content: dict) -> None:
    sheet = _Sheet(book, texts.SUMMARY_SHEET, content["title"], summary_header(),
                   SUMMARY_WIDTHS)
    kinds = defaultdict(int)
    for unit in content["units"]:
        kinds[unit["kind"]] += 1
    shown = None
    for unit in content["units"]:
        if unit["kind"] != shown:
            shown = unit["kind"]
            sheet.banner(texts.KIND_GROUP.format(kind=UNIT_KIND_LABELS[shown],
                                                 count=kinds[shown]), "ql_group")
        rate = _number(unit["on_time_rate"])
        sheet.add([
            sheet.cell(unit["rank"], "ql_whole"), unit["name"], UNIT_KIND_LABELS[unit["kind"]],
            sheet.cell(unit["possible"], "ql_whole"),
            *(sheet.cell(_number(unit[key]), "ql_points")
              for key in ("earned", "deducted", "bonus", "score")),
            sheet.cell(None if rate is None else rate / 100, "ql_percent"),
            *(sheet.cell(unit["warnings"][str(level)], "ql_whole") for level in PENALTY_LEVELS),
        ])
    sheet.add([])
    for note in (provenance(content), describe_rules(content["rules"]), formula()):
        sheet.banner(note)


def _unit(book: Workbook, content: dict, unit: dict, lines: list, deductions: list,
          name: str) -> None:
    sheet = _Sheet(book, name, texts.UNIT_SHEET_TITLE.format(title=content["title"],
                                                              unit=unit["name"]),
                   texts.UNIT_HEADER, UNIT_WIDTHS)
    scored, periods = 0, {}
    for line in lines:
        earned = _number(line["earned"])
        scored += earned is not None
        reason = line["reason"] if earned is not None or line["reason"] else \
            texts.NOT_SCORED.format(outcome=OUTCOME_LABELS[line["outcome"]])
        # One styled cell a line: a city writes 250,000 of them (points are whole numbers).
        period = periods.get(line["period"]) or periods.setdefault(
            line["period"], period_label(line["period"]))
        sheet.add([line["task"], line["person"] or texts.UNIT_TASK, period, line["points"],
                   sheet.cell(earned, "ql_points"), reason])
    sheet.add([sheet.cell(texts.UNIT_TOTAL.format(count=scored), "ql_group"), None, None,
               sheet.cell(unit["possible"], "ql_whole"),
               sheet.cell(_number(unit["earned"]), "ql_points")])
    sheet.add([])
    sheet.banner(texts.UNIT_DEDUCTIONS, "ql_group")
    sheet.add([sheet.cell(text, "ql_header") for text in texts.UNIT_DEDUCTION_HEADER])
    for row in deductions:
        sheet.add([sheet.cell(row["reason"], "ql_text"), row["person"] or "",
                   sheet.cell(date.fromisoformat(row["day"]), "ql_date"),
                   sheet.cell(_number(row["points"]), "ql_points"),
                   DEDUCTION_KIND_LABELS[row["kind"]], row["reference"]])
    if not deductions:
        sheet.add([texts.NO_DEDUCTIONS])
    sheet.add([])
    sheet.banner(unit_sentence(unit, content["rules"]))


def unit_sentence(unit: dict, rules: dict) -> str:
    """How a unit's score was reached, in one sentence."""
    values = {key: _plain(unit[key]) for key in ("score", "earned", "deducted", "bonus")}
    template = texts.UNIT_SCORE if unit["possible"] else texts.UNIT_SCORE_EMPTY
    return template.format(**values, possible=unit["possible"], cap=_plain(rules["bonus_cap"]),
                           kind=UNIT_KIND_LABELS[unit["kind"]], rank=unit["rank"],
                           among=unit["ranked_among"])


def _deductions(book: Workbook, content: dict) -> None:
    sheet = _Sheet(book, texts.DEDUCTIONS_SHEET, content["title"], texts.DEDUCTION_HEADER,
                   DEDUCTION_WIDTHS)
    names = {unit["unit_id"]: unit["name"] for unit in content["units"]}
    for row in content["deductions"]:
        sheet.add([names.get(row["unit_id"], ""), row["person"] or "",
                   DEDUCTION_KIND_LABELS[row["kind"]],
                   sheet.cell(_number(row["points"]), "ql_points"),
                   sheet.cell(row["reason"], "ql_text"), row["reference"],
                   sheet.cell(date.fromisoformat(row["day"]), "ql_date"), row["recorded_by"]])


def _spot_checks(book: Workbook, content: dict) -> None:
    """抽查核实: per round and unit drawn, each result and 待核实, with the round's seed (the
    verify command redoes the draw from it)."""
    sheet = _Sheet(book, texts.SPOT_CHECK_SHEET, content["title"], texts.SPOT_CHECK_HEADER,
                   SPOT_CHECK_WIDTHS)
    for row in content["spot_checks"]:
        sheet.add([row["round"], local_time(datetime.fromisoformat(row["drawn_at"])),
                   row["unit"], *(sheet.cell(row[key], "ql_whole") for key in (
                       "drawn", "true", "partial", "false", "pending")), row["seed"]])
    if not content["spot_checks"]:
        sheet.add([texts.NO_SPOT_CHECKS])
    sheet.add([])
    sheet.banner(texts.SPOT_CHECK_NOTE)
