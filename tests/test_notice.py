"""Notices (监督建议书 / 整改通知书, issue 11): numbering, the lifecycle and who may do what,
the overdue ladder and the deductions it and a returned item cost the unit."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import (AuditEvent, Deduction, ItemState, Notice, NoticeState, Notification,
                    NotificationKind, session)
from models.errors import Conflict, DomainError, NotAllowed
from models.notice_escalation import sweep_notices
from models.notice_lifecycle import (accept, acknowledge, close, discard, draft, issue, reply,
                                     return_item)

REPLY = "已召开专题会议研究整改，制定制度两项，相关人员已作检讨。"


@pytest.fixture
def make_notice(county, now):
    """A draft from 青山镇纪委 to 青山镇 with two items (the second the member's), replies due
    in 10 days; `by` another issuer, `days` other deadlines."""

    def make(by=None, days=10, unit=None):
        by = by or county["discipline"]
        notice = draft(by, kind="rectification", unit=unit or county["township"],
                       title="关于落实主体责任问题的整改通知", facts="检查发现专题会议记录不全，学习流于形式。",
                       basis="《党委(党组)落实全面从严治党主体责任规定》", now=now,
                       reply_due_at=now + timedelta(days=days), follow_up_days=30,
                       items=[{"requirement": "补齐2026年专题会议记录", "due_at": now + timedelta(days=days),
                               "person": None},
                              {"requirement": "建立班子成员学习台账", "due_at": now + timedelta(days=days + 5),
                               "person": county["member"]}])
        session.commit()
        return notice

    return make


def pushes(kind, notice) -> list[tuple[str, int]]:
    return sorted(session.execute(sa.select(Notification.step, Notification.person_id).where(
        Notification.notice_id == notice.id, Notification.kind == kind)).all())


def test_numbers_run_per_issuer_and_year_and_drafts_take_none(county, make_notice, now):
    first, second, thrown = make_notice(), make_notice(), make_notice()
    assert first.reference == ""
    issue(second, county["discipline"], now=now)
    discard(thrown, county["discipline"], now=now)
    issue(first, county["discipline"], now=now)
    county_notice = make_notice(by=county["inspector"])
    issue(county_notice, county["inspector"], now=now)
    session.commit()
    year = now.year
    assert (second.reference, first.reference) == (f"〔{year}〕第1号", f"〔{year}〕第2号")
    assert thrown.number is None and thrown.state == NoticeState.DISCARDED
    assert county_notice.reference == f"〔{year}〕第1号"  # the county commission's own series
    assert first.name == f"整改通知书〔{year}〕第2号"


def test_a_number_is_never_given_twice(county, make_notice, now):
    notice = make_notice()
    issue(notice, county["discipline"], now=now)
    session.commit()
    later = make_notice()
    issue(later, county["discipline"], now=now)
    session.commit()
    session.execute(sa.delete(Notification).where(Notification.notice_id == notice.id))
    session.delete(notice)
    session.commit()
    third = make_notice()
    issue(third, county["discipline"], now=now)
    assert third.number == 3


def test_whole_life_from_draft_to_closed_with_a_returned_item(county, make_notice, now, clock):
    notice = make_notice()
    secretary, member, body = county["secretary"], county["member"], county["discipline"]
    issue(notice, body, now=now)
    session.commit()
    assert pushes(NotificationKind.NOTICE_ISSUED, notice) == [("issued", secretary.id)]

    acknowledge(notice, secretary, now=now)
    first, second = notice.items
    reply(first, secretary, REPLY, now=now)
    assert notice.state == NoticeState.ACKNOWLEDGED  # the member's item still owes a reply
    reply(second, member, "已建立学习台账，每月登记学习情况并由书记签字。", now=now)
    session.commit()
    assert notice.state == NoticeState.REPLIED
    assert [p for _, p in pushes(NotificationKind.NOTICE_REPLIED, notice)] == [body.id]

    accept(first, body, now=now)
    return_item(second, body, "台账只有空表，未见登记内容。", now=now)
    session.commit()
    assert (second.state, notice.state) == (ItemState.RETURNED, NoticeState.ACKNOWLEDGED)
    assert {p for _, p in pushes(NotificationKind.NOTICE_RETURNED, notice)} == {
        secretary.id, member.id}
    returned = session.scalars(sa.select(Deduction).where(
        Deduction.source == f"notice:{notice.id}")).one()
    assert returned.points == Decimal("0.50") and "第2项整改不到位被退回" in returned.reason

    reply(second, member, "已补充11月学习登记12条，附签字页照片。", now=now)
    accept(second, body, now=now)
    session.commit()
    assert notice.state == NoticeState.FOLLOW_UP
    assert notice.follow_up_due_at == now + timedelta(days=30)
    with pytest.raises(Conflict, match="回访日期为"):
        close(notice, body, "回访查看会议记录和台账，整改到位。", now=now)

    later = now + timedelta(days=31)
    clock.move_to(later)
    report = sweep_notices(later)
    session.commit()
    assert [p for _, p in pushes(NotificationKind.NOTICE_FOLLOW_UP, notice)] == [body.id]
    assert report.looked_at >= 1
    with pytest.raises(DomainError, match="回访情况"):
        close(notice, body, "好", now=later)
    close(notice, body, "回访查看会议记录和台账，整改到位。", now=later)
    session.commit()
    assert notice.state == NoticeState.CLOSED
    assert pushes(NotificationKind.NOTICE_CLOSED, notice) == [("closed", secretary.id)]
    actions = session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject == f"notice:{notice.id}").order_by(AuditEvent.id)).all()
    assert actions == ["notice.draft", "notice.issue", "notice.acknowledge", "notice.reply",
                       "notice.reply", "notice.accept", "notice.return", "notice.reply",
                       "notice.accept", "notice.close"]


def test_who_may_do_what(county, make_notice, now):
    notice = make_notice()
    with pytest.raises(NotAllowed):
        issue(notice, county["other_discipline"], now=now)
    with pytest.raises(NotAllowed):  # 白水镇纪委 does not supervise 青山镇
        make_notice(by=county["other_discipline"])
    with pytest.raises(NotAllowed):
        draft(county["secretary"], kind="suggestion", unit=county["township"], title="不该起草的",
              facts="书记不能给本单位下发通知书。", basis="", now=now,
              reply_due_at=now + timedelta(days=3), items=[])
    issue(notice, county["discipline"], now=now)
    first, second = notice.items
    with pytest.raises(NotAllowed):  # a member answers only for the item they are responsible for
        reply(first, county["member"], REPLY, now=now)
    with pytest.raises(NotAllowed):
        reply(first, county["colleague"], REPLY, now=now)
    with pytest.raises(NotAllowed):
        acknowledge(notice, county["member"], now=now)
    reply(second, county["member"], REPLY, now=now)  # answering signs for it
    assert notice.state == NoticeState.ACKNOWLEDGED
    with pytest.raises(NotAllowed):  # only the issuing body verifies
        accept(second, county["secretary"], now=now)
    with pytest.raises(NotAllowed):
        accept(first, county["discipline"], now=now)  # nothing to verify yet
    with pytest.raises(DomainError, match="至少"):
        reply(first, county["secretary"], "已改", now=now)


def test_a_late_reply_climbs_the_ladder_and_costs_points_once(county, make_notice, now, clock):
    notice = make_notice(days=2)
    issue(notice, county["discipline"], now=now)
    session.commit()
    blue = now + timedelta(days=3, hours=1)
    clock.move_to(blue)
    sweep_notices(blue)
    session.commit()
    steps = {step for step, _ in pushes(NotificationKind.BLUE, notice)}
    assert steps == {"reply:blue", f"item:{notice.items[0].id}:blue"}
    late = session.scalars(sa.select(Deduction).where(
        Deduction.source == f"notice:{notice.id}")).one()
    assert late.points == Decimal("1.00") and late.reason.endswith("逾期未回复")

    top = now + timedelta(days=2 + 8)
    clock.move_to(top)
    sweep_notices(top)
    sweep_notices(top)  # twice: nothing twice
    session.commit()
    reached = {p for step, p in pushes(NotificationKind.SUPERVISION, notice)
               if step == "reply:supervision"}
    assert reached == {county["secretary"].id, county["discipline"].id, county["inspector"].id}
    assert pushes(NotificationKind.RED, notice) == []  # only the highest step now due
    assert session.scalar(sa.select(sa.func.count(Deduction.id)).where(
        Deduction.source == f"notice:{notice.id}")) == 1


def test_a_return_after_the_reply_deadline_is_the_items_not_a_late_reply(county, make_notice,
                                                                          now, clock):
    notice = make_notice(days=2)
    body = county["discipline"]
    issue(notice, body, now=now)
    first, second = notice.items
    reply(first, county["secretary"], REPLY, now=now)
    reply(second, county["member"], REPLY, now=now)
    later = now + timedelta(days=4)
    clock.move_to(later)
    return_item(first, body, "会议记录缺少签到表。", now=later)
    sweep_notices(later)
    session.commit()
    reasons = session.scalars(sa.select(Deduction.reason).where(
        Deduction.source == f"notice:{notice.id}")).all()
    assert len(reasons) == 1 and "被退回" in reasons[0]  # replied in time: no 逾期未回复
    assert {step for step, _ in pushes(NotificationKind.BLUE, notice)} == {f"item:{first.id}:blue"}
