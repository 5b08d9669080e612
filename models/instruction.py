"""Leaders' instructions (领导批示) on an assignment, shown to the assignee."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db import Base
from models.unit import Person


class Instruction(Base):
    """A comment by a unit secretary or a county inspector on one assignment."""

    __tablename__ = "instruction"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]

    author: Mapped[Person] = relationship()
