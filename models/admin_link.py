"""The one-time admin sign-in link (`flask admin-link PERSON`): which links have been used.

A link is known by what it says (the person and the moment it was signed), not by how its
signature is spelled: the signature's last base64 character has four spellings that verify, so
a marker keyed on the text let one link in four times. The marker is a row, so a Redis flush
forgets nothing, and a unique constraint lets only one of two simultaneous uses win.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from models.db import Base, session

LINK_VALIDITY = timedelta(minutes=10)


class AdminLinkUse(Base):
    """A used sign-in link: the person it was for and when it was signed."""

    __tablename__ = "admin_link_use"
    __table_args__ = (sa.UniqueConstraint("person_id", "signed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    signed_at: Mapped[datetime]
    used_at: Mapped[datetime]


def use_admin_link(person_id: int, signed_at: datetime, now: datetime) -> bool:
    """Mark the link (person, signing time) used; False if it was used before.

    Runs in a savepoint of the caller's transaction (the caller commits). Markers of links that
    expired are dropped on the way: they can never verify again.
    """
    session.execute(sa.delete(AdminLinkUse).where(AdminLinkUse.signed_at < now - LINK_VALIDITY))
    try:
        with session.begin_nested():
            session.add(AdminLinkUse(person_id=person_id, signed_at=signed_at, used_at=now))
    except IntegrityError:
        return False
    return True
