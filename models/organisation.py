"""The unit tree as admins maintain it (issue 12): create, rename, move, set kind and
supervising body, merge one unit into another, deactivate. Each change is checked, audited,
and leaves the tree a tree. Who reviews and supervises whom is always read afresh from the
tree (models.hierarchy.Directory), so moved and merged units' open tasks follow at once; their
ladder is replanned here.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import audit
from models.assignment import FINAL_STATES, Assignment, State
from models.db import session
from models.deduction import Deduction
from models.duty import period_label
from models.errors import Conflict, DomainError
from models.escalation import plan
from models.self_check import RiskFollowUp
from models.unit import UNIT_KIND_LABELS, Person, Unit, UnitKind

NAME_MAX = 80
SUPERVISING_KINDS = (UnitKind.DISCIPLINE, UnitKind.COUNTY)
SHOWN = 10  # names listed in a refusal before "等N项"


def _listed(names: list[str]) -> str:
    more = len(names) - SHOWN
    return "、".join(names[:SHOWN]) + (f"等{len(names)}项" if more > 0 else "")


def active_units() -> list[Unit]:
    """Every active unit, for pickers: the tree's order is by kind then name."""
    return list(session.scalars(sa.select(Unit).where(Unit.active.is_(True))
                                .order_by(Unit.kind, Unit.name, Unit.id)))


def path(unit: Unit) -> str:
    """The unit's name path below the county root, e.g. 青山镇/青山镇纪委 (the import's key)."""
    names, seen = [], set()
    while unit is not None and unit.id not in seen and unit.kind != UnitKind.COUNTY:
        seen.add(unit.id)
        names.append(unit.name)
        unit = unit.parent
    return "/".join(reversed(names)) or (unit.name if unit is not None else "")


def descendants(unit: Unit) -> set[int]:
    """Ids of every unit below `unit` (not itself)."""
    children: dict[int | None, list[int]] = {}
    for uid, parent in session.execute(sa.select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(uid)
    found, stack = set(), [unit.id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


@dataclass
class UnitFields:
    """What the unit form (or an import row) sets."""

    name: str
    kind: str
    parent: Unit | None
    supervisor: Unit | None


def check_unit(fields: UnitFields, unit: Unit | None = None) -> None:
    """Raise why `unit` (None: a new unit) cannot take these values: a missing or clashing
    name, an unknown kind, a parent that is itself or below it (a cycle), a supervisor that is
    no discipline body."""
    name = fields.name
    if not name:
        raise DomainError("请填写单位名称。")
    if len(name) > NAME_MAX:
        raise DomainError(f"单位名称不超过{NAME_MAX}个字。")
    if fields.kind not in set(UnitKind):
        raise DomainError("请选择单位类别：" + "、".join(UNIT_KIND_LABELS.values()) + "。")
    parent, supervisor = fields.parent, fields.supervisor
    if parent is not None:
        if not parent.active:
            raise DomainError(f"上级单位“{parent.name}”已停用。")
        if unit is not None and (parent.id == unit.id or parent.id in descendants(unit)):
            raise DomainError(f"不能把“{unit.name}”移到“{parent.name}”之下："
                              "上级单位不能是它自己或它的下级单位。")
    if supervisor is not None:
        if supervisor.kind not in SUPERVISING_KINDS:
            raise DomainError(f"监督单位须为纪检组织或县纪委监委，“{supervisor.name}”不是。")
        if not supervisor.active:
            raise DomainError(f"监督单位“{supervisor.name}”已停用。")
        if unit is not None and supervisor.id == unit.id:
            raise DomainError("单位不能监督它自己。")
    clash = session.scalar(sa.select(Unit.id).where(
        Unit.name == name, Unit.active.is_(True),
        Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id))
    if clash is not None and (unit is None or clash != unit.id):
        raise DomainError(f"{'“' + parent.name + '”下' if parent else ''}已有名为“{name}”的单位。")


def create_unit(fields: UnitFields, *, now: datetime, actor) -> Unit:
    """A new unit in the tree; audited. The caller commits."""
    fields.name = fields.name.strip()
    check_unit(fields)
    unit = Unit(name=fields.name, kind=fields.kind, parent=fields.parent,
                supervisor=fields.supervisor, created_at=now)
    session.add(unit)
    session.flush()
    audit.record("unit.create", f"unit:{unit.id}", now=now, actor=actor, **_described(unit))
    return unit


def update_unit(unit: Unit, fields: UnitFields, *, now: datetime, actor) -> dict:
    """Rename, move (a new parent; a cycle is refused), change kind or supervising body;
    audited with what changed. Returns {field: (old, new)}. The caller commits."""
    fields.name = fields.name.strip()
    check_unit(fields, unit)
    before = _described(unit)
    unit.name, unit.kind = fields.name, fields.kind
    unit.parent, unit.supervisor = fields.parent, fields.supervisor
    session.flush()
    after = _described(unit)
    changed = {key: (before[key], after[key]) for key in after if before[key] != after[key]}
    if changed:
        audit.record("unit.update", f"unit:{unit.id}", now=now, actor=actor,
                     **{key: list(pair) for key, pair in changed.items()})
        if {"parent", "supervisor"} & set(changed):
            _replan(unit_ids=[unit.id, *descendants(unit)], now=now)
    return changed


def _described(unit: Unit) -> dict:
    return {"name": unit.name, "kind": str(unit.kind), "parent": unit.parent_id,
            "supervisor": unit.supervisor_id}


def _replan(unit_ids, now: datetime) -> int:
    """Their open tasks' next ladder step, after the lines of authority above them changed."""
    count = 0
    for task in session.scalars(sa.select(Assignment).where(
            Assignment.unit_id.in_(list(unit_ids)), Assignment.state.not_in(FINAL_STATES))
            .options(joinedload(Assignment.template))):
        plan(task, now)
        count += 1
    return count


@dataclass(frozen=True)
class Clash:
    """A unit task of the merged unit and one of the unit it merges into, for the same
    template and period: only one of them can remain."""

    source: Assignment
    target: Assignment

    def __str__(self) -> str:
        return f"“{self.source.template.title}”（{period_label(self.source.period)}）"


def clashes(source: Unit, target: Unit) -> list[Clash]:
    """The unit tasks (person_key 0) both units have for one template and period, unless one
    side is already cancelled (that one stays behind with the merged unit)."""
    theirs = {(task.template_id, task.period): task for task in _unit_tasks(target)}
    found = []
    for task in _unit_tasks(source):
        other = theirs.get((task.template_id, task.period))
        if other is not None and State.CANCELLED not in (task.state, other.state):
            found.append(Clash(task, other))
    return found


def _unit_tasks(unit: Unit) -> list[Assignment]:
    return list(session.scalars(sa.select(Assignment).where(
        Assignment.unit_id == unit.id, Assignment.person_key == 0)
        .options(joinedload(Assignment.template)).order_by(Assignment.id)))


class MergeClash(Conflict):
    def __init__(self, found: list[Clash]):
        super().__init__("两个单位有同一任务清单、同一周期的单位任务：" + _listed(list(map(str, found)))
                         + "。请先撤销其中一方，再合并。")
        self.clashes = found


def merge_units(source: Unit, target: Unit, *, now: datetime, actor) -> dict:
    """Merge `source` into `target`: its people, sub-units, supervised units, tasks and
    deductions move to `target`; `source` becomes inactive, `merged_into` target, and keeps
    the history that cannot move (a cancelled task clashing with one of target's). Refused
    while a live task of each would clash (MergeClash names them). Audited; the caller
    commits."""
    if source.id == target.id:
        raise DomainError("请选择另一个单位。")
    _lock(source, target)
    if not source.active or not target.active:
        raise DomainError("已停用的单位不能合并。")
    if found := clashes(source, target):
        raise MergeClash(found)
    if target.id in descendants(source):  # merging a unit into one below it
        target.parent = source.parent
        session.flush()
    stays, swapped = set(), []
    theirs = {(task.template_id, task.period): task for task in _unit_tasks(target)}
    for task in _unit_tasks(source):
        other = theirs.get((task.template_id, task.period))
        if other is None:
            continue
        if task.state == State.CANCELLED:
            stays.add(task.id)
        else:  # target's side was cancelled: it trades places with the live one
            other.person_key = -other.id  # out of the unique key's way meanwhile
            swapped.append(other)
            stays.add(other.id)
    session.flush()
    moved = {
        "people": _move(Person, Person.unit_id, source, target),
        "tasks": _move(Assignment, Assignment.unit_id, source, target, Assignment.id.not_in(stays)),
        "deductions": _move(Deduction, Deduction.unit_id, source, target),
        "children": _move(Unit, Unit.parent_id, source, target, Unit.id != target.id),
        "supervised": _move(Unit, Unit.supervisor_id, source, target, Unit.id != target.id),
        # 月度自查's reported risks follow their tasks and their supervising body.
        "self_check_risks": _move(RiskFollowUp, RiskFollowUp.unit_id, source, target,
                                  RiskFollowUp.assignment_id.not_in(stays)),
        "self_check_risks_supervised": _move(RiskFollowUp, RiskFollowUp.body_id, source, target),
    }
    for other in swapped:  # to the merged unit's history
        other.unit_id, other.person_key = source.id, 0
    source.active, source.merged_into_id = False, target.id
    session.flush()
    session.expire_all()
    _replan([target.id, *descendants(target)], now)
    audit.record("unit.merge", f"unit:{source.id}", now=now, actor=actor, into=target.id,
                 kept_cancelled=sorted(stays), **moved)
    return moved


def _lock(*units: Unit) -> None:
    """Lock the units' rows (in id order, so two changes never wait on each other) and read
    them again: a merge or 停用 committed meanwhile by another admin is seen, not undone."""
    session.execute(sa.select(Unit.id).where(Unit.id.in_([unit.id for unit in units]))
                    .order_by(Unit.id).with_for_update())
    for unit in units:
        session.refresh(unit)


def _move(model, column, source: Unit, target: Unit, *where) -> int:
    return session.execute(sa.update(model).where(column == source.id, *where)
                           .values({column.key: target.id})
                           .execution_options(synchronize_session=False)).rowcount


def blockers(unit: Unit) -> list[str]:
    """Why `unit` cannot be deactivated now: its active people, unfinished tasks, active
    sub-units and the units it supervises, each named."""
    people = session.scalars(sa.select(Person.name).where(
        Person.unit_id == unit.id, Person.active.is_(True)).order_by(Person.id)).all()
    tasks = session.execute(sa.select(Assignment).where(
        Assignment.unit_id == unit.id, Assignment.state.not_in(FINAL_STATES))
        .options(joinedload(Assignment.template), joinedload(Assignment.person))
        .order_by(Assignment.due_at)).scalars().all()
    children = session.scalars(sa.select(Unit.name).where(
        Unit.parent_id == unit.id, Unit.active.is_(True)).order_by(Unit.id)).all()
    supervised = session.scalars(sa.select(Unit.name).where(
        Unit.supervisor_id == unit.id, Unit.active.is_(True), Unit.id != unit.id)
        .order_by(Unit.id)).all()
    found = []
    if people:
        found.append(f"尚有在职人员：{_listed(list(people))}（请先调动或停用）")
    if tasks:
        found.append("尚有未办结任务：" + _listed([
            f"“{task.template.title}”（{period_label(task.period)}，"
            f"{task.person.name if task.person else '单位'}）"
            for task in tasks]) + "（请先办结、改派或撤销）")
    if children:
        found.append(f"尚有下级单位：{_listed(list(children))}（请先移到其他单位之下）")
    if supervised:
        found.append(f"仍在监督：{_listed(list(supervised))}（请先为它们另设监督单位）")
    return found


class CannotDeactivate(Conflict):
    def __init__(self, unit: Unit, reasons: list[str]):
        super().__init__(f"“{unit.name}”暂不能停用：" + "；".join(reasons) + "。")
        self.reasons = reasons


def deactivate_unit(unit: Unit, *, now: datetime, actor) -> None:
    """停用 a unit that nobody and nothing depends on any more; audited. The caller commits."""
    _lock(unit)
    if not unit.active:
        raise Conflict(f"“{unit.name}”已停用。")
    if reasons := blockers(unit):
        raise CannotDeactivate(unit, reasons)
    unit.active = False
    audit.record("unit.deactivate", f"unit:{unit.id}", now=now, actor=actor, name=unit.name)


def reactivate_unit(unit: Unit, *, now: datetime, actor) -> None:
    """Undo a 停用 (not a merge: the merged unit's people and tasks are the other's now)."""
    if unit.active:
        raise Conflict(f"“{unit.name}”未停用。")
    if unit.merged_into_id is not None:
        raise Conflict(f"“{unit.name}”已并入其他单位，不能恢复。")
    unit.active = True
    audit.record("unit.reactivate", f"unit:{unit.id}", now=now, actor=actor, name=unit.name)
