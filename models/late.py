"""The per-template late policy (issue 10; 富宁/太仓/兴平: "after the deadline the platform
closes input"): when a task's input closes, whether it is closed now, and the refusal.

Under `allow` late work is accepted (and scored by the warning it reached). Under `close`
input closes `close_after_days` calendar days after the due time, for a task that is owed
and was never handed in; a returned task stays open, since a reviewer asked for the rework.
Only an inspector's unlock (补报, models.lifecycle.unlock) opens it again.
"""

from datetime import datetime, timedelta

from models.assignment import Assignment, State
from models.clock import local_time
from models.duty import LatePolicy
from models.errors import Conflict

# Owed and never handed in: the states whose input the policy closes.
CLOSABLE_STATES = (State.DISPATCHED, State.ACKNOWLEDGED)


class InputClosed(Conflict):
    """Input offered after the task's input closed; says when, and what to do."""

    def __init__(self, assignment: Assignment):
        self.closed_at = closes_at(assignment)
        self.title = assignment.template.title
        super().__init__(f"该任务填报已于 {local_time(self.closed_at)} 截止关闭。"
                         "如需补报，请联系县纪委监委审核人员解锁。")


def closes_at(assignment: Assignment) -> datetime | None:
    """When the template's policy closes input: the due time plus its days (same clock time,
    Shanghai keeps no daylight saving); None unless the policy is `close`."""
    template = assignment.template
    if template.late_policy != LatePolicy.CLOSE:
        return None
    return assignment.due_at + timedelta(days=template.close_after_days or 0)


def closing(assignment: Assignment) -> datetime | None:
    """`closes_at` while it still applies: the task owed and never handed in, not unlocked.
    The ladder stops there (models.escalation)."""
    if assignment.state not in CLOSABLE_STATES or assignment.unlocked_at is not None:
        return None
    return closes_at(assignment)


def input_closed(assignment: Assignment, now: datetime) -> bool:
    """Whether nothing more may be handed in for `assignment` at `now`."""
    at = closing(assignment)
    return at is not None and now >= at


def require_open(assignment: Assignment, now: datetime) -> None:
    """Raise InputClosed when input is closed at `now`."""
    if input_closed(assignment, now):
        raise InputClosed(assignment)
