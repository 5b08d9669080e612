"""Reviews (初审/终审): a reviewer's decision on a submitted assignment."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base


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
