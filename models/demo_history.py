"""The demo county's last weeks (`flask seed-demo`): tasks at every stage, relative to `now`.

The county has used the platform since `founded` (LIVE_FOR before `now`). Its past is played in
time order through the real domain: the periodic dispatch of each period whose due time was
still ahead, a few 临时/个性 tasks dispatched on chosen days (so that, whatever the date, some are
due soon, two are blue, two yellow and one red), 签收, summaries and photos, submissions and
reviews by whoever's turn it is, and the warning ladder's sweep twice a working day. So every
task's warning level, next ladder step and push history agree, and the first real sweep finds
nothing due. The pushes of that past are marked sent: they belong to before the demo started,
and sending them now would be the flood a fresh deployment must not see.
"""

import heapq
import io
import itertools
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from models import demo_integrity
from models.assignment import Action, Assignment, State
from models.clock import SHANGHAI, local_date
from models.db import session
from models.dispatch import UNIT_KINDS_WITH_DUTIES, dispatch, due_at, period_bounds, period_of
from models.duty import DutyTemplate, Period, TemplateKind
from models.escalation import sweep
from models.evidence import EvidenceKind, attach
from models.hierarchy import assignees, reviewers
from models.integrity import check_summaries
from models.lifecycle import transition
from models.notification import Notification, NotificationStatus
from models.photo import process_photo
from models.unit import Person, Role, Unit

LIVE_FOR = timedelta(days=40)
DISPATCH_CLOCK = time(7, 40)  # when the clock's periodic dispatch first runs each day
SWEEP_CLOCKS = (time(9, 0), time(17, 10))
OFFICE = (time(8, 30), time(18, 0))
EARLY_NEXT = timedelta(days=3)  # a period this close is dispatched early when none is open
YOUNG = timedelta(days=1)  # tasks dispatched more recently are at most acknowledged
# How far the cadres of a live period have got, in turn: a readable spread of stages.
LIVE_FATES = ("acknowledged", "completed", "dispatched", "submitted", "completed",
              "first_approved", "acknowledged")
# Tasks dispatched on a chosen day (days before today) so that their due time falls where the
# demo wants it: (template title, days ago, to whom, the fates of those targets in order).
ONCE = [
    ("节前廉洁过节专项提醒", 5, "secretaries",  # after:7 → due in 2 days: 即将到期
     ("acknowledged", "submitted", "completed", "dispatched", "acknowledged")),
    ("开展违规吃喝问题专项整治自查", 12, "units",  # after:10 → 2 days overdue: 蓝色预警
     ("completed", "acknowledged", "first_approved", "dispatched", "late")),
    ("县委巡察反馈问题整改", 34, ("石桥乡", "县教育局"), ("acknowledged", "dispatched")),  # 黄色
    ("县委巡察反馈问题整改", 36, ("青山镇",), ("acknowledged",)),  # after:30 → 6 days: 红色预警
]
SUMMARIES = ("召开专题会议研究部署，形成会议纪要", "组织班子成员逐项对照检查，列出问题清单",
             "开展谈心谈话，覆盖全体党员干部", "对照要求逐条落实，整改台账已建立")
PALETTE = ((176, 58, 46), (40, 116, 166), (39, 174, 96), (211, 84, 0), (125, 60, 152),
           (22, 160, 133), (192, 57, 43), (44, 62, 80))


def founded(now: datetime) -> datetime:
    """When the demo county started using the platform."""
    return _local(local_date(now) - LIVE_FOR, time(9, 0))


def play(now: datetime, fresh: set[int], store_photo: Callable) -> int:
    """Play the county's past up to `now`; `fresh` people's live tasks stay just dispatched
    (the README walkthrough starts there). Returns how many tasks were dispatched."""
    story = Story(now, fresh, store_photo)
    for template in session.scalars(sa.select(DutyTemplate).order_by(DutyTemplate.id)):
        if template.kind == TemplateKind.COMMON and template.period != Period.ONCE:
            story.periodic(template)
    for title, days_ago, whom, fates in ONCE:
        template = session.scalar(sa.select(DutyTemplate).where(DutyTemplate.title == title))
        at = _local(story.today - timedelta(days=days_ago), time(9, 30))
        story.at(at, story.dispatch_once, template, whom, fates)
    day = founded(now).date()
    while day <= story.today:
        for clock in SWEEP_CLOCKS:
            story.at(_local(day, clock), sweep)
        day += timedelta(days=1)
    story.at(now, sweep)
    story.run()
    session.execute(sa.update(Notification).where(Notification.status == NotificationStatus.PENDING)
                    .values(status=NotificationStatus.SENT, sent_at=sa.func.coalesce(
                        Notification.send_after, Notification.created_at)))
    return story.dispatched


class Story:
    """Events in time order; an event may schedule later ones (a dispatch, its tasks' steps)."""

    def __init__(self, now: datetime, fresh: set[int], store_photo: Callable):
        self.now, self.fresh, self.store_photo = now, fresh, store_photo
        self.today = local_date(now)
        self.events: list = []
        self.order = itertools.count()
        self.dispatched = 0
        self.photos = itertools.count()

    def at(self, when: datetime, action: Callable, *args) -> None:
        if when <= self.now:
            heapq.heappush(self.events, (when, next(self.order), action, args))

    def run(self) -> None:
        while self.events:
            when, _, action, args = heapq.heappop(self.events)
            action(when, *args)

    def periodic(self, template: DutyTemplate) -> None:
        """Each period since `founded` whose due time was ahead when the clock dispatched it,
        and the next one early when none is open and it starts within EARLY_NEXT."""
        start = founded(self.now)
        day, last_due = local_date(start), None
        while day <= self.today:
            period = period_of(template, day)
            first, last = period_bounds(template, period, start)
            at = max(_local(first, DISPATCH_CLOCK), start)
            last_due = due_at(template, period, at)
            if last_due > at:
                self.at(at, self.dispatch_periodic, template, period)
            day = last + timedelta(days=1)
        if last_due is not None and last_due <= self.now and \
                _local(day, DISPATCH_CLOCK) - self.now <= EARLY_NEXT:
            self.at(self.now - timedelta(hours=2), self.dispatch_periodic, template,
                    period_of(template, day))

    def dispatch_periodic(self, when: datetime, template: DutyTemplate, period: str) -> None:
        created = dispatch(template, period, now=when)
        self.dispatched += len(created)
        for index, task in enumerate(created):
            if task.due_at <= self.now:
                fate = "completed"
            elif task.person_id in self.fresh:
                fate = "dispatched"
            elif self.now - when < YOUNG:
                fate = ("dispatched", "acknowledged")[index % 2]
            else:
                fate = LIVE_FATES[(template.id + index) % len(LIVE_FATES)]
            self.follow(task, fate, when)

    def dispatch_once(self, when: datetime, template: DutyTemplate, whom, fates) -> None:
        units = people = None
        if whom == "secretaries":
            people = session.scalars(sa.select(Person).join(Person.unit).where(
                Person.role == Role.SECRETARY, Unit.kind.in_(UNIT_KINDS_WITH_DUTIES))
                .order_by(Person.id)).all()
        elif whom == "units":
            units = session.scalars(sa.select(Unit).where(Unit.kind.in_(UNIT_KINDS_WITH_DUTIES))
                                    .order_by(Unit.id)).all()
        else:
            units = [session.scalar(sa.select(Unit).where(Unit.name == name)) for name in whom]
        created = dispatch(template, "once", now=when, units=units, people=people)
        self.dispatched += len(created)
        for task, fate in zip(created, fates, strict=True):
            self.follow(task, fate, when)

    def follow(self, task: Assignment, fate: str, since: datetime) -> None:
        """Schedule what the assignee and the reviewers do about `task` after `since`."""
        if fate == "dispatched":
            return
        end = min(task.due_at, self.now)
        ack = _office(since + (end - since) * 0.15, since)
        self.at(ack, self.acknowledge, task)
        if fate == "acknowledged":
            return
        if fate == "completed":
            handed = _office(since + (end - since) * 0.5, ack)
            reviews = [_office(handed + timedelta(days=days), handed) for days in (1, 2)]
        elif fate == "first_approved":
            handed = _office(self.now - timedelta(hours=30), ack)
            reviews = [_office(self.now - timedelta(hours=5), handed)]
        else:  # submitted or late: waiting for the first review
            handed, reviews = _office(self.now - timedelta(hours=8), ack), []
        self.at(handed, self.submit, task)
        for when in reviews:
            self.at(when, self.approve, task)

    def acknowledge(self, when: datetime, task: Assignment) -> None:
        if task.state == State.DISPATCHED:
            transition(task, Action.ACKNOWLEDGE, assignees(task)[0], now=when)

    def submit(self, when: datetime, task: Assignment) -> None:
        person = assignees(task)[0]
        template = task.template
        chosen = demo_integrity.handed_in(task, when.astimezone(SHANGHAI))  # 照搬照抄
        # Short, as most are: too short to judge as copied (models.integrity).
        summary = f"{when.astimezone(SHANGHAI):%m月%d日}{SUMMARIES[task.id % len(SUMMARIES)]}。"
        attach(task, EvidenceKind.TEXT, person, now=when, text=chosen[0] if chosen else summary)
        for _ in range(template.min_photos):
            evidence = attach(task, EvidenceKind.PHOTO, person, now=when)
            data = chosen[1] if chosen else photo(next(self.photos))
            processed = process_photo(data)
            self.store_photo(evidence, data, processed)
            if chosen:
                demo_integrity.check(evidence, processed, when)
                chosen = (chosen[0], photo(next(self.photos)))  # one reused photo at most
        transition(task, Action.SUBMIT, person, now=when)
        if chosen:  # checked now, as the job would, so 石桥乡's summary is indexed first
            check_summaries(task, now=when)

    def approve(self, when: datetime, task: Assignment) -> None:
        """The first reviewer whose turn it is approves; without one the task waits."""
        if task.state in (State.SUBMITTED, State.FIRST_APPROVED) and (found := reviewers(task)):
            transition(task, Action.APPROVE, found[0], now=when)


def photo(number: int) -> bytes:
    """A distinct generated JPEG: a coloured scene of a few shapes (no two alike)."""
    shapes = random.Random(number)
    image = Image.new("RGB", (480, 360), PALETTE[number % len(PALETTE)])
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = shapes.randrange(0, 400), shapes.randrange(0, 280)
        colour = tuple(shapes.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + shapes.randrange(30, 160), y + shapes.randrange(20, 120)),
                       fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, SHANGHAI).astimezone(UTC)


def _office(moment: datetime, after: datetime) -> datetime:
    """`moment` moved back into office hours (08:30–18:00), yet later than `after`."""
    local = moment.astimezone(SHANGHAI)
    if local.time() > OFFICE[1]:
        local = datetime.combine(local.date(), time(17, 30), SHANGHAI)
    elif local.time() < OFFICE[0]:
        local = datetime.combine(local.date() - timedelta(days=1), time(17, 30), SHANGHAI)
    moved = local.astimezone(UTC)
    return moved if moved > after else max(moment, after + timedelta(minutes=10))
