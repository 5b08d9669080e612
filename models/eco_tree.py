"""The indicator tree of the political-ecology index (政治生态指数) as data: first-, second- and
third-level indicators, the weights of each node's children summing to 100, each third-level
one naming an indicator of models.eco_indicator, and the colour thresholds. Versioned per year
like the scoring policy: saving adds a version, none is ever edited; a computed month keeps the
tree it used (models.eco_index).

A node is {"name", "weight", "children"} (levels 1 and 2) or {"name", "weight", "indicator",
"step"} (level 3; `step` is the 每项扣分 of a per-item indicator). A leaf's share of the index
is the product of the weights on its path, each out of 100.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models import audit
from models.db import Base, session
from models.eco_indicator import INDICATORS, PER_ITEM
from models.errors import DomainError, NotAllowed
from models.unit import Person, Role

MAX_NAME = 20
COLOURS = ("green", "yellow", "orange", "red")
COLOUR_LABELS = {"green": "绿色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
LEVEL_LABELS = {1: "一级指标", 2: "二级指标", 3: "三级指标"}
DEFAULT_THRESHOLDS = {"green": 90, "yellow": 80, "orange": 70}  # at least this: that colour


def _leaf(name, weight, indicator, step=None):
    node = {"name": name, "weight": weight, "indicator": indicator}
    if INDICATORS[indicator].rule == PER_ITEM:
        node["step"] = str(step if step is not None else INDICATORS[indicator].step)
    return node


DEFAULT_NODES = [
    {"name": "党内监督严实度", "weight": 40, "children": [
        {"name": "责任落实", "weight": 50, "children": [
            _leaf("按时完成率", 60, "on_time_rate"), _leaf("工作督办", 40, "supervised")]},
        {"name": "预警情况", "weight": 50, "children": [
            _leaf("蓝色预警", 20, "warnings_blue"), _leaf("黄色预警", 30, "warnings_yellow"),
            _leaf("红色预警", 50, "warnings_red")]}]},
    {"name": "公职人员清廉度", "weight": 35, "children": [
        {"name": "问题整改", "weight": 40, "children": [
            _leaf("整改逾期", 60, "notices_overdue"), _leaf("抽查不实", 40, "spot_check_false")]},
        {"name": "执纪问责", "weight": 60, "children": [
            _leaf("扣分", 40, "deducted"), _leaf("问题线索件数", 60, "clues")]}]},
    {"name": "人民群众满意度", "weight": 25, "children": [
        {"name": "群众监督", "weight": 60, "children": [
            _leaf("信访举报件数", 60, "petitions"), _leaf("巡察发现问题数", 40, "inspection_findings")]},
        {"name": "自我净化修复", "weight": 40, "children": [
            _leaf("自查风险跟进率", 100, "self_check_followed")]}]},
]


class IndicatorTree(Base):
    """One version of a year's indicator tree and colour thresholds."""

    __tablename__ = "indicator_tree"
    __table_args__ = (sa.UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    version: Mapped[int]
    nodes: Mapped[list] = mapped_column(sa.JSON)
    thresholds: Mapped[dict] = mapped_column(sa.JSON)
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))


@dataclass(frozen=True)
class Tree:
    """The tree one computation uses: a stored version, or the default (version 0)."""

    year: int
    nodes: list
    thresholds: dict
    version: int = 0
    tree_id: int | None = None

    def leaves(self) -> list[dict]:
        """Each third-level indicator with its code ("1.2.3"), path of names and share of the
        index (points out of 100)."""
        found = []
        for i, first in enumerate(self.nodes, 1):
            for j, second in enumerate(first["children"], 1):
                for k, leaf in enumerate(second["children"], 1):
                    share = Decimal(first["weight"]) * second["weight"] * leaf["weight"] / 10000
                    found.append({**leaf, "code": f"{i}.{j}.{k}",
                                  "path": [first["name"], second["name"], leaf["name"]],
                                  "share": share})
        return found

    def colour(self, index: Decimal) -> str:
        for colour in COLOURS[:3]:
            if index >= self.thresholds[colour]:
                return colour
        return "red"

    def as_dict(self) -> dict:
        return {"year": self.year, "version": self.version, "tree_id": self.tree_id,
                "nodes": self.nodes, "thresholds": self.thresholds}


def tree_for(year: int) -> Tree:
    """The year's newest version; else the latest earlier year's (carried over); else the
    default tree."""
    row = session.scalars(sa.select(IndicatorTree).where(IndicatorTree.year <= year).order_by(
        IndicatorTree.year.desc(), IndicatorTree.version.desc()).limit(1)).first()
    if row is None:
        return Tree(year, DEFAULT_NODES, dict(DEFAULT_THRESHOLDS))
    return Tree(year, row.nodes, row.thresholds, row.version, row.id)


def versions(year: int) -> list[IndicatorTree]:
    return list(session.scalars(sa.select(IndicatorTree).where(IndicatorTree.year == year)
                                .order_by(IndicatorTree.version.desc())))


def may_edit(person: Person | None) -> bool:
    return person is not None and person.role in (Role.ADMIN, Role.INSPECTOR)


def save_tree(year: int, nodes: list, thresholds: dict, *, actor: Person, now: datetime,
              note: str = "") -> IndicatorTree:
    """A new version of `year`'s tree, validated (every refusal names the node) and audited.
    The caller commits."""
    if not may_edit(actor):
        raise NotAllowed("只有系统管理员或县纪委监委审核人员可以修改指标体系。")
    if not 2000 <= int(year) <= 2100:
        raise DomainError("年度不正确。")
    tidy = validated(nodes)
    limits = validated_thresholds(thresholds)
    latest = session.scalar(sa.select(sa.func.max(IndicatorTree.version))
                            .where(IndicatorTree.year == year)) or 0
    row = IndicatorTree(year=year, version=latest + 1, nodes=tidy, thresholds=limits,
                        note=(note or "").strip()[:200], created_at=now, created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record("eco_tree.save", f"indicator_tree:{row.id}", now=now, actor=actor, year=year,
                 version=row.version, nodes=tidy, thresholds=limits)
    return row


def validated(nodes: list, level: int = 1, parent: str = "") -> list:
    """The nodes tidied (names stripped, weights whole numbers), or DomainError in Chinese."""
    where = f"“{parent}”下的" if parent else ""
    if not nodes:
        raise DomainError(f"{where}{LEVEL_LABELS[level]}至少要有一项。" if parent
                          else "指标体系至少要有一项一级指标。")
    tidy, used = [], set()
    for node in nodes:
        name = str(node.get("name") or "").strip()
        if not name or len(name) > MAX_NAME:
            raise DomainError(f"{where}{LEVEL_LABELS[level]}名称须为1到{MAX_NAME}个字。")
        if name in used:
            raise DomainError(f"{where}{LEVEL_LABELS[level]}“{name}”重复。")
        used.add(name)
        entry = {"name": name, "weight": _weight(node.get("weight"), name)}
        if level < 3:
            entry["children"] = validated(node.get("children") or [], level + 1, name)
        else:
            entry.update(_indicator(node, name))
        tidy.append(entry)
    total = sum(entry["weight"] for entry in tidy)
    if total != 100:
        raise DomainError(f"{where}{LEVEL_LABELS[level]}权重合计为{total}，应为100。")
    if level == 1:
        keys = [leaf["indicator"] for first in tidy for second in first["children"]
                for leaf in second["children"]]
        twice = next((key for key in keys if keys.count(key) > 1), None)
        if twice:
            raise DomainError(f"指标“{INDICATORS[twice].name}”只能使用一次。")
    return tidy


def _weight(value, name: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise DomainError(f"“{name}”的权重请填写1到100之间的整数。")
    return int(text)


def _indicator(node: dict, name: str) -> dict:
    key = node.get("indicator")
    if key not in INDICATORS:
        raise DomainError(f"请为三级指标“{name}”选择计算或录入的数据项。")
    if INDICATORS[key].rule != PER_ITEM:
        return {"indicator": key}
    step = node.get("step")
    try:
        step = Decimal(str(step).strip()) if step not in (None, "") else INDICATORS[key].step
    except InvalidOperation:
        step = None
    if step is None or not step.is_finite() or not 0 <= step <= 100 or step != round(step, 2):
        raise DomainError(f"“{name}”的每项扣分请填写0到100之间的数字（最多两位小数）。")
    return {"indicator": key, "step": f"{step.normalize():f}"}


def validated_thresholds(thresholds: dict) -> dict:
    found = {}
    for colour in COLOURS[:3]:
        text = str(thresholds.get(colour, "")).strip()
        if not text.isdigit() or not 1 <= int(text) <= 100:
            raise DomainError(f"{COLOUR_LABELS[colour]}的分数线请填写1到100之间的整数。")
        found[colour] = int(text)
    if not found["green"] > found["yellow"] > found["orange"]:
        raise DomainError("分数线须为 绿色 > 黄色 > 橙色（低于橙色分数线为红色）。")
    return found
