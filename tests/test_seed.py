"""`flask seed-demo`: the demo county the README promises, live and calm on any day."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import openid
from models import (Assignment, DutyCategory, DutyTemplate, Evidence, Person, Role, Unit,
                    UnitKind, session)

SH = ZoneInfo("Asia/Shanghai")


def test_seed_demo_builds_the_county(runner, emulator):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    roles = set(session.scalars(sa.select(Person.role)))
    assert roles == {role.value for role in Role}
    assert 20 <= session.scalar(sa.select(sa.func.count(Person.id))) <= 30
    assert session.scalar(sa.select(sa.func.count(DutyCategory.id))) == 16
    assert session.scalar(sa.select(sa.func.count(DutyTemplate.id))) >= 12
    kinds = sa.select(Unit.kind, sa.func.count()).group_by(Unit.kind)
    counts = dict(session.execute(kinds).all())
    assert counts[UnitKind.TOWNSHIP] == 3 and counts[UnitKind.DEPARTMENT] == 2
    assert counts[UnitKind.DISCIPLINE] == 4
    township = session.scalar(sa.select(Unit).where(Unit.kind == UnitKind.TOWNSHIP).limit(1))
    assert township.supervisor.kind == UnitKind.DISCIPLINE
    assert township.supervisor.parent_id == township.id
    # Pre-bound people answer in chat straight away, and have this period's tasks.
    assert emulator.send_text(openid(1), "我的").reply["content"].startswith("姓名：")
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) > 10
    secretary = openid(6)  # 城关镇's secretary is the sixth person seeded
    assert "待办任务（共" in emulator.send_text(secretary, "待办").reply["content"]


@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 20, 10, 0, tzinfo=SH),
    datetime(2026, 12, 31, 18, 30, tzinfo=SH),  # the quarter's due time has just passed
    datetime(2028, 2, 29, 23, 30, tzinfo=SH),  # quiet hours, a year with no holiday schedule
])
def test_a_fresh_demo_is_a_live_county_that_starts_calm(runner, emulator, work, clock, moment):
    clock.move_to(moment)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    work()
    assert not any(emulator.inbox(openid(index)) for index in range(1, 13))  # no burst
    swept = runner.invoke(args=["sweep"]).output
    assert "已记录 0 条推送" in swept, swept
    # Tasks at every stage: due soon, a few warnings, exactly one red, none under 督办 ...
    open_tasks = session.execute(sa.select(Assignment.warning, Assignment.due_at).where(
        Assignment.state.in_(("dispatched", "acknowledged", "returned")))).all()
    warnings = [warning for warning, _ in open_tasks]
    assert warnings.count("red") == 1 and "supervision" not in warnings
    assert warnings.count("reminder") >= 1 and 2 <= warnings.count("blue") + warnings.count(
        "yellow") <= 5
    assert max(moment - due for _, due in open_tasks).days < 7
    states = set(session.scalars(sa.select(Assignment.state)))
    assert {"dispatched", "acknowledged", "submitted", "first_approved", "completed"} <= states
    photos = session.scalar(sa.select(sa.func.count(Evidence.id)).join(
        Assignment, Evidence.assignment_id == Assignment.id).where(
        Assignment.state == "completed", Evidence.kind == "photo", Evidence.status == "stored"))
    assert photos >= 10
    # ... and what the cadres read: nobody is 逾期 for long; user 07 starts the README's task.
    for index in range(1, 13):
        listing = emulator.send_text(openid(index), "待办").reply["content"]
        assert "工作督办" not in listing
        assert all(int(days) < 7 for days in re.findall(r"逾期(\d+)天", listing))
    walkthrough = emulator.send_text(openid(7), "待办").reply["content"]
    assert "（共1项）" in walkthrough and "1. 班子成员“一岗双责”履职报告" in walkthrough


def test_seed_demo_if_empty_leaves_data_alone(runner):
    runner.invoke(args=["seed-demo"])
    tasks = session.scalar(sa.select(sa.func.count(Assignment.id)))
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "未导入演示县" in result.output
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == tasks


def test_the_demo_has_a_notice_in_each_state(runner, emulator, work, clock):
    from models import Deduction, Notice
    from models.notice import NoticeState

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    work()
    states = set(session.scalars(sa.select(Notice.state)))
    assert states == {str(state) for state in NoticeState} - {"discarded"}
    assert not any(emulator.inbox(openid(index)) for index in range(1, 13))  # the past is sent
    assert "整改通知：查看 0 项" in runner.invoke(args=["sweep"]).output
    assert session.scalar(sa.select(sa.func.count(Deduction.id)).where(
        Deduction.source.like("notice:%"))) == 2  # 县教育局: the late reply and the return
    listing = emulator.send_text(openid(6), "整改通知").reply["content"]  # 城关镇's secretary
    assert "（共2项）" in listing and "党委专题研究整改措施" in listing
    assert "待核实" in emulator.send_text(openid(2), "整改通知").reply["content"]


def test_the_demo_has_a_finished_spot_check_round_that_verifies(runner, emulator, work, clock):
    from models import Deduction, SpotCheckRound

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    work()
    [row] = session.scalars(sa.select(SpotCheckRound)).all()
    results = sorted(str(item.result) for item in row.items)
    assert len(results) >= 3 and results.count("false") == 1 and results.count("partial") == 1
    assert "None" not in results
    [false] = [item for item in row.items if item.result == "false"]
    assert false.assignment.state == "returned"
    assert session.scalar(sa.select(sa.func.count(Deduction.id)).where(
        Deduction.source.like("spot_check:%"))) == 1
    assert not any(emulator.inbox(openid(index)) for index in range(1, 13))  # the past is sent
    verified = runner.invoke(args=["spot-check", "verify", str(row.id)])
    assert verified.exit_code == 0 and "结论：一致" in verified.output
    assert f"任务 {false.assignment_id}：抽查核实不实，已退回整改" in verified.output


def test_the_demo_has_an_index_for_its_two_recent_months(runner, emulator, clock, admin_browser):
    from models import IndexMonth, ManualValue

    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=SH))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "政治生态指数 2 个月" in result.output
    months = session.scalars(sa.select(IndexMonth).order_by(IndexMonth.month)).all()
    assert [row.month for row in months] == ["2026-10", "2026-11"]
    assert {len(row.content["units"]) for row in months} == {9}
    assert session.scalar(sa.select(sa.func.count(ManualValue.id)).where(
        ManualValue.replaces_id.is_not(None))) == 1
    inspector = session.scalars(sa.select(Person).where(Person.role == Role.INSPECTOR)).first()
    page = admin_browser(inspector).get("/admin/eco-index")
    assert page.status_code == 200 and "2026-11政治生态指数" in page.text
