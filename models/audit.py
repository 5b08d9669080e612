"""The audit trail (全程留痕): append-only, each row hash-chained to the one before it."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session

GENESIS = "0" * 64
# Serialises appends on PostgreSQL so two writers never chain onto the same row.
_ADVISORY_LOCK = 7_242_611


class AuditEvent(Base):
    """One recorded action; `hash` = sha256(canonical content + previous row's hash)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    actor: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject: Mapped[str] = mapped_column(sa.String(80), index=True)
    data: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64))

    def compute_hash(self) -> str:
        content = {
            "at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "data": self.data,
            "prev": self.prev_hash,
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def record(action: str, subject: str, *, now: datetime, actor=None, actor_label: str = "",
           **data) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction (the caller commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK)))
    last = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        created_at=now,
        actor_id=actor.id if actor is not None else None,
        actor=actor_label or (f"person:{actor.id}" if actor is not None else "system"),
        action=action,
        subject=subject,
        data=json.dumps(data, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=last or GENESIS,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainCheck:
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> ChainCheck:
    """Walk the whole chain in id order and name the first row whose hash or link is wrong."""
    prev, checked, after = GENESIS, 0, 0
    while True:
        rows = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainCheck(checked)
        for row in rows:
            if row.prev_hash != prev:
                return ChainCheck(checked, row.id, "与前一条记录的哈希不一致（前面的记录被删除或改动）")
            if row.compute_hash() != row.hash:
                return ChainCheck(checked, row.id, "的内容与其哈希不符（内容被改动）")
            prev, checked, after = row.hash, checked + 1, row.id
        session.expunge_all()
