"""API tokens: bearer secrets for `/api/v1` (DESIGN.md, Interfaces: `flask api-token PERSON`).

Only the sha256 of a secret is stored, so a leaked database leaks no usable token; the secret
is shown once, when it is issued. A token lives a year unless issued for fewer or more days;
it can be revoked (`flask api-token --revoke`, the admin page 接口令牌), and deactivating a
person revokes theirs. Revoked and expired tokens stay listed for the audit trail.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.clock import local_time
from models.db import Base, session
from models.errors import DomainError
from models.unit import Person

PREFIX = "ql_"
DEFAULT_DAYS = 365
MAX_DAYS = 3650
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
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    person: Mapped[Person] = relationship()

    def is_live(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return not self.revoked and now < self.expires_at


class TokenRefused(DomainError):
    """A token that exists but no longer opens the API: the client is told why (401)."""

    status = 401


class TokenRevoked(TokenRefused):
    message = "该访问令牌已被吊销，请联系系统管理员重新签发。"


class TokenExpired(TokenRefused):
    def __init__(self, token: ApiToken):
        super().__init__(f"该访问令牌已于 {local_time(token.expires_at)}（北京时间）过期，"
                         "请联系系统管理员重新签发。")


class BadValidity(DomainError):
    message = f"有效天数须为 1 至 {MAX_DAYS} 之间的整数。"


def hash_secret(secret: str) -> str:
    """The stored form of a secret: its sha256 in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(person: Person, name: str, now: datetime,
                days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """Create a token for `person`, valid `days` days, and return it with its secret (the only
    time the secret is seen); audited. The caller commits.
    """
    if not 1 <= days <= MAX_DAYS:
        raise BadValidity()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, token_hash=hash_secret(secret),
                     created_at=now, expires_at=now + timedelta(days=days))
    session.add(token)
    session.flush()
    audit.record("api_token.issue", f"person:{person.id}", now=now, actor_label="cli",
                 token=token.id, name=name, expires_at=token.expires_at)
    return token, secret


def token_for_secret(secret: str) -> ApiToken | None:
    """The token `secret` is (live or not), by its hash: comparing secrets never leaks
    timing about a stored one."""
    if not secret.startswith(PREFIX):
        return None
    return session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def person_for_token(secret: str, now: datetime) -> Person | None:
    """The active person a live token belongs to; None for no such token; TokenRevoked or
    TokenExpired for one that was. A stale `last_used_at` is moved forward (the caller
    commits)."""
    token = token_for_secret(secret)
    if token is None or not token.person.active:
        return None
    if token.revoked:
        raise TokenRevoked()
    if not token.is_live(now):
        raise TokenExpired(token)
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        token.last_used_at = now
    return token.person


def revoke_token(token: ApiToken, *, now: datetime, actor: Person | None = None,
                 actor_label: str = "", reason: str = "") -> bool:
    """Revoke `token` for good (audited); False when it was revoked already. The caller
    commits."""
    if token.revoked:
        return False
    token.revoked = True
    audit.record("api_token.revoke", f"person:{token.person_id}", now=now, actor=actor,
                 actor_label=actor_label, token=token.id, reason=reason)
    return True


def revoke_tokens_of(person: Person, *, now: datetime, actor: Person | None = None,
                     reason: str = "") -> int:
    """Revoke every token of `person` not revoked yet (expired ones too: they must never
    come back); how many. The caller commits."""
    tokens = session.scalars(sa.select(ApiToken).where(
        ApiToken.person_id == person.id, ApiToken.revoked.is_(False))).all()
    return sum(revoke_token(token, now=now, actor=actor, reason=reason) for token in tokens)
