"""A self-check answered in chat, one short reply at a time (月度自查 in chat): where the cadre
is and what they said so far, kept in the database between messages (a restart or a Redis
flush must not lose a half-answered form).

Steps: for risk point i, 2i asks 是否发生风险 and 2i+1 防控措施落实情况; then the summary;
then the confirmation. The questions are copied when the sequence starts, so each message
reads one row and writes it back.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models import audit
from models.db import Base, session
from models.self_check import Answer, Question


class SelfCheckDraft(Base):
    """The one self-check a person is answering in chat."""

    __tablename__ = "self_check_draft"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"))
    step: Mapped[int] = mapped_column(default=0)
    questions: Mapped[list] = mapped_column(sa.JSON, default=list)
    answers: Mapped[list] = mapped_column(sa.JSON, default=list)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime]


@dataclass(frozen=True)
class Expecting:
    """What the next reply answers: `occurred` or `measures` of question `index`, the
    `summary`, or the `confirm`ation."""

    field: str
    index: int = -1


def draft_of(person_id: int) -> SelfCheckDraft | None:
    """The sequence the person is answering in chat, or None: one primary-key read."""
    return session.get(SelfCheckDraft, person_id)


def start(person, assignment, asked: list[Question], *, now: datetime) -> SelfCheckDraft:
    """Begin (or begin again) answering `assignment` in chat; audited. The caller commits."""
    draft = draft_of(person.id)
    if draft is None:
        draft = SelfCheckDraft(person_id=person.id)
        session.add(draft)
    draft.assignment_id, draft.step, draft.summary, draft.updated_at = assignment.id, 0, "", now
    draft.questions = [{"id": q.risk_point_id, "post": q.post_name, "description": q.description,
                        "level": q.level} for q in asked]
    draft.answers = [{"occurred": None, "measures": ""} for _ in asked]
    audit.record("self_check.chat_start", f"assignment:{assignment.id}", now=now, actor=person,
                 questions=len(asked))
    return draft


def expecting(draft: SelfCheckDraft) -> Expecting:
    """What the next reply answers, from the step."""
    count = len(draft.questions)
    if draft.step < 2 * count:
        return Expecting("occurred" if draft.step % 2 == 0 else "measures", draft.step // 2)
    return Expecting("summary" if draft.step == 2 * count else "confirm")


def record(draft: SelfCheckDraft, value, *, now: datetime) -> Expecting:
    """Keep the reply to the current step and move on; what comes next."""
    at = expecting(draft)
    if at.field in ("occurred", "measures"):
        answers = [dict(answer) for answer in draft.answers]
        answers[at.index][at.field] = value
        draft.answers = answers
    elif at.field == "summary":
        draft.summary = value
    draft.step, draft.updated_at = draft.step + 1, now
    return expecting(draft)


def answers(draft: SelfCheckDraft) -> dict[int, Answer]:
    """The replies as models.self_check.hand_in takes them."""
    return {q["id"]: Answer(q["id"], a["occurred"], a["measures"])
            for q, a in zip(draft.questions, draft.answers, strict=True)}


def stop(draft: SelfCheckDraft, person, *, now: datetime, cancelled: bool) -> None:
    """End the sequence (handed in, or 取消); a cancel is audited. The caller commits."""
    if cancelled:
        audit.record("self_check.chat_cancel", f"assignment:{draft.assignment_id}", now=now,
                     actor=person, step=draft.step)
    session.delete(draft)


def discard(person_id: int) -> None:
    """Drop the person's chat sequence, if any (the self-check was handed in on the page)."""
    session.execute(sa.delete(SelfCheckDraft).where(SelfCheckDraft.person_id == person_id))
