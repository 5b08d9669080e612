"""全县态势 in headless Chromium (issue 10): the PC dashboard at 1280 px draws its ECharts
canvases and a tile opens its unit's tasks; the phone version fits 375 px and draws its charts.
Screenshots go to test-artifacts/browser/."""

from test_browser import ARTIFACTS, WECHAT_UA, chromium  # noqa: F401 (skips without chromium)
from test_dashboard import board, ids  # noqa: F401 (board: a fixture)

from conftest import INDEX, openid
from models import session

PC = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

# How many pixels of each chart's canvas are painted (not transparent): 0 means blank.
PAINTED = """() => Array.from(document.querySelectorAll("[data-chart] canvas")).map((canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return painted;
})"""


def test_the_dashboard_draws_its_charts_and_a_tile_opens_its_units_tasks(
        chromium, runner, board):  # noqa: F811
    link = runner.invoke(args=["admin-link", str(board["inspector"].id)]).output.strip()
    session.rollback()  # end this thread's read: SQLite would make the page's writes wait
    context = chromium.new_context(viewport=PC, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    assert page.locator("h1").inner_text().startswith("全县态势")
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length >= 2")
    painted = page.evaluate(PAINTED)
    assert len(painted) == 2 and all(count > 1000 for count in painted), painted
    page.screenshot(path=ARTIFACTS / "dashboard-1280.png", full_page=True)
    tile = page.locator(f'.tile[data-unit="{board["township"].id}"]')
    assert "level_red" in tile.get_attribute("class")
    tile.click(position={"x": 20, "y": 12})  # anywhere on the tile but its count links
    page.wait_for_url(f"**/admin/units/{board['township'].id}**")
    shown = {int(task) for task in page.locator("[data-task]").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.task)")}
    t = board["tasks"]
    assert shown == ids(t["member"], t["secretary"], t["colleague"], t["study"])
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length >= 1")
    assert all(count > 1000 for count in page.evaluate(PAINTED))
    page.screenshot(path=ARTIFACTS / "dashboard-unit-1280.png", full_page=True)
    page.go_back()
    picker = page.locator("[data-owed-picker]")
    picker.locator("select[name=template]").select_option(label="专题会议（每月）")
    assert picker.locator("select[name=period]").input_value() == "2026-12"  # running today
    assert picker.locator('option[value="2026Q4"]').is_disabled()  # not a monthly period
    picker.locator("select[name=period]").select_option("2026-11")
    picker.get_by_role("button", name="查看未提交").click()
    page.wait_for_load_state()  # the new page's scripts (its 催办 confirmation) have run
    assert page.locator("[data-task]").count() == 2
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="全部催办（2 项）").click()
    page.wait_for_selector(".flash")
    assert asked == ["向 2 项未提交任务的承办人发送催办提醒？"]
    assert "已催办 2 项任务" in page.locator(".flash").inner_text()
    page.screenshot(path=ARTIFACTS / "dashboard-owed-1280.png", full_page=True)
    assert errors == []
    context.close()


def test_the_phone_version_fits_375px_and_draws_its_charts(chromium, app, board):  # noqa: F811
    base = app.config["PUBLIC_BASE_URL"]
    session.rollback()
    context = chromium.new_context(user_agent=WECHAT_UA, viewport=PHONE, is_mobile=True,
                                   has_touch=True, device_scale_factor=2, locale="zh-CN")
    context.add_cookies([{"name": "emu_openid", "value": openid(INDEX["inspector"]),
                          "url": base}])
    page = context.new_page()
    page.goto(base + "m/situation")
    assert page.locator("h1").inner_text() == "全县态势"
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length >= 2")
    assert all(count > 1000 for count in page.evaluate(PAINTED))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for row in page.locator(".unit-row").all():
        assert row.bounding_box()["height"] >= 44  # a finger-sized target
    page.screenshot(path=ARTIFACTS / "situation-375.png", full_page=True)
    page.locator(f'.unit-row[data-unit="{board["township"].id}"]').tap()
    page.wait_for_url("**/m/overview?**")
    assert page.locator(".task-row").count() == 2  # its two overdue tasks
    context.close()
