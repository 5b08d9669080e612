"""组织机构 in headless Chromium at 1280 px (issue 12): on the demo county the unit tree, the
people list, a person's posts, a deactivation's handover, a merge and the import preview fit
the width; the export uploaded back previews unchanged. Screenshots go to
test-artifacts/browser/."""

import sqlalchemy as sa

from test_browser import ARTIFACTS, chromium, sync_api  # noqa: F401 (skips without chromium)

from models import Assignment, Person, Role, Unit, session
from models.assignment import FINAL_STATES

PC = {"width": 1280, "height": 900}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# Tables sticking out of the card or form they sit in.
TABLES_OUT = """() => Array.from(document.querySelectorAll("table")).filter((table) =>
  table.getBoundingClientRect().right > table.parentElement.getBoundingClientRect().right + 1
).length"""


def test_the_organisation_pages_fit_1280_px_and_the_export_previews_unchanged(
        chromium, runner, emulator, tmp_path):  # noqa: F811
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    admin = session.scalars(sa.select(Person).where(Person.role == Role.ADMIN)).first()
    busy = session.scalars(sa.select(Person).join(Assignment, Assignment.person_id == Person.id)
                           .where(Assignment.state.not_in(FINAL_STATES))).first()
    township = session.scalars(sa.select(Unit).where(Unit.name == "青山镇")).one()
    other = session.scalars(sa.select(Unit).where(Unit.name == "石桥乡")).one()
    link = runner.invoke(args=["admin-link", str(admin.id)]).output.strip()
    session.rollback()
    page = chromium.new_context(viewport=PC, locale="zh-CN").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    for name, path, heading in (
            ("org", "/admin/org", "组织机构"),
            ("people", f"/admin/people?unit={busy.unit_id}", "人员与绑定"),
            ("posts", f"/admin/people/{busy.id}/posts", "岗位与廉政风险点"),
            ("handover", f"/admin/people/{busy.id}/deactivate", "停用账号"),
            ("merge", f"/admin/org/units/{other.id}/merge?into={township.id}", "合并单位"),
            ("import", "/admin/org/import", "组织机构批量导入导出")):
        page.goto(page.url.split("/admin")[0] + path)
        assert page.locator("h1").inner_text().startswith(heading), name
        assert page.evaluate(OVERFLOW) <= 0 and page.evaluate(TABLES_OUT) == 0, name
        page.screenshot(path=ARTIFACTS / f"org-{name}-1280.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_text("导出当前组织机构").click()
    exported = tmp_path / "组织机构.xlsx"
    download.value.save_as(exported)
    page.set_input_files("input[type=file]", str(exported))
    page.get_by_role("button", name="预览").click()
    sync_api.expect(page.locator("body")).to_contain_text("没有需要导入的改动")
    assert page.evaluate(OVERFLOW) <= 0
    page.screenshot(path=ARTIFACTS / "org-import-preview-1280.png", full_page=True)
    assert errors == []
