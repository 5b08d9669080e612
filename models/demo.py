"""The demo county (`flask seed-demo`): units, 27 people with their posts and risk points
(models.demo_post), 16 duty categories, 15 templates, its last weeks of tasks at every stage
(models.demo_history), and two months of self-checks (models.demo_self_check)."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from models import (audit, deduction, demo_eco_index, demo_history, demo_notice, demo_post,
                    demo_self_check, demo_spot_check)
from models.clock import local_date
from models.db import session
from models.duty import DutyCategory, DutyTemplate, Period, Responsibility, TemplateKind
from models.unit import Person, Role, Unit, UnitKind
from models.wechat_binding import WechatBinding
from wechat.emulator.users import simulated_openid

P, S = Responsibility.PRINCIPAL, Responsibility.SUPERVISORY
CATEGORIES = [
    ("加强组织领导", P), ("加强权力制约和监督", P), ("加强廉洁从政教育", P), ("深化作风建设", P),
    ("维护群众利益", P), ("落实“一岗双责”情况", P), ("廉政风险防控", P), ("支持纪检监察工作", P),
    ("选人用人监督", P), ("巡察整改落实", P), ("坚持挺纪在前", S), ("开展监督检查", S),
    ("纪律审查工作", S), ("协助党委推进全面从严治党", S), ("纪检监察干部队伍建设", S),
    ("受理信访举报", S),
]
# (title, category, kind, target role, period, due rule, points, min photos, review levels)
TEMPLATES = [
    ("召开党风廉政建设专题会议", "加强组织领导", "common", "committee", "quarterly", "quarter_end", 10, 2, 2),
    ("党组织书记讲廉政党课", "加强廉洁从政教育", "common", "secretary", "yearly", "date:12-20", 10, 2, 2),
    ("班子成员“一岗双责”履职报告", "落实“一岗双责”情况", "common", "member", "quarterly", "quarter_end", 6, 2, 2),
    ("每月廉政提醒谈话", "加强廉洁从政教育", "common", "secretary", "monthly", "day:25", 4, 1, 1),
    ("落实“三重一大”集体决策制度", "加强权力制约和监督", "common", "committee", "quarterly", "quarter_end", 8, 1, 2),
    ("岗位廉政风险点排查", "廉政风险防控", "common", "staff", "yearly", "date:06-30", 6, 0, 1),
    ("作风建设专项检查", "深化作风建设", "common", "committee", "monthly", "day:28", 5, 2, 2),
    ("群众身边不正之风和腐败问题整治", "维护群众利益", "common", "committee", "quarterly", "quarter_end", 8, 2, 2),
    ("日常监督检查情况报送", "开展监督检查", "common", "discipline", "monthly", "day:25", 5, 1, 1),
    ("问题线索处置情况报送", "纪律审查工作", "common", "discipline", "monthly", "day:5", 5, 0, 1),
    ("运用监督执纪“第一种形态”谈话函询", "坚持挺纪在前", "common", "discipline", "quarterly", "quarter_end", 6, 0, 1),
    ("县委巡察反馈问题整改", "巡察整改落实", "specific", "committee", "once", "after:30", 10, 2, 2),
    ("节前廉洁过节专项提醒", "加强廉洁从政教育", "adhoc", "secretary", "once", "after:7", 3, 1, 1),
    ("开展违规吃喝问题专项整治自查", "深化作风建设", "adhoc", "committee", "once", "after:10", 4, 1, 2),
]
TOWNSHIPS = ["城关镇", "青山镇", "石桥乡"]
DEPARTMENTS = ["县教育局", "县卫生健康局"]
# Every township and department: secretary, member, staff head and the committee's liaison.
STAFFING = [(Role.SECRETARY, "党委书记"), (Role.MEMBER, "党委委员"), (Role.STAFF, "党政办主任"),
            (Role.COMMITTEE, "党建联络员")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["建国", "秀英", "志强", "海燕", "卫东", "丽华", "国平", "文静", "明亮", "春梅", "立新",
         "红霞", "永刚", "玉兰", "德明", "桂芳", "振华", "淑珍", "小军", "凤英", "俊杰", "晓燕",
         "庆丰", "雪梅", "光辉", "金凤", "家乐", "慧敏", "宏伟", "美玲"]
BOUND_PEOPLE = 12  # the first people get emulator users 1..12 already bound
WALKTHROUGH = 7  # README 演示: user 7, 城关镇's member, starts from a task just dispatched


def seed_demo(now: datetime, appid: str, store_photo: Callable) -> dict:
    """Create the demo county as it stands at `now`, after weeks of use; returns counts.

    `store_photo(evidence, data, processed)` keeps a demo photo's bytes (jobs.evidence).
    Commits as it goes: the history's ladder sweeps commit (models.demo_history).
    """
    since = demo_history.founded(now)
    names = iter(surname + given for surname, given in zip(SURNAMES, GIVEN, strict=False))
    people: list[Person] = []

    def unit(name, kind, parent=None, supervisor=None):
        made = Unit(name=name, kind=kind, parent=parent, supervisor=supervisor, created_at=since)
        session.add(made)
        return made

    def person(unit_, role, title):
        made = Person(name=next(names), unit=unit_, role=role, title=title, created_at=since)
        session.add(made)
        people.append(made)
        return made

    county = unit("某县纪委监委", UnitKind.COUNTY)
    person(county, Role.ADMIN, "信息中心管理员")
    person(county, Role.INSPECTOR, "党风政风监督室主任")
    person(county, Role.INSPECTOR, "党风政风监督室干部")
    stationed = unit("派驻第一纪检监察组", UnitKind.DISCIPLINE, county, county)
    person(stationed, Role.DISCIPLINE, "组长")
    for name in TOWNSHIPS:
        township = unit(name, UnitKind.TOWNSHIP, county)
        township.supervisor = unit(f"{name}纪委", UnitKind.DISCIPLINE, township, county)
        person(township.supervisor, Role.DISCIPLINE, "纪委书记")
        _staff(township, person)
    for name in DEPARTMENTS:
        _staff(unit(name, UnitKind.DEPARTMENT, county, stationed), person)
    categories = _categories()
    templates = _templates(categories, since)
    session.flush()
    for index, bound in enumerate(people[:BOUND_PEOPLE], start=1):
        session.add(WechatBinding(person=bound, openid=simulated_openid(appid, index),
                                  bound_at=since))
    audit.record("demo.seed", "county", now=since, people=len(people), templates=len(templates))
    risk_points = demo_post.seed_posts(since, people[0])
    tasks = demo_history.play(now, {people[WALKTHROUGH - 1].id}, store_photo)
    _deductions(people[1], now)
    notices = demo_notice.seed_notices(now, store_photo)
    spot_checked = demo_spot_check.seed_round(now)
    self_checks = demo_self_check.seed_self_checks(now, since, {people[WALKTHROUGH - 1].id})
    index_months = demo_eco_index.seed_index(now)  # last: it reads everything above
    return {"people": len(people), "risk_points": risk_points, "categories": len(categories),
            "templates": len(templates) + 1, "bound": BOUND_PEOPLE, "tasks": tasks,
            "days": demo_history.LIVE_FOR.days, "notices": notices, "spot_checked": spot_checked,
            "self_checks": self_checks, "index_months": index_months}


# What the inspectors recorded during the weeks of use (扣分, 加分), for the scores pages.
DEDUCTIONS = (("石桥乡", deduction.DeductionKind.DEDUCTION, "1.5",
               "专项检查发现“三重一大”事项会议记录不全", "某纪办〔{year}〕8号", 9),
              ("县教育局", deduction.DeductionKind.BONUS, "1",
               "廉洁文化进校园经验做法被县委推广", "某纪发〔{year}〕15号", 4))


def _deductions(inspector: Person, now: datetime) -> None:
    today = local_date(now)
    for name, kind, points, reason, reference, days_ago in DEDUCTIONS:
        target = session.scalars(sa.select(Unit).filter_by(name=name)).one()
        day = max(today - timedelta(days=days_ago), date(today.year, 1, 1))
        deduction.record(unit=target, kind=kind, points=points, reason=reason,
                         reference=reference.format(year=today.year), day=day,
                         actor=inspector, now=now)
    session.commit()


def _staff(unit_: Unit, person) -> None:
    for role, title in STAFFING:
        person(unit_, role, title)


def _categories() -> dict[str, DutyCategory]:
    made = {}
    for position, (name, responsibility) in enumerate(CATEGORIES, start=1):
        made[name] = DutyCategory(name=name, responsibility=responsibility, position=position)
        session.add(made[name])
    return made


def _templates(categories: dict[str, DutyCategory], now: datetime) -> list[DutyTemplate]:
    made = []
    for title, category, kind, role, period, due, points, photos, levels in TEMPLATES:
        template = DutyTemplate(
            category=categories[category], title=title, kind=TemplateKind(kind), target_role=role,
            period=Period(period), due_rule=due, points=points, requires_summary=True,
            min_photos=photos, review_levels=levels, created_at=now,
        )
        session.add(template)
        made.append(template)
    return made
