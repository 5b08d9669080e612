"""Scores, deductions and ranking for a small county computed by hand (README: 考核计分的例子).

Every task below is a November 2026 task due 25 Nov 17:00 (Shanghai) unless it says otherwise;
the period ends 30 Nov, so its deadline is 1 Dec 00:00 (grace 0). Warning steps are set by
running the sweep at the times the ladder reaches them (blue 26 Nov, yellow 28 Nov, red 30 Nov).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from models import Role, UnitKind, session
from models.assignment import Action
from models.escalation import sweep
from models.lifecycle import transition
from models.scoring import compute

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


@pytest.fixture
def small_county(make_unit, make_person, make_template, make_assignment):
    """Three townships and a department; 青山镇 has the interesting year."""
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    qingshan = make_unit(name="青山镇", supervisor_id=body.id)
    baishui = make_unit(name="白水镇", supervisor_id=body.id)
    hongyan = make_unit(name="红岩镇", supervisor_id=body.id)
    bureau = make_unit(name="城建局", kind=UnitKind.DEPARTMENT, supervisor_id=body.id)
    root = make_unit(name="某县纪委监委", kind=UnitKind.COUNTY)
    people = {
        "li": make_person("李明", Role.MEMBER, qingshan),
        "qian": make_person("钱委员", Role.MEMBER, qingshan),
        "zhang": make_person("张建国", Role.SECRETARY, qingshan),
        "sun": make_person("孙书记", Role.SECRETARY, baishui),
        "zhou": make_person("周书记", Role.SECRETARY, hongyan),
        "wu": make_person("吴局长", Role.SECRETARY, bureau),
        "wang": make_person("王纪委", Role.DISCIPLINE, body),
        "zhao": make_person("赵审核", Role.INSPECTOR, root),
    }
    meeting = make_template(title="专题会议", points=10)
    report = make_template(title="主体责任述职", points=20, target_role=None)
    analysis = make_template(title="季度廉政分析", points=10, period="quarterly",
                             due_rule="date:11-10")
    tasks = {name: make_assignment(people[who], meeting) for name, who in
             (("on_time", "li"), ("blue", "qian"), ("red", "zhang"))}
    tasks["undone"] = make_assignment(people["li"], make_template(title="廉政学习", points=10))
    tasks["yellow"] = make_assignment(qingshan, report)
    tasks["returned"] = make_assignment(people["li"], make_template(title="谈心谈话", points=10))
    tasks["cancelled"] = make_assignment(people["qian"], make_template(title="调研", points=10))
    tasks["supervised"] = make_assignment(people["zhang"], analysis, period="2026Q4")
    for name, who in (("baishui", "sun"), ("hongyan", "zhou"), ("bureau", "wu")):
        tasks[name] = make_assignment(people[who], make_template(title=f"{name}会议", points=10))
    return {"qingshan": qingshan, "baishui": baishui, "hongyan": hongyan, "bureau": bureau,
            **people, "tasks": tasks}


def hand_in(task, person, reviewer, when):
    transition(task, Action.SUBMIT, person, now=when)
    transition(task, Action.APPROVE, reviewer, now=when)
    session.commit()


def live_the_month(c):
    t, wang = c["tasks"], c["wang"]
    sweep(at(17, 17).replace(minute=10))  # 季度廉政分析 due 10 Nov: 督办 on 17 Nov
    hand_in(t["supervised"], c["zhang"], wang, at(18))
    hand_in(t["on_time"], c["li"], wang, at(24))
    transition(t["returned"], Action.SUBMIT, c["li"], now=at(24))
    transition(t["returned"], Action.RETURN, wang, now=at(25, 9), reason="纪要缺少签到表")
    hand_in(t["returned"], c["li"], wang, at(25, 12))
    for name in ("baishui", "hongyan", "bureau"):
        hand_in(t[name], c[{"baishui": "sun", "hongyan": "zhou", "bureau": "wu"}[name]], wang,
                at(23))
    transition(t["cancelled"], Action.CANCEL, c["zhao"], now=at(24))
    session.commit()
    sweep(at(26, 17).replace(minute=10))
    hand_in(t["blue"], c["qian"], wang, at(26, 18))
    sweep(at(28, 17).replace(minute=10))
    hand_in(t["yellow"], c["zhang"], wang, at(28, 18))
    sweep(at(30, 17).replace(minute=10))
    hand_in(t["red"], c["zhang"], wang, at(30, 18))


def test_a_small_county_by_hand(small_county):
    c = small_county
    live_the_month(c)
    scores = compute(2026, at(2, 9, month=12))
    earned = {line.assignment_id: line.earned for line in scores.lines}
    t = c["tasks"]
    assert [earned[t[name].id] for name in ("on_time", "returned", "blue", "yellow", "red",
                                            "undone", "supervised")] == [
        10, 10, 9, 14, 5, 0, 0]
    assert earned[t["cancelled"].id] is None
    qingshan = scores.units[c["qingshan"].id]
    # 应得分 10+10+10+20+10+10+10 (the cancelled task is out) = 80;
    # 实得分 10+10+9+14+5+0+0 = 48.
    assert (qingshan.possible, qingshan.earned) == (80, 48)
    assert str(qingshan.score) == "60.00"  # 100 × 48 / 80
