"""Leaders' instructions (领导批示) on an assignment, shown to the assignee."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit
from models.assignment import Action
from models.db import Base, session
from models.errors import DomainError, NotAllowed
from models.hierarchy import allowed
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


MAX_TEXT = 500


def instruct(assignment, author, text: str, *, now: datetime) -> Instruction:
    """Add a leader's instruction to `assignment` (checked and audited); the caller commits."""
    if Action.INSTRUCT not in allowed(author, assignment, now=now):
        raise NotAllowed("只有本单位党组织书记或县纪委监委审核人员可以批示他人的任务。")
    text = text.strip()
    if not text:
        raise DomainError("请填写批示内容。")
    if len(text) > MAX_TEXT:
        raise DomainError(f"批示请不超过{MAX_TEXT}字。")
    instruction = Instruction(assignment_id=assignment.id, author_id=author.id, text=text,
                              created_at=now)
    session.add(instruction)
    session.flush()
    audit.record("assignment.instruct", f"assignment:{assignment.id}", now=now, actor=author,
                 instruction=instruction.id)
    return instruction
