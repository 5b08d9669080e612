"""Admin page 节假日与工作日 (`/admin/calendar`): the project's working-day calendar.

Admins and inspectors see the known years and one year's exception days; only admins change
them: one day at a time, or a whole year at once from the State Council's notice, uploaded as
.xlsx/.csv or typed in row by row (日期, 类型, 名称). A whole year is validated row by row and
saved only when every row is right. Every change replans the open working-day assignments
(models.escalation.replan_working_days), is audited and committed here. `alarm` gives every
admin page the missing-year banner.
"""

import csv
import io
import re
from datetime import date, datetime
from zipfile import BadZipFile

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from handlers.admin.access import editors_only
from models import Role, audit, utcnow
from models import session as db
from models.calendar import (SHANGHAI, CalendarDay, CalendarYear, missing_year, save_year,
                             set_day)
from models.escalation import replan_working_days

HEADER = ("日期", "类型", "名称")
KINDS = {"休息日": False, "节假日": False, "工作日": True, "调休上班": True}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXAMPLE = "示例"  # rows of the downloadable template named 示例… must be rewritten first
SHOWN_PROBLEMS = 30


class BadRows(Exception):
    """An import that cannot be saved; `problems` name each bad row in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_day(value) -> date | None:
    """A day from a cell or form value: a date cell, or text written YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text) if ISO_DAY.match(text) else None
    except ValueError:
        return None


def _known_day(form, field) -> None:
    day = parse_day(field.data)
    if day is None:
        raise ValidationError("日期须为YYYY-MM-DD格式的有效日期，如2027-01-01。")
    if db.get(CalendarYear, day.year) is None:
        raise ValidationError(f"{day.year}年的节假日安排尚未录入，请先导入整年。")


class DayForm(FlaskForm):
    day = StringField("日期", validators=[_known_day])
    kind = SelectField("类型", choices=[SelectChoice("holiday", "休息日（节假日）"),
                                        SelectChoice("workday", "工作日（调休上班）")])
    name = StringField("名称", validators=[Length(max=40, message="名称不超过40个字。")])


class ImportForm(FlaskForm):
    year = SelectField("年份", coerce=int)
    file = FileField("文件（.xlsx 或 .csv）")
    text = TextAreaField("或按国务院通知逐行录入（日期,类型,名称）")


def alarm() -> dict:
    """Admin template context: `calendar_missing()`, the year whose schedule is missing.

    A function, so only pages that show the banner (admin/base.html) query for it."""
    return {"calendar_missing": lambda: missing_year(utcnow())}


def calendar():
    return _page(DayForm(), _import_form())


@editors_only
def calendar_day():
    """Set one day as 休息日 or 工作日; a day the weekday rule already gives loses its exception."""
    form = DayForm()
    if not form.validate_on_submit():
        return _page(form, _import_form(), status=400)
    day, workday, name = parse_day(form.day.data), form.kind.data == "workday", form.name.data
    now = utcnow()
    message = {
        "rule": f"{day}按星期计算即为{'工作日' if workday else '休息日'}，不再单独记录。",
        "added": f"已将{day}设为{_kind_label(workday)}。",
        "changed": f"已将{day}改为{_kind_label(workday)}。",
    }[set_day(day, workday, name, now=now)]
    _commit_change("calendar.day", f"calendar:{day}", now, message, workday=workday, name=name)
    return redirect(url_for("admin.calendar", year=day.year))


@editors_only
def calendar_day_remove(day: str):
    found = parse_day(day)
    item = db.get(CalendarDay, found) if found else None
    if item is None:
        abort(404)
    db.delete(item)
    _commit_change("calendar.day_remove", f"calendar:{found}", utcnow(),
                   f"已取消{found}（{item.name or _kind_label(item.workday)}）的例外，"
                   "该日按星期计算。", workday=item.workday, name=item.name)
    return redirect(url_for("admin.calendar", year=found.year))


@editors_only
def calendar_import():
    """A whole year from a file or typed rows; replaces that year's exceptions, or saves nothing."""
    form = _import_form()
    if not form.validate_on_submit():
        return _page(DayForm(), form, status=400)
    upload = form.file.data
    try:
        if upload and upload.filename:
            rows, source = read_file(upload.filename, upload.read()), "import"
        else:
            rows, source = read_text(form.text.data or ""), "admin"
        days, skipped = parse_days(rows, form.year.data)
    except BadRows as bad:
        return _page(DayForm(), form, status=400, problems=bad.problems)
    now, year = utcnow(), form.year.data
    save_year(year, days, source=source, now=now)
    _commit_change("calendar.import", f"calendar:{year}", now,
                   f"已录入{year}年节假日安排：{len(days)}个例外日"
                   + (f"（另有{skipped}行与按星期计算一致，未单独记录）" if skipped else "") + "。",
                   source=source, days=len(days), file=upload.filename if upload else "")
    return redirect(url_for("admin.calendar", year=year))


def calendar_template():
    """A CSV to fill in: the header, 元旦 and two 示例 rows that must be rewritten."""
    year = request.args.get("year", type=int) or _default_year()
    rows = [HEADER, (f"{year}-01-01", "节假日", "元旦"),
            (f"{year}-02-08", "节假日", f"{EXAMPLE}：春节"),
            (f"{year}-02-20", "调休上班", f"{EXAMPLE}：春节调休上班")]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    # The BOM lets Excel open the UTF-8 Chinese text correctly.
    return Response("\ufeff" + text.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=calendar-{year}.csv"})


def read_file(filename: str, data: bytes) -> list[tuple[int, list]]:
    """The rows of an uploaded .xlsx (first sheet) or .csv, numbered as the admin sees them."""
    if filename.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = list(enumerate(book.worksheets[0].iter_rows(values_only=True), start=1))
            book.close()
        except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
            raise BadRows(["无法读取该Excel文件，请用Excel另存为 .xlsx 后重试。"]) from None
        return [(number, list(cells)) for number, cells in rows]
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # Excel on Chinese Windows saves CSV as GBK
            text = data.decode("gb18030", errors="replace")
        return list(enumerate(csv.reader(io.StringIO(text)), start=1))
    raise BadRows(["只支持 .xlsx 或 .csv 文件，请下载模板按格式填写。"])


def read_text(text: str) -> list[tuple[int, list]]:
    """Typed rows: date, type and name separated by commas, tabs or spaces."""
    return [(number, re.split(r"[,，\t ]+", line.strip(), maxsplit=2))
            for number, line in enumerate(text.splitlines(), start=1)]


def parse_days(rows: list[tuple[int, list]], year: int) -> tuple[list[tuple[date, bool, str]], int]:
    """`year`'s exception days from numbered rows (an optional header names the columns).

    Returns the days that break the weekday rule and how many rows did not; raises BadRows
    naming every bad row."""
    rows = [(n, [_text(cell) for cell in cells]) for n, cells in rows if any(map(_text, cells))]
    columns = (0, 1, 2)
    if rows and set(HEADER[:2]) <= set(rows[0][1]):
        columns = tuple(rows[0][1].index(h) if h in rows[0][1] else None for h in HEADER)
        rows = rows[1:]
    if not rows:
        raise BadRows(["没有任何数据行：每行应为 日期,类型,名称。"])
    days, problems, seen = [], [], {}
    for number, cells in rows:
        cells = [cells[i] if i is not None and i < len(cells) else "" for i in columns]
        try:
            day, workday, name = _row(cells, year)
            if day in seen:
                raise ValueError(f"日期{day}与第{seen[day]}行重复")
        except ValueError as problem:
            problems.append(f"第{number}行：{problem}。")
            continue
        seen[day] = number
        days.append((day, workday, name))
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise BadRows(problems[:SHOWN_PROBLEMS] + ([f"另有{more}行有误。"] if more > 0 else []))
    exceptions = [entry for entry in days if entry[1] != (entry[0].weekday() < 5)]
    return exceptions, len(days) - len(exceptions)


def _row(cells: list[str], year: int) -> tuple[date, bool, str]:
    day_text, kind, name = cells
    day = parse_day(day_text)
    if day is None:
        raise ValueError(f"日期“{day_text}”不是YYYY-MM-DD格式的有效日期")
    if day.year != year:
        raise ValueError(f"日期{day}不在{year}年内")
    if kind not in KINDS:
        raise ValueError(f"类型“{kind}”应为休息日、节假日、工作日或调休上班")
    if len(name) > 40:
        raise ValueError("名称超过40个字")
    if name.startswith(EXAMPLE):
        raise ValueError("这是模板中的示例行，请按国务院通知改写或删除")
    return day, KINDS[kind], name


def _text(cell) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    return "" if cell is None else str(cell).strip()


def _kind_label(workday: bool) -> str:
    return "工作日（调休上班）" if workday else "休息日"


def _commit_change(action: str, subject: str, now: datetime, message: str, **details) -> None:
    """What every calendar change ends with: replan, audit, commit, tell the admin."""
    replanned = replan_working_days(now)
    audit.record(action, subject, now=now, actor=g.person, replanned=replanned, **details)
    db.commit()
    flash(message + (f"已重新计算{replanned}项按工作日预警的任务。" if replanned else ""), "ok")


def _default_year() -> int:
    return missing_year(utcnow()) or utcnow().astimezone(SHANGHAI).year


def _import_form() -> ImportForm:
    form = ImportForm(year=request.args.get("year", type=int) or _default_year())
    this_year = utcnow().astimezone(SHANGHAI).year
    form.year.choices = [SelectChoice(year, f"{year}年")
                         for year in range(this_year - 1, this_year + 3)]
    return form


def _page(day_form: DayForm, import_form: ImportForm, *, status: int = 200,
          problems: list[str] | None = None):
    year = request.args.get("year", type=int) or import_form.year.data or _default_year()
    years = db.scalars(sa.select(CalendarYear).order_by(CalendarYear.year.desc())).all()
    days = db.scalars(sa.select(CalendarDay).where(
        CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(CalendarDay.day))
    return render_template("admin/calendar.html", year=year, years=years, days=days.all(),
                           known=any(item.year == year for item in years),
                           can_edit=g.person.role == Role.ADMIN, day_form=day_form,
                           import_form=import_form, problems=problems or []), status
