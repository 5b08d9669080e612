"""月度自查 in headless Chromium at 375 px (issue 12): the cadre fills the form built from their
risk points (a refusal keeps what was typed), hands it in; the 纪委 records its follow-up of the
reported risk. Screenshots go to test-artifacts/browser/."""

from test_browser import ARTIFACTS, WECHAT_UA, chromium, sync_api  # noqa: F401 (skips)
from test_selfcheck import points, self_check  # noqa: F401 (fixtures)

from conftest import openid
from models import RiskFollowUp, session

PHONE = {"width": 375, "height": 812}


def _phone(browser, base: str, index: int):
    context = browser.new_context(user_agent=WECHAT_UA, viewport=PHONE, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    context.add_cookies([{"name": "emu_openid", "value": openid(index), "url": base}])
    context.set_default_timeout(15_000)
    return context.new_page()


def _shot(page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"self-check-{name}-375.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


def test_a_cadre_fills_the_self_check_and_the_body_follows_the_risk_up(
        app, chromium, self_check):  # noqa: F811
    base = app.config["PUBLIC_BASE_URL"]
    session.rollback()
    page = _phone(chromium, base, 1)
    page.goto(f"{base}m/tasks/{self_check.id}")
    page.get_by_role("link", name="填写自查").click()
    page.wait_for_selector("form.self-check")
    _shot(page, "form")
    choices = page.locator(".choice__item")
    assert choices.first.bounding_box()["height"] >= 48  # a big target for a thumb
    points_ = page.locator("fieldset.self-check__point")
    assert points_.count() == 3
    points_.nth(0).get_by_role("radio", name="否").check()
    points_.nth(0).locator("textarea").fill("资金拨付均三级签字并已公示")
    points_.nth(1).get_by_role("radio", name="是").check()
    page.get_by_role("button", name="提交自查").click()
    page.wait_for_selector(".errors")
    assert "第2项风险点：请填写防控措施落实情况。" in page.inner_text(".errors")
    assert points_.nth(0).locator("textarea").input_value() == "资金拨付均三级签字并已公示"
    assert points_.nth(1).get_by_role("radio", name="是").is_checked()
    _shot(page, "refused")
    points_.nth(1).locator("textarea").fill("发现一个项目验收资料不全，已要求补齐")
    points_.nth(2).get_by_role("radio", name="否").check()
    points_.nth(2).locator("textarea").fill("节前已开展廉洁提醒")
    page.fill("#summary", "本月对照岗位风险点逐项自查，发现验收问题一项，已整改。")
    page.get_by_role("button", name="提交自查").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("已提交，等待审核。")
    assert "自查情况（第1次上报）" in page.inner_text("body")
    _shot(page, "submitted")

    body = _phone(chromium, base, 3)
    body.goto(f"{base}m/selfcheck-risks")
    assert "工程项目验收走过场" in body.inner_text("body")
    _shot(body, "risks")
    body.fill("textarea[name=note]", "已到现场核实，责令补齐验收资料并约谈经办人")
    body.get_by_role("button", name="记录并办结").click()
    sync_api.expect(body.locator(".flash")).to_contain_text("已记录核实处置情况")
    session.rollback()
    assert session.query(RiskFollowUp).one().closed_at is not None
    body.goto(f"{base}m/selfcheck-risks?state=closed")
    _shot(body, "closed")
