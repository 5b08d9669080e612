"""The political-ecology index in headless Chromium (issue 12): on the admin page at 1280 px
the grid's colours match the table's, a tile opens its unit's explanation; the phone version
fits 375 px. Screenshots go to test-artifacts/browser/."""

from test_browser import ARTIFACTS, WECHAT_UA, chromium  # noqa: F401 (skips without chromium)
from test_eco_index import EXPECTED, example  # noqa: F401 (example: a fixture)

from conftest import openid
from models import session

PC = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
COLOURS = """(selector) => Object.fromEntries(Array.from(document.querySelectorAll(selector))
  .map((element) => [element.dataset.unit, getComputedStyle(element.querySelector(
    '.eco-tile__index, .level-badge') || element).backgroundColor]))"""


def test_the_grid_colours_match_the_table_and_a_tile_explains_its_unit(
        chromium, runner, example, api):  # noqa: F811
    c = example
    assert api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).status_code == 201
    link = runner.invoke(args=["admin-link", str(c["zhao"].id)]).output.strip()
    session.rollback()  # end this thread's read: SQLite would make the page's writes wait
    context = chromium.new_context(viewport=PC, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    page.goto(page.url.split("/admin")[0] + "/admin/eco-index?month=2026-11")
    assert page.locator("h1").inner_text() == "2026-11政治生态指数"
    tiles = {tile.get_attribute("data-unit"): (tile.get_attribute("data-colour"), tile.evaluate(
        "(e) => getComputedStyle(e).backgroundColor")) for tile in page.locator(".eco-tile").all()}
    rows = {row.get_attribute("data-unit"): (row.get_attribute("data-colour"), row.locator(
        ".level-badge").evaluate("(e) => getComputedStyle(e).backgroundColor"))
        for row in page.locator(".eco-table tr[data-unit]").all()}
    assert tiles == rows and len(tiles) == len(EXPECTED)
    names = {page.locator(f'.eco-tile[data-unit="{uid}"] .eco-tile__name').inner_text(): colour
             for uid, (colour, _) in tiles.items()}
    assert names == {name: expected[3] for name, expected in EXPECTED.items()}
    assert len({shade for _, shade in tiles.values()}) == 4  # four colours, four shades
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length >= 1")
    page.screenshot(path=ARTIFACTS / "eco-index-1280.png", full_page=True)
    page.locator(f'.eco-tile[data-unit="{c["hongyan"].id}"]').click()
    page.wait_for_url(f"**/admin/eco-index/units/{c['hongyan'].id}**")
    assert page.locator("h1").inner_text() == "红岩镇 2026-11：为什么是橙色？"
    page.screenshot(path=ARTIFACTS / "eco-index-unit-1280.png", full_page=True)
    page.goto(page.url.split("/admin")[0] + "/admin/eco-index/tree?year=2026")
    page.screenshot(path=ARTIFACTS / "eco-index-tree-1280.png", full_page=True)
    page.goto(page.url.split("/admin")[0] + "/admin/eco-index/manual?month=2026-11")
    page.screenshot(path=ARTIFACTS / "eco-index-manual-1280.png", full_page=True)
    assert errors == []
    context.close()


def test_the_phone_version_fits_375px(chromium, app, example, api):  # noqa: F811
    c = example
    assert api(c["zhao"], "POST", "/eco-index", json={"month": "2026-11"}).status_code == 201
    base = app.config["PUBLIC_BASE_URL"]
    session.rollback()
    context = chromium.new_context(user_agent=WECHAT_UA, viewport=PHONE, is_mobile=True,
                                   has_touch=True, device_scale_factor=2, locale="zh-CN")
    context.add_cookies([{"name": "emu_openid", "value": openid(c["phones"]["zhao"]),
                          "url": base}])
    page = context.new_page()
    page.goto(base + "m/eco-index")
    assert page.locator("h1").inner_text() == "政治生态指数"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    colours = {tile.get_attribute("data-unit"): tile.get_attribute("data-colour")
               for tile in page.locator(".eco-tile").all()}
    listed = {row.get_attribute("data-unit"): row.get_attribute("data-colour")
              for row in page.locator(".weui-cell[data-unit]").all()}
    assert colours == listed and len(colours) == len(EXPECTED)
    page.screenshot(path=ARTIFACTS / "eco-index-375.png", full_page=True)
    page.locator(f'.eco-tile[data-unit="{c["qingshan"].id}"]').click()
    page.wait_for_url(f"**/m/eco-index/units/{c['qingshan'].id}**")
    assert page.locator("h1").inner_text() == "青山镇：为什么是红色？"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=ARTIFACTS / "eco-index-unit-375.png", full_page=True)
    context.close()
