"""The per-template late policy (issue 10; 富宁/太仓/兴平): under `close` input closes some days
after the due time, in chat, on the pages and through the API, with a polite answer saying when
and what to do; a returned task stays open; an inspector's 补报 unlock (with a reason, audited,
the assignee told) opens it again. Under `allow` late work is accepted as before."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import ONE_OFF, openid
from handlers.wechat import texts
from models import Assignment, Evidence, LatePolicy, State, session

CLOSED_AT = "2026-11-28 17:00"  # due 2026-11-27 17:00 (Shanghai), closed one day after
SUMMARY = "11月26日召开专题会议，班子成员全体参加，形成会议纪要。"


@pytest.fixture
def make_late_task(county, make_template, make_assignment, now):
    """A one-off task of `county`'s member due 2026-11-27 17:00, a summary its only proof,
    reviewed once, under `policy` closing `days` after the due time."""

    def make(policy=LatePolicy.CLOSE, days=1) -> Assignment:
        template = make_template(title="廉政风险点排查", **ONE_OFF, min_photos=0, review_levels=1,
                                 late_policy=policy, close_after_days=days)
        return make_assignment(county["member"], template, period="once", at=now)

    return make


@pytest.fixture
def task(make_late_task):
    return make_late_task()


def reload(task) -> Assignment:
    session.rollback()
    session.expire_all()
    return session.get(Assignment, task.id)


def closes(task) -> object:
    return task.due_at + timedelta(days=1)


def report_in_chat(emulator) -> str:
    """上报 1, a summary, 提交, as the member; the last answer."""
    me = openid(1)
    emulator.send_text(me, "待办")
    opened = emulator.send_text(me, "上报 1").reply["content"]
    if not opened.startswith("开始上报"):
        return opened
    emulator.send_text(me, SUMMARY)
    return emulator.send_text(me, "提交").reply["content"]


def evidence_count() -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count(Evidence.id)))


# Chat.

def test_chat_accepts_late_work_before_input_closes(emulator, clock, task):
    clock.move_to(task.due_at + timedelta(hours=2))  # late, not closed yet
    assert report_in_chat(emulator).startswith("已提交：廉政风险点排查")
    assert reload(task).state == State.SUBMITTED


def test_chat_refuses_a_report_once_input_closed(emulator, clock, task):
    clock.move_to(closes(task) + timedelta(minutes=1))
    answer = report_in_chat(emulator)
    assert answer == texts.INPUT_CLOSED.format(title="廉政风险点排查", at=CLOSED_AT)
    assert "联系县纪委监委审核人员解锁" in answer
    assert reload(task).state == State.DISPATCHED and evidence_count() == 0


def test_input_closing_during_a_chat_report_ends_it(emulator, clock, task):
    me = openid(1)
    clock.move_to(closes(task) - timedelta(minutes=30))
    emulator.send_text(me, "待办")
    assert emulator.send_text(me, "上报 1").reply["content"].startswith("开始上报")
    assert emulator.send_text(me, "第一段小结").reply["content"].startswith("已收到第1段")
    clock.move_to(closes(task) + timedelta(minutes=1))
    closed = texts.INPUT_CLOSED.format(title="廉政风险点排查", at=CLOSED_AT)
    assert emulator.send_text(me, "第二段小结").reply["content"] == closed
    assert emulator.send_text(me, "提交").reply["content"] == texts.NO_SESSION  # session ended
    assert reload(task).state == State.DISPATCHED and evidence_count() == 1


def test_an_allow_task_accepts_work_long_after_its_due_time(emulator, clock, make_late_task):
    task = make_late_task(policy=LatePolicy.ALLOW)
    clock.move_to(task.due_at + timedelta(days=20))
    assert report_in_chat(emulator).startswith("已提交")
    assert reload(task).state == State.SUBMITTED


# The migration.

def test_the_migration_adds_the_columns_the_models_declare(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if any(name in str(d) for name in (
                           "late_policy", "close_after_days", "unlocked_at", "unlocked_by_id"))]
    assert differences == []
