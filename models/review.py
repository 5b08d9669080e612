"""Reviews (初审/终审): a reviewer's decision on a submitted assignment, and the signed links
that bring reviewers to it."""

from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base
from models.errors import DomainError


LEVEL_LABELS = {1: "初审", 2: "终审"}  # Review.level in words (handlers.labels re-exports)


class Decision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"


class Review(Base):
    """One decision at one level (1 first, 2 final); a return carries its reason."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    level: Mapped[int]
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    decision: Mapped[Decision] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]


# Review links (/m/review/<token>) carried by review requests: signed, and valid for 7 days.
# The token only says which task; opening it still needs the reviewer's own WeChat identity.
REVIEW_LINK_SALT = "review-link"
REVIEW_LINK_MAX_AGE = timedelta(days=7)


class BadReviewLink(DomainError):
    status = 400
    message = "审核链接无效，请从公众号消息或个人工作台重新打开。"


class ReviewLinkExpired(BadReviewLink):
    status = 410
    message = "审核链接已过期（有效期7天），请从个人工作台“待我审核”重新打开。"


class ReviewLinkTampered(BadReviewLink):
    message = "审核链接无效或不完整，请从公众号消息或个人工作台重新打开。"


class _ClockSigner(TimestampSigner):
    """A TimestampSigner on the caller's clock (R6: time is an argument), else the system's."""

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp()) if self.now is not None else super().get_timestamp()


def _link_serializer(secret_key: str, now: datetime | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=REVIEW_LINK_SALT, signer=_ClockSigner,
                                  signer_kwargs={"now": now})


def sign_review_token(assignment_id: int, secret_key: str, *, now: datetime | None = None) -> str:
    """A URL-safe token naming one assignment, for the link in a review request."""
    return _link_serializer(secret_key, now).dumps(int(assignment_id))


def load_review_token(token: str, secret_key: str, max_age: timedelta = REVIEW_LINK_MAX_AGE, *,
                      now: datetime | None = None) -> int:
    """The assignment id a review token names.

    Raises ReviewLinkExpired after `max_age`, ReviewLinkTampered for anything not signed by us.
    """
    serializer = _link_serializer(secret_key, now)
    try:
        value = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise ReviewLinkExpired() from error
    except BadData as error:
        raise ReviewLinkTampered() from error
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ReviewLinkTampered()
    return value
