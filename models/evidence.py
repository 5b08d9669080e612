"""Evidence (小结/影像图片): proof of work handed in for an assignment."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base


class EvidenceKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    FILE = "file"


class Evidence(Base):
    """A summary paragraph, a photo or a file; photo bytes live in storage by sha256."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    media_id: Mapped[str | None] = mapped_column(sa.String(128))
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="received")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime]
