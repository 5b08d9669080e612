"""The numbered lists a person was last shown in chat, so `上报 3` means item 3 of what they saw.

Kept in the database (Redis may be flushed): one row per person and kind of list, replaced each
time a list of that kind is shown. A list older than SHOWN_FOR counts as gone: the edge shows it
again rather than guess what an old number meant.
"""

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session

SHOWN_FOR = timedelta(hours=24)
TASKS = "tasks"  # 待办 and the other numbered task lists: 签收 N, 上报 N, 督办回复 N
EVIDENCE = "evidence"  # the items of the 上报 being prepared: 删除 N


class ShownList(Base):
    """The ids of the items of one numbered list, in the order shown, and when."""

    __tablename__ = "shown_list"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    item_ids: Mapped[str] = mapped_column(sa.Text)  # JSON array
    shown_at: Mapped[datetime]


def remember(person_id: int, kind: str, ids: list[int], *, now: datetime) -> None:
    """Record that `ids` were just shown, numbered from 1 (an upsert: safe to repeat, and two
    lists shown at once leave one of them, never an error). The caller commits."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ShownList)
    values = {"item_ids": json.dumps(list(ids)), "shown_at": now}
    session.execute(insert.values(person_id=person_id, kind=kind, **values)
                    .on_conflict_do_update(index_elements=["person_id", "kind"], set_=values))


def recall(person_id: int, kind: str, *, now: datetime) -> list[int] | None:
    """The ids last shown, in order; None when no such list was shown within SHOWN_FOR."""
    row = session.execute(sa.select(ShownList.item_ids, ShownList.shown_at).where(
        ShownList.person_id == person_id, ShownList.kind == kind)).first()
    if row is None or now - row.shown_at > SHOWN_FOR:
        return None
    return json.loads(row.item_ids)
