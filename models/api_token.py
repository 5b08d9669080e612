"""API tokens: bearer secrets for `/api/v1` (DESIGN.md, Interfaces: `flask api-token PERSON`).

Only the sha256 of a secret is stored, so a leaked database leaks no usable token; the secret
is shown once, when it is issued.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.db import Base, session
from models.unit import Person

PREFIX = "ql_"
# last_used_at is a hint for spotting stale tokens, not a log: write it at most this often.
USE_RESOLUTION = timedelta(minutes=5)


class ApiToken(Base):
    """One named bearer token of one person; revoked tokens stay for the audit trail."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    person: Mapped[Person] = relationship()


def hash_secret(secret: str) -> str:
    """The stored form of a secret: its sha256 in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(person: Person, name: str, now: datetime) -> str:
    """Create a token for `person` and return its secret (the only time it is seen); audited.

    The caller commits.
    """
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, token_hash=hash_secret(secret),
                     created_at=now)
    session.add(token)
    session.flush()
    audit.record("api_token.issue", f"person:{person.id}", now=now, actor_label="cli",
                 token=token.id, name=name)
    return secret


def person_for_token(secret: str, now: datetime | None = None) -> Person | None:
    """The active person a live token belongs to, or None.

    The lookup is by hash, so comparing secrets never leaks timing about a stored one. With
    `now`, a stale `last_used_at` is moved forward (the caller commits).
    """
    if not secret.startswith(PREFIX):
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked or not token.person.active:
        return None
    if now is not None and (token.last_used_at is None
                            or now - token.last_used_at >= USE_RESOLUTION):
        token.last_used_at = now
    return token.person
