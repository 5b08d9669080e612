"""The year-end assessment as .xlsx (issue 10): the admin download and `flask export-assessment`
write the same workbook, and every number in it is the snapshot's (the numbers the pages show).
"""

import io
from decimal import Decimal
from urllib.parse import unquote

from openpyxl import load_workbook

from jobs import texts
from jobs.assessment import sheet_name, summary_header
from models import Assessment, session
from tests.test_assessment_pages import generate, record


def workbook(body: bytes):
    return load_workbook(io.BytesIO(body))


def values(book) -> dict:
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}


def summary_numbers(ws) -> dict:
    """汇总's unit rows (those with a rank) by unit name."""
    return {row[1]: row for row in ws.iter_rows(min_row=3, values_only=True)
            if isinstance(row[0], int)}


def as_number(value: str | None):
    return None if value is None else Decimal(value)


def test_the_download_is_the_versions_rows_laid_out_for_print(assessed_county, admin_browser,
                                                              runner, tmp_path):
    c = assessed_county
    inspector = admin_browser(c["zhao"])
    assert record(inspector, c["qingshan"], "3", "诫勉谈话并被通报").status_code == 303
    first = generate(inspector)
    response = inspector.get(f"/admin/assessments/{first.id}.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="assessment-2026-v1.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == \
        "某县2026年度党风廉政建设责任制考核结果（第1版）.xlsx"

    book, content = workbook(response.content), first.rows()
    assert book.sheetnames == ["汇总", "白水镇", "红岩镇", "青山镇", "城建局", "扣分明细",
                               "抽查核实"]  # ranked; 抽查核实 last (issue 11)
    summary = book["汇总"]
    assert summary["A1"].value == content["title"] == "某县2026年度党风廉政建设责任制考核结果"
    assert "A1:M1" in {str(cells) for cells in summary.merged_cells.ranges}
    assert [cell.value for cell in summary[2]] == summary_header() == [
        "排名", "单位", "类别", "应得分", "实得分", "扣分", "加分", "得分", "按时完成率",
        "蓝色预警次数", "黄色预警次数", "红色预警次数", "工作督办次数"]
    for ws in book:
        assert ws.freeze_panes == "A3", ws.title
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$2"
    assert summary.column_dimensions["B"].width > summary.column_dimensions["A"].width

    rows = summary_numbers(summary)
    assert set(rows) == {unit["name"] for unit in content["units"]}
    for unit in content["units"]:
        row = rows[unit["name"]]
        assert row[:3] == (unit["rank"], unit["name"], {"township": "乡镇",
                                                        "department": "部门"}[unit["kind"]])
        assert [Decimal(str(value)) for value in row[3:8]] == [
            Decimal(unit["possible"]), *(as_number(unit[key]) for key in
                                         ("earned", "deducted", "bonus", "score"))]
        rate = as_number(unit["on_time_rate"])
        assert (row[8] is None and rate is None) or \
            Decimal(str(row[8])).quantize(Decimal("0.0001")) == rate / 100
        assert list(row[9:13]) == [unit["warnings"][level]
                                   for level in ("blue", "yellow", "red", "supervision")]
    assert rows["青山镇"][7] == 57  # 100 × 48 / 80 − 3
    score_cell = next(row for row in summary.iter_rows(min_row=3) if row[1].value == "青山镇")[7]
    assert score_cell.number_format == "0.00" and score_cell.data_type == "n"
    assert next(row for row in summary.iter_rows(min_row=3)
                if row[1].value == "青山镇")[8].number_format == "0.00%"

    qingshan = [row for row in book["青山镇"].iter_rows(min_row=3, values_only=True)]
    lines = [line for line in content["lines"] if line["unit_id"] == c["qingshan"].id]
    assert [(row[0], row[3], None if row[4] is None else Decimal(str(row[4])))
            for row in qingshan[:len(lines)]] == [
        (line["task"], line["points"], as_number(line["earned"])) for line in lines]
    assert ("周期结束未完成，不得分" in [row[5] for row in qingshan]
            and "诫勉谈话并被通报" in [row[0] for row in qingshan])
    [deduction] = list(book["扣分明细"].iter_rows(min_row=3, values_only=True))
    assert deduction[:6] == ("青山镇", None, "扣分", 3, "诫勉谈话并被通报", "县纪发〔2026〕9号")
    assert deduction[7] == "赵审核"

    # The CLI writes the same workbook from the same version.
    path = tmp_path / "assessment.xlsx"
    result = runner.invoke(args=["export-assessment", "--year", "2026", "--out", str(path)])
    assert result.exit_code == 0, result.output
    assert "2026年度考核第1版" in result.output
    assert values(load_workbook(path)) == values(book)


def test_the_cli_exports_the_live_scores_before_any_version(assessed_county, runner, tmp_path,
                                                            admin_browser):
    path = tmp_path / "live.xlsx"
    result = runner.invoke(args=["export-assessment", "--year", "2026", "--out", str(path)])
    assert result.exit_code == 0, result.output
    assert "尚未生成" in result.stderr and "实时得分" in result.stderr
    rows = summary_numbers(load_workbook(path)["汇总"])
    assert rows["青山镇"][7] == 60 and rows["城建局"][7] == 100
    page = admin_browser(assessed_county["zhao"]).get("/admin/scores?year=2026").text
    assert "60.00" in page
    assert session.query(Assessment).count() == 0
    refused = runner.invoke(args=["export-assessment", "--year", "2026", "--out", str(path),
                                  "--version", "3"])
    assert refused.exit_code == 1 and "2026年度考核没有第3版" in refused.output


def test_sheet_names_obey_excel():
    taken = {texts.SUMMARY_SHEET, texts.DEDUCTIONS_SHEET}
    long = "青山镇" + "某" * 40
    names = [sheet_name(name, taken) for name in (
        "城建局/住建局[试点]", "城建局/住建局[试点]", long, long, "汇总", "'引号'", "Ab", "aB")]
    assert names == ["城建局_住建局_试点_", "城建局_住建局_试点_(2)", long[:31], long[:28] + "(2)",
                     "汇总(2)", "引号", "Ab", "aB(2)"]
