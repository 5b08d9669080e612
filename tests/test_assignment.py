"""Dispatch and the task lifecycle (DESIGN.md): who may do what, from which state."""

from datetime import UTC, datetime
from functools import partial

import pytest
import sqlalchemy as sa

from models import (Assignment, AuditEvent, Notification, Period, Review, Role, State,
                    TemplateKind, UnitKind, session)
from models.assignment import Action, AlreadyHandled
from models.lifecycle import transition
from models.audit import verify_chain
from models.dispatch import BadPeriod, dispatch, due_at
from models.errors import DomainError, NotAllowed


@pytest.fixture
def county(make_unit, make_person):
    """A township supervised by its 纪委, with a secretary, a liaison and a member; an inspector."""
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    return {
        "township": township,
        "secretary": make_person(name="书记", role=Role.SECRETARY, unit=township),
        "liaison": make_person(name="联络员", role=Role.COMMITTEE, unit=township),
        "member": make_person(name="委员", role=Role.MEMBER, unit=township),
        "discipline": make_person(name="纪委书记", role=Role.DISCIPLINE, unit=body),
        "inspector": make_person(name="审核员", role=Role.INSPECTOR, unit=county_unit),
    }


@pytest.fixture
def make_template(make_template):
    """This file's templates: common ones (every holder of the role gets one), reviewed twice."""
    return partial(make_template, kind=TemplateKind.COMMON, review_levels=2)


def test_dispatch_is_idempotent_and_queues_a_dispatched_notice(county, now, make_template):
    template = make_template()
    created = dispatch(template, "2026-11", now=now)
    session.commit()
    assert [a.person_id for a in created] == [county["member"].id]
    assert created[0].due_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    assert dispatch(template, "2026-11", now=now) == []
    session.commit()
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 1
    notice = session.scalar(sa.select(Notification))
    assert (notice.kind, notice.person_id, notice.status) == ("dispatched", county["member"].id,
                                                              "pending")


def test_committee_duties_go_to_the_unit_and_its_liaison(county, now, make_template):
    created = dispatch(make_template(target_role="committee"), "2026-11", now=now)
    session.commit()
    assert [(a.unit_id, a.person_id) for a in created] == [(county["township"].id, None)]
    assert session.scalar(sa.select(Notification.person_id)) == county["liaison"].id


@pytest.mark.parametrize("period, rule, due", [
    (Period.QUARTERLY, "quarter_end", datetime(2026, 12, 31, 9, 0, tzinfo=UTC)),
    (Period.YEARLY, "date:12-20", datetime(2026, 12, 20, 9, 0, tzinfo=UTC)),
    (Period.MONTHLY, "day:31", datetime(2027, 2, 28, 9, 0, tzinfo=UTC)),
    (Period.ONCE, "after:7", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
])
def test_due_rules(period, rule, due, now, make_template):
    template = make_template(period=period, due_rule=rule)
    key = {Period.QUARTERLY: "2026Q4", Period.YEARLY: "2026", Period.MONTHLY: "2027-02",
           Period.ONCE: "once"}[period]
    assert due_at(template, key, now) == due


def test_period_of_the_wrong_shape_is_refused(county, now, make_template):
    with pytest.raises(BadPeriod):
        dispatch(make_template(), "2026Q4", now=now)


def test_specific_templates_need_named_targets(county, now, make_template):
    with pytest.raises(DomainError):
        dispatch(make_template(kind=TemplateKind.SPECIFIC), "2026-11", now=now)


def _assignment(county, now, make_template, levels=2):
    created = dispatch(make_template(review_levels=levels), "2026-11", now=now)
    session.commit()
    return created[0]


def test_two_level_life(county, now, make_template):
    task = _assignment(county, now, make_template)
    member, discipline, inspector = county["member"], county["discipline"], county["inspector"]
    assert transition(task, Action.ACKNOWLEDGE, member, now=now) == State.ACKNOWLEDGED
    assert transition(task, Action.SUBMIT, member, now=now) == State.SUBMITTED
    with pytest.raises(NotAllowed):
        transition(task, Action.APPROVE, inspector, now=now)  # first level is the 纪委's
    assert transition(task, Action.APPROVE, discipline, now=now) == State.FIRST_APPROVED
    with pytest.raises(DomainError):
        transition(task, Action.RETURN, inspector, now=now, reason="太短")
    assert transition(task, Action.RETURN, inspector, now=now,
                      reason="照片不清晰，请补充会议记录") == State.RETURNED
    assert transition(task, Action.SUBMIT, member, now=now) == State.SUBMITTED
    assert task.round == 2
    transition(task, Action.APPROVE, discipline, now=now)
    assert transition(task, Action.APPROVE, inspector, now=now) == State.COMPLETED
    session.commit()
    decisions = session.execute(sa.select(Review.level, Review.decision).order_by(Review.id)).all()
    assert decisions == [(1, "approve"), (2, "return"), (1, "approve"), (2, "approve")]
    assert verify_chain().broken_id is None
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.subject == f"assignment:{task.id}")) == 7  # refusals leave no trace


def test_one_level_completes_at_first_approval_and_zero_on_submission(county, now, make_template):
    one = _assignment(county, now, make_template, levels=1)
    transition(one, Action.SUBMIT, county["member"], now=now)
    assert transition(one, Action.APPROVE, county["discipline"], now=now) == State.COMPLETED
    zero = dispatch(make_template(review_levels=0), "2026-12", now=now)[0]
    assert transition(zero, Action.SUBMIT, county["member"], now=now) == State.COMPLETED


def test_nobody_else_may_act_and_twice_is_already_handled(county, now, make_template):
    task = _assignment(county, now, make_template)
    for outsider in ("secretary", "liaison", "discipline", "inspector"):
        with pytest.raises(NotAllowed):
            transition(task, Action.SUBMIT, county[outsider], now=now)
    transition(task, Action.ACKNOWLEDGE, county["member"], now=now)
    with pytest.raises(AlreadyHandled):
        transition(task, Action.ACKNOWLEDGE, county["member"], now=now)
    with pytest.raises(NotAllowed):
        transition(task, Action.CANCEL, county["secretary"], now=now)
    assert transition(task, Action.CANCEL, county["inspector"], now=now) == State.CANCELLED


def test_dispatch_cli(runner, county, make_template):
    template = make_template()
    result = runner.invoke(args=["dispatch", str(template.id), "2026-11",
                                 "--now", "2026-11-01T09:00+08:00"])
    assert result.exit_code == 0
    assert "“专题会议”2026年11月：新派发 1 项任务，截止时间 2026-11-25 17:00" in result.output
    again = runner.invoke(args=["dispatch", str(template.id), "2026-11"])
    assert "新派发 0 项任务（此前已全部派发，未重复创建）" in again.output
    bad = runner.invoke(args=["dispatch", str(template.id), "2026/11"])
    assert bad.exit_code != 0 and "周期" in bad.output


def test_each_step_tells_whoever_must_act_next(county, now, make_template):
    from models import Notification

    task = _assignment(county, now, make_template)
    member, discipline, inspector = county["member"], county["discipline"], county["inspector"]
    transition(task, Action.SUBMIT, member, now=now)
    transition(task, Action.APPROVE, discipline, now=now)
    transition(task, Action.RETURN, inspector, now=now, reason="缺少会议签到表")
    transition(task, Action.SUBMIT, member, now=now)
    session.commit()
    rows = session.execute(sa.select(Notification.kind, Notification.step, Notification.person_id,
                                     Notification.cycle)
                           .where(Notification.kind != "dispatched")
                           .order_by(Notification.id)).all()
    assert rows == [("review_request", "review:1", discipline.id, 1),
                    ("review_request", "review:2", inspector.id, 1),
                    ("returned", "returned", member.id, 1),
                    ("review_request", "review:1", discipline.id, 2)]


def test_periodic_templates_dispatch_themselves_once(county, make_template):
    from jobs.dispatch import dispatch_periodic

    monthly = make_template()
    quarterly = make_template(period=Period.QUARTERLY, due_rule="quarter_end")
    make_template(kind=TemplateKind.SPECIFIC)  # needs named targets: never dispatched itself
    first = dispatch_periodic("2026-12-01T00:05:00+08:00")
    assert first == {f"{monthly.id}:2026-12": 1, f"{quarterly.id}:2026Q4": 1}
    assert dispatch_periodic("2026-12-01T01:05:00+08:00") == {}
    assert dispatch_periodic("2027-01-01T00:05:00+08:00") == {f"{monthly.id}:2027-01": 1,
                                                              f"{quarterly.id}:2027Q1": 1}
