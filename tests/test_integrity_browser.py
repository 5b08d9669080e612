"""The review page with 照搬照抄 flags at 375 px in headless Chromium: both photos and both
summaries side by side, fitting the screen; the screenshot goes to test-artifacts/browser/."""

from conftest import openid
from test_browser import ARTIFACTS, WECHAT_UA, chromium  # noqa: F401 (skips without chromium)
from test_integrity import (SUMMARY, earlier, hand_in, later, link,  # noqa: F401 (fixtures)
                            picture, resaved, jpeg)

VIEWPORT = {"width": 375, "height": 812}


def test_the_review_page_shows_both_sides_of_each_flag_at_375_px(
        chromium, phone, county, earlier, later, app, work):  # noqa: F811
    hand_in(phone, "other_secretary", earlier, jpeg(picture(30)), SUMMARY, work)
    copy = "为深入推进全面从严治党，" + SUMMARY + "下一步将持续抓好落实。"
    hand_in(phone, "member", later, resaved(picture(30)), copy, work)
    context = chromium.new_context(user_agent=WECHAT_UA, viewport=VIEWPORT,
                                   device_scale_factor=2, is_mobile=True, has_touch=True,
                                   locale="zh-CN")
    context.add_cookies([{"name": "emu_openid", "value": openid(3),  # 青山镇纪委
                          "url": app.config["PUBLIC_BASE_URL"]}])
    page = context.new_page()
    page.goto(app.config["PUBLIC_BASE_URL"].rstrip("/") + link(app, later))
    flags = page.locator(".integrity-flag")
    assert flags.count() == 2
    assert page.locator(".integrity-pair img").count() == 2
    page.wait_for_function("[...document.querySelectorAll('.integrity-pair img')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")
    assert page.locator(".integrity-pair mark").count() >= 2
    boxes = [box for box in (img.bounding_box() for img in
                             page.locator(".integrity-pair img").all()) if box]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "integrity-review.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    page.get_by_role("link", name="据此退回").first.click()
    page.wait_for_url("**cite=*")
    assert page.locator("textarea[name=reason]").last.input_value().startswith("此")
    context.close()
