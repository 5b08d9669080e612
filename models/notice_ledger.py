"""The notice ledger (台账, reference/domain.md §1.3: 繁昌's 专门台账 with 销账): issued notices
filtered by issuer, unit, state, overdue and year, their counts, and what the dashboard shows.
One query shape for the admin page, its xlsx, the API and the dashboard.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from models.db import session
from models.notice import OWED, ItemState, Notice, NoticeItem, NoticeState

ITEMS_LIVE = (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED, NoticeState.REPLIED)
COUNTED = (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED, NoticeState.REPLIED,
           NoticeState.FOLLOW_UP, NoticeState.CLOSED)


@dataclass(frozen=True)
class Filters:
    issuer_id: int | None = None
    unit_id: int | None = None
    state: NoticeState | None = None
    overdue: bool = False
    year: int | None = None

    def as_args(self) -> dict:
        """The filters as query arguments (links, the xlsx export)."""
        args = {"issuer": self.issuer_id, "unit": self.unit_id,
                "state": str(self.state) if self.state else None,
                "overdue": 1 if self.overdue else None, "year": self.year}
        return {key: value for key, value in args.items() if value is not None}


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """A reply past its deadline, or an item still owed past its own."""
    late_item = sa.select(NoticeItem.notice_id).where(
        NoticeItem.state.in_(OWED), NoticeItem.due_at <= now)
    return (Notice.state.in_((NoticeState.ISSUED, NoticeState.ACKNOWLEDGED))
            & Notice.replied_at.is_(None) & (Notice.reply_due_at <= now)) | (
        Notice.state.in_(ITEMS_LIVE) & Notice.id.in_(late_item))


def overdue_ids(notices, now: datetime) -> set[int]:
    """Which of `notices` are overdue at `now` (overdue_clause), in one query."""
    ids = [notice.id for notice in notices]
    if not ids:
        return set()
    return set(session.scalars(sa.select(Notice.id).where(Notice.id.in_(ids),
                                                          overdue_clause(now))))


def ledger_query(filters: Filters, now: datetime) -> sa.Select:
    """Issued notices (drafts are not in the ledger), newest number first."""
    query = sa.select(Notice).where(Notice.state.in_(COUNTED))
    for column, value in ((Notice.issuer_id, filters.issuer_id),
                          (Notice.unit_id, filters.unit_id), (Notice.state, filters.state),
                          (Notice.year, filters.year)):
        if value is not None:
            query = query.where(column == value)
    if filters.overdue:
        query = query.where(overdue_clause(now))
    return query


def ledger(filters: Filters, now: datetime) -> list[Notice]:
    query = ledger_query(filters, now).options(
        joinedload(Notice.issuer), joinedload(Notice.unit),
        selectinload(Notice.items).joinedload(NoticeItem.person))
    return list(session.scalars(query.order_by(Notice.year.desc(), Notice.issuer_id,
                                               Notice.number.desc())).unique())


def counts(filters: Filters, now: datetime) -> dict:
    """How many notices in each state, how many overdue, items returned, over `filters`
    (the state filter aside, so every count stays a link)."""
    base = Filters(filters.issuer_id, filters.unit_id, None, filters.overdue, filters.year)
    ids = ledger_query(base, now).with_only_columns(Notice.id).subquery()
    states = dict.fromkeys((str(state) for state in COUNTED), 0)
    for state, number in session.execute(sa.select(Notice.state, sa.func.count()).where(
            Notice.id.in_(sa.select(ids.c.id))).group_by(Notice.state)):
        states[state] = number
    overdue = session.scalar(sa.select(sa.func.count()).select_from(
        ledger_query(Filters(filters.issuer_id, filters.unit_id, None, True, filters.year),
                     now).subquery()))
    returned = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(NoticeItem.returns), 0))
                              .where(NoticeItem.notice_id.in_(sa.select(ids.c.id))))
    return {"states": states, "total": sum(states.values()), "overdue": overdue,
            "returned": returned,
            "open": sum(states[str(s)] for s in COUNTED if s != NoticeState.CLOSED)}


def item_counts(notice: Notice) -> dict:
    return {"items": len(notice.items),
            "accepted": sum(item.state == ItemState.ACCEPTED for item in notice.items),
            "returns": sum(item.returns for item in notice.items)}
