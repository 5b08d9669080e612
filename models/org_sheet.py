"""The organisation as a workbook (issue 12): units, people, posts and risk points, one sheet
each, exported and imported in the same columns, so export → edit → import round-trips.

An import is applied row by row through the same functions the admin pages call
(models.organisation, models.account, models.post), so every check and audit is theirs. A
preview applies it inside a savepoint and rolls back: it reports each row as new, changed or
unchanged, and every problem naming its sheet, row and column. Saving applies it again and
commits only when no row has a problem. Rows are never deleted by an import.

Keys: a unit by its name path below the county (青山镇/青山镇纪委), or by its name when no other
active unit has it (then a new 上级单位 moves it); a person by phone when given and known, else
by name within the unit; a post by its holder and name; a risk point by its post and text.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from models import audit
from models.account import (PersonFields, check_phone, create_person, move_person,
                            update_person)
from models.db import session
from models.errors import DomainError
from models.handover import unfinished
from models.organisation import UnitFields, create_unit, path, update_unit
from models.post import RISK_LEVEL_LABELS, Post, RiskPoint, save_post, save_risk_point
from models.unit import ROLE_LABELS, UNIT_KIND_LABELS, Person, Unit, UnitKind

UNITS, PEOPLE, POSTS, RISKS = "单位", "人员", "岗位", "风险点"
COLUMNS = {
    UNITS: ("单位名称", "上级单位", "单位类别", "监督单位"),
    PEOPLE: ("姓名", "所属单位", "角色", "职务", "手机号"),
    POSTS: ("姓名", "所属单位", "岗位名称", "岗位职责"),
    RISKS: ("姓名", "所属单位", "岗位名称", "风险点", "风险等级", "防控措施", "责任人"),
}
EXAMPLE = "示例"  # the template's example rows start so and must be rewritten or deleted
KINDS = {label: kind for kind, label in UNIT_KIND_LABELS.items()} | {"村": UnitKind.VILLAGE,
                                                                   "社区": UnitKind.VILLAGE}
ROLES = {label: role for role, label in ROLE_LABELS.items()}
LEVELS = {label: level for level, label in RISK_LEVEL_LABELS.items()}
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
SHOWN_PROBLEMS = 50


@dataclass
class RowResult:
    sheet: str
    number: int
    label: str
    outcome: str  # NEW, CHANGED, UNCHANGED
    changes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """What an import did (or would do): each row's outcome, and the problems."""

    rows: list[RowResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def counts(self, sheet: str) -> dict[str, int]:
        found = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for row in self.rows:
            if row.sheet == sheet:
                found[row.outcome] += 1
        return found

    def shown_problems(self) -> list[str]:
        more = len(self.problems) - SHOWN_PROBLEMS
        return self.problems[:SHOWN_PROBLEMS] + ([f"另有{more}处有误。"] if more > 0 else [])


class Problem(Exception):
    """One cell that is wrong: its column and why."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def cell_text(value) -> str:
    """A cell as the admin typed it: a number typed into a text column (a phone) as digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_rows(sheets: dict[str, list[tuple[int, list]]], *, now, actor,
                apply: bool) -> Report:
    """Apply the numbered rows of each sheet (the first row of each is its header) in one
    savepoint; roll it back unless `apply` and there were no problems. The caller commits."""
    report = Report()
    if not any(sheets.get(name) for name in COLUMNS):
        report.problems.append("文件中没有“单位”“人员”“岗位”“风险点”任何一张表，请下载模板按格式填写。")
        return report
    savepoint = session.begin_nested()
    try:
        _Importer(report, now, actor).run(sheets)
    except BaseException:
        savepoint.rollback()
        raise
    if apply and not report.problems:
        savepoint.commit()
        audit.record("org.import", "organisation", now=now, actor=actor,
                     **{sheet: report.counts(sheet) for sheet in COLUMNS})
    else:
        savepoint.rollback()
    return report


class _Importer:
    def __init__(self, report: Report, now, actor):
        self.report, self.now, self.actor = report, now, actor
        self._paths: dict[str, Unit] | None = None

    def unit_named(self, reference: str, column: str) -> Unit | None:
        """The active unit a cell names by path or unique name (blank: none)."""
        if not reference:
            return None
        if self._paths is None:  # rebuilt after each 单位 row: rows may add or move units
            self._paths = {path(unit): unit for unit in session.scalars(
                sa.select(Unit).where(Unit.active.is_(True)))}
        if reference in self._paths:
            return self._paths[reference]
        named = [unit for unit in self._paths.values() if unit.name == reference]
        if len(named) > 1:
            raise Problem(column, f"有{len(named)}个单位名为“{reference}”，请写完整路径，如"
                          f"“{path(named[0])}”")
        if not named:
            raise Problem(column, f"找不到单位“{reference}”")
        return named[0]

    def run(self, sheets) -> None:
        units = self._rows(sheets, UNITS)
        for number, cells in units:
            self._row(UNITS, number, cells, self.unit_row)
        for number, cells in units:  # supervisors may be named before their rows come
            self._row(UNITS, number, cells, self.unit_supervisor)
        for sheet, handler in ((PEOPLE, self.person_row), (POSTS, self.post_row),
                               (RISKS, self.risk_row)):
            for number, cells in self._rows(sheets, sheet):
                self._row(sheet, number, cells, handler)

    def _rows(self, sheets, sheet: str) -> list[tuple[int, dict]]:
        rows = [(n, [cell_text(c) for c in cells]) for n, cells in sheets.get(sheet) or []]
        rows = [(n, cells) for n, cells in rows if any(cells)]
        if not rows:
            return []
        header, columns = rows[0][1], COLUMNS[sheet]
        if missing := [name for name in columns[:2] if name not in header]:
            self.report.problems.append(f"「{sheet}」表第{rows[0][0]}行应为表头，缺少"
                                        + "、".join(f"「{name}」" for name in missing) + "列。")
            return []
        where = {name: header.index(name) for name in columns if name in header}
        return [(n, {name: cells[i] if i < len(cells) else "" for name, i in where.items()})
                for n, cells in rows[1:]]

    def _row(self, sheet: str, number: int, cells: dict, handler) -> None:
        try:
            if any(value.startswith(EXAMPLE) for value in cells.values()):
                raise Problem(COLUMNS[sheet][0], "这是模板中的示例行，请改写或删除")
            with session.begin_nested():
                result = handler(cells)
            if sheet == UNITS:
                self._paths = None
        except Problem as problem:
            self._paths = None
            self.report.problems.append(f"「{sheet}」表第{number}行「{problem.column}」："
                                        f"{problem.message.rstrip('。')}。")
            return
        if result is not None:
            result.sheet, result.number = sheet, number
            if not (handler == self.unit_supervisor and self._merge(result)):
                self.report.rows.append(result)

    def _merge(self, result: RowResult) -> bool:
        """The supervisor pass adds its changes to the row's first-pass result."""
        for row in self.report.rows:
            if row.sheet == result.sheet and row.number == result.number:
                row.changes += result.changes
                if result.changes and row.outcome == UNCHANGED:
                    row.outcome = CHANGED
                return True
        return False

    # 单位
    def unit_row(self, cells: dict) -> RowResult:
        name = _required(cells, "单位名称")
        kind = KINDS.get(cells.get("单位类别", ""))
        if kind is None:
            raise Problem("单位类别", f"“{cells.get('单位类别', '')}”应为"
                          + "、".join(UNIT_KIND_LABELS.values()))
        parent = self.unit_named(cells.get("上级单位", ""), "上级单位")
        unit = _existing_unit(name, parent)
        fields = UnitFields(name=name, kind=kind, parent=parent,
                            supervisor=unit.supervisor if unit else None)
        with _column("单位名称"):
            if unit is None:
                unit = create_unit(fields, now=self.now, actor=self.actor)
                return RowResult(UNITS, 0, path(unit), NEW)
            changed = update_unit(unit, fields, now=self.now, actor=self.actor)
        return _result(UNITS, path(unit), _described(changed, unit_label))

    def unit_supervisor(self, cells: dict) -> RowResult | None:
        parent = self.unit_named(cells.get("上级单位", ""), "上级单位")
        unit = _existing_unit(cells.get("单位名称", ""), parent)
        if unit is None:
            return None
        supervisor = self.unit_named(cells.get("监督单位", ""), "监督单位")
        with _column("监督单位"):
            changed = update_unit(unit, UnitFields(unit.name, unit.kind, unit.parent, supervisor),
                                  now=self.now, actor=self.actor)
        return RowResult(UNITS, 0, path(unit), UNCHANGED, _described(changed, unit_label))

    # 人员
    def person_row(self, cells: dict) -> RowResult:
        name = _required(cells, "姓名")
        unit = self.unit_named(_required(cells, "所属单位"), "所属单位")
        role = ROLES.get(cells.get("角色", ""))
        if role is None:
            raise Problem("角色", f"“{cells.get('角色', '')}”应为" + "、".join(ROLE_LABELS.values()))
        phone = cells.get("手机号", "")
        person = (_by_phone(phone) if phone else None) or _person_named(name, unit, "姓名",
                                                                        needed=False)
        fields = PersonFields(name=name, unit=unit, role=role, title=cells.get("职务", ""),
                              phone=phone)
        with _column("手机号"):
            check_phone(phone, person)
        if person is None:
            with _column("姓名"):
                person = create_person(fields, now=self.now, actor=self.actor)
            return RowResult(PEOPLE, 0, f"{name}（{unit.name}）", NEW)
        moved = []
        if person.unit_id != unit.id:
            if unfinished(person):
                raise Problem("所属单位", f"{person.name}在{person.unit.name}尚有未办结任务，"
                              "请在“人员与绑定”页面点“调动”逐项改派或撤销")
            old = person.unit.name
            with _column("所属单位"):
                move_person(person, unit, {}, now=self.now, actor=self.actor)
            moved = [f"所属单位：{old} → {unit.name}"]
        with _column("姓名"):
            changed = update_person(person, fields, now=self.now, actor=self.actor)
        return _result(PEOPLE, f"{name}（{unit.name}）", moved + _described(changed, person_label))

    # 岗位
    def post_row(self, cells: dict) -> RowResult:
        person = self._holder(cells)
        name = _required(cells, "岗位名称")
        duties = cells.get("岗位职责", "")
        post = session.scalar(sa.select(Post).where(Post.person_id == person.id,
                                                    Post.name == name))
        changes = [] if post is None or post.duties == duties else ["岗位职责"]
        if post is None or changes:
            with _column("岗位名称"):
                save_post(person, name, duties, now=self.now, actor=self.actor, post=post)
        label = f"{person.name}·{name}"
        return RowResult(POSTS, 0, label, NEW) if post is None else _result(POSTS, label, changes)

    # 风险点
    def risk_row(self, cells: dict) -> RowResult:
        person = self._holder(cells)
        post_name = _required(cells, "岗位名称")
        post = session.scalar(sa.select(Post).where(Post.person_id == person.id,
                                                    Post.name == post_name))
        if post is None:
            raise Problem("岗位名称", f"{person.name}没有岗位“{post_name}”（可在“岗位”表中添加）")
        description = _required(cells, "风险点")
        level = LEVELS.get(cells.get("风险等级", ""))
        if level is None:
            raise Problem("风险等级", f"“{cells.get('风险等级', '')}”应为高、中或低")
        responsible = person
        if cells.get("责任人"):
            responsible = _person_named(cells["责任人"], person.unit, "责任人")
        measures = cells.get("防控措施", "")
        point = session.scalar(sa.select(RiskPoint).where(RiskPoint.post_id == post.id,
                                                          RiskPoint.description == description))
        changes = [] if point is None else [label for label, same in (
            ("风险等级", point.level == level), ("防控措施", point.measures == measures),
            ("责任人", point.responsible_id == responsible.id)) if not same]
        if point is None or changes:
            with _column("风险点"):
                save_risk_point(post, description, level, measures, responsible, now=self.now,
                                actor=self.actor, point=point)
        label = f"{person.name}·{post_name}·{description[:20]}"
        return RowResult(RISKS, 0, label, NEW) if point is None else _result(RISKS, label, changes)

    def _holder(self, cells: dict) -> Person:
        unit = self.unit_named(_required(cells, "所属单位"), "所属单位")
        return _person_named(_required(cells, "姓名"), unit, "姓名")


class _column:
    """Turn a domain refusal inside the block into a Problem in `name`'s column."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback):
        if isinstance(error, DomainError):
            raise Problem(self.name, error.message) from error
        return False


def _required(cells: dict, column: str) -> str:
    if not cells.get(column):
        raise Problem(column, "不能为空")
    return cells[column]


def _result(sheet: str, label: str, changes: list[str]) -> RowResult:
    return RowResult(sheet, 0, label, CHANGED if changes else UNCHANGED, changes)


def _described(changed: dict, labels: dict) -> list[str]:
    return [f"{labels[key][0]}：{labels[key][1](old)} → {labels[key][1](new)}"
            for key, (old, new) in changed.items() if key in labels]


def _unit_name(unit_id) -> str:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else "（无）"


unit_label = {"name": ("单位名称", str), "parent": ("上级单位", _unit_name),
              "kind": ("单位类别", lambda kind: UNIT_KIND_LABELS[UnitKind(kind)]),
              "supervisor": ("监督单位", _unit_name)}
person_label = {"name": ("姓名", str), "title": ("职务", lambda text: text or "（空）"),
                "phone": ("手机号", lambda text: text or "（空）"),
                "role": ("角色", lambda role: ROLE_LABELS[role])}


def _existing_unit(name: str, parent: Unit | None) -> Unit | None:
    """The unit a 单位 row is about: by its path under `parent`, else the one active unit of
    that name anywhere (the row then moves it)."""
    here = session.scalar(sa.select(Unit).where(
        Unit.active.is_(True), Unit.name == name,
        Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id))
    if here is not None:
        return here
    named = session.scalars(sa.select(Unit).where(Unit.active.is_(True),
                                                  Unit.name == name)).all()
    return named[0] if len(named) == 1 else None


def _by_phone(phone: str) -> Person | None:
    return session.scalar(sa.select(Person).where(Person.phone == phone,
                                                  Person.active.is_(True)))


def _person_named(name: str, unit: Unit, column: str, *, needed: bool = True) -> Person | None:
    found = session.scalars(sa.select(Person).where(
        Person.name == name, Person.unit_id == unit.id, Person.active.is_(True))).all()
    if len(found) > 1:
        raise Problem(column, f"{unit.name}有{len(found)}名在职人员叫{name}，请填写手机号加以区分")
    if not found and needed:
        raise Problem(column, f"{unit.name}没有在职人员“{name}”")
    return found[0] if found else None


def export_rows() -> dict[str, list[list[str]]]:
    """Every active unit, person, post and risk point, in the import's columns (headers
    first), parents before children."""
    units = session.scalars(sa.select(Unit).where(Unit.active.is_(True))
                            .order_by(Unit.kind, Unit.name, Unit.id)).all()
    ordered, seen = [], set()

    def walk(parent_id):
        for unit in units:
            if unit.parent_id == parent_id and unit.id not in seen:
                seen.add(unit.id)
                ordered.append(unit)
                walk(unit.id)

    walk(None)
    ordered += [unit for unit in units if unit.id not in seen]
    people = session.scalars(sa.select(Person).where(Person.active.is_(True))
                             .order_by(Person.unit_id, Person.id)).all()
    posts = session.scalars(sa.select(Post).join(Post.person).where(Person.active.is_(True))
                            .order_by(Person.unit_id, Person.id, Post.id)).all()
    return {
        UNITS: [list(COLUMNS[UNITS])] + [
            [unit.name, path(unit.parent) if unit.parent else "", unit.kind_label,
             path(unit.supervisor) if unit.supervisor else ""] for unit in ordered],
        PEOPLE: [list(COLUMNS[PEOPLE])] + [
            [p.name, path(p.unit), p.role_label, p.title, p.phone] for p in people],
        POSTS: [list(COLUMNS[POSTS])] + [
            [post.person.name, path(post.person.unit), post.name, post.duties] for post in posts],
        RISKS: [list(COLUMNS[RISKS])] + [
            [post.person.name, path(post.person.unit), post.name, point.description,
             point.level_label, point.measures,
             point.responsible.name if point.responsible else ""]
            for post in posts for point in post.risk_points],
    }
