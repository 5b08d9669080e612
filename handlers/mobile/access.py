"""Who may see and do what on the mobile pages (issue §7): one visibility rule, used everywhere.

Anything a person may not see answers 404, exactly like an id that does not exist, so a guessed
id in a URL tells nothing.
"""

import contextlib
from collections.abc import Iterator

from flask import abort

from jobs import redis_connection
from models import Assignment, Person, Role, session
from models.hierarchy import can_see, is_supervisor

LOCK_SECONDS = 30
LOCK_WAIT_SECONDS = 10


def is_reviewer(person: Person, assignment: Assignment) -> bool:
    """Someone who reviews this task at some level (whether or not it is their turn now)."""
    return person.role == Role.INSPECTOR or is_supervisor(person, assignment)


def visible_assignment(person: Person, assignment_id: int) -> Assignment:
    """The assignment if `person` may see it; 404 otherwise (also for ids that do not exist)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not can_see(person, assignment):
        abort(404)
    return assignment


@contextlib.contextmanager
def assignment_lock(assignment: Assignment) -> Iterator[Assignment]:
    """Serialise actions on one assignment across requests and processes (a double tap sends
    two POSTs at once), then re-read it, so the second request sees what the first did."""
    lock = redis_connection().lock(f"mobile:assignment-lock:{assignment.id}",
                                   timeout=LOCK_SECONDS, blocking_timeout=LOCK_WAIT_SECONDS)
    if not lock.acquire():
        abort(429)
    try:
        session.commit()  # end the read transaction so the refresh sees other commits
        session.refresh(assignment)
        yield assignment
    finally:
        with contextlib.suppress(Exception):
            lock.release()
