"""预警等级与颜色 in headless Chromium: a cadre's workbench at 375 px in every preset (the
badges and stripes take the scheme's colours), and the admin page's live preview."""

from test_browser import ARTIFACTS, WECHAT_UA, chromium, sync_api  # noqa: F401 (the fixture; skips without chromium)

from models import Level, session, utcnow
from models.level_scheme import PRESETS, save_scheme
from tests.conftest import openid

SCREEN = {"width": 375, "height": 900}
WARNED = (Level.BLUE, Level.YELLOW, Level.RED, Level.SUPERVISION)


def rgb(colour: str) -> str:
    """#rrggbb as getComputedStyle writes it."""
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


def test_the_workbench_badges_take_each_presets_colours_at_375px(app, chromium,  # noqa: F811
                                                                 county, make_template,
                                                                 make_assignment):
    for number, level in enumerate(WARNED, start=1):
        task = make_assignment(county["member"], make_template(title=f"专项任务{number}"))
        task.warning = level
    session.commit()
    context = chromium.new_context(user_agent=WECHAT_UA, viewport=SCREEN, is_mobile=True,
                                   has_touch=True, locale="zh-CN", device_scale_factor=2)
    base = app.config["PUBLIC_BASE_URL"]
    context.add_cookies([{"name": "emu_openid", "value": openid(1), "url": base}])
    page = context.new_page()
    for key, preset in PRESETS.items():
        save_scheme(preset=key, actor=county["admin"], now=utcnow())
        session.commit()
        page.goto(base + "m/")
        for level in WARNED:
            shade = preset.shades[level]
            badge = page.locator(f"#warned .tag_{level.value}").first
            assert badge.inner_text() == shade.name
            style = badge.evaluate("e => [getComputedStyle(e).backgroundColor,"
                                   " getComputedStyle(e).color]")
            assert style == [rgb(shade.colour), rgb(shade.ink)], (key, level)
            row = page.locator(f"#warned .warn_{level.value}").first
            assert row.evaluate("e => getComputedStyle(e).borderLeftColor") == rgb(shade.line)
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        page.screenshot(path=ARTIFACTS / f"levels-{key}-375.png", full_page=True)
    context.close()


def test_the_admin_preview_follows_the_preset_picked_and_the_fields(app, chromium,  # noqa: F811
                                                                    runner, county):
    link = runner.invoke(args=["admin-link", str(county["admin"].id)]).output.strip()
    session.rollback()  # end this thread's read: SQLite would make the page's write wait
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(link)
    page.goto(app.config["PUBLIC_BASE_URL"] + "admin/levels")
    preview = page.locator('tr[data-level="blue"] [data-badge]')
    assert preview.inner_text() == "蓝色预警"
    page.get_by_label("绿黄橙红（常山）").check()
    assert preview.inner_text() == "黄色预警"
    assert preview.evaluate("e => getComputedStyle(e).color") == rgb("#1a1a1a")
    page.get_by_label("一级预警的名称").fill("提示预警")
    page.locator('input[name="blue_colour"]').fill("#0b6e99")
    assert preview.inner_text() == "提示预警"
    assert preview.evaluate("e => getComputedStyle(e).backgroundColor") == rgb("#0b6e99")
    assert preview.evaluate("e => getComputedStyle(e).color") == rgb("#ffffff")
    page.screenshot(path=ARTIFACTS / "levels-admin.png", full_page=True)
    page.get_by_role("button", name="保存", exact=True).click()
    sync_api.expect(page.locator("body")).to_contain_text("在“绿黄橙红（常山）”基础上修改")
    session.rollback()
    assert page.locator(".levels [data-badge]").nth(1).inner_text() == "提示预警"
    context.close()
