"""批量导入导出 (issue 12): the organisation as an .xlsx workbook. The template, row-by-row
problems naming sheet, row and column with nothing saved, the preview's counts before
anything is saved, the confirmation saving it all (audited), and export → import unchanged."""

import io

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from conftest import ADMIN_CSRF
from models import AuditEvent, Person, Post, RiskPoint, Unit, session

PAGE = "/admin/org/import"


def _book(**sheets) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        page = book.create_sheet(name)
        for row in rows:
            page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(admin, data: bytes, name: str = "组织机构.xlsx"):
    token = ADMIN_CSRF.search(admin.get(PAGE).text)[1]
    return admin.http.post(admin.base + PAGE, data={"csrf_token": token},
                           files={"file": (name, data)}, allow_redirects=False, timeout=30)


def _confirm(admin, preview):
    action = preview.text.split('action="/admin/org/import/')[1].split('"')[0]
    token = ADMIN_CSRF.search(preview.text)[1]
    return admin.http.post(f"{admin.base}/admin/org/import/{action}",
                           data={"csrf_token": token, "filename": "组织机构.xlsx"},
                           allow_redirects=False, timeout=30)


PEOPLE = ["姓名", "所属单位", "角色", "职务", "手机号"]


def test_every_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_saved(county,
                                                                            admin_browser):
    admin = admin_browser(county["admin"])
    data = _book(单位=[["单位名称", "上级单位", "单位类别", "监督单位"],
                     ["东岭村", "青山镇", "村（社区）", ""],
                     ["西岭村", "青山镇", "生产队", ""]],
                 人员=[PEOPLE, ["韩文静", "青山镇", "科室及二级机构负责人", "党政办主任", ""],
                     ["周小军", "东岭村", "党组织书记", "村支书", ""],
                     ["冯凤英", "青山镇", "班子成员", "宣传委员", "138"],
                     ["刘立新", "青山镇2", "班子成员", "", ""]])

    refused = _upload(admin, data)

    assert refused.status_code == 422
    text = refused.text
    assert "「单位」表第3行「单位类别」：“生产队”应为" in text
    assert "「人员」表第4行「手机号」：手机号“138”格式不正确" in text
    assert "第5行「所属单位」：找不到单位“青山镇2”" in text
    assert "未保存任何内容" in text and "确认导入" not in text
    session.expire_all()
    assert session.scalar(sa.select(Unit.id).where(Unit.name == "东岭村")) is None
    assert session.scalar(sa.select(Person.id).where(Person.name == "韩文静")) is None
    assert session.scalar(sa.select(AuditEvent.id).where(
        AuditEvent.action.in_(("unit.create", "person.create")))) is None


def test_the_template_downloads_with_instructions_and_its_example_rows_are_refused(
        county, admin_browser):
    admin = admin_browser(county["admin"])
    template = admin.get("/admin/org/template.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["说明", "单位", "人员", "岗位", "风险点"]
    assert book["说明"]["A1"].value == "填写说明"
    assert [c.value for c in book["人员"][1]] == PEOPLE
    assert book["人员"]["A2"].value.startswith("示例")

    refused = _upload(admin, template.content)
    assert refused.status_code == 422
    assert "「人员」表第2行「姓名」：这是模板中的示例行，请改写或删除。" in refused.text


def test_the_preview_counts_what_would_change_and_the_confirmation_saves_it(county,
                                                                         admin_browser):
    admin = admin_browser(county["admin"])
    member = county["member"]
    data = _book(单位=[["单位名称", "上级单位", "单位类别", "监督单位"],
                     ["东岭村", "青山镇", "村（社区）", "青山镇纪委"]],
                 人员=[PEOPLE, ["韩文静", "青山镇", "科室及二级机构负责人", "党政办主任", ""],
                     ["周小军", "青山镇/东岭村", "党组织书记", "村支书", "13900002222"],
                     ["李明", "青山镇", "班子成员", "常务副镇长", ""],
                     ["张建国", "青山镇", "党组织书记", "党委书记", ""]],
                 岗位=[["姓名", "所属单位", "岗位名称", "岗位职责"],
                     ["李明", "青山镇", "分管财政工作", "负责全镇财政预算执行"]],
                 风险点=[["姓名", "所属单位", "岗位名称", "风险点", "风险等级", "防控措施", "责任人"],
                      ["李明", "青山镇", "分管财政工作", "专项资金拨付审核把关不严", "高",
                       "集体研究、分级审批", "钱委员"]])

    preview = _upload(admin, data)

    assert preview.status_code == 200, preview.text
    text = preview.text
    assert "<tr><td>单位</td><td>1</td><td>0</td><td>0</td></tr>" in text
    assert "<tr><td>人员</td><td>2</td><td>1</td><td>1</td></tr>" in text
    assert "<tr><td>岗位</td><td>1</td><td>0</td><td>0</td></tr>" in text
    assert "职务：副镇长 → 常务副镇长" in text
    session.expire_all()
    assert session.scalar(sa.select(Unit.id).where(Unit.name == "东岭村")) is None
    assert session.get(Person, member.id).title == "副镇长"

    done = _confirm(admin, preview)

    assert done.status_code == 303
    assert "导入完成：新增5行，修改1行，1行不变。" in admin.get("/admin/org").text
    session.expire_all()
    village = session.scalars(sa.select(Unit).where(Unit.name == "东岭村")).one()
    assert village.parent_id == county["township"].id
    assert village.supervisor.name == "青山镇纪委"
    assert session.scalars(sa.select(Person).where(Person.name == "周小军")).one().unit_id == \
        village.id
    assert session.get(Person, member.id).title == "常务副镇长"
    point = session.scalars(sa.select(RiskPoint)).one()
    assert (point.level, point.responsible.name, point.post.person_id) == \
        ("high", "钱委员", member.id)
    assert session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "org.import"))
    assert _confirm(admin, preview).status_code == 422  # a preview is applied once


def test_export_then_import_changes_nothing(county, admin_browser, make_unit):
    make_unit(name="东岭村", kind="village", parent_id=county["township"].id)
    session.add(Post(person_id=county["member"].id, name="分管财政工作", duties="预算执行",
                     created_at=county["member"].created_at))
    county["member"].phone = "13800001111"
    session.commit()
    admin = admin_browser(county["admin"])
    exported = admin.get("/admin/org/export.xlsx")
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    assert ["东岭村", "青山镇", "村（社区）", None] in [
        [c.value for c in row] for row in book["单位"].iter_rows()]

    preview = _upload(admin, exported.content)

    assert preview.status_code == 200, preview.text
    assert "没有需要导入的改动" in preview.text and "确认导入" not in preview.text
    people = session.scalar(sa.select(sa.func.count(Person.id)))
    assert f"<tr><td>人员</td><td>0</td><td>0</td><td>{people}</td></tr>" in preview.text


def test_the_demo_county_has_risk_points_and_round_trips(runner, emulator, admin_browser):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    townships = session.scalars(sa.select(Unit).where(Unit.kind == "township")).all()
    for township in townships:
        levels = session.scalars(sa.select(RiskPoint.level).join(RiskPoint.post).join(
            Post.person).where(Person.unit_id == township.id)).all()
        assert len(levels) >= 4 and {"high", "medium", "low"} <= set(levels), township.name
    admin = admin_browser(session.scalars(sa.select(Person).where(Person.role == "admin")).first())

    preview = _upload(admin, admin.get("/admin/org/export.xlsx").content)

    assert preview.status_code == 200, preview.text
    assert "没有需要导入的改动" in preview.text
    risks = session.scalar(sa.select(sa.func.count(RiskPoint.id)))
    assert f"<tr><td>风险点</td><td>0</td><td>0</td><td>{risks}</td></tr>" in preview.text


def test_import_people_reports_then_applies_from_the_command_line(runner, county, tmp_path):
    path = tmp_path / "组织机构.xlsx"
    path.write_bytes(_book(人员=[PEOPLE, ["韩文静", "青山镇", "科室及二级机构负责人", "党政办主任", ""]]))
    dry = runner.invoke(args=["import-people", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "人员：新增 1，修改 0，不变 0" in dry.output and "未保存" in dry.output
    assert session.scalar(sa.select(Person.id).where(Person.name == "韩文静")) is None

    done = runner.invoke(args=["import-people", str(path), "--apply"])
    assert done.exit_code == 0 and "已导入" in done.output
    assert session.scalar(sa.select(Person.unit_id).where(Person.name == "韩文静")) == \
        county["township"].id

    path.write_bytes(_book(人员=[PEOPLE, ["刘立新", "青山镇2", "班子成员", "", ""]]))
    refused = runner.invoke(args=["import-people", str(path), "--apply"])
    assert refused.exit_code == 1
    assert "「人员」表第2行「所属单位」：找不到单位“青山镇2”。" in refused.output
    assert "未保存任何内容" in refused.output
