"""A person's unfinished tasks when they leave their post (停用, 调动): each one is handed to a
named colleague of the task's unit (改派) or cancelled with a reason (撤销), as the admin
chose on the page. Nothing is left with someone who can no longer act on it."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models.assignment import FINAL_STATES, Assignment
from models.db import session
from models.duty import period_label
from models.errors import DomainError
from models.escalation import hand_to
from models.lifecycle import withdraw
from models.unit import Person

REASSIGN, CANCEL = "reassign", "cancel"


@dataclass(frozen=True)
class Choice:
    """What becomes of one task: REASSIGN to `person`, or CANCEL with `reason`."""

    action: str
    person: Person | None = None
    reason: str = ""


class ChoiceMissing(DomainError):
    """Some tasks have no choice yet (or a wrong one); `problems` names each."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def unfinished(person: Person) -> list[Assignment]:
    """The person's own tasks not yet completed or cancelled, by due time."""
    return list(session.scalars(
        sa.select(Assignment).where(Assignment.person_id == person.id,
                                    Assignment.state.not_in(FINAL_STATES))
        .options(joinedload(Assignment.template)).order_by(Assignment.due_at, Assignment.id)))


def colleagues(assignment: Assignment, leaving: Person) -> list[Person]:
    """Whom a task of `leaving` may go to: the other active people of the task's unit."""
    return list(session.scalars(sa.select(Person).where(
        Person.unit_id == assignment.unit_id, Person.active.is_(True),
        Person.id != leaving.id).order_by(Person.id)))


def hand_over(person: Person, choices: dict[int, Choice], *, now: datetime, actor: Person,
              why: str) -> dict[str, int]:
    """Apply a choice to every unfinished task of `person`, or raise ChoiceMissing naming the
    tasks without a usable one (nothing changed then: the caller rolls back). `why` (停用,
    调动) goes into each task's audit. Returns how many were reassigned and cancelled."""
    tasks, problems = unfinished(person), []
    for task in tasks:
        choice = choices.get(task.id)
        label = f"任务“{task.template.title}”（{period_label(task.period)}）"
        if choice is None or choice.action not in (REASSIGN, CANCEL):
            problems.append(f"{label}：请选择改派给谁，或撤销")
        elif choice.action == REASSIGN and choice.person is None:
            problems.append(f"{label}：请选择改派给谁")
        elif choice.action == CANCEL and len(choice.reason.strip()) < 5:
            problems.append(f"{label}：请填写撤销理由（至少5个字）")
    if problems:
        raise ChoiceMissing(problems)
    done = {REASSIGN: 0, CANCEL: 0}
    for task in tasks:
        choice = choices[task.id]
        try:
            if choice.action == REASSIGN:
                hand_to(task, choice.person, actor, now=now, why=why)
            else:
                withdraw(task, actor, choice.reason, now=now)
        except DomainError as refusal:
            raise ChoiceMissing([f"任务“{task.template.title}”（{period_label(task.period)}）："
                                 f"{refusal.message}"]) from None
        done[choice.action] += 1
    return done
