"""The monthly political-ecology index (政治生态指数, 常山 "一图一表一指数"): each unit's 0–100
index and colour 绿/黄/橙/红, computed from the year's indicator tree (models.eco_tree) and
frozen per month, so a month reads the same whenever it is shown.

How a month is computed (`compute`):
- computed indicators read qinglian's data as of the month's last instant (models.eco_indicator:
  what happened later is not seen); entered ones (models.eco_manual) as entered by the time of
  computing;
- each third-level indicator's value becomes a 0–100 score by its rule; the index is the sum
  over them of score × share, the share being the product of the weights on its path (each out
  of 100), rounded to hundredths; the colour is the first whose threshold the index reaches
  (绿 ≥ 90, 黄 ≥ 80, 橙 ≥ 70, else 红 by default).
Computing a month again adds a version (an edit to an entered value shows only then); with
nothing changed it gives the same values.
"""

import hashlib
import json
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit, eco_manual
from models.clock import SHANGHAI
from models.dashboard import month_start
from models.db import Base, session
from models.eco_indicator import CENT, HUNDRED, INDICATORS, RATE, rule_text, score
from models.eco_tree import COLOUR_LABELS, COLOURS, tree_for
from models.errors import DomainError, NotAllowed, NotFound
from models.scoring import RANKED_KINDS
from models.unit import Person, Role, Unit

MONTH = re.compile(r"^(20\d{2}|2100)-(0[1-9]|1[0-2])$")


class IndexMonth(Base):
    """One computed version of a month: the tree it used and every unit's values, frozen."""

    __tablename__ = "index_month"
    __table_args__ = (sa.UniqueConstraint("month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7))
    version: Mapped[int]
    tree_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator_tree.id"))
    tree_version: Mapped[int]
    as_of: Mapped[datetime]
    computed_at: Mapped[datetime]
    computed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[dict] = mapped_column(sa.JSON)

    computed_by: Mapped[Person | None] = relationship()


class IndexValue(Base):
    """One unit's index and colour in one computed month (the trend reads these)."""

    __tablename__ = "index_value"
    __table_args__ = (sa.UniqueConstraint("index_month_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    index_month_id: Mapped[int] = mapped_column(sa.ForeignKey("index_month.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    index: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    colour: Mapped[str] = mapped_column(sa.String(10))


def parse_month(text) -> tuple[int, int]:
    found = MONTH.match(str(text or "").strip())
    if not found:
        raise DomainError("月份请写成 2026-11 的样子。")
    return int(found[1]), int(found[2])


def bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's (Shanghai), aware UTC."""
    year, number = parse_month(month)
    return month_start(year, number), month_start(year, number + 1)


def previous_month(now: datetime) -> str:
    """The last month that has ended at `now`."""
    start = month_start(*_year_month(now)) - timedelta(days=1)
    return "%04d-%02d" % _year_month(start)


def _year_month(instant: datetime) -> tuple[int, int]:
    local = instant.astimezone(SHANGHAI)
    return local.year, local.month


def may_compute(person: Person | None) -> bool:
    return person is not None and person.role in (Role.INSPECTOR, Role.ADMIN)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(CENT, ROUND_HALF_UP):.2f}"


def units() -> list[Unit]:
    """The units that get an index: the ranked kinds (models.scoring), active, by kind."""
    found = session.scalars(sa.select(Unit).where(Unit.kind.in_(RANKED_KINDS),
                                                  Unit.active.is_(True)))
    return sorted(found, key=lambda u: (RANKED_KINDS.index(u.kind), u.id))


def compute(month: str, now: datetime) -> dict:
    """Every unit's index for `month` (the module's rules), as plain JSON values."""
    start, end = bounds(month)
    if end > now:
        raise DomainError(f"{month}尚未结束，月末之后才能计算该月指数。")
    as_of = end - timedelta(microseconds=1)
    tree = tree_for(int(month[:4]))
    found = units()
    ids = {unit.id for unit in found}
    entered = eco_manual.values(month, ids, as_of=now)
    leaves, readings = [], {}
    for leaf in tree.leaves():
        indicator = INDICATORS[leaf["indicator"]]
        step = Decimal(leaf["step"]) if "step" in leaf else None
        leaves.append({"code": leaf["code"], "path": leaf["path"], "indicator": indicator.key,
                       "share": _money(leaf["share"]), "step": leaf.get("step"),
                       "unit": indicator.unit, "formula": indicator.formula,
                       "rule": rule_text(indicator, step), "manual": indicator.manual,
                       "ref_kind": indicator.refs})
        readings[leaf["code"]] = (indicator, step, leaf["share"], indicator.read(
            ids, start, end, as_of) if not indicator.manual else None)
    rows = []
    for unit in found:
        values, total = {}, Decimal(0)
        for code, (indicator, step, share, read) in readings.items():
            values[code] = _value(indicator, step, share, unit.id, read, entered)
            total += Decimal(values[code]["score"]) * share / HUNDRED
        index = total.quantize(CENT, ROUND_HALF_UP)
        rows.append({"unit_id": unit.id, "name": unit.name, "kind": str(unit.kind),
                     "index": _money(index), "colour": tree.colour(index), "values": values})
    return {"month": month, "as_of": as_of.isoformat(), "computed_at": now.isoformat(),
            "tree": tree.as_dict(), "leaves": leaves, "units": rows}


def _value(indicator, step, share, unit_id: int, read, entered: dict) -> dict:
    if indicator.manual:
        row = entered.get((unit_id, indicator.key))
        value, refs = (row.value if row else None), ()
        note = f"来源：{row.source}" if row else "本月未录入，按0计"
        entry = {"entry_id": row.id if row else None}
    else:
        value, refs, note = read.get(unit_id) or (None, (), "")
        entry = {}
        if not note and indicator.rule == RATE:
            note = "暂无数据，按满分计"
        elif not note:
            value, note = Decimal(0), "本月没有"
    points = score(indicator, value, step)
    lost = (HUNDRED - points) * share / HUNDRED
    return {"value": _money(value), "score": _money(points), "lost": _money(lost),
            "note": note, "refs": list(refs), **entry}


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def freeze(month: str, *, actor: Person | None, now: datetime) -> IndexMonth:
    """Compute `month` and store it as its next version, audited with its sha256. The caller
    commits."""
    if actor is not None and not may_compute(actor):
        raise NotAllowed("只有县纪委监委审核人员或系统管理员可以计算政治生态指数。")
    content = compute(month, now)
    version = (session.scalar(sa.select(sa.func.max(IndexMonth.version))
                              .where(IndexMonth.month == month)) or 0) + 1
    content["version"] = version
    digest = hashlib.sha256(canonical(content)).hexdigest()
    row = IndexMonth(month=month, version=version, tree_id=content["tree"]["tree_id"],
                     tree_version=content["tree"]["version"],
                     as_of=datetime.fromisoformat(content["as_of"]), computed_at=now,
                     computed_by_id=actor.id if actor else None, sha256=digest, content=content)
    session.add(row)
    session.flush()
    for unit in content["units"]:
        session.add(IndexValue(index_month_id=row.id, unit_id=unit["unit_id"],
                               index=Decimal(unit["index"]), colour=unit["colour"]))
    session.flush()
    audit.record("eco_index.compute", f"index_month:{row.id}", now=now, actor=actor,
                 month=month, version=version, sha256=digest, tree_version=row.tree_version,
                 units=len(content["units"]))
    return row


def latest(month: str) -> IndexMonth | None:
    return session.scalar(sa.select(IndexMonth).where(IndexMonth.month == month)
                          .order_by(IndexMonth.version.desc()).limit(1))


def get(month: str) -> IndexMonth:
    parse_month(month)
    row = latest(month)
    if row is None:
        raise NotFound(f"{month}的政治生态指数尚未计算。")
    return row


def months() -> list[str]:
    """The computed months, newest first."""
    return list(session.scalars(sa.select(IndexMonth.month).distinct()
                                .order_by(IndexMonth.month.desc())))


def unit_row(content: dict, unit_id: int) -> dict:
    row = next((u for u in content["units"] if u["unit_id"] == unit_id), None)
    if row is None:
        raise NotFound("该单位没有本月的政治生态指数。")
    return row


def explain(content: dict, unit_id: int) -> dict:
    """Why the unit has its colour: the thresholds it sits between, and each indicator with
    the points it lost, most first."""
    unit = unit_row(content, unit_id)
    limits = content["tree"]["thresholds"]
    index, colour = Decimal(unit["index"]), unit["colour"]
    position = COLOURS.index(colour)
    why = [f"指数{unit['index']}"]
    if position > 0:
        above = COLOURS[position - 1]
        why.append(f"低于{COLOUR_LABELS[above]}分数线{limits[above]}")
    if colour != "red":
        why.append(f"不低于{COLOUR_LABELS[colour]}分数线{limits[colour]}")
    items = [{**leaf, **unit["values"][leaf["code"]]} for leaf in content["leaves"]]
    items.sort(key=lambda item: (-Decimal(item["lost"]), item["code"]))
    return {"month": content["month"], "unit": {k: unit[k] for k in (
        "unit_id", "name", "kind", "index", "colour")}, "thresholds": limits,
        "why": "，".join(why) + f"，故为{COLOUR_LABELS[colour]}。",
        "lost": _money(HUNDRED - index), "items": items}


def trend(unit_id: int | None = None) -> list[dict]:
    """Each computed month's newest version: the unit's index and colour (or, without a unit,
    how many units had each colour), oldest month first."""
    newest = (sa.select(IndexMonth.month, sa.func.max(IndexMonth.version).label("version"))
              .group_by(IndexMonth.month).subquery())
    query = (sa.select(IndexMonth.month, IndexValue.unit_id, IndexValue.index,
                       IndexValue.colour)
             .join(newest, sa.and_(newest.c.month == IndexMonth.month,
                                   newest.c.version == IndexMonth.version))
             .join(IndexValue, IndexValue.index_month_id == IndexMonth.id)
             .order_by(IndexMonth.month))
    if unit_id is not None:
        return [{"month": m, "index": _money(i), "colour": c}
                for m, _, i, c in session.execute(query.where(IndexValue.unit_id == unit_id))]
    found: dict = {}
    for month, _, _, colour in session.execute(query):
        found.setdefault(month, dict.fromkeys(COLOURS, 0))[colour] += 1
    return [{"month": month, **counts} for month, counts in found.items()]
