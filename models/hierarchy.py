"""Lines of authority over an assignment (DESIGN.md roles), each answered here once and asked
by chat, pages, the API, the sweep and the pushes:

- the supervising body of a unit: its own `supervisor`, else its nearest ancestor's;
- who acts on an assignment (the person, or for a unit's task its liaison, else its secretary);
- the review chain: level 1 (初审) by the supervising discipline body's members, level 2
  (终审) by the county inspectors, as many levels as the template asks for. A unit supervised
  by the county commission itself (乡镇纪委, 派驻纪检监察组) has no level 1 of its own: the
  inspectors review it once. A level with nobody in it (a vacancy) falls to the next level
  that has someone, and the gap is reported (`gaps`). Nobody ever reviews their own task.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa

from models.assignment import OPEN_STATES, TRANSITIONS, Action, Assignment, State
from models.db import session
from models.duty import DutyTemplate
from models.late import input_closed
from models.supervision import open_supervision
from models.unit import Person, Role, Unit, UnitKind

FIRST, FINAL = 1, 2  # review level numbers, as recorded on each Review
REVIEW_STATES = (State.SUBMITTED, State.FIRST_APPROVED)
SEES_ALL = (Role.INSPECTOR, Role.ADMIN)
ACTING_ROLES = (Role.COMMITTEE, Role.SECRETARY)  # who acts on a unit's task, in this order
TRANSITION_ACTIONS = (Action.ACKNOWLEDGE, Action.SUBMIT, Action.APPROVE, Action.RETURN,
                      Action.CANCEL, Action.REOPEN)


class Directory:
    """The organisation as it stands: the unit tree and who holds which post (active people),
    read in two queries and asked many times (a sweep, a list, one page)."""

    def __init__(self):
        rows = session.execute(sa.select(Unit.id, Unit.parent_id, Unit.supervisor_id, Unit.kind,
                                         Unit.name)).all()
        self.units = {uid: (parent, supervisor, kind) for uid, parent, supervisor, kind, _ in rows}
        self.names = {uid: name for uid, *_, name in rows}
        self.posts: dict[tuple[int | None, str], list[int]] = defaultdict(list)
        for pid, unit_id, role in session.execute(
                sa.select(Person.id, Person.unit_id, Person.role).where(
                    Person.active.is_(True)).order_by(Person.id)):
            self.posts[(unit_id, role)].append(pid)
            if role == Role.INSPECTOR:
                self.posts[(None, role)].append(pid)
        self._bodies: dict[int, int | None] = {}

    def body_of(self, unit_id: int | None) -> int | None:
        """The discipline body supervising `unit_id`: its supervisor, else its nearest
        ancestor's (a village is supervised as its township is)."""
        if unit_id not in self._bodies:
            unit, seen, body = unit_id, set(), None
            while unit is not None and unit not in seen:
                seen.add(unit)
                parent, supervisor, _ = self.units.get(unit, (None, None, None))
                if supervisor is not None:
                    body = supervisor
                    break
                unit = parent
            self._bodies[unit_id] = body
        return self._bodies[unit_id]

    def supervised_by(self, body_id: int) -> list[int]:
        """Every unit whose supervising body is `body_id`."""
        return [uid for uid in self.units if self.body_of(uid) == body_id]

    def is_county(self, unit_id: int | None) -> bool:
        return unit_id is not None and self.units.get(unit_id, (None, None, None))[2] == \
            UnitKind.COUNTY

    def _up(self, unit_id: int | None, role: Role) -> list[int]:
        seen = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            if found := self.posts.get((unit_id, role)):
                return found
            unit_id = self.units.get(unit_id, (None, None, None))[0]
        return []

    def assignees(self, assignment: Assignment) -> list[int]:
        """Who acts on it: the person, or for a unit's task its liaison, else its secretary."""
        if assignment.person_id is not None:
            return [assignment.person_id]
        return next((found for role in ACTING_ROLES
                     if (found := self.posts.get((assignment.unit_id, role)))), [])

    def secretaries(self, unit_id: int) -> list[int]:
        """The unit's secretary; a vacancy goes one level up the tree (the ladder's rule)."""
        return self._up(unit_id, Role.SECRETARY)

    def discipline(self, unit_id: int) -> list[int]:
        """The supervising body's members; an empty body goes up the tree (the ladder's rule)."""
        body = self.body_of(unit_id)
        return self._up(body, Role.DISCIPLINE) if body is not None else []

    def inspectors(self) -> list[int]:
        return self.posts.get((None, Role.INSPECTOR), [])

    def first_level(self, unit_id: int) -> list[int]:
        """Level 1 reviewers of a unit's tasks: its supervising body's members, unless that body
        is the county commission (then the inspectors' one review is all)."""
        body = self.body_of(unit_id)
        if body is None or self.is_county(body):
            return []
        return self.posts.get((body, Role.DISCIPLINE), [])

    def review_chain(self, assignment: Assignment) -> list[tuple[int, list[int]]]:
        """The levels this assignment is reviewed at, each with its reviewers (never its own
        assignees), empty levels left out: [] means nobody can review it."""
        wanted = assignment.template.review_levels
        if wanted <= 0:
            return []
        own = set(self.assignees(assignment))
        levels = [(FIRST, self.first_level(assignment.unit_id)), (FINAL, self.inspectors())]
        if wanted == 1 and not self.is_county(self.body_of(assignment.unit_id)):
            levels = levels[:1] if levels[0][1] else levels[1:]  # a vacancy falls to level 2
        chain = [(level, [pid for pid in people if pid not in own]) for level, people in levels]
        return [(level, people) for level, people in chain if people]

    def current_review(self, assignment: Assignment) -> tuple[int, list[int]] | None:
        """The level due now and its reviewers, or None when nothing waits for review."""
        if assignment.state not in REVIEW_STATES:
            return None
        chain = self.review_chain(assignment)
        if not chain:
            return None
        index = 1 if assignment.state == State.FIRST_APPROVED and len(chain) > 1 else 0
        return chain[index]


def directory() -> Directory:
    return Directory()


def is_assignee(person, assignment: Assignment) -> bool:
    """The assignee: the person, or for a unit's task its secretary or its liaison (committee)."""
    if assignment.person_id is not None:
        return assignment.person_id == person.id
    return person.unit_id == assignment.unit_id and person.role in (Role.SECRETARY, Role.COMMITTEE)


def assignees(assignment: Assignment, found: Directory | None = None) -> list[Person]:
    """Who acts on it: the person, or for a unit's task its liaison (else its secretary).
    Without a directory, a query for just this task (the sender renders one push at a time)."""
    if found is not None:
        ids = found.assignees(assignment)
        return list(session.scalars(sa.select(Person).where(Person.id.in_(ids))
                                    .order_by(Person.id)))
    if assignment.person_id is not None:
        return [session.get(Person, assignment.person_id)]
    for role in ACTING_ROLES:
        people = session.scalars(sa.select(Person).where(
            Person.unit_id == assignment.unit_id, Person.role == role,
            Person.active.is_(True)).order_by(Person.id)).all()
        if people:
            return list(people)
    return []


def is_supervisor(person, assignment: Assignment, found: Directory | None = None) -> bool:
    """A member of the discipline body supervising the task's unit."""
    return person.role == Role.DISCIPLINE and \
        person.unit_id == (found or directory()).body_of(assignment.unit_id)


def is_above(person, assignment: Assignment) -> bool:
    """Someone who may chase the assignee (催办) or write a 领导批示: not an assignee, and the
    unit's secretary or a county inspector."""
    return not is_assignee(person, assignment) and (person.role == Role.INSPECTOR or (
        person.role == Role.SECRETARY and person.unit_id == assignment.unit_id))


def allowed(person, assignment: Assignment, found: Directory | None = None, *,
            now: datetime) -> set[Action]:
    """Everything `person` may do with `assignment` at `now`: the transition table says what
    the state permits, the lines of authority who, the late policy whether input is still
    open (models.late). Chat, pages and the API show and accept exactly these."""
    found = found or directory()
    state = State(assignment.state)
    mine = is_assignee(person, assignment)
    closed = input_closed(assignment, now)
    permitted = set()
    if mine:
        permitted.add(Action.ACKNOWLEDGE)
        if not closed:
            permitted.add(Action.SUBMIT)
        if state in OPEN_STATES + REVIEW_STATES and open_supervision(assignment) is not None:
            permitted.add(Action.RESPOND)
    if can_review(person, assignment, found):
        permitted |= {Action.APPROVE, Action.RETURN}
    if person.role == Role.INSPECTOR and not mine:
        permitted.add(Action.CANCEL)
        if person.unit_id != assignment.unit_id:
            permitted.add(Action.REOPEN)  # through a spot check's 不实 (models.spot_check)
        if closed:
            permitted.add(Action.UNLOCK)
        if state in OPEN_STATES:
            permitted.add(Action.EXTEND)
            if assignment.person_id is not None:
                permitted.add(Action.REASSIGN)
    if is_above(person, assignment):
        if state in OPEN_STATES:
            permitted.add(Action.URGE)
        if state != State.CANCELLED:
            permitted.add(Action.INSTRUCT)
    return {action for action in permitted
            if action not in TRANSITION_ACTIONS or (state, action) in TRANSITIONS}


def can_see(person, assignment: Assignment, found: Directory | None = None) -> bool:
    """The assignee, the unit's secretary, the supervising body's members, inspectors and
    admins. `visible_filter` is the same rule for queries."""
    if person.role in SEES_ALL or is_assignee(person, assignment):
        return True
    if person.role == Role.SECRETARY and person.unit_id == assignment.unit_id:
        return True
    return is_supervisor(person, assignment, found)


def can_see_unit(person, unit_id: int, found: Directory | None = None) -> bool:
    """Whose unit-level results (score, rank, deductions) `person` may read: inspectors and
    admins any unit's, a discipline body its own and the units it supervises, anyone else
    their own unit's."""
    if person.role in SEES_ALL or unit_id == person.unit_id:
        return True
    return person.role == Role.DISCIPLINE and \
        unit_id in (found or directory()).supervised_by(person.unit_id)


def visible_filter(person, found: Directory | None = None) -> sa.ColumnElement[bool]:
    """The WHERE clause selecting exactly the assignments `can_see` allows."""
    if person.role in SEES_ALL:
        return sa.true()
    clauses = [Assignment.person_id == person.id]
    if person.role in (Role.SECRETARY, Role.COMMITTEE):
        clauses.append(Assignment.person_id.is_(None) & (Assignment.unit_id == person.unit_id))
    if person.role == Role.SECRETARY:
        clauses.append(Assignment.unit_id == person.unit_id)
    if person.role == Role.DISCIPLINE:
        clauses.append(Assignment.unit_id.in_((found or directory()).supervised_by(
            person.unit_id)))
    return sa.or_(*clauses)


def reviewers(assignment: Assignment, found: Directory | None = None) -> list[Person]:
    """Who reviews it now (the current level's reviewers)."""
    current = (found or directory()).current_review(assignment)
    if current is None:
        return []
    return list(session.scalars(sa.select(Person).where(Person.id.in_(current[1]))
                                .order_by(Person.id)))


def review_level(assignment: Assignment, found: Directory | None = None) -> int:
    """The level of the review due now: FIRST (初审) or FINAL (终审)."""
    current = (found or directory()).current_review(assignment)
    return current[0] if current else (FINAL if assignment.state == State.FIRST_APPROVED
                                       else FIRST)


def can_review(person, assignment: Assignment, found: Directory | None = None) -> bool:
    current = (found or directory()).current_review(assignment)
    return current is not None and person.id in current[1]


def approval_leads_to(assignment: Assignment, found: Directory | None = None) -> State:
    """COMPLETED when the level approving now is the chain's last, else FIRST_APPROVED."""
    chain = (found or directory()).review_chain(assignment)
    if assignment.state == State.SUBMITTED and len(chain) > 1:
        return State.FIRST_APPROVED
    return State.COMPLETED


def review_filter(person, found: Directory | None = None) -> sa.ColumnElement[bool]:
    """The WHERE clause for the tasks whose current review is `person`'s: the same rule as
    `current_review`, over the units the directory names (no join needed)."""
    found = found or directory()
    not_own = sa.or_(Assignment.person_id.is_(None), Assignment.person_id != person.id)
    if person.role == Role.DISCIPLINE and person.id in found.posts.get(
            (person.unit_id, Role.DISCIPLINE), []):
        units = found.supervised_by(person.unit_id)
        return (Assignment.state == State.SUBMITTED) & Assignment.unit_id.in_(units) & not_own
    if person.role == Role.INSPECTOR:
        without_first = [uid for uid in found.units if not found.first_level(uid)]
        reviewed = sa.select(DutyTemplate.id).where(DutyTemplate.review_levels >= 1)
        return not_own & Assignment.template_id.in_(reviewed) & sa.or_(
            Assignment.state == State.FIRST_APPROVED,
            (Assignment.state == State.SUBMITTED) & Assignment.unit_id.in_(without_first))
    return sa.false()


def awaiting_review(person) -> int:
    """How many tasks wait for `person`'s review."""
    return session.scalar(sa.select(sa.func.count(Assignment.id)).where(review_filter(person)))


@dataclass(frozen=True)
class Gap:
    """A (template, unit) the duty cycle cannot close as configured."""

    template_id: int
    template: str
    unit_id: int
    unit: str
    problem: str

    def __str__(self) -> str:
        return f"{self.unit}·{self.template}：{self.problem}"


NO_ASSIGNEE = "没有承办人（本单位无联络员或党组织书记）"
NO_REVIEWER = "没有审核人（监督单位和县纪委监委均无审核人员）"
FIRST_VACANT = "监督单位暂无纪检监察人员，初审转由县纪委监委审核"


def gaps(pairs, found: Directory | None = None) -> list[Gap]:
    """What is missing for each (template, unit, person or None) in `pairs`: an assignee for a
    unit's task, any reviewer, or a level-1 reviewer (then level 2 reviews instead)."""
    found = found or directory()
    names = found.names
    problems: dict[tuple[int, int, str], Gap] = {}
    for template, unit_id, person_id in pairs:
        probe = SimpleNamespace(template=template, unit_id=unit_id, person_id=person_id)
        found_problems = []
        if person_id is None and not found.assignees(probe):
            found_problems.append(NO_ASSIGNEE)
        if template.review_levels > 0:
            body = found.body_of(unit_id)
            if not found.review_chain(probe):
                found_problems.append(NO_REVIEWER)
            elif body is not None and not found.is_county(body) and not found.first_level(unit_id):
                found_problems.append(FIRST_VACANT)
        for problem in found_problems:
            problems.setdefault((template.id, unit_id, problem), Gap(
                template.id, template.title, unit_id, names.get(unit_id, str(unit_id)), problem))
    return list(problems.values())


def open_gaps(found: Directory | None = None) -> list[Gap]:
    """The gaps of every assignment now waiting on someone (open or in review)."""
    rows = session.execute(
        sa.select(Assignment.template_id, Assignment.unit_id, Assignment.person_id).distinct()
        .where(Assignment.state.not_in((State.COMPLETED, State.CANCELLED)))).all()
    templates = {t.id: t for t in session.scalars(sa.select(DutyTemplate).where(
        DutyTemplate.id.in_({row[0] for row in rows})))}
    return gaps([(templates[t], u, p) for t, u, p in rows], found)
