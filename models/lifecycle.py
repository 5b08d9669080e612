"""What people do with an assignment (DESIGN.md, task lifecycle): the transitions of the
table in models.assignment and the 督办 response, each checked against
`models.hierarchy.allowed`, audited, and followed by a notice to whoever must act next."""

from datetime import datetime

from models import audit
from models.assignment import (MIN_RETURN_REASON, TRANSITIONS, Action, AlreadyHandled, Assignment,
                               State)
from models.db import session
from models.errors import Conflict, DomainError, NotAllowed
from models.escalation import plan
from models.integrity import check_after_commit
from models.hierarchy import (FINAL, Directory, allowed, approval_leads_to, assignees,
                              review_level, reviewers)
from models.late import closes_at, input_closed, require_open
from models.notification import Notification, NotificationKind, notify
from models.review import Decision, Review
from models.supervision import MIN_RESPONSE, Supervision, open_supervision
from models.unit import Role

MIN_UNLOCK_REASON = 5

# Who must act next, by the state a transition leads to (DESIGN: "notifies whoever must act
# next"). Rows are pending for the sender; one per round and person (unique constraint).
NEXT_NOTICE = {State.SUBMITTED: "review_request", State.FIRST_APPROVED: "review_request",
               State.RETURNED: "returned", State.COMPLETED: "completed"}


def require(person, action: Action, assignment: Assignment, found: Directory | None = None,
            refusal: str = "无权进行此操作。", *, now: datetime) -> None:
    """Raise NotAllowed unless `allowed` lets `person` do `action` at `now`."""
    if action not in allowed(person, assignment, found, now=now):
        raise NotAllowed(refusal)


def transition(assignment: Assignment, action: Action, actor, *, now: datetime,
               reason: str = "") -> State:
    """Apply `action` by `actor`: checks who and from which state, moves the state, records a
    Review for reviews and an audit event for everything. The caller commits."""
    target = TRANSITIONS.get((State(assignment.state), action))
    if target is None:
        raise AlreadyHandled()
    if action == Action.SUBMIT:
        require_open(assignment, now)  # says when input closed, not just "无权"
    found = Directory()
    require(actor, action, assignment, found, now=now)
    if action in (Action.RETURN, Action.REOPEN) and len(reason.strip()) < MIN_RETURN_REASON:
        raise DomainError(f"请填写退回理由（至少{MIN_RETURN_REASON}个字）。")
    if action in (Action.APPROVE, Action.RETURN, Action.REOPEN):
        # A reopening (抽查核实不实) is the inspectors' return: the task page, chat and the
        # 退回 push read its reason as any return's.
        level = FINAL if action == Action.REOPEN else review_level(assignment, found)
        session.add(Review(assignment_id=assignment.id, level=level, reviewer_id=actor.id,
                           created_at=now, reason=reason.strip(),
                           decision=Decision.APPROVE if action == Action.APPROVE
                           else Decision.RETURN))
    if action == Action.APPROVE:
        target = approval_leads_to(assignment, found)
    if action == Action.SUBMIT:
        check_after_commit(assignment)  # 照搬照抄: flags for the reviewers (issue 13)
        if assignment.template.review_levels <= 0:
            target = State.COMPLETED
    _stamp(assignment, target, now)
    audit.record(f"assignment.{action}", f"assignment:{assignment.id}", now=now, actor=actor,
                 state=target.value, reason=reason.strip())
    _notify_next(assignment, target, now, found)
    plan(assignment, now)
    return target


def _notify_next(assignment: Assignment, target: State, now: datetime, found: Directory) -> None:
    kind = NEXT_NOTICE.get(target)
    if kind is None:
        return
    if kind == "review_request":
        recipients = reviewers(assignment, found)
        step = f"review:{review_level(assignment, found)}"
        if not recipients:  # nobody at any level: the admin sees it in /healthz and the pages
            audit.record("assignment.no_reviewer", f"assignment:{assignment.id}", now=now)
    else:
        recipients, step = assignees(assignment, found), kind
    for person in recipients:
        notify(kind, person.id, now=now, assignment_id=assignment.id, step=step,
               cycle=assignment.round)


def _stamp(assignment: Assignment, target: State, now: datetime) -> None:
    if target == State.ACKNOWLEDGED:
        assignment.acknowledged_at = now
    if target == State.SUBMITTED or (target == State.COMPLETED and assignment.submitted_at is None):
        assignment.submitted_at, assignment.round = now, assignment.round + 1
    if target == State.COMPLETED:
        assignment.completed_at = now
    if target == State.RETURNED:
        assignment.completed_at = None  # reopened: scoring sees it undone (models.scoring)
    if target == State.CANCELLED:
        assignment.cancelled_at = now
    assignment.state = target


def respond(assignment: Assignment, person, text: str, *, now: datetime) -> Supervision:
    """The assignee answers the open 督办 in writing. The caller commits."""
    record = open_supervision(assignment)
    if record is None:
        raise DomainError("该任务没有待回复的督办。")
    require(person, Action.RESPOND, assignment, refusal="只有任务承办人可以回复督办。", now=now)
    text = text.strip()
    if len(text) < MIN_RESPONSE:
        raise DomainError(f"请写明办理情况和整改措施（至少{MIN_RESPONSE}个字）。")
    record.response, record.responded_at, record.responder_id = text[:2000], now, person.id
    audit.record("supervision.respond", f"assignment:{assignment.id}", now=now, actor=person,
                 supervision=record.id, response=record.response)
    return record


def unlock(assignment: Assignment, actor, reason: str, *, now: datetime) -> list[Notification]:
    """补报: an inspector reopens input the template's late policy closed, with a reason
    (issue 10). Audited; the ladder goes on from where it stopped; the assignees are told.
    The caller commits."""
    if actor.role != Role.INSPECTOR:
        raise NotAllowed("只有县纪委监委审核人员可以解锁补报。")
    if not input_closed(assignment, now):
        raise Conflict("该任务填报未关闭，无需解锁。")
    require(actor, Action.UNLOCK, assignment, refusal="不能解锁本人的任务。", now=now)
    reason = reason.strip()
    if len(reason) < MIN_UNLOCK_REASON:
        raise DomainError(f"请填写解锁理由（至少{MIN_UNLOCK_REASON}个字），说明准予补报的原因。")
    closed_at = closes_at(assignment)
    assignment.unlocked_at, assignment.unlocked_by_id = now, actor.id
    audit.record("assignment.unlock", f"assignment:{assignment.id}", now=now, actor=actor,
                 reason=reason, closed_at=closed_at.isoformat())
    plan(assignment, now)
    return [notify(NotificationKind.UNLOCKED, person.id, now=now, assignment_id=assignment.id,
                   step=NotificationKind.UNLOCKED, cycle=assignment.ladder_cycle,
                   data={"by": actor.id, "reason": reason})
            for person in assignees(assignment, Directory())]


def withdraw(assignment: Assignment, actor, reason: str, *, now: datetime) -> None:
    """撤销 by a system admin as part of an organisation change (a person leaves or moves, two
    units merge): the lifecycle's cancel, with a reason, audited. Inspectors cancel through
    `transition`; admins only here, where the organisation would otherwise orphan the task.
    The caller commits."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以在调整组织时撤销任务。")
    target = TRANSITIONS.get((State(assignment.state), Action.CANCEL))
    if target is None:
        raise AlreadyHandled()
    reason = reason.strip()
    if len(reason) < MIN_RETURN_REASON:
        raise DomainError(f"请填写撤销理由（至少{MIN_RETURN_REASON}个字）。")
    _stamp(assignment, target, now)
    audit.record("assignment.cancel", f"assignment:{assignment.id}", now=now, actor=actor,
                 state=target.value, reason=reason, via="organisation")
    plan(assignment, now)
