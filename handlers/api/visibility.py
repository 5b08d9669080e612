"""Who may see what through the API (issue §7): the one visibility rule, as query filters.

A person sees an assignment when they are its assignee, the secretary of its unit, a member
of the discipline body supervising its unit, or an inspector or admin. Units and people
follow the same shape: one's own unit, the units one's body supervises, or everything.
Anything not visible is reported as missing (404), never as forbidden, so ids cannot be probed.
"""

import sqlalchemy as sa

from handlers.api import texts
from models import Assignment, Evidence, Person, Unit, session
from models.hierarchy import SEES_ALL, visible_filter
from models.errors import NotFound

def unit_filter(person: Person) -> sa.ColumnElement[bool]:
    """The units `person` may see: their own and those their body supervises, or all."""
    if person.role in SEES_ALL:
        return sa.true()
    return (Unit.id == person.unit_id) | (Unit.supervisor_id == person.unit_id)


def visible_assignments(person: Person) -> sa.Select:
    """A query for the assignments `person` may see."""
    return sa.select(Assignment).where(visible_filter(person))


def find_assignment(person: Person, assignment_id: int) -> Assignment:
    """The assignment if `person` may see it, else NotFound (404, whether or not it exists)."""
    found = session.scalar(visible_assignments(person).where(Assignment.id == assignment_id))
    if found is None:
        raise NotFound(texts.NO_TASK)
    return found


def find_evidence(person: Person, evidence_id: int) -> Evidence:
    """Evidence is visible with its assignment; otherwise NotFound."""
    found = session.scalar(sa.select(Evidence).join(Assignment, Evidence.assignment_id ==
                                                    Assignment.id)
                           .where(Evidence.id == evidence_id, visible_filter(person)))
    if found is None:
        raise NotFound(texts.NO_EVIDENCE)
    return found
