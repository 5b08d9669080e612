"""The demo county's monthly self-checks (月度自查, issue 12): last month's and this month's,
for every post holder with risk points (models.demo_post) but the README walkthrough's cadre.

Last month everyone answered and the discipline bodies approved; one cadre reported a risk that
their 纪委 followed up and closed. This month the later half answered (one reporting a risk that
still waits for follow-up), the rest still owe it until the due day (past it, all answered: the
demo starts calm). Their past pushes count as sent.
"""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from models.assignment import Action
from models.clock import SHANGHAI, local_date
from models.db import session
from models.dispatch import dispatch
from models.duty import DutyCategory, DutyTemplate, Period, TemplateKind
from models.escalation import sweep
from models.hierarchy import Directory
from models.lifecycle import transition
from models.notification import Notification, NotificationStatus
from models.post import risk_point_holders
from models.self_check import Answer, RiskFollowUp, close, hand_in, questions
from models.unit import Person

TITLE = "月度廉政风险自查"
DESCRIPTION = ("对照本人岗位职责和廉政风险点逐项自查：是否发生风险、防控措施落实情况，"
               "并写明本月自查小结。")
SUMMARIES = {False: "本月对照岗位职责和廉政风险点逐项自查，未发现问题，防控措施均已落实。",
             True: "本月对照岗位职责和廉政风险点逐项自查，发现问题一项，已整改并报告纪委。"}
FOLLOW_UP_NOTE = "经实地核实，该项目验收资料不全属实，已责令补齐资料并对经办人进行提醒谈话。"


def seed_self_checks(now: datetime, since: datetime, skip: set[int]) -> int:
    """The template and two months of self-checks; returns how many were dispatched."""
    category = session.scalars(sa.select(DutyCategory).filter_by(name="廉政风险防控")).one()
    template = DutyTemplate(category=category, title=TITLE, description=DESCRIPTION,
                            kind=TemplateKind.SELFCHECK, period=Period.MONTHLY,
                            due_rule="day:25", points=3, requires_summary=True, min_photos=0,
                            review_levels=1, created_at=since)
    session.add(template)
    session.flush()
    people = [p for p in risk_point_holders() if p.id not in skip]
    today = local_date(now)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    done = _month(template, f"{last_month:%Y-%m}", last_month, people, now, since,
                  follow_up=True)
    done += _month(template, f"{this_month:%Y-%m}", this_month, people, now, since,
                   follow_up=False)
    sweep(now)  # what is due now was sent while the county lived: the demo starts calm
    session.execute(sa.update(Notification).where(
        Notification.status == NotificationStatus.PENDING).values(
        status=NotificationStatus.SENT, sent_at=Notification.created_at))
    session.commit()
    return done


def _month(template, period, first_day, people: list[Person], now, since, *,
           follow_up: bool) -> int:
    """One month's self-checks: all handed in and approved once the due day has passed (never a
    stale overdue one), else the first half handed in; a reported risk closed if `follow_up`."""
    dispatched_at = max(datetime.combine(first_day, time(9, 0), SHANGHAI), since)
    if dispatched_at >= now:
        return 0
    tasks = dispatch(template, period, now=dispatched_at, people=people, allow_past=True)
    due = tasks[0].due_at if tasks else now
    everyone = due <= now
    answered_by = due if everyone else now
    if answered_by - dispatched_at < timedelta(hours=2):
        return len(tasks)
    found = Directory()
    # This month the later half answered: the bound cadres (the first people) still owe it.
    answering = tasks if everyone else tasks[len(tasks) - len(tasks) // 2:]
    risky = len(answering) // 2  # one cadre of the month reports a risk
    for index, task in enumerate(answering):
        at = dispatched_at + (answered_by - dispatched_at) * (0.5 + 0.4 * index / len(tasks))
        hand_in(task, task.person, _answers(task.person, index == risky),
                SUMMARIES[index == risky], now=at)
        if everyone:
            reviewer = session.get(Person, found.first_level(task.unit_id)[0])
            transition(task, Action.APPROVE, reviewer, now=at + timedelta(hours=20))
    if follow_up and answering:
        follow_up = session.scalars(sa.select(RiskFollowUp).where(
            RiskFollowUp.assignment_id == answering[risky].id)).one()
        body = session.get(Person, found.discipline(follow_up.unit_id)[0])
        close(follow_up, body, FOLLOW_UP_NOTE, now=min(follow_up.created_at + timedelta(days=2),
                                                       now - timedelta(hours=1)))
    session.flush()
    return len(tasks)


def _answers(person: Person, risky: bool) -> dict[int, Answer]:
    """Every risk point answered from its own measures; the first occurred when `risky`."""
    asked = questions(person)
    return {q.risk_point_id: Answer(q.risk_point_id, risky and n == 0,
                                    ("发现问题后已整改：" if risky and n == 0 else "已落实：")
                                    + q.measures[:40])
            for n, q in enumerate(asked)}
