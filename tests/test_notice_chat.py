"""Notices in chat and in the pushes people receive: the issue card with its link, 整改通知's
numbered items, 整改回复 N with photos attached to that item, the issuer told of the reply."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import openid
from handlers.wechat import texts
from models import Notice, NoticeItem, Evidence, EvidenceKind, EvidenceStatus, ItemState, NoticeState, session
from models.notice_lifecycle import issue
from test_chat_evidence import photo
from test_notice import make_notice  # noqa: F401 (fixture)

SECRETARY, MEMBER, BODY = 2, 1, 3


@pytest.fixture
def issued(county, make_notice, now, work):
    notice = make_notice()
    issue(notice, county["discipline"], now=now)
    session.commit()
    work()
    return notice


def cards(emulator, index, template_id):
    return [m for m in emulator.inbox(openid(index)) if m.get("template_id") == template_id]


def test_the_unit_gets_the_notice_card_with_its_link(emulator, issued):
    [card] = cards(emulator, SECRETARY, "QL_TASK_DISPATCHED")
    values = card["data"]
    assert values["thing1"] == issued.name
    assert values["thing3"] == "青山镇"
    assert card["url"].endswith(f"/m/notices/{issued.id}")
    assert cards(emulator, MEMBER, "QL_TASK_DISPATCHED") == []


def test_reply_by_number_with_photos_and_the_issuer_is_told(emulator, issued, work):
    secretary, member = openid(SECRETARY), openid(MEMBER)
    listing = emulator.send_text(secretary, "整改通知").reply["content"]
    assert listing.startswith(texts.NOTICES_HEADER.format(count=2))
    assert "1. " + issued.name + "第1项" in listing and "/m/notices" in listing
    answer = emulator.send_text(secretary, "整改回复 1 已补齐2026年1至11月专题会议记录共11份。")
    assert answer.reply["content"].startswith(f"已回复{issued.name}第1项")
    assert emulator.send_image(secretary, photo()).reply["content"] == \
        texts.NOTICE_PHOTO_RECEIVED.format(item="第1项", number=1)
    work()
    first = session.get(NoticeItem, issued.items[0].id)
    assert first.state == ItemState.REPLIED
    kept = session.scalars(sa.select(Evidence).where(Evidence.notice_item_id == first.id)
                           .order_by(Evidence.id)).all()
    assert [(e.kind, e.round, e.status) for e in kept] == [
        (EvidenceKind.TEXT, 1, EvidenceStatus.STORED), (EvidenceKind.PHOTO, 1, EvidenceStatus.STORED)]

    # The member answers only the item they are responsible for: it is their list's only one.
    listing = emulator.send_text(member, "整改通知").reply["content"]
    assert "共1项" in listing and "建立班子成员学习台账" in listing
    assert "至少" in emulator.send_text(member, "整改回复 1 已建").reply["content"]
    emulator.send_text(member, "整改回复 1 已建立学习台账，每月登记并由书记签字。")
    work()
    issued = session.get(Notice, issued.id)
    assert issued.state == NoticeState.REPLIED
    [told] = cards(emulator, BODY, "QL_REVIEW_REQUEST")
    assert told["data"]["thing1"].startswith("待核实：")
    assert told["url"].endswith(f"/m/notices/{issued.id}")
    assert "1项待核实" not in emulator.send_text(openid(BODY), "整改通知").reply["content"]
    assert "2项待核实" in emulator.send_text(openid(BODY), "整改通知").reply["content"]


def test_a_stale_number_shows_the_list_again(emulator, issued):
    answer = emulator.send_text(openid(SECRETARY), "整改回复 1 已补齐全部会议记录共11份。")
    assert answer.reply["content"].startswith(texts.NOTICE_LIST_GONE)


def test_the_overdue_ladder_reaches_the_unit_as_a_warning_card(emulator, county, make_notice, now,
                                                                clock, work):
    from models.notice_escalation import sweep_notices
    notice = make_notice(days=1)
    issue(notice, county["discipline"], now=now)
    session.commit()
    later = now + timedelta(days=2, hours=1)
    clock.move_to(later)
    sweep_notices(later)
    session.commit()
    work()
    warnings = cards(emulator, SECRETARY, "QL_TASK_WARNING")
    assert {card["data"]["phrase2"] for card in warnings} == {"蓝色预警"}
    assert any(card["data"]["thing4"] == "已逾期1天，请尽快整改回复" for card in warnings)
