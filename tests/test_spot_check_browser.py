"""抽查核实 in headless Chromium (issue 11): the open form draws a round, the round page shows
its seed and verify command and takes a 核实 through its form, at 1280 px. Screenshots go to
test-artifacts/browser/."""

from test_browser import ARTIFACTS, chromium  # noqa: F401 (skips without chromium)

from models import session

PC = {"width": 1280, "height": 900}


def test_an_inspector_opens_a_round_and_verifies_a_task_in_the_browser(
        chromium, runner, assessed_county):  # noqa: F811
    link = runner.invoke(args=["admin-link", str(assessed_county["zhao"].id)]).output.strip()
    session.rollback()  # end this thread's read: SQLite would make the page's writes wait
    page = chromium.new_context(viewport=PC, locale="zh-CN").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    page.goto(page.url.split("/admin")[0] + "/admin/spot-checks?year=2026")
    page.fill("input[name=sample]", "5")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="开展抽查并抽取").click()
    page.wait_for_selector("h1:has-text('2026年第1轮抽查')")
    assert "spot-check verify" in page.inner_text("body")
    assert page.locator("form.verify").count() == 5
    page.screenshot(path=ARTIFACTS / "spot-check-1280.png", full_page=True)
    form = page.locator("form.verify").first
    form.get_by_label("属实", exact=True).check()
    form.locator("textarea").fill("调阅会议记录和签到表，情况属实")
    form.get_by_role("button", name="保存核实结果").click()
    page.wait_for_selector(".flash.ok")
    assert page.locator("form.verify").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= PC["width"]
    page.screenshot(path=ARTIFACTS / "spot-check-verified-1280.png", full_page=True)
    page.goto(page.url.split("/admin")[0] + "/admin/spot-checks?year=2026")
    page.screenshot(path=ARTIFACTS / "spot-checks-1280.png", full_page=True)
    assert errors == []
