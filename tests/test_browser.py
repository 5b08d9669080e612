"""A task's whole life through the mobile pages in headless Chromium, as phones inside WeChat.

dispatch → 签收 → 上报 (a summary and two photos) → 提交 → 初审 approves through the link →
终审 returns → rework → 提交 → 初审 and 终审 approve → completed; a screenshot of each page goes
to test-artifacts/browser/. Needs Debian's chromium and Playwright for Python (no browser
download: Playwright drives the system chromium).
"""

import io
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

from conftest import openid
from handlers.mobile import texts
from models import Assignment, AuditEvent, Period, Role, State, TemplateKind, UnitKind, session

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("needs Debian's chromium (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="needs Playwright for Python (pip install playwright)")

# TEST_ARTIFACTS: another folder, for runs side by side (.ci/run's runs at two dates).
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[1] / "test-artifacts") / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 10; V2001A Build/QP1A.190711.020; wv) "
             "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 "
             "Mobile Safari/537.36 XWEB/5169 MMWEBSDK/20230805 MMWEBID/1234 "
             "MicroMessenger/8.0.42.2460(0x28002A35) WeChat/arm64 Weixin NetType/WIFI "
             "Language/zh_CN ABI/arm64")
VIEWPORT = {"width": 360, "height": 740}


def photo(colour, label: str) -> dict:
    """A 1600×1200 JPEG as a file the page's picker would hand over."""
    image = Image.new("RGB", (1600, 1200), colour)
    ImageDraw.Draw(image).rectangle((200, 200, 1400, 1000), outline="white", width=40)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return {"name": f"{label}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture
def chromium(monkeypatch):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Under faketime (the date-independence runs) the browser keeps the machine's clock: Chromium
    # does not load pages under Debian's libfaketime, and the pages it shows carry no clock.
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def life(make_unit, make_bound_person, make_template, make_assignment, now):
    """A township supervised by its 纪委, a member with a two-level task, and both reviewers."""
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    member = make_bound_person(1, name="李明", role=Role.MEMBER, unit=township, title="副镇长")
    make_bound_person(2, name="王纪委", role=Role.DISCIPLINE, unit=body, title="纪委书记")
    make_bound_person(3, name="赵审核", role=Role.INSPECTOR, unit=county_unit, title="审核员")
    template = make_template(title="党风廉政建设专题会议", kind=TemplateKind.ADHOC,
                             description="召开专题会议研究部署党风廉政建设工作。",
                             target_role=None, period=Period.ONCE, due_rule="after:7",
                             min_photos=2, review_levels=2)
    return make_assignment(member, template, period="once", at=now)


class Phone:
    """One person's phone: its own cookies, WeChat's user agent, a 360 px screen."""

    def __init__(self, browser, base: str, index: int, who: str):
        self.base, self.who, self.shots = base, who, 0
        self.context = browser.new_context(user_agent=WECHAT_UA, viewport=VIEWPORT,
                                           device_scale_factor=2, is_mobile=True,
                                           has_touch=True, locale="zh-CN")
        self.context.add_cookies([{"name": "emu_openid", "value": openid(index),
                                   "url": base}])
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()

    def open(self, path: str) -> None:
        self.page.goto(self.base + path.lstrip("/"))

    def shot(self, step: str, full_page: bool = True) -> None:
        """Screenshot the page and check it fits 360 px (no horizontal scrolling)."""
        Phone.counter += 1
        self.page.screenshot(path=ARTIFACTS / f"{Phone.counter:02d}-{self.who}-{step}.png",
                             full_page=full_page)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORT["width"], f"{step}: page is {width}px wide"

    counter = 0


def state_of(task) -> State:
    session.rollback()
    session.expire_all()
    return State(session.get(Assignment, task.id).state)


def test_whole_life_in_headless_chromium(app, chromium, life, work):
    base = app.config["PUBLIC_BASE_URL"]
    Phone.counter = 0
    member = Phone(chromium, base, 1, "member")
    discipline = Phone(chromium, base, 2, "discipline")
    inspector = Phone(chromium, base, 3, "inspector")
    page = member.page

    member.open("/m/")
    assert page.locator("h1").inner_text() == "您好，李明"
    member.shot("workbench")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "18px"
    page.locator("#todo a.task-row").first.click()
    member.shot("detail")
    page.get_by_role("button", name="签收任务").click()
    sync_api.expect(page.locator(".flash")).to_contain_text(texts.ACKNOWLEDGED)
    member.shot("acknowledged")
    assert state_of(life) == State.ACKNOWLEDGED

    _report(member, "11月20日召开党委会专题研究党风廉政建设，班子成员全体参加。",
            [photo((180, 40, 40), "meeting"), photo((30, 90, 170), "minutes")])
    assert state_of(life) == State.SUBMITTED
    assert page.locator(".thumbs__pending").all_inner_texts() == ["处理中…"] * 2
    work()  # the media job decodes the uploads; the page shows them from then on
    member.open(f"/m/tasks/{life.id}")
    assert page.locator(".thumbs__pending").count() == 0
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "assignment.submit")) == 1  # the double tap posted once

    _review(discipline, approve=True, expect=texts.APPROVED_FIRST, step="first-review")
    assert state_of(life) == State.FIRST_APPROVED

    inspector.open("/m/")
    inspector.page.locator("#reviews a.task-row").first.click()
    inspector.page.get_by_role("textbox", name="退回理由").fill("不清楚")
    inspector.page.get_by_role("button", name="退回整改").click()
    sync_api.expect(inspector.page.locator(".errors")).to_contain_text("至少5个字")
    inspector.shot("reason-too-short")
    inspector.page.get_by_role("textbox", name="退回理由").fill("会议纪要照片看不清，请重新拍摄上传。")
    inspector.page.get_by_role("button", name="退回整改").click()
    sync_api.expect(inspector.page.locator(".flash")).to_contain_text(texts.RETURNED)
    inspector.shot("returned")
    assert state_of(life) == State.RETURNED

    member.open(f"/m/tasks/{life.id}")
    assert "会议纪要照片看不清" in page.locator(".returned").inner_text()
    member.shot("sees-return")
    # The rework starts with what was handed in: drop the unclear photo, keep the rest.
    page.get_by_role("link", name="上报材料").click()
    sync_api.expect(page.locator(".page")).to_contain_text("已保留上次上报的小结和2张照片")
    member.shot("report-kept")
    page.get_by_role("button", name="删除第2张照片").click()
    sync_api.expect(page.locator(".flash")).to_contain_text(texts.EVIDENCE_REMOVED)
    assert page.locator(".thumbs__link").count() == 1
    page.get_by_role("link", name="返回任务详情").click()
    _report(member, "已补充清晰的会议纪要照片。",
            [photo((40, 140, 60), "minutes-again"), photo((120, 120, 30), "sign-in")])
    assert state_of(life) == State.SUBMITTED
    work()

    _review(discipline, approve=True, expect=texts.APPROVED_FIRST, step="first-review-again",
            photos=3)
    _review(inspector, approve=True, expect=texts.APPROVED_FINAL, step="final-review", photos=3)
    assert state_of(life) == State.COMPLETED

    member.open(f"/m/tasks/{life.id}")
    assert "已完成" in page.locator(".task-head").inner_text()
    assert page.locator("img[alt^='第']").count() == 5  # both rounds' photos, as handed in
    member.shot("completed")
    for phone in (member, discipline, inspector):
        phone.context.close()


def _report(member: Phone, summary: str, photos: list[dict]) -> None:
    page = member.page
    page.get_by_role("link", name="上报材料").click()
    page.locator("#summary").fill(summary)
    page.locator("#photos").set_input_files(photos)
    sync_api.expect(page.locator("#chosen img")).to_have_count(2)  # previews drawn by the page
    member.shot("report")
    # A double tap on submit: the page sends one request, the server would refuse a second.
    page.get_by_role("button", name="保存并提交审核").dblclick()
    page.wait_for_url("**/m/tasks/*")
    assert texts.SUBMITTED in page.locator(".flash").inner_text()
    member.shot("submitted")


def _review(reviewer: Phone, approve: bool, expect: str, step: str, photos: int = 2) -> None:
    page = reviewer.page
    reviewer.open("/m/")
    reviewer.shot("workbench")
    page.locator("#reviews a.task-row").first.click()
    page.wait_for_url("**/m/review/**")
    thumbs = page.locator(".thumbs__link")
    assert thumbs.count() == photos
    reviewer.shot(step)
    thumbs.first.click()  # the full-size display copy, over the page
    viewer = page.get_by_role("dialog", name="查看照片")
    page.wait_for_function("document.querySelector('.viewer img').complete")
    assert viewer.locator("img").evaluate("image => image.naturalWidth") == 1280
    reviewer.shot("photo-full-size", full_page=False)  # the viewer covers the screen
    viewer.get_by_role("button", name="关闭").click()
    assert viewer.count() == 0
    page.get_by_role("button", name="审核通过" if approve else "退回整改").click()
    sync_api.expect(page.locator(".flash")).to_contain_text(expect)
    reviewer.shot(f"{step}-done")
