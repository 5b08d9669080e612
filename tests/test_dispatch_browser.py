"""The admin dispatch picker on a 375 px phone screen in headless Chromium (issue 9, item 6)."""

from test_browser import ARTIFACTS, chromium, sync_api  # noqa: F401 (the fixture; skips without chromium)
from test_dispatch import people, tasks  # noqa: F401 (people: a fixture)

from models import Period, TemplateKind, session

SCREEN = {"width": 375, "height": 740}


def test_the_picker_fits_a_375px_screen_and_dispatches(chromium, runner, people,  # noqa: F811
                                                       make_template, now):
    template = make_template(kind=TemplateKind.ADHOC, period=Period.ONCE, due_rule="after:7",
                             title="节前廉洁过节专项提醒", review_levels=2, category="深化作风建设")
    link = runner.invoke(args=["admin-link", str(people["inspector"].id)]).output.strip()
    session.rollback()  # end this thread's read: SQLite would make the page's write wait
    context = chromium.new_context(viewport=SCREEN, is_mobile=True, has_touch=True,
                                   locale="zh-CN")
    page = context.new_page()
    page.goto(link)
    page.goto(link.split("/admin/")[0] + f"/admin/dispatch/{template.id}")
    choices = page.locator("fieldset label")
    assert choices.count() >= 6
    for index in range(choices.count()):
        box = choices.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SCREEN["width"], \
            choices.nth(index).inner_text()
    page.get_by_label("白水镇", exact=True).check()
    page.get_by_label("李明（副镇长）").check()
    page.screenshot(path=ARTIFACTS / "dispatch-picker-375.png", full_page=True)
    page.get_by_role("button", name="派发").click()
    sync_api.expect(page.locator("body")).to_contain_text("新派发 2 项任务")  # waits out the redirect
    assert tasks() == [(people["other"].id, None), (people["township"].id, people["member"].id)]
    context.close()
