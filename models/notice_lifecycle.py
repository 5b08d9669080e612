"""What people do with a notice (issue 11): draft, issue, 签收, reply item by item, verify
each item (accept, or return with a reason), 回访 and 销账. Each step is checked against
`allowed` (the one answer to "who may do what", asked by chat, pages and the API), moves
state only through the transition tables of models.notice, is audited, and tells whoever must
act next. "谁提出、谁负责、谁督办": the issuing body drafts, verifies and closes; the unit's
secretary and liaison (and an item's responsible person, for that item) sign and reply.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from models import audit, deduction
from models.clock import local_date
from models.db import session
from models.errors import Conflict, DomainError, NotAllowed
from models.evidence import Evidence, EvidenceKind, EvidenceStatus
from models.hierarchy import SEES_ALL, Directory
from models.notice import (ITEM_ACTIONS, ITEM_TRANSITIONS, OWED, TRANSITIONS, ItemState, Notice,
                           NoticeAction, NoticeItem, NoticeKind, NoticeState, next_number)
from models.notice_escalation import plan
from models.notification import NotificationKind, notify
from models.scoring import policy_for
from models.unit import Person, Role, Unit, UnitKind

MIN_FACTS, MIN_REQUIREMENT, MIN_REPLY, MIN_REASON = 10, 5, 10, 5
MAX_ITEMS, MAX_TEXT = 20, 4000
ISSUING_ROLES = (Role.DISCIPLINE, Role.INSPECTOR)
UNIT_SIDE = (Role.SECRETARY, Role.COMMITTEE)  # who signs for and answers a unit's notice


def is_issuer(person, notice: Notice) -> bool:
    """A member of the issuing body: its discipline staff, or for the county commission its
    inspectors."""
    return person.unit_id == notice.issuer_id and person.role in ISSUING_ROLES


def is_unit_side(person, notice: Notice, item: NoticeItem | None = None) -> bool:
    """Who answers for the notice: the unit's secretary and liaison; for one item also its
    responsible person."""
    if person.unit_id == notice.unit_id and person.role in UNIT_SIDE:
        return True
    return item is not None and item.person_id == person.id


def allowed(person, notice: Notice, item: NoticeItem | None = None, *,
            now: datetime) -> set[NoticeAction]:
    """Everything `person` may do with `notice` (or with one of its items) at `now`: the
    transition tables say what the state permits, the issuing body and the unit who."""
    state = NoticeState(notice.state)
    permitted: set[NoticeAction] = set()
    if is_issuer(person, notice) and person.unit_id != notice.unit_id:
        permitted |= {NoticeAction.EDIT, NoticeAction.ISSUE, NoticeAction.DISCARD}
        if item is not None and item.state == ItemState.REPLIED:
            permitted |= {NoticeAction.ACCEPT, NoticeAction.RETURN}
        if notice.follow_up_due_at is not None and now >= notice.follow_up_due_at:
            permitted.add(NoticeAction.CLOSE)
    if is_unit_side(person, notice, item):
        if person.unit_id == notice.unit_id and person.role in UNIT_SIDE:
            permitted.add(NoticeAction.ACKNOWLEDGE)
        if item is not None and state in (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED,
                                          NoticeState.REPLIED) \
                and (ItemState(item.state), NoticeAction.REPLY) in ITEM_TRANSITIONS:
            permitted.add(NoticeAction.REPLY)
    return {action for action in permitted if _state_permits(state, action, item)}


def _state_permits(state: NoticeState, action: NoticeAction, item: NoticeItem | None) -> bool:
    """The tables' say: an item's action needs the item's move and the notice's (a reply
    before 签收 signs for it first)."""
    if action not in ITEM_ACTIONS:
        return (state, action) in TRANSITIONS
    if item is None or (ItemState(item.state), action) not in ITEM_TRANSITIONS:
        return False
    signed = NoticeState.ACKNOWLEDGED if state == NoticeState.ISSUED else state
    return (signed, action) in TRANSITIONS


def require(person, action: NoticeAction, notice: Notice, item: NoticeItem | None = None, *,
            now: datetime, refusal: str = "无权进行此操作。") -> None:
    if action not in allowed(person, notice, item, now=now):
        raise NotAllowed(refusal)


def can_see(person, notice: Notice, found: Directory | None = None) -> bool:
    """The issuing body; once issued, the unit's secretary and liaison, the items' responsible
    people, the unit's supervising body, inspectors and admins."""
    if is_issuer(person, notice):
        return True
    if notice.state in (NoticeState.DRAFTED, NoticeState.DISCARDED):
        return False
    if person.role in SEES_ALL or is_unit_side(person, notice):
        return True
    if any(item.person_id == person.id for item in notice.items):
        return True
    return person.role == Role.DISCIPLINE and \
        person.unit_id == (found or Directory()).body_of(notice.unit_id)


def visible_filter(person, found: Directory | None = None) -> sa.ColumnElement[bool]:
    """The WHERE clause selecting exactly the notices `can_see` allows."""
    issued = Notice.state.not_in((NoticeState.DRAFTED, NoticeState.DISCARDED))
    mine = (Notice.issuer_id == person.unit_id) if person.role in ISSUING_ROLES else sa.false()
    if person.role in SEES_ALL:
        return mine | issued
    clauses = [Notice.id.in_(sa.select(NoticeItem.notice_id).where(
        NoticeItem.person_id == person.id))]
    if person.role in UNIT_SIDE:
        clauses.append(Notice.unit_id == person.unit_id)
    if person.role == Role.DISCIPLINE:
        clauses.append(Notice.unit_id.in_((found or Directory()).supervised_by(person.unit_id)))
    return mine | (issued & sa.or_(*clauses))


def may_issue_to(person, unit: Unit, found: Directory | None = None) -> bool:
    """A discipline body writes to the units it supervises; county inspectors to any unit."""
    if person.role == Role.INSPECTOR:
        return unit.kind != UnitKind.COUNTY and unit.id != person.unit_id
    return person.role == Role.DISCIPLINE and \
        unit.id in (found or Directory()).supervised_by(person.unit_id)


# Drafting.

def draft(actor: Person, *, kind, unit: Unit, title: str, facts: str, basis: str,
          reply_due_at: datetime, items: list[dict], now: datetime,
          follow_up_days: int = 30) -> Notice:
    """A new draft from the actor's body to `unit`; `items` are dicts of requirement, due_at
    and person (or None). Validated and audited; the caller commits."""
    if actor.role not in ISSUING_ROLES:
        raise NotAllowed("只有纪检监察组织或县纪委监委审核人员可以起草监督建议书、整改通知书。")
    if not may_issue_to(actor, unit):
        raise NotAllowed(f"{unit.name}不在您所在单位的监督范围内。")
    notice = Notice(issuer_id=actor.unit_id, unit_id=unit.id, drafted_by_id=actor.id,
                    created_at=now, reply_due_at=now, kind=NoticeKind.RECTIFICATION, title="")
    _fill(notice, kind=kind, title=title, facts=facts, basis=basis, reply_due_at=reply_due_at,
          items=items, follow_up_days=follow_up_days, now=now)
    session.add(notice)
    session.flush()
    audit.record("notice.draft", f"notice:{notice.id}", now=now, actor=actor, unit=unit.id,
                 kind=str(notice.kind), title=notice.title, items=len(notice.items))
    return notice


def edit(notice: Notice, actor: Person, *, now: datetime, **fields) -> Notice:
    """Change a draft (its items replaced by `items`); audited. The caller commits."""
    require(actor, NoticeAction.EDIT, notice, now=now, refusal="只有起草单位可以修改草稿。")
    _fill(notice, now=now, **fields)
    audit.record("notice.edit", f"notice:{notice.id}", now=now, actor=actor, title=notice.title,
                 items=len(notice.items))
    return notice


def _fill(notice: Notice, *, kind, title: str, facts: str, basis: str, reply_due_at: datetime,
          items: list[dict], follow_up_days, now: datetime) -> None:
    try:
        notice.kind = NoticeKind(kind)
    except ValueError:
        raise DomainError("请选择文书类型（监督建议书或整改通知书）。") from None
    title, facts, basis = (title or "").strip(), (facts or "").strip(), (basis or "").strip()
    if not 4 <= len(title) <= 80:
        raise DomainError("请填写标题（4至80个字）。")
    if len(facts) < MIN_FACTS:
        raise DomainError(f"请写明发现的问题（至少{MIN_FACTS}个字）。")
    if reply_due_at <= now:
        raise DomainError("回复期限须晚于现在。")
    try:
        days = int(follow_up_days)
    except (TypeError, ValueError):
        raise DomainError("回访天数请填写1到180之间的整数。") from None
    if not 1 <= days <= 180:
        raise DomainError("回访天数请填写1到180之间的整数。")
    if not items:
        raise DomainError("请至少填写一项整改要求。")
    if len(items) > MAX_ITEMS:
        raise DomainError(f"整改要求最多{MAX_ITEMS}项。")
    built = []
    for position, entry in enumerate(items, start=1):
        requirement = (entry.get("requirement") or "").strip()
        due, person = entry.get("due_at"), entry.get("person")
        if len(requirement) < MIN_REQUIREMENT:
            raise DomainError(f"第{position}项整改要求请至少写{MIN_REQUIREMENT}个字。")
        if due is None or due <= now:
            raise DomainError(f"第{position}项的整改时限须晚于现在。")
        if person is not None and (person.unit_id != notice.unit_id or not person.active):
            raise DomainError(f"第{position}项的责任人须是被通知单位的在职人员。")
        built.append(NoticeItem(position=position, requirement=requirement[:MAX_TEXT],
                                due_at=due, person_id=person.id if person else None))
    notice.title, notice.facts, notice.basis = title, facts[:MAX_TEXT], basis[:MAX_TEXT]
    notice.reply_due_at, notice.follow_up_days = reply_due_at, days
    notice.items = built


def discard(notice: Notice, actor: Person, *, now: datetime) -> None:
    require(actor, NoticeAction.DISCARD, notice, now=now, refusal="只有起草单位可以删除草稿。")
    notice.state = TRANSITIONS[(NoticeState(notice.state), NoticeAction.DISCARD)]
    audit.record("notice.discard", f"notice:{notice.id}", now=now, actor=actor)


# Issuing and signing.

def issue(notice: Notice, actor: Person, *, now: datetime) -> list:
    """Number it (〔year〕第N号, the issuer's next), tell the unit's secretary and liaison, and
    start the ladders. The issuer's row is locked while numbering; the caller commits."""
    _move(notice, NoticeAction.ISSUE, actor, now, refusal="只有起草单位可以下发。")
    if notice.reply_due_at <= now or any(item.due_at <= now for item in notice.items):
        raise DomainError("回复期限或整改时限已过，请先修改草稿。")
    session.execute(sa.select(Unit.id).where(Unit.id == notice.issuer_id).with_for_update())
    notice.year = local_date(now).year
    notice.number = next_number(notice.issuer_id, notice.year)
    notice.issued_at, notice.issued_by_id = now, actor.id
    audit.record("notice.issue", f"notice:{notice.id}", now=now, actor=actor,
                 reference=notice.reference, unit=notice.unit_id)
    _plan_all(notice, now)
    return [notify(NotificationKind.NOTICE_ISSUED, pid, now=now, notice_id=notice.id,
                   step="issued") for pid in unit_side_ids(notice)]


def acknowledge(notice: Notice, actor: Person, *, now: datetime) -> None:
    """签收: the unit's secretary or liaison confirms receipt. The caller commits."""
    if notice.state != NoticeState.ISSUED:
        raise Conflict("该文书已签收。")
    _move(notice, NoticeAction.ACKNOWLEDGE, actor, now,
          refusal="只有被通知单位的党组织书记或联络员可以签收。")
    notice.acknowledged_at, notice.acknowledged_by_id = now, actor.id
    audit.record("notice.acknowledge", f"notice:{notice.id}", now=now, actor=actor)


# Replies and verification, item by item.

def reply(item: NoticeItem, actor: Person, text: str, *, now: datetime) -> NoticeItem:
    """An item's reply (its text; photos and files attach to it with `attach`): a reply before
    签收 signs for the notice too. The last open item answered tells the issuer. The caller
    commits."""
    notice = item.notice
    require(actor, NoticeAction.REPLY, notice, item, now=now,
            refusal="只有被通知单位的党组织书记、联络员或该项责任人可以回复。")
    text = (text or "").strip()
    if len(text) < MIN_REPLY:
        raise DomainError(f"请写明整改情况（至少{MIN_REPLY}个字）。")
    if notice.state == NoticeState.ISSUED:  # answering is signing for it
        notice.state = TRANSITIONS[(NoticeState.ISSUED, NoticeAction.ACKNOWLEDGE)]
        notice.acknowledged_at, notice.acknowledged_by_id = now, actor.id
        audit.record("notice.acknowledge", f"notice:{notice.id}", now=now, actor=actor,
                     state=str(notice.state), by_reply=True)
    item.state = ITEM_TRANSITIONS[(ItemState(item.state), NoticeAction.REPLY)]
    item.round += 1
    item.reply, item.replied_at, item.replied_by_id = text[:MAX_TEXT], now, actor.id
    session.add(Evidence(notice_id=notice.id, notice_item_id=item.id, round=item.round,
                         kind=EvidenceKind.TEXT, text=text[:MAX_TEXT], created_by_id=actor.id,
                         created_at=now, status=EvidenceStatus.STORED))
    session.flush()
    session.execute(sa.update(Evidence).where(  # what was attached while preparing this round
        Evidence.notice_item_id == item.id, Evidence.round == item.round + 1)
        .values(round=item.round))
    audit.record("notice.reply", f"notice:{notice.id}", now=now, actor=actor, item=item.id,
                 round=item.round, reply=item.reply)
    plan(item, now)
    if not any(other.state in OWED for other in notice.items):
        notice.state = TRANSITIONS[(NoticeState(notice.state), NoticeAction.REPLY)]
        notice.replied_at = now
        plan(notice, now)
        for pid in issuer_ids(notice):
            notify(NotificationKind.NOTICE_REPLIED, pid, now=now, notice_id=notice.id,
                   step=f"replied:{sum(other.round for other in notice.items)}")
    return item


def attach(item: NoticeItem, actor: Person, kind: EvidenceKind, *, now: datetime,
           media_id: str | None = None) -> Evidence:
    """A photo (a chat MediaId, or bytes the page stores) or a file for an item's reply: with
    the reply awaiting verification, or with the one being prepared. The caller commits."""
    notice = item.notice
    replying = NoticeAction.REPLY in allowed(actor, notice, item, now=now)
    if not replying and not (item.state == ItemState.REPLIED and is_unit_side(actor, notice, item)):
        raise NotAllowed("该项当前不能补充材料。")
    number = item.round if item.state == ItemState.REPLIED else item.round + 1
    evidence = Evidence(notice_id=notice.id, notice_item_id=item.id, round=number, kind=kind,
                        media_id=media_id, created_by_id=actor.id, created_at=now,
                        status=EvidenceStatus.RECEIVED)
    session.add(evidence)
    session.flush()
    audit.record(f"notice.{kind}", f"notice:{notice.id}", now=now, actor=actor, item=item.id,
                 evidence=evidence.id)
    return evidence


def attach_to_notice(notice: Notice, actor: Person, kind: EvidenceKind, *,
                     now: datetime) -> Evidence:
    """A photo or file of the notice itself (the findings' proof), by the issuing body while
    it is a draft. The caller stores the bytes and commits."""
    require(actor, NoticeAction.EDIT, notice, now=now, refusal="只有起草单位可以在草稿中添加附件。")
    evidence = Evidence(notice_id=notice.id, kind=kind, created_by_id=actor.id,
                        created_at=now, status=EvidenceStatus.RECEIVED)
    session.add(evidence)
    session.flush()
    audit.record(f"notice.attachment.{kind}", f"notice:{notice.id}", now=now, actor=actor,
                 evidence=evidence.id)
    return evidence


def accept(item: NoticeItem, actor: Person, *, now: datetime) -> NoticeItem:
    """核实通过: the last item accepted puts the notice into 回访, dated follow_up_days on."""
    notice = item.notice
    require(actor, NoticeAction.ACCEPT, notice, item, now=now,
            refusal="只有下发单位可以核实整改情况。")
    item.state = ITEM_TRANSITIONS[(ItemState(item.state), NoticeAction.ACCEPT)]
    item.verified_at, item.verified_by_id = now, actor.id
    audit.record("notice.accept", f"notice:{notice.id}", now=now, actor=actor, item=item.id,
                 round=item.round)
    if all(other.state == ItemState.ACCEPTED for other in notice.items):
        notice.state = TRANSITIONS[(NoticeState(notice.state), NoticeAction.ACCEPT)]
        notice.accepted_at = now
        notice.follow_up_due_at = now + timedelta(days=notice.follow_up_days)
        plan(notice, now)
    return item


def return_item(item: NoticeItem, actor: Person, reason: str, *, now: datetime) -> NoticeItem:
    """退回重改 with a reason: the unit is told, the item owes a reply again (its ladder goes
    on), and the scoring policy's points for a returned item are deducted from the unit."""
    notice = item.notice
    require(actor, NoticeAction.RETURN, notice, item, now=now,
            refusal="只有下发单位可以退回整改。")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(f"请填写退回理由（至少{MIN_REASON}个字）。")
    item.state = ITEM_TRANSITIONS[(ItemState(item.state), NoticeAction.RETURN)]
    item.return_reason, item.returns = reason[:MAX_TEXT], item.returns + 1
    item.verified_at, item.verified_by_id = now, actor.id
    notice.state = TRANSITIONS[(NoticeState(notice.state), NoticeAction.RETURN)]
    audit.record("notice.return", f"notice:{notice.id}", now=now, actor=actor, item=item.id,
                 round=item.round, reason=item.return_reason)
    plan(item, now)
    plan(notice, now)
    points = policy_for(local_date(now).year).notice_return_points
    if points > 0:
        deduction.record(unit=notice.unit, points=points, day=local_date(now), actor=None,
                         now=now, reason=f"{notice.name}{item.label}整改不到位被退回",
                         reference=notice.reference, source=f"notice:{notice.id}")
    for pid in dict.fromkeys(unit_side_ids(notice) + ([item.person_id] if item.person_id
                                                      else [])):
        notify(NotificationKind.NOTICE_RETURNED, pid, now=now, notice_id=notice.id,
               step=f"returned:{item.id}:{item.returns}", data={"item": item.id})
    return item


def close(notice: Notice, actor: Person, note: str, *, now: datetime) -> list:
    """回访 recorded and 销账: only on or after the follow-up date; the unit is told."""
    if notice.state == NoticeState.FOLLOW_UP and notice.follow_up_due_at > now:
        raise Conflict(f"回访日期为{local_date(notice.follow_up_due_at):%Y年%m月%d日}，"
                       "届时回访后再销账。")
    note = (note or "").strip()
    if notice.state == NoticeState.FOLLOW_UP and len(note) < MIN_REASON:
        raise DomainError(f"请填写回访情况（至少{MIN_REASON}个字）。")
    _move(notice, NoticeAction.CLOSE, actor, now, refusal="只有下发单位可以回访销账。")
    audit.record("notice.close", f"notice:{notice.id}", now=now, actor=actor, note=note)
    notice.follow_up_note, notice.closed_at, notice.closed_by_id = note[:MAX_TEXT], now, actor.id
    plan(notice, now)
    return [notify(NotificationKind.NOTICE_CLOSED, pid, now=now, notice_id=notice.id,
                   step="closed") for pid in unit_side_ids(notice)]


def _move(notice: Notice, action: NoticeAction, actor: Person, now: datetime, *,
          refusal: str) -> None:
    """The notice's own move by the table, checked; the caller audits it."""
    target = TRANSITIONS.get((NoticeState(notice.state), action))
    if target is None:
        raise Conflict("该文书已处理。")
    require(actor, action, notice, now=now, refusal=refusal)
    notice.state = target


def _plan_all(notice: Notice, now: datetime) -> None:
    plan(notice, now)
    for item in notice.items:
        plan(item, now)


# Who hears.

def unit_side_ids(notice: Notice) -> list[int]:
    """The unit's liaison and secretary (a vacancy goes up the tree, as the ladder's does)."""
    found = Directory()
    return list(dict.fromkeys(found.posts.get((notice.unit_id, Role.COMMITTEE), [])
                              + found.secretaries(notice.unit_id)))


def issuer_ids(notice: Notice) -> list[int]:
    found = Directory()
    return [pid for role in ISSUING_ROLES for pid in found.posts.get((notice.issuer_id, role), [])]


# What a person has to do about notices (chat 整改通知, the workbench, the phone list).

def replying_items(person, *, now: datetime) -> list[NoticeItem]:
    """The items `person` may answer now, in live notices, the earliest deadline first."""
    query = (sa.select(NoticeItem).join(Notice).where(
        Notice.state.in_((NoticeState.ISSUED, NoticeState.ACKNOWLEDGED, NoticeState.REPLIED)),
        NoticeItem.state.in_(OWED),
        sa.or_(NoticeItem.person_id == person.id,
               (Notice.unit_id == person.unit_id) & sa.literal(person.role in UNIT_SIDE)))
        .order_by(NoticeItem.due_at, NoticeItem.id))
    return [item for item in session.scalars(query)
            if NoticeAction.REPLY in allowed(person, item.notice, item, now=now)]


def issuer_queue(person) -> list[Notice]:
    """The issuing body's notices that wait on it: an item to verify, or the 回访 to record."""
    if person.role not in ISSUING_ROLES:
        return []
    waiting = sa.select(NoticeItem.notice_id).where(NoticeItem.state == ItemState.REPLIED)
    return list(session.scalars(sa.select(Notice).where(
        Notice.issuer_id == person.unit_id,
        sa.or_(Notice.id.in_(waiting), Notice.state == NoticeState.FOLLOW_UP))
        .order_by(Notice.id)))
