"""Duty tasks in chat: `待办` and `签收 N`, through the emulator."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from conftest import openid
from handlers.wechat import texts
from models import Assignment, AuditEvent, DutyTemplate, Role, State, TemplateKind, session
from models.dispatch import dispatch


@pytest.fixture
def tasks(make_bound_person, make_person, now, make_template):
    """Two tasks for a bound member (user 1), one for a colleague."""
    member = make_bound_person(1, name="陈立新", role=Role.MEMBER, title="副书记")
    colleague = make_person(name="林玉兰", role=Role.MEMBER, unit=member.unit)
    made = {}
    for title, rule in (("一岗双责履职报告", "day:25"), ("廉政谈话记录", "day:10")):
        template = make_template(title=title, kind=TemplateKind.COMMON, due_rule=rule,
                                 review_levels=2, category="落实一岗双责")
        made[title] = dispatch(template, "2026-12", now=now)
    session.commit()
    return member, colleague, made


def test_list_is_numbered_by_due_date(emulator, tasks):
    reply = emulator.send_text(openid(1), "待办").reply["content"]
    assert "待办任务（共2项）" in reply
    assert reply.index("1. 廉政谈话记录") < reply.index("2. 一岗双责履职报告")
    assert "截止12月10日·待签收" in reply and "签收 1" in reply


def test_acknowledge_by_number(emulator, tasks):
    member = tasks[0]
    emulator.send_text(openid(1), "待办")
    reply = emulator.send_text(openid(1), "签收 1").reply["content"]
    assert reply.startswith("已签收：廉政谈话记录")
    session.expire_all()  # the app changed it in its own session
    task = session.scalar(sa.select(Assignment).where(Assignment.person_id == member.id)
                          .order_by(Assignment.due_at).limit(1))
    assert task.state == State.ACKNOWLEDGED
    assert session.scalar(sa.select(AuditEvent.actor_id).where(
        AuditEvent.action == "assignment.acknowledge")) == member.id
    again = emulator.send_text(openid(1), "签收1").reply["content"]
    assert "无需再次签收" in again


@pytest.mark.parametrize("text, answer", [
    ("签收 9", texts.TASK_NOT_FOUND),
    ("签收 0", texts.TASK_NOT_FOUND),
    ("签收 abc", texts.NEED_NUMBER.format(verb="签收")),
    ("签收", texts.NEED_NUMBER.format(verb="签收")),
])
def test_bad_numbers_get_a_clear_answer_and_change_nothing(emulator, tasks, text, answer):
    emulator.send_text(openid(1), "待办")
    assert emulator.send_text(openid(1), text).reply["content"] == answer
    assert session.scalar(sa.select(sa.func.count(Assignment.id)).where(
        Assignment.state != State.DISPATCHED)) == 0


def test_numbers_are_per_person_and_touch_only_their_tasks(emulator, tasks):
    member, colleague, _ = tasks
    from models import WechatBinding

    session.add(WechatBinding(person_id=colleague.id, openid=openid(2),
                              bound_at=datetime(2026, 11, 1, tzinfo=UTC)))
    session.commit()
    emulator.send_text(openid(1), "待办")
    # Another person's list means nothing for user 2: they are shown their own first.
    reply = emulator.send_text(openid(2), "签收 1").reply["content"]
    assert reply.startswith(texts.LIST_GONE) and "1. 廉政谈话记录" in reply
    assert emulator.send_text(openid(2), "签收 3").reply["content"] == texts.TASK_NOT_FOUND
    assert emulator.send_text(openid(2), "签收 1").reply["content"].startswith("已签收")
    session.expire_all()
    states = dict(session.execute(sa.select(Assignment.person_id, sa.func.count()).where(
        Assignment.state == State.ACKNOWLEDGED).group_by(Assignment.person_id)).all())
    assert states == {colleague.id: 1}


def _dispatch(make_template, title: str, rule: str, now) -> None:
    template = make_template(title=title, kind=TemplateKind.COMMON, due_rule=rule,
                             review_levels=2)
    dispatch(template, "2026-12", now=now)
    session.commit()


def _acknowledged() -> list[str]:
    session.expire_all()
    return list(session.scalars(sa.select(DutyTemplate.title).join(
        Assignment, Assignment.template_id == DutyTemplate.id).where(
        Assignment.state == State.ACKNOWLEDGED)))


def test_a_number_means_the_list_the_cadre_saw_after_a_new_task_and_a_redis_flush(
        app, emulator, tasks, make_template, clock, now):
    from conftest import flush_redis

    shown = emulator.send_text(openid(1), "待办").reply["content"]
    assert "1. 廉政谈话记录" in shown and "2. 一岗双责履职报告" in shown
    _dispatch(make_template, "廉政风险排查", "day:5", now)  # due first: a fresh list would put it at 1
    flush_redis(app)
    clock.move_to(now + timedelta(hours=3))
    assert emulator.send_text(openid(1), "签收 2").reply["content"].startswith(
        "已签收：一岗双责履职报告")
    assert _acknowledged() == ["一岗双责履职报告"]


def test_a_list_older_than_a_day_is_shown_again_instead_of_guessed(emulator, tasks, make_template,
                                                                   clock, now):
    emulator.send_text(openid(1), "待办")
    _dispatch(make_template, "廉政风险排查", "day:5", now)
    clock.move_to(now + timedelta(hours=25))
    reply = emulator.send_text(openid(1), "签收 1").reply["content"]
    assert reply.startswith(texts.LIST_GONE) and "1. 廉政风险排查" in reply
    assert _acknowledged() == []
    assert emulator.send_text(openid(1), "签收 1").reply["content"].startswith(
        "已签收：廉政风险排查")


def test_a_task_that_left_the_list_is_named_and_the_list_shown_again(emulator, tasks, now):
    emulator.send_text(openid(1), "待办")
    first = session.scalar(sa.select(Assignment).join(Assignment.template).where(
        DutyTemplate.title == "廉政谈话记录"))
    first.state = State.CANCELLED
    session.commit()
    reply = emulator.send_text(openid(1), "签收 1").reply["content"]
    assert reply.startswith(texts.TASK_LEFT_LIST.format(
        number=1, title="廉政谈话记录", state="已撤销"))
    assert "1. 一岗双责履职报告" in reply and _acknowledged() == []


def test_no_tasks(emulator, make_bound_person):
    make_bound_person(1)
    assert emulator.send_text(openid(1), "待办").reply["content"].startswith(texts.NO_TASKS)
