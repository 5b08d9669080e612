"""The notice page in headless Chromium at 375 px: the unit's reply form and the issuer's
verify form fit the screen (no sideways scrolling); screenshots go to test-artifacts/browser."""

import pytest

from conftest import openid
from models import session
from models.notice_lifecycle import issue, reply
from test_browser import ARTIFACTS, CHROMIUM_ARGS, WECHAT_UA, chromium  # noqa: F401
from test_notice import REPLY, make_notice  # noqa: F401 (fixtures)

VIEWPORT = {"width": 375, "height": 812}


@pytest.mark.parametrize("index, who", [(2, "secretary"), (3, "issuer")])
def test_the_notice_page_fits_a_phone(app, chromium, county, make_notice, now, index, who):
    notice = make_notice()
    issue(notice, county["discipline"], now=now)
    reply(notice.items[0], county["secretary"], REPLY, now=now)
    session.commit()
    base = app.config["PUBLIC_BASE_URL"]
    context = chromium.new_context(user_agent=WECHAT_UA, viewport=VIEWPORT, is_mobile=True,
                                   device_scale_factor=2, locale="zh-CN")
    context.add_cookies([{"name": "emu_openid", "value": openid(index), "url": base}])
    page = context.new_page()
    page.goto(f"{base}m/notices/{notice.id}")
    form = "回复第2项" if who == "secretary" else "核实通过"
    assert page.get_by_role("button", name=form).is_visible()
    page.screenshot(path=ARTIFACTS / f"notice-{who}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    context.close()
