"""One task's whole life through the emulator (issue 3): chat, pushed links, reviews, rework.

dispatch → 签收 in chat → 上报 with two photos and a summary → first review approves through
the pushed link → final review returns → rework → approve → completed; asserting the database,
the audit chain and what the emulator delivered to each phone.
"""

import io
import re

import requests
import sqlalchemy as sa
from PIL import Image

from conftest import openid
from models import (Assignment, AuditEvent, Evidence, Review, Role, State, TemplateKind, UnitKind,
                    WechatBinding, session)
from models.audit import verify_chain
from models.dispatch import dispatch

ASSIGNEE, FIRST, FINAL = 1, 2, 3


def photo(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def phone(index: int) -> requests.Session:
    """The in-WeChat browser of simulated user `index` (OAuth passes silently)."""
    browser = requests.Session()
    browser.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 10) MicroMessenger/8.0.50"
    browser.cookies.set("emu_openid", openid(index))
    return browser


def review_through_link(emulator, index: int, decision: str, reason: str = "") -> str:
    """Open the newest review request this reviewer received and decide; returns the page."""
    cards = [m for m in emulator.inbox(openid(index)) if m.get("template_id") == "QL_REVIEW_REQUEST"]
    browser = phone(index)
    page = browser.get(cards[-1]["url"])
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = browser.post(page.url.split("#")[0], data={
        "csrf_token": token, "decision": decision, "reason": reason})
    assert answer.status_code == 200, answer.text
    return answer.text


def templates_to(emulator, index: int) -> list[str]:
    return [m["template_id"] for m in emulator.inbox(openid(index)) if m["kind"] == "template"]


def test_whole_life(app, emulator, work, make_unit, make_person, make_template, now):
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    county = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    people = {ASSIGNEE: make_person(name="周海燕", role=Role.MEMBER, unit=township, title="党委委员"),
              FIRST: make_person(name="郑卫东", role=Role.DISCIPLINE, unit=body, title="纪委书记"),
              FINAL: make_person(name="何淑珍", role=Role.INSPECTOR, unit=county, title="审核员")}
    for index, person in people.items():
        session.add(WechatBinding(person_id=person.id, openid=openid(index), bound_at=now))
    template = make_template(title="一岗双责履职报告", kind=TemplateKind.COMMON,
                             category="落实一岗双责", min_photos=2, review_levels=2)
    task_id = dispatch(template, "2026-12", now=now)[0].id
    session.commit()
    work()
    assert templates_to(emulator, ASSIGNEE) == ["QL_TASK_DISPATCHED"]

    me = openid(ASSIGNEE)
    assert "1. 一岗双责履职报告" in emulator.send_text(me, "待办").reply["content"]
    assert emulator.send_text(me, "签收 1").reply["content"].startswith("已签收")
    emulator.send_text(me, "上报 1")
    emulator.send_text(me, "12月5日召开党委会，专题研究一岗双责落实情况。")
    emulator.send_image(me, photo((180, 40, 40)))
    emulator.send_image(me, photo((40, 40, 180)))
    work()
    assert emulator.send_text(me, "提交").reply["content"].startswith("已提交")
    work()

    review_through_link(emulator, FIRST, "approve")
    work()
    assert "审核通过" not in [m.get("content") for m in emulator.inbox(me)]  # not done yet
    review_through_link(emulator, FINAL, "return", "会议记录照片不清晰，请补拍签到表")
    work()
    results = [m for m in emulator.inbox(me) if m.get("template_id") == "QL_REVIEW_RESULT"]
    assert len(results) == 1 and "退回整改" in str(results[0])

    emulator.send_text(me, "待办")
    emulator.send_text(me, "上报 1")
    emulator.send_text(me, "已补拍签到表。")
    emulator.send_image(me, photo((40, 160, 40)))
    emulator.send_image(me, photo((160, 160, 40)))
    work()
    assert emulator.send_text(me, "提交").reply["content"].startswith("已提交")
    work()
    review_through_link(emulator, FIRST, "approve")
    work()
    review_through_link(emulator, FINAL, "approve")
    work()

    session.expire_all()
    task = session.get(Assignment, task_id)
    assert task.state == State.COMPLETED and task.round == 2
    reviews = session.execute(sa.select(Review.level, Review.decision, Review.reviewer_id)
                              .order_by(Review.id)).all()
    assert reviews == [(1, "approve", people[FIRST].id), (2, "return", people[FINAL].id),
                       (1, "approve", people[FIRST].id), (2, "approve", people[FINAL].id)]
    evidence = session.execute(sa.select(Evidence.round, Evidence.kind, Evidence.status)
                               .order_by(Evidence.id)).all()
    assert [e[:2] for e in evidence] == [(1, "text"), (1, "photo"), (1, "photo"),
                                         (2, "text"), (2, "photo"), (2, "photo")]
    assert {e.status for e in evidence} == {"stored"}
    actions = session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject == f"assignment:{task_id}").order_by(AuditEvent.id)).all()
    assert actions.count("assignment.submit") == 2 and actions.count("assignment.approve") == 3
    assert "assignment.return" in actions and "assignment.acknowledge" in actions
    assert verify_chain().broken_id is None
    # What each phone was sent, in order.
    assert templates_to(emulator, ASSIGNEE) == ["QL_TASK_DISPATCHED", "QL_REVIEW_RESULT",
                                                "QL_REVIEW_RESULT"]
    assert templates_to(emulator, FIRST) == ["QL_REVIEW_REQUEST", "QL_REVIEW_REQUEST"]
    assert templates_to(emulator, FINAL) == ["QL_REVIEW_REQUEST", "QL_REVIEW_REQUEST"]
