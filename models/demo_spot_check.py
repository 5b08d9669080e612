"""The demo county's finished spot-check round (抽查核实, issue 11): drawn by an inspector five
days ago from the year's completed tasks, every drawn task verified two days later — mostly 属实,
one 部分属实, one 不实 (deducted, returned for rework within a week). Its past pushes count as sent, and
`flask spot-check verify 1` redoes its draw from the seed."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from models.clock import local_date
from models.db import session
from models.errors import DomainError
from models.escalation import extend_due, sweep
from models.notification import Notification, NotificationStatus
from models.spot_check import Result, Scope, open_round, verify
from models.unit import Person, Role, UnitKind

DRAWN_DAYS_AGO, VERIFIED_DAYS_AGO, PERCENT = 5, 2, 30
UNIT_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)
RECTIFY_DAYS = 7
REASONS = {Result.TRUE: "调阅会议记录、签到表和照片，与上报内容一致",
           Result.PARTIAL: "会议已召开，但纪要未记录研究的具体事项",
           Result.FALSE: "照片为往年活动照片，当期未按要求开展"}


def seed_round(now: datetime) -> int:
    """Draw and verify the round; returns how many tasks it drew (0 if nothing was done)."""
    inspector, other = session.scalars(sa.select(Person).where(
        Person.role == Role.INSPECTOR).order_by(Person.id).limit(2)).all()
    drawn_at = now - timedelta(days=DRAWN_DAYS_AGO)
    try:
        row = open_round(Scope(local_date(drawn_at).year, unit_kinds=list(UNIT_KINDS)),
                         size=None, percent=PERCENT,
                         actor=inspector, now=drawn_at)
    except DomainError:  # early January: nothing of the year is done yet
        session.rollback()
        return 0
    items = sorted(row.items, key=lambda item: item.assignment.due_at)
    verified_at = now - timedelta(days=VERIFIED_DAYS_AGO)
    for index, item in enumerate(items):
        # The latest-due task is the one found 不实: reopened, it has the most time left.
        result = Result.FALSE if index == len(items) - 1 else \
            Result.PARTIAL if index == len(items) - 2 else Result.TRUE
        at = verified_at + timedelta(minutes=10 * index)
        verify(item, result, REASONS[result], actor=other, now=at)
        if result == Result.FALSE and item.assignment.due_at < now + timedelta(days=1):
            # 限期整改: the inspector gives the unit a week to redo it, as counties do.
            extend_due(item.assignment, at + timedelta(days=RECTIFY_DAYS), other, now=at,
                       reason="抽查核实不实，限期一周整改")
    sweep(now)
    # The past is past: what the round pushed counts as sent (models.demo_history does so).
    session.execute(sa.update(Notification).where(
        Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.SENT, sent_at=sa.func.coalesce(
            Notification.send_after, Notification.created_at)))
    session.commit()
    return len(items)
