"""The assessment benchmark's data: a prefecture-level city's year of duty work, by COPY.

300 units (the city commission at the root; 90 townships, each with its own 纪委; 99 city
departments under 20 stationed 纪检监察组), 6,000 people, 60 duty templates (monthly,
quarterly and yearly, across the 16 categories), ASSIGNMENTS assignments of YEAR, one warning
push per task and ladder step it reached, a 督办 record per task that reached 督办, some 催办
pushes, and 2,000 deductions and bonuses. A fixed seed: every run loads the same rows.

Each assignment is lived once, as of AS_OF: dispatched on its period's first day, then handed
in on time, late (its `warning` the highest ladder step it had reached by then), after its
period's deadline, or not yet; approved after a review delay or still awaiting review; a few
cancelled. The times follow models.scoring's rules: `submitted_at` is the last hand-in,
`completed_at` the final approval, `cancelled_at` the cancellation, all before AS_OF.
"""

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import sqlalchemy as sa

from _bulk import load
from models.assignment import State
from models.clock import SHANGHAI
from models.demo import CATEGORIES, GIVEN, SURNAMES
from models.dispatch import bounds, due_at
from models.duty import DutyTemplate, Period
from models.ladder import Level
from models.unit import Role, UnitKind

YEAR = 2026
AS_OF = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
SEED = 20261201
ROOT, TOWNSHIPS, DEPARTMENTS, GROUPS = 1, 90, 99, 20
PEOPLE, DEDUCTIONS = 6000, 2000
SPECIFIC_UNITS = 40  # units named by each 个性任务 template
# The ladder's default days around the due time (DESIGN.md "Warning ladder").
STEPS = ((Level.REMINDER, -3), (Level.BLUE, 1), (Level.YELLOW, 3), (Level.RED, 5),
         (Level.SUPERVISION, 7))
CANCELLED, URGED = 0.012, 0.15  # shares of all tasks; of tasks that reached yellow
CLOSED_EVERY, CLOSE_AFTER_DAYS = 10, 5  # every 10th template closes input 5 days after due
LATE_DAYS = ((1, 3, 50), (3, 5, 25), (5, 7, 15), (7, 20, 10))  # from, to, weight
ASSIGNMENT_COLUMNS = ("id", "template_id", "unit_id", "person_id", "person_key", "period",
                      "due_at", "state", "warning", "ladder_cycle", "round", "created_at",
                      "acknowledged_at", "submitted_at", "completed_at", "cancelled_at",
                      "unlocked_at", "unlocked_by_id")
NOTIFICATION_COLUMNS = ("id", "kind", "channel", "person_id", "assignment_id", "step", "cycle",
                        "content", "data", "url", "status", "attempts", "first_attempt_at",
                        "error", "created_at", "sent_at")

PLACES = [a + b for a in "东西南北中上下前后新" for b in "山河桥湾坪溪坝岭塘林"]
DEPARTMENT_NAMES = (
    "市委办公室 市政府办公室 市委组织部 市委宣传部 市委统战部 市委政法委 市委编办 市发展改革委 "
    "市教育局 市科技局 市工业和信息化局 市公安局 市民政局 市司法局 市财政局 市人力资源社会保障局 "
    "市自然资源和规划局 市生态环境局 市住房城乡建设局 市交通运输局 市水利局 市农业农村局 市商务局 "
    "市文化广电旅游局 市卫生健康委 市退役军人事务局 市应急管理局 市审计局 市国资委 市市场监管局 "
    "市统计局 市医保局 市林业局 市城市管理局 市信访局 市行政审批局 市大数据局 市机关事务管理局 "
    "市乡村振兴局 市粮食和物资储备局 市人防办 市供销社 市总工会 团市委 市妇联 市科协 市残联 "
    "市工商联 市人民法院 市人民检察院 市融媒体中心 市公积金中心 市城投集团 市交投集团 市水务集团 "
    "市文旅集团 市农商银行 市职业技术学院 市人民医院 市中医院 市妇幼保健院 市疾控中心").split()
NUMERALS = "一二三四五六七八九十"
# (title, category, target role, period, due rule, points); role "committee" = unit tasks.
TEMPLATES = [
    ("作风建设专项检查", "深化作风建设", "committee", "monthly", "day:28", 2),
    ("廉政风险点动态排查", "廉政风险防控", "committee", "monthly", "day:25", 2),
    ("党风廉政建设工作月报", "加强组织领导", "committee", "monthly", "day:5", 2),
    ("群众诉求办理情况报送", "维护群众利益", "committee", "monthly", "day:20", 2),
    ("召开党风廉政建设专题会议", "加强组织领导", "committee", "quarterly", "quarter_end", 5),
    ("落实“三重一大”集体决策制度", "加强权力制约和监督", "committee", "quarterly", "quarter_end", 5),
    ("群众身边不正之风和腐败问题整治", "维护群众利益", "committee", "quarterly", "quarter_end", 5),
    ("研究部署纪检监察工作", "支持纪检监察工作", "committee", "quarterly", "quarter_end", 4),
    ("党风廉政建设责任制年度述职", "加强组织领导", "committee", "yearly", "date:12-20", 10),
    ("年度党风廉政建设工作计划", "加强组织领导", "committee", "yearly", "date:03-31", 8),
    ("巡察反馈问题整改落实", "巡察整改落实", "committee", "yearly", "date:09-30", 10),
    ("选人用人工作专项检查", "选人用人监督", "committee", "yearly", "date:10-31", 6),
    ("廉洁文化建设", "加强廉洁从政教育", "committee", "yearly", "date:11-30", 6),
    ("签订党风廉政建设责任书", "加强组织领导", "committee", "yearly", "date:02-28", 6),
    ("每月廉政提醒谈话", "加强廉洁从政教育", "secretary", "monthly", "day:25", 2),
    ("书记督办事项跟踪", "加强组织领导", "secretary", "monthly", "day:25", 2),
    ("听取班子成员履职汇报", "落实“一岗双责”情况", "secretary", "monthly", "day:28", 2),
    ("与班子成员廉政谈话", "落实“一岗双责”情况", "secretary", "quarterly", "quarter_end", 4),
    ("分析研判政治生态", "加强组织领导", "secretary", "quarterly", "quarter_end", 4),
    ("审阅班子成员廉政档案", "加强权力制约和监督", "secretary", "quarterly", "quarter_end", 3),
    ("党组织书记讲廉政党课", "加强廉洁从政教育", "secretary", "yearly", "date:12-20", 8),
    ("党组织书记述责述廉", "加强组织领导", "secretary", "yearly", "date:12-25", 8),
    ("带头签订廉洁承诺", "加强组织领导", "secretary", "yearly", "date:03-31", 4),
    ("支持派驻机构履职情况报告", "支持纪检监察工作", "secretary", "yearly", "date:06-30", 5),
    ("分管领域廉政风险提醒", "落实“一岗双责”情况", "member", "monthly", "day:25", 1),
    ("分管科室廉政谈话", "落实“一岗双责”情况", "member", "monthly", "day:28", 1),
    ("“一岗双责”工作记实", "落实“一岗双责”情况", "member", "monthly", "day:28", 1),
    ("班子成员“一岗双责”履职报告", "落实“一岗双责”情况", "member", "quarterly", "quarter_end", 3),
    ("分管领域廉政风险排查", "廉政风险防控", "member", "quarterly", "quarter_end", 3),
    ("参加廉政教育学习", "加强廉洁从政教育", "member", "quarterly", "quarter_end", 2),
    ("个人有关事项报告", "加强权力制约和监督", "member", "yearly", "date:03-31", 4),
    ("班子成员年度述责述廉", "落实“一岗双责”情况", "member", "yearly", "date:12-20", 5),
    ("廉政承诺践诺", "加强组织领导", "member", "yearly", "date:06-30", 3),
    ("分管领域讲廉政党课", "加强廉洁从政教育", "member", "yearly", "date:11-30", 4),
    ("岗位廉政风险自查", "廉政风险防控", "staff", "monthly", "day:25", 1),
    ("月度廉政学习", "加强廉洁从政教育", "staff", "monthly", "day:28", 1),
    ("科室廉政风险点排查", "廉政风险防控", "staff", "quarterly", "quarter_end", 2),
    ("作风建设自查自纠", "深化作风建设", "staff", "quarterly", "quarter_end", 2),
    ("岗位廉政风险点排查", "廉政风险防控", "staff", "yearly", "date:06-30", 3),
    ("签订廉洁从业承诺书", "加强组织领导", "staff", "yearly", "date:03-31", 2),
    ("年度廉洁自律情况报告", "深化作风建设", "staff", "yearly", "date:12-20", 3),
    ("日常监督检查情况报送", "开展监督检查", "discipline", "monthly", "day:25", 2),
    ("问题线索处置情况报送", "纪律审查工作", "discipline", "monthly", "day:5", 2),
    ("信访举报受理情况报送", "受理信访举报", "discipline", "monthly", "day:10", 2),
    ("监督工作月报", "协助党委推进全面从严治党", "discipline", "monthly", "day:28", 2),
    ("运用监督执纪“第一种形态”谈话函询", "坚持挺纪在前", "discipline", "quarterly", "quarter_end", 4),
    ("监督检查专项报告", "开展监督检查", "discipline", "quarterly", "quarter_end", 4),
    ("案件质量评查", "纪律审查工作", "discipline", "quarterly", "quarter_end", 3),
    ("协助党委开展廉政分析", "协助党委推进全面从严治党", "discipline", "quarterly", "quarter_end", 3),
    ("纪检监察干部业务培训", "纪检监察干部队伍建设", "discipline", "yearly", "date:11-30", 5),
    ("年度监督工作报告", "开展监督检查", "discipline", "yearly", "date:12-20", 8),
    ("审查调查安全检查", "纪律审查工作", "discipline", "yearly", "date:09-30", 5),
    ("信访举报分析报告", "受理信访举报", "discipline", "yearly", "date:12-25", 5),
    ("警示教育大会", "坚持挺纪在前", "discipline", "yearly", "date:06-30", 5),
    ("协助党委述责述廉", "协助党委推进全面从严治党", "discipline", "yearly", "date:12-20", 5),
    ("工程建设领域专项整治", "维护群众利益", "specific", "yearly", "date:10-31", 8),
    ("医保基金使用专项检查", "维护群众利益", "specific", "yearly", "date:09-30", 8),
    ("粮食购销领域专项整治", "加强权力制约和监督", "specific", "yearly", "date:11-30", 8),
    ("乡村振兴资金监督检查", "开展监督检查", "specific", "yearly", "date:08-31", 6),
    ("行政审批廉政风险防控", "廉政风险防控", "specific", "yearly", "date:07-31", 6),
]
DEDUCTION_REASONS = [
    "落实中央八项规定精神不力，被通报批评", "廉政风险防控措施落实不到位", "巡察反馈问题整改不及时",
    "信访举报问题经查属实", "工作督办逾期未书面回复", "违规吃喝问题被查处", "班子成员受到诫勉谈话",
    "专项整治工作推进迟缓"]
BONUS_REASONS = ["党风廉政建设工作经验被上级推广", "廉洁文化建设获评示范点",
                 "主动发现并移交问题线索", "专项整治工作成效突出"]


@dataclass
class City:
    """What the loader made, for the benchmark to find its way around."""

    units: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (name, kind)
    people: dict[int, tuple[int, Role]] = field(default_factory=dict)  # id → (unit, role)
    counts: dict[str, int] = field(default_factory=dict)

    def of_role(self, role: Role) -> list[tuple[int, int]]:
        return [(pid, unit) for pid, (unit, r) in self.people.items() if r == role]


def seed_city(engine: sa.Engine, assignments: int) -> City:
    """Load the city and its year; returns what was made."""
    rng = random.Random(SEED)
    city = City()
    _organisation(engine, city, rng)
    _templates(engine)
    life = _Year(city, rng)
    city.counts["assignment"] = load(engine, "assignment", ASSIGNMENT_COLUMNS,
                                     life.assignments(_keys(city, rng, assignments)))
    city.counts["notification"] = load(engine, "notification", NOTIFICATION_COLUMNS,
                                       life.notifications)
    city.counts["supervision"] = load(engine, "supervision", (
        "id", "assignment_id", "cycle", "opened_at", "response", "responded_at",
        "responder_id"), life.supervisions)
    city.counts["deduction"] = load(engine, "deduction", (
        "id", "kind", "unit_id", "person_id", "points", "reason", "reference", "day", "source",
        "created_at", "recorded_by_id", "revoked_at", "revoked_by_id", "revoke_reason"),
        _deductions(city, rng))
    return city


def _naive(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(tzinfo=None) if value else None


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), SHANGHAI).astimezone(UTC)


FOUNDED = _local(date(YEAR - 1, 12, 1), 9)


def _organisation(engine: sa.Engine, city: City, rng: random.Random) -> None:
    """Units with their parents and supervisors, and the people in them."""
    townships = range(ROOT + 1, ROOT + 1 + TOWNSHIPS)
    bodies = range(townships.stop, townships.stop + TOWNSHIPS)  # township t's 纪委 is t + 90
    departments = range(bodies.stop, bodies.stop + DEPARTMENTS)
    groups = range(departments.stop, departments.stop + GROUPS)
    suffixes = ["镇"] * 60 + ["乡"] * 20 + ["街道"] * 10
    rows = [(ROOT, "某市纪委监委", UnitKind.COUNTY, None, None)]
    rows += [(unit, PLACES[i] + suffixes[i], UnitKind.TOWNSHIP, ROOT, unit + TOWNSHIPS)
             for i, unit in enumerate(townships)]
    rows += [(unit, rows[unit - TOWNSHIPS - 1][1] + "纪委", UnitKind.DISCIPLINE, unit - TOWNSHIPS,
              ROOT) for unit in bodies]
    names = DEPARTMENT_NAMES + [f"市第{_numeral(i // 2 + 1)}{'小学' if i % 2 else '中学'}"
                                for i in range(DEPARTMENTS - len(DEPARTMENT_NAMES))]
    rows += [(unit, names[i], UnitKind.DEPARTMENT, ROOT, groups[i % GROUPS])
             for i, unit in enumerate(departments)]
    rows += [(unit, f"市纪委监委派驻第{_numeral(i + 1)}纪检监察组", UnitKind.DISCIPLINE, ROOT, ROOT)
             for i, unit in enumerate(groups)]
    city.units = {unit: (name, str(kind)) for unit, name, kind, _, _ in rows}
    load(engine, "unit", ("id", "name", "kind", "parent_id", "supervisor_id", "created_at"),
         [(unit, name, str(kind), parent, supervisor, _naive(FOUNDED))
          for unit, name, kind, parent, supervisor in rows])
    posts = [(ROOT, Role.ADMIN, "信息中心管理员")] * 2 + \
        [(ROOT, Role.INSPECTOR, "党风政风监督室干部")] * 10
    for unit in townships:
        posts += [(unit, Role.SECRETARY, "党委书记"), (unit, Role.COMMITTEE, "党建联络员")]
        posts += [(unit, Role.MEMBER, "党委委员")] * 8
    for unit in departments:
        posts += [(unit, Role.SECRETARY, "党组书记"), (unit, Role.COMMITTEE, "机关党委联络员")]
        posts += [(unit, Role.MEMBER, "党组成员")] * 5
    for unit in bodies:
        posts += [(unit, Role.DISCIPLINE, title) for title in ("纪委书记", "纪委副书记", "纪检干事")]
    for unit in groups:
        posts += [(unit, Role.DISCIPLINE, title) for title in ("组长", "副组长", "干部", "干部", "干部")]
    duty_units = [*townships, *departments]
    posts += [(duty_units[i % len(duty_units)], Role.STAFF, "科室负责人")
              for i in range(PEOPLE - len(posts))]
    city.people = {pid: (unit, role) for pid, (unit, role, _) in enumerate(posts, 1)}
    load(engine, "person", ("id", "name", "unit_id", "role", "title", "phone", "active",
                            "created_at"),
         ((pid, rng.choice(SURNAMES) + rng.choice(GIVEN), unit, str(role), title,
           f"139{pid:08d}", True, _naive(FOUNDED))
          for pid, (unit, role, title) in enumerate(posts, 1)))


def _numeral(n: int) -> str:
    return NUMERALS[n - 1] if n <= 10 else ("" if n < 20 else NUMERALS[n // 10 - 1]) + "十" + \
        (NUMERALS[n % 10 - 1] if n % 10 else "")


def _templates(engine: sa.Engine) -> None:
    load(engine, "duty_category", ("id", "name", "responsibility", "position"),
         [(i, name, str(side), i) for i, (name, side) in enumerate(CATEGORIES, 1)])
    category = {name: i for i, (name, _) in enumerate(CATEGORIES, 1)}
    load(engine, "duty_template", (
        "id", "category_id", "title", "description", "kind", "target_role", "period",
        "due_rule", "points", "requires_summary", "min_photos", "review_levels", "working_days",
        "late_policy", "close_after_days", "active", "created_at"),
        [(tid, category[cat], title, "", "specific" if role == "specific" else "common",
          None if role == "specific" else role, period, rule, points, True,
          int(role in ("committee", "specific")), 1 if role == "discipline" else 2, False,
          "close" if _closes(tid) else "allow", CLOSE_AFTER_DAYS if _closes(tid) else 0, True,
          _naive(FOUNDED))
         for tid, (title, cat, role, period, rule, points) in enumerate(TEMPLATES, 1)])


def _closes(tid: int) -> bool:
    """Whether the template closes input after its due time (late policy `close`)."""
    return tid % CLOSED_EVERY == 3


def _periods(period: str) -> list[str]:
    return {"monthly": [f"{YEAR}-{m:02d}" for m in range(1, 13)],
            "quarterly": [f"{YEAR}Q{q}" for q in range(1, 5)], "yearly": [str(YEAR)]}[period]


def _keys(city: City, rng: random.Random, wanted: int) -> list[tuple]:
    """(template, period, unit, person) of every task the year dispatched, `wanted` of them
    when there are more (people who joined or left during the year)."""
    duty_units = [unit for unit, (_, kind) in city.units.items()
                  if kind in (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)]
    keys = []
    for tid, (_, _, role, period, _, _) in enumerate(TEMPLATES, 1):
        if role == "committee":
            targets = [(unit, None) for unit in duty_units]
        elif role == "specific":
            targets = [(unit, None) for unit in sorted(rng.sample(duty_units, SPECIFIC_UNITS))]
        else:
            targets = [(unit, pid) for pid, unit in city.of_role(Role(role))]
        keys += [(tid, p, unit, pid) for p in _periods(period) for unit, pid in targets]
    if len(keys) > wanted:
        keys = [keys[i] for i in sorted(rng.sample(range(len(keys)), wanted))]
    return keys


class _Year:
    """Lives each task once; collects its pushes and 督办 records on the way."""

    def __init__(self, city: City, rng: random.Random):
        self.rng = rng
        self.notifications: list[tuple] = []
        self.supervisions: list[tuple] = []
        self.liaison = {unit: pid for pid, (unit, role) in city.people.items()
                        if role == Role.COMMITTEE}
        self.inspectors = [pid for pid, _ in city.of_role(Role.INSPECTOR)]
        units = {unit for unit, _ in city.people.values()}
        self.diligence = {unit: rng.uniform(0.80, 0.97) for unit in sorted(units)}
        self.schedule: dict = {}

    def assignments(self, keys: list[tuple]) -> Iterator[tuple]:
        for aid, (tid, period, unit, pid) in enumerate(keys, 1):
            created, due, deadline = self._dates(tid, period)
            life = self._live(self.diligence[unit], created, due, deadline)
            state, warning, ack, submitted, completed, cancelled, rounds, end = life
            unlocked = self._unlocked(tid, due, submitted)
            if _closes(tid) and submitted is None and state != State.CANCELLED:
                end = min(end, due + timedelta(days=CLOSE_AFTER_DAYS))  # the ladder stops there
                warning = _reached(due, created, end)
            self._pushes(aid, pid or self.liaison[unit], due, created, end)
            yield (aid, tid, unit, pid, pid or 0, period, _naive(due), str(state), str(warning),
                   0, rounds, _naive(created), _naive(ack), _naive(submitted),
                   _naive(completed), _naive(cancelled), _naive(unlocked),
                   self.rng.choice(self.inspectors) if unlocked else None)

    def _dates(self, tid: int, period: str) -> tuple[datetime, datetime, datetime]:
        """(dispatched, due, deadline) of a template's period (models.dispatch's own rules)."""
        key = (tid, period)
        if key not in self.schedule:
            _, _, _, kind, rule, _ = TEMPLATES[tid - 1]
            first, last = bounds(Period(kind), period, AS_OF.date())
            due = due_at(DutyTemplate(period=kind, due_rule=rule, working_days=False), period,
                         AS_OF)
            self.schedule[key] = (_local(first, 8, 30), due, _local(last + timedelta(days=1), 0))
        return self.schedule[key]

    def _live(self, diligence: float, created: datetime, due: datetime, deadline: datetime):
        """(state, warning, acknowledged, submitted, completed, cancelled, round, end): `end`
        is when the ladder stopped (hand-in, cancellation, or AS_OF while still owed)."""
        rng = self.rng
        roll = rng.random()
        ack = created + timedelta(hours=rng.uniform(0.5, 48))
        if roll < CANCELLED:
            cancelled = created + (min(AS_OF, due + timedelta(days=10)) - created) * rng.random()
            return (State.CANCELLED, _reached(due, created, cancelled), min(ack, cancelled), None,
                    None, cancelled, 0, cancelled)
        if roll < diligence:
            early = timedelta(days=rng.expovariate(1 / 4))
            handed = max(due - early, created + timedelta(hours=rng.uniform(1, 24)))
        elif roll < diligence + (1 - diligence) * 0.75:
            low, high, _ = rng.choices(LATE_DAYS, weights=[w for *_, w in LATE_DAYS])[0]
            handed = due + timedelta(days=rng.uniform(low, high))
        else:
            handed = None
        if handed is None or handed > AS_OF:  # still owed as of AS_OF
            pick = rng.random()
            if pick < 0.05:
                submitted = created + (min(AS_OF, due) - created) * rng.uniform(0.3, 0.9)
                return (State.RETURNED, _reached(due, created, AS_OF), min(ack, submitted),
                        submitted, None, None, 1, AS_OF)
            state = State.DISPATCHED if pick < 0.30 else State.ACKNOWLEDGED
            return (state, _reached(due, created, AS_OF),
                    None if state == State.DISPATCHED else min(ack, AS_OF), None, None, None, 0,
                    AS_OF)
        rounds = 2 if rng.random() < 0.08 else 1
        approved = handed + timedelta(hours=rng.uniform(2, 96))
        if approved <= AS_OF:
            state, completed = State.COMPLETED, approved
        else:
            state = State.FIRST_APPROVED if rng.random() < 0.4 else State.SUBMITTED
            completed = None
        return (state, _reached(due, created, handed), min(ack, handed), handed, completed, None,
                rounds, handed)

    def _unlocked(self, tid: int, due: datetime, submitted: datetime | None) -> datetime | None:
        """When an inspector reopened a closed task (补报) that was handed in after closing."""
        closes = due + timedelta(days=CLOSE_AFTER_DAYS)
        if not _closes(tid) or submitted is None or submitted < closes:
            return None
        return closes + (submitted - closes) * self.rng.uniform(0.2, 0.9)

    def _pushes(self, aid: int, person: int, due: datetime, created: datetime, end: datetime):
        """One sent push per ladder step reached before `end`, a 督办 record when it reached
        督办, and a 催办 by an inspector on some of those that went yellow."""
        reached = _steps(due, created, end)
        for level, at in reached:
            self._push(str(level), person, aid, str(level), at, {})
        levels = [level for level, _ in reached]
        if Level.SUPERVISION in levels:
            opened = due + timedelta(days=7)
            answer = opened + timedelta(days=self.rng.uniform(0.5, 3))
            answered = answer <= min(end, AS_OF)
            self.supervisions.append((len(self.supervisions) + 1, aid, 0, _naive(opened),
                                      "已按要求完成整改，相关材料已上报。" if answered else "",
                                      _naive(answer) if answered else None,
                                      person if answered else None))
        if Level.YELLOW in levels and self.rng.random() < URGED:
            at = due + timedelta(days=3) + (end - due - timedelta(days=3)) * self.rng.random()
            inspector = self.rng.choice(self.inspectors)
            self._push("urge", person, aid, "urge:1", at, {"by": inspector, "by_name": "审核员"})

    def _push(self, kind: str, person: int, aid: int, step: str, at: datetime, data: dict):
        sent = _naive(at)
        self.notifications.append((len(self.notifications) + 1, kind, "template", person, aid,
                                   step, 0, "", json.dumps(data, ensure_ascii=False), "", "sent",
                                   1, sent, "", sent, sent))


def _steps(due: datetime, created: datetime, end: datetime) -> list[tuple[Level, datetime]]:
    """The ladder steps a task reached while it was owed (from its dispatch until `end`)."""
    return [(level, at) for level, days in STEPS
            if created <= (at := due + timedelta(days=days)) < end]


def _reached(due: datetime, created: datetime, end: datetime) -> Level:
    steps = _steps(due, created, end)
    return steps[-1][0] if steps else Level.NONE


def _deductions(city: City, rng: random.Random) -> Iterator[tuple]:
    """DEDUCTIONS rows on units and people of the ranked kinds: 12 % bonuses, 6 % revoked."""
    ranked = sorted(unit for unit, (_, kind) in city.units.items() if kind != UnitKind.COUNTY)
    people_of: dict[int, list[int]] = {}
    for pid, (unit, _) in city.people.items():
        people_of.setdefault(unit, []).append(pid)
    inspectors = [pid for pid, _ in city.of_role(Role.INSPECTOR)]
    last_day = AS_OF.astimezone(SHANGHAI).date()
    span = (last_day - date(YEAR, 1, 1)).days
    for did in range(1, DEDUCTIONS + 1):
        unit = rng.choice(ranked)
        person = rng.choice(people_of[unit]) if rng.random() < 0.4 else None
        bonus = rng.random() < 0.12
        day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(span))
        created = min(_local(day, 10) + timedelta(hours=rng.uniform(0, 72)), AS_OF)
        revoked = created + timedelta(days=rng.uniform(1, 20)) if rng.random() < 0.06 else None
        if revoked is not None and revoked > AS_OF:
            revoked = None
        points = rng.choice((0.5, 1, 1, 2) if bonus else (0.5, 1, 1, 2, 2, 3, 5))
        yield (did, "bonus" if bonus else "deduction", unit, person, f"{points:.2f}",
               rng.choice(BONUS_REASONS if bonus else DEDUCTION_REASONS),
               f"某纪发〔{YEAR}〕{rng.randrange(1, 200)}号", day, "manual", _naive(created),
               rng.choice(inspectors), _naive(revoked),
               rng.choice(inspectors) if revoked else None,
               "经复核，情况与事实不符，予以撤销" if revoked else None)
