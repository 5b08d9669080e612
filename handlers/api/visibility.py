"""Who may see what through the API (issue §7): the one visibility rule, as query filters.

A person sees an assignment when they are its assignee, the secretary of its unit, a member
of the discipline body supervising its unit, or an inspector or admin. Units and people
follow the same shape: one's own unit, the units one's body supervises, or everything.
Anything not visible is reported as missing (404), never as forbidden, so ids cannot be probed.
"""

import sqlalchemy as sa

from models import Assignment, Evidence, Person, Role, Unit, session
from models.errors import NotFound

SEE_ALL = (Role.INSPECTOR, Role.ADMIN)
ACTS_FOR_UNIT = (Role.SECRETARY, Role.COMMITTEE)  # models.assignment.is_assignee


def assignment_filter(person: Person) -> sa.ColumnElement[bool]:
    """The WHERE clause selecting exactly the assignments `person` may see."""
    if person.role in SEE_ALL:
        return sa.true()
    supervised = sa.select(Unit.id).where(Unit.supervisor_id == person.unit_id)
    clauses = [Assignment.person_id == person.id, Assignment.unit_id.in_(supervised)]
    if person.role in ACTS_FOR_UNIT:
        clauses.append(Assignment.person_id.is_(None) & (Assignment.unit_id == person.unit_id))
    if person.role == Role.SECRETARY:
        clauses.append(Assignment.unit_id == person.unit_id)
    return sa.or_(*clauses)


def unit_filter(person: Person) -> sa.ColumnElement[bool]:
    """The units `person` may see: their own and those their body supervises, or all."""
    if person.role in SEE_ALL:
        return sa.true()
    return (Unit.id == person.unit_id) | (Unit.supervisor_id == person.unit_id)


def visible_assignments(person: Person) -> sa.Select:
    """A query for the assignments `person` may see."""
    return sa.select(Assignment).where(assignment_filter(person))


def can_see(person: Person, assignment: Assignment) -> bool:
    """Whether `person` may see `assignment` (the same rule as the list filter)."""
    return session.scalar(sa.select(sa.literal(True)).select_from(Assignment).where(
        Assignment.id == assignment.id, assignment_filter(person))) is not None


def find_assignment(person: Person, assignment_id: int) -> Assignment:
    """The assignment if `person` may see it, else NotFound (404, whether or not it exists)."""
    found = session.scalar(visible_assignments(person).where(Assignment.id == assignment_id))
    if found is None:
        raise NotFound("未找到该任务。")
    return found


def find_evidence(person: Person, evidence_id: int) -> Evidence:
    """Evidence is visible with its assignment; otherwise NotFound."""
    found = session.scalar(sa.select(Evidence).join(Assignment, Evidence.assignment_id ==
                                                    Assignment.id)
                           .where(Evidence.id == evidence_id, assignment_filter(person)))
    if found is None:
        raise NotFound("未找到该材料。")
    return found
