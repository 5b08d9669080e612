"""节假日与工作日 (/admin/calendar): import a year, edit a day, the missing-year alarm.

The pages read the app's clock, which `clock` (tests/conftest.py) starts at AUTUMN and moves,
so no assertion depends on today's date. Every test starts with the schedules 2020-2026 and
2027 unknown (conftest's CALENDAR_YEARS), whatever the installed package knows.
"""

import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from models import AuditEvent, Role, session
from models.calendar import CalendarDay, CalendarYear, load_calendar
from models.escalation import sweep

SH = ZoneInfo("Asia/Shanghai")
AUTUMN = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # after 1 November: 2027 is due
OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # before: only 2026 is due
BANNER = "缺少2027年节假日安排"
CSV_2027 = ("日期,类型,名称\r\n"
            "2027-01-01,节假日,元旦\r\n"  # a Friday: an exception
            "2027-01-02,休息日,元旦\r\n"  # a Saturday: the weekday rule already says so
            "2027-02-20,调休上班,春节调休上班\r\n")  # a Saturday worked


def _sign_in(client, make_person, role=Role.ADMIN):
    person = make_person(name="管理员" if role == Role.ADMIN else "审核员", role=role, title="")
    with client.session_transaction() as browser:
        browser["admin_id"] = person.id
    return person


def _csrf(client) -> str:
    page = client.get("/admin/calendar").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _upload(client, content: bytes, filename: str, year: int = 2027):
    return client.post("/admin/calendar/import", data={
        "csrf_token": _csrf(client), "year": str(year),
        "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def _days(year: int) -> list[tuple[date, bool, str]]:
    return [tuple(row) for row in session.execute(
        sa.select(CalendarDay.day, CalendarDay.workday, CalendarDay.name).where(
            CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))
        ).order_by(CalendarDay.day))]


@pytest.mark.parametrize("moment, banner", [(AUTUMN, True), (OCTOBER, False)])
def test_banner_shows_on_every_admin_page_from_november(client, make_person, clock, moment,
                                                        banner):
    _sign_in(client, make_person)
    clock.move_to(moment)
    for path in ("/admin/", "/admin/templates", "/admin/dispatch", "/admin/calendar"):
        page = client.get(path).get_data(as_text=True)
        assert (BANNER in page) is banner, path
        assert ('href="/admin/calendar?year=2027"' in page) is banner, path


def test_banner_goes_once_the_year_is_imported(client, make_person, clock):
    _sign_in(client, make_person)
    assert BANNER in client.get("/admin/").get_data(as_text=True)
    assert _upload(client, CSV_2027.encode(), "2027.csv").status_code == 302
    assert BANNER not in client.get("/admin/").get_data(as_text=True)


def test_csv_import_makes_the_year_known_with_its_exceptions(client, make_person, clock):
    admin = _sign_in(client, make_person)
    response = _upload(client, CSV_2027.encode(), "2027.csv")
    assert response.status_code == 302 and response.location.endswith("/admin/calendar?year=2027")
    assert session.get(CalendarYear, 2027).source == "import"
    assert _days(2027) == [(date(2027, 1, 1), False, "元旦"),
                           (date(2027, 2, 20), True, "春节调休上班")]
    calendar = load_calendar()
    assert not calendar.is_workday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 2, 20))
    assert calendar.is_workday(date(2027, 1, 4)) and not calendar.is_workday(date(2027, 1, 2))
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "calendar.import"))
    assert event.actor_id == admin.id and event.subject == "calendar:2027"
    page = client.get(response.location).get_data(as_text=True)
    assert "已录入2027年节假日安排：2个例外日" in page and "另有1行" in page
    assert "春节调休上班" in page


def test_gbk_csv_from_excel_imports(client, make_person, clock):
    _sign_in(client, make_person)
    assert _upload(client, CSV_2027.encode("gbk"), "2027.csv").status_code == 302
    assert _days(2027)[0] == (date(2027, 1, 1), False, "元旦")


def test_xlsx_import_reads_date_cells_and_columns_in_any_order(client, make_person, clock):
    _sign_in(client, make_person)
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "日期", "类型"])
    sheet.append(["元旦", datetime(2027, 1, 1), "休息日"])
    sheet.append(["春节", "2027-02-08", "节假日"])
    sheet.append([None, None, None])
    sheet.append(["春节调休上班", datetime(2027, 2, 20), "工作日"])
    content = io.BytesIO()
    book.save(content)
    assert _upload(client, content.getvalue(), "2027年节假日.xlsx").status_code == 302
    assert _days(2027) == [(date(2027, 1, 1), False, "元旦"), (date(2027, 2, 8), False, "春节"),
                           (date(2027, 2, 20), True, "春节调休上班")]
    assert not load_calendar().is_workday(date(2027, 2, 8))


def test_typed_rows_follow_the_notice(client, make_person, clock):
    _sign_in(client, make_person)
    text = "2027-01-01 节假日 元旦\n\n2027-02-20\t调休上班\t春节调休上班\n"
    response = client.post("/admin/calendar/import", data={
        "csrf_token": _csrf(client), "year": "2027", "text": text})
    assert response.status_code == 302
    assert session.get(CalendarYear, 2027).source == "admin"
    assert [day for day, _, _ in _days(2027)] == [date(2027, 1, 1), date(2027, 2, 20)]


@pytest.mark.parametrize("row, problem", [
    ("2027-02-30,节假日,春节", "第3行：日期“2027-02-30”不是YYYY-MM-DD格式的有效日期"),
    ("2027/02/08,节假日,春节", "第3行：日期“2027/02/08”不是YYYY-MM-DD格式的有效日期"),
    ("2027-02-08,放假,春节", "第3行：类型“放假”应为休息日、节假日、工作日或调休上班"),
    ("2026-12-31,节假日,元旦", "第3行：日期2026-12-31不在2027年内"),
    ("2027-01-01,节假日,元旦", "第3行：日期2027-01-01与第2行重复"),
    ("2027-02-20,调休上班,示例：春节调休上班", "第3行：这是模板中的示例行"),
])
def test_a_bad_row_saves_nothing_and_names_the_row(client, make_person, clock, row, problem):
    _sign_in(client, make_person)
    content = f"日期,类型,名称\n2027-01-01,节假日,元旦\n{row}\n2027-10-01,节假日,国庆节\n"
    response = _upload(client, content.encode(), "2027.csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert problem in page and "未保存任何内容" in page
    assert session.get(CalendarYear, 2027) is None and _days(2027) == []
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "calendar.import")) \
        is None


def test_a_bad_reimport_keeps_the_year_as_it_was(client, make_person, clock):
    _sign_in(client, make_person)
    before = _days(2026)
    response = _upload(client, "2026-10-01,节假日,国庆节\n2026-10-02,假,国庆节\n".encode(),
                       "x.csv", year=2026)
    assert response.status_code == 400 and "第2行" in response.get_data(as_text=True)
    assert _days(2026) == before and len(before) > 20


def test_only_xlsx_and_csv_files_are_read(client, make_person, clock):
    _sign_in(client, make_person)
    response = _upload(client, b"not a spreadsheet", "2027.xlsx")
    assert response.status_code == 400 and "无法读取该Excel文件" in response.get_data(as_text=True)
    response = _upload(client, CSV_2027.encode(), "2027.txt")
    assert response.status_code == 400 and "只支持 .xlsx 或 .csv" in response.get_data(as_text=True)
    assert session.get(CalendarYear, 2027) is None


def test_template_download_names_the_columns_and_its_examples_must_be_rewritten(
        client, make_person, clock):
    _sign_in(client, make_person)
    response = client.get("/admin/calendar/template.csv?year=2027")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    content = response.get_data()
    assert content.decode("utf-8-sig").startswith("日期,类型,名称\r\n2027-01-01,节假日,元旦")
    page = _upload(client, content, "calendar-2027.csv").get_data(as_text=True)
    assert "第3行：这是模板中的示例行" in page and "第4行：这是模板中的示例行" in page
    assert "第2行" not in page


def _set_day(client, day: str, kind: str, name: str = ""):
    return client.post("/admin/calendar/days", data={
        "csrf_token": _csrf(client), "day": day, "kind": kind, "name": name})


def test_day_edit_changes_the_working_day_and_can_be_undone(client, make_person, clock):
    admin = _sign_in(client, make_person)
    monday = date(2026, 12, 28)
    assert load_calendar().is_workday(monday)
    response = _set_day(client, "2026-12-28", "holiday", "临时放假")
    assert response.status_code == 302
    assert not load_calendar().is_workday(monday)
    assert session.get(CalendarDay, monday).name == "临时放假"
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "已将2026-12-28设为休息日" in page and "临时放假" in page
    response = client.post("/admin/calendar/days/2026-12-28/remove",
                           data={"csrf_token": _csrf(client)})
    assert response.status_code == 302
    assert load_calendar().is_workday(monday) and session.get(CalendarDay, monday) is None
    actions = session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.actor_id == admin.id, AuditEvent.subject == "calendar:2026-12-28")).all()
    assert actions == ["calendar.day", "calendar.day_remove"]


def test_day_edit_refuses_bad_dates_and_unknown_years(client, make_person, clock):
    _sign_in(client, make_person)
    response = _set_day(client, "2026-13-01", "holiday")
    assert response.status_code == 400
    assert "日期须为YYYY-MM-DD格式" in response.get_data(as_text=True)
    response = _set_day(client, "2027-01-01", "holiday", "元旦")
    assert response.status_code == 400
    assert "2027年的节假日安排尚未录入" in response.get_data(as_text=True)
    assert session.get(CalendarDay, date(2027, 1, 1)) is None


def test_inspector_sees_the_calendar_but_cannot_change_it(client, make_person, clock):
    _sign_in(client, make_person)
    token = _csrf(client)  # a valid token for this browser, so only the role can refuse
    _sign_in(client, make_person, role=Role.INSPECTOR)
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "国庆节" in page and "仅系统管理员可以修改" in page
    assert "/admin/calendar/import" not in page
    assert client.post("/admin/calendar/days", data={
        "csrf_token": token, "day": "2026-12-28", "kind": "holiday"}).status_code == 403
    assert client.post("/admin/calendar/import", data={
        "csrf_token": token, "year": "2027", "text": "2027-01-01,节假日,元旦"}).status_code == 403
    assert client.post("/admin/calendar/days/2026-10-01/remove",
                       data={"csrf_token": token}).status_code == 403
    assert session.get(CalendarYear, 2027) is None
    assert load_calendar().is_workday(date(2026, 12, 28))
    assert not load_calendar().is_workday(date(2026, 10, 1))


def _working_day_task(make_person, make_template, make_assignment):
    member = make_person(name="委员", role=Role.MEMBER)
    template = make_template(title="年终述责述廉", due_rule="day:31", working_days=True,
                             review_levels=2)
    dispatched = datetime(2026, 12, 29, 9, 0, tzinfo=SH)
    task = make_assignment(member, template, period="2026-12", at=dispatched)
    sweep(dispatched)  # the reminder (28 Dec) is due: the next step is blue, in 2027
    return task


def test_import_replans_open_working_day_tasks(client, make_person, make_template,
                                               make_assignment, clock):
    task = _working_day_task(make_person, make_template, make_assignment)
    assert task.due_at == datetime(2026, 12, 31, 17, 0, tzinfo=SH)
    # 2027 unknown: one working day after Thursday 31 Dec is counted over 元旦 (a fixed-date
    # holiday) and the weekend to Monday 4 Jan.
    assert task.warning == "reminder"
    assert task.next_step_at == datetime(2027, 1, 4, 17, 0, tzinfo=SH)
    _sign_in(client, make_person)
    schedule = "2027-01-01,节假日,元旦\n2027-01-04,节假日,元旦\n"  # a longer break than guessed
    assert _upload(client, schedule.encode(), "2027.csv").status_code == 302
    session.refresh(task)
    assert task.next_step_at == datetime(2027, 1, 5, 17, 0, tzinfo=SH)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "calendar.import"))
    assert '"replanned": 1' in event.data


def test_healthz_names_the_missing_year_and_stays_200(client, clock):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"db": "ok", "redis": "ok", "calendar": "missing 2027", "duty": "ok"}
    clock.move_to(OCTOBER)
    assert client.get("/healthz").json["calendar"] == "ok"
    clock.move_to(AUTUMN)
    session.add(CalendarYear(year=2027, source="import", loaded_at=AUTUMN))
    session.commit()
    assert client.get("/healthz").json["calendar"] == "ok"
