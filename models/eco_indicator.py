"""The indicators of the political-ecology index (政治生态指数, 常山 "一图一表一指数"), as one
registry (STYLE R3): each key names what it measures, its stated formula, how a value becomes a
0–100 score, and for a computed one the function that reads it from qinglian's own data.

A function takes (unit_ids, start, end, as_of): the month's first instant, the next month's
first instant, and the instant the data is read as of (the month's end: what happened later is
not seen, so a past month reads the same whenever it is computed). It returns a Reading per
unit that has one; a unit without one has none of that thing (0 件, or no rate yet).

Scoring rules:
- `rate`: the value is a percentage and is the score; no value yet (nothing scored) is 100;
- `per_item`: 100 − value × step (the leaf's 每项扣分, the registry's default otherwise), never
  below 0; no value is 0 items, so 100.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import sqlalchemy as sa

from models.assignment import Assignment
from models.clock import SHANGHAI, local_date
from models.db import session
from models.deduction import Deduction, DeductionKind
from models.ladder import Level
from models.notice import Notice, NoticeState
from models.notification import Channel, Notification
from models.scoring import compute
from models.self_check import risk_counts
from models.spot_check import Result, SpotCheckItem
from models.supervision import Supervision

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
RATE, PER_ITEM = "rate", "per_item"


class Reading(NamedTuple):
    """One unit's value of one indicator, what it counted (tasks, notices or deductions by
    id, for links) and a sentence on where it came from."""

    value: Decimal | None
    refs: tuple = ()
    note: str = ""


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str  # 件, 项, 分, %
    formula: str  # the stated formula, shown on the pages
    rule: str  # RATE or PER_ITEM
    step: Decimal = Decimal(0)  # PER_ITEM: points off per item, by default
    read: object = None  # the function; None: entered by inspectors monthly
    refs: str = "tasks"  # what `refs` holds: tasks, notices, deductions

    @property
    def manual(self) -> bool:
        return self.read is None


def score(indicator: Indicator, value: Decimal | None, step: Decimal | None = None) -> Decimal:
    """A value as a 0–100 score (the module's rules)."""
    if value is None:
        return HUNDRED
    if indicator.rule == RATE:
        return max(Decimal(0), min(HUNDRED, Decimal(value))).quantize(CENT, ROUND_HALF_UP)
    step = indicator.step if step is None else Decimal(step)
    return max(Decimal(0), HUNDRED - Decimal(value) * step).quantize(CENT, ROUND_HALF_UP)


def _year_of(start: datetime) -> int:
    return start.astimezone(SHANGHAI).year


def on_time_rate(unit_ids, start, end, as_of) -> dict:
    """The year's scored tasks as of the month's end (models.scoring): share done on time."""
    scores = compute(_year_of(start), as_of, unit_ids=list(unit_ids))
    missed = defaultdict(list)
    for line in scores.lines:
        if line.cents is not None and line.cents < line.points * 100:
            missed[line.unit_id].append(line.assignment_id)
    found = {}
    for unit_id, unit in scores.units.items():
        if unit_id in unit_ids and unit.scored:
            found[unit_id] = Reading(unit.on_time_rate, tuple(sorted(missed[unit_id])),
                                     f"已计分{unit.scored}项，按时完成{unit.counts['on_time']}项"
                                     + ("，未按时完成的任务" if missed[unit_id] else ""))
    return found


def _counted(rows, what: str) -> dict:
    """(unit id, ref id) rows as each unit's count and refs."""
    refs = defaultdict(set)
    for unit_id, ref in rows:
        refs[unit_id].add(ref)
    return {unit_id: Reading(Decimal(len(ids)), tuple(sorted(ids)), what.format(n=len(ids)))
            for unit_id, ids in refs.items()}


def _warnings(level: Level, label: str):
    def read(unit_ids, start, end, as_of) -> dict:
        """Tasks that reached the level in the month: its push, once per task however many
        people it went to (as models.dashboard counts the month's warnings)."""
        rows = session.execute(
            sa.select(Assignment.unit_id, Assignment.id).join(
                Notification, Notification.assignment_id == Assignment.id)
            .where(Assignment.unit_id.in_(unit_ids), Notification.kind == str(level),
                   Notification.channel != Channel.SMS, Notification.created_at >= start,
                   Notification.created_at < end, Notification.created_at <= as_of)
            .distinct())
        return _counted(rows, "本月{n}项任务达到" + label)

    return read


def supervised(unit_ids, start, end, as_of) -> dict:
    """Tasks put under 督办 in the month (models.supervision)."""
    rows = session.execute(
        sa.select(Assignment.unit_id, Assignment.id).join(
            Supervision, Supervision.assignment_id == Assignment.id)
        .where(Assignment.unit_id.in_(unit_ids), Supervision.opened_at >= start,
               Supervision.opened_at < end, Supervision.opened_at <= as_of).distinct())
    return _counted(rows, "本月{n}项任务被工作督办")


def notices_overdue(unit_ids, start, end, as_of) -> dict:
    """Notices issued by the month's end whose reply was due by then and not given by then.
    (models.notice_ledger.overdue_clause reads the notices' state now; a past month must read
    them as they stood, so this asks the times.)"""
    rows = session.execute(
        sa.select(Notice.unit_id, Notice.id).where(
            Notice.unit_id.in_(unit_ids), Notice.state != NoticeState.DRAFTED,
            Notice.state != NoticeState.DISCARDED, Notice.issued_at <= as_of,
            Notice.reply_due_at <= as_of,
            sa.or_(Notice.replied_at.is_(None), Notice.replied_at > as_of)))
    return _counted(rows, "月末有{n}份整改通知书、监督建议书逾期未回复")


def spot_check_false(unit_ids, start, end, as_of) -> dict:
    """Tasks re-verified 不实 in the month (models.spot_check)."""
    rows = session.execute(
        sa.select(SpotCheckItem.unit_id, SpotCheckItem.assignment_id).where(
            SpotCheckItem.unit_id.in_(unit_ids), SpotCheckItem.result == Result.FALSE,
            SpotCheckItem.verified_at >= start, SpotCheckItem.verified_at < end,
            SpotCheckItem.verified_at <= as_of))
    return _counted(rows, "本月抽查核实{n}项不实")


def deducted(unit_ids, start, end, as_of) -> dict:
    """Points deducted (扣分, not 加分) dated in the month, recorded by its end and not
    revoked by then (models.deduction.in_force's rule, for one month)."""
    first, last = start.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date()
    rows = session.execute(
        sa.select(Deduction.unit_id, Deduction.id, Deduction.points).where(
            Deduction.unit_id.in_(unit_ids), Deduction.kind == DeductionKind.DEDUCTION,
            Deduction.day >= first, Deduction.day < last, Deduction.created_at <= as_of,
            sa.or_(Deduction.revoked_at.is_(None), Deduction.revoked_at > as_of)))
    points, refs = defaultdict(Decimal), defaultdict(list)
    for unit_id, deduction_id, value in rows:
        points[unit_id] += Decimal(value)
        refs[unit_id].append(deduction_id)
    return {uid: Reading(points[uid], tuple(sorted(refs[uid])),
                         f"本月扣分{len(refs[uid])}次，共{points[uid]:.2f}分") for uid in points}


def self_check_followed(unit_ids, start, end, as_of) -> dict:
    """Risks reported in the month's self-checks, and the share followed up by the supervising
    discipline body (models.self_check.risk_counts)."""
    found = {}
    months = local_date(start), local_date(end)  # the month's instants as Shanghai days
    for unit_id, (reported, followed) in risk_counts(unit_ids, *months, as_of).items():
        if reported:
            rate = (HUNDRED * followed / reported).quantize(CENT, ROUND_HALF_UP)
            found[unit_id] = Reading(rate, (), f"本月自查上报风险{reported}项，已跟进{followed}项")
    return found


INDICATORS = {indicator.key: indicator for indicator in (
    Indicator("on_time_rate", "按时完成率", "%", "截至月末本年度已计分任务中按时完成的比例（%）",
              RATE, read=on_time_rate),
    Indicator("warnings_blue", "蓝色预警", "项", "本月达到蓝色预警的任务数", PER_ITEM,
              Decimal(5), read=_warnings(Level.BLUE, "蓝色预警")),
    Indicator("warnings_yellow", "黄色预警", "项", "本月达到黄色预警的任务数", PER_ITEM,
              Decimal(10), read=_warnings(Level.YELLOW, "黄色预警")),
    Indicator("warnings_red", "红色预警", "项", "本月达到红色预警的任务数", PER_ITEM,
              Decimal(20), read=_warnings(Level.RED, "红色预警")),
    Indicator("supervised", "工作督办", "项", "本月被工作督办的任务数", PER_ITEM, Decimal(25),
              read=supervised),
    Indicator("notices_overdue", "整改逾期", "份", "月末逾期未回复的整改通知书、监督建议书份数",
              PER_ITEM, Decimal(25), read=notices_overdue, refs="notices"),
    Indicator("spot_check_false", "抽查不实", "项", "本月抽查核实为“不实”的任务数", PER_ITEM,
              Decimal(25), read=spot_check_false),
    Indicator("deducted", "扣分", "分", "本月登记的扣分合计（不含加分、已撤销的）", PER_ITEM,
              Decimal(10), read=deducted, refs="deductions"),
    Indicator("self_check_followed", "自查风险跟进率", "%",
              "本月自查上报的廉政风险中已由纪检组织跟进的比例（%）", RATE,
              read=self_check_followed, refs="none"),
    Indicator("petitions", "信访举报件数", "件", "本月涉及该单位的信访举报件数（审核人员录入）",
              PER_ITEM, Decimal(10)),
    Indicator("clues", "问题线索件数", "件", "本月涉及该单位的问题线索件数（审核人员录入）",
              PER_ITEM, Decimal(20)),
    Indicator("inspection_findings", "巡察发现问题数", "个", "本月巡察发现该单位的问题数（审核人员录入）",
              PER_ITEM, Decimal(10)),
)}
RULE_LABELS = {RATE: "得分＝比例数值，暂无数据按100分", PER_ITEM: "100分起，每项扣{step}分，扣完为止"}


def rule_text(indicator: Indicator, step: Decimal | None = None) -> str:
    step = indicator.step if step is None else Decimal(step)
    return RULE_LABELS[indicator.rule].format(step=f"{step.normalize():f}")
