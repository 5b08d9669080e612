"""Inbound messages kept in the database: those that arrive while Redis is down, so none is
lost, and those that changed something, with their answer, so a retry never acts twice."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base


class InboundMessage(Base):
    """A callback body (decrypted XML): waiting to be handled once the queue is back
    (`pending`), or handled, with the answer it got (`processed`)."""

    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    openid: Mapped[str] = mapped_column(sa.String(64))
    xml: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    reply: Mapped[str | None] = mapped_column(sa.Text)  # the reply XML of a handled message
