"""The demo county's 监督建议书 and 整改通知书 (issue 11): one in each state, lived through the
weeks of use like the tasks (models.demo_history), their past pushes taken as sent.

- 城关镇纪委 → 城关镇: one closed (销账, with a photo in its reply), one issued yesterday and
  not yet signed (the README walkthrough: user 06 or 09 answers it, user 05 verifies);
- 县纪委监委 → 青山镇: every item answered, waiting for the inspectors (users 02, 03);
- 派驻第一纪检监察组 → 县教育局: reply late (蓝色预警, the late reply deducted) and an item
  returned (deducted too);
- 县纪委监委 → 县卫生健康局: accepted, waiting for its 回访;
- a county draft to 石桥乡 (no number yet).
"""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from models import demo_history
from models.clock import SHANGHAI, local_date
from models.db import session
from models.evidence import EvidenceKind
from models.notice_escalation import sweep_notices
from models.notice_lifecycle import (accept, acknowledge, attach, close, draft, issue, reply,
                                     return_item)
from models.notification import Notification, NotificationStatus
from models.photo import process_photo
from models.unit import Person, Role, Unit

FACTS = {
    "meetings": "专项检查发现，2026年以来党委会研究党风廉政建设工作的会议记录不全，部分会议无签到、无纪要。",
    "decisions": "抽查“三重一大”事项12件，其中3件未经集体研究即组织实施，议事记录缺失。",
    "meals": "违规吃喝问题专项整治中发现，公务接待清单与实际开支不符，存在超标准接待2次。",
    "posts": "廉政风险点排查不全面，重点岗位防控措施未落实到人。",
}
BASIS = "《党委(党组)落实全面从严治党主体责任规定》"


def seed_notices(now: datetime, store_photo: Callable) -> int:
    """Live the notices up to `now`; returns how many. Commits."""
    today = local_date(now)
    body = _person("城关镇纪委", Role.DISCIPLINE)
    inspector = session.scalars(sa.select(Person).where(Person.role == Role.INSPECTOR)
                                .order_by(Person.id)).first()
    stationed = _person("派驻第一纪检监察组", Role.DISCIPLINE)

    def day(days_ago: int, hour: int = 10) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour), SHANGHAI) \
            .astimezone(UTC)

    def due(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(17, 30), SHANGHAI) \
            .astimezone(UTC)

    def write(by, unit_name, title, facts, at, reply_in, items, kind="rectification",
              follow_up_days=30):
        unit = _unit(unit_name)
        made = draft(by, kind=kind, unit=unit, title=title, facts=FACTS[facts], basis=BASIS,
                     reply_due_at=due(reply_in), follow_up_days=follow_up_days, now=at,
                     items=[{"requirement": text, "due_at": due(days),
                             "person": _person(unit_name, role) if role else None}
                            for text, days, role in items])
        return made

    closed = write(body, "城关镇", "关于党风廉政建设会议记录不全问题的整改通知", "meetings", day(36), -26,
                   [("补齐2026年党委会研究党风廉政建设工作的会议记录", -26, None),
                    ("建立会议签到和纪要归档制度", -26, Role.MEMBER)], follow_up_days=14)
    issue(closed, body, now=day(36))
    secretary, member = _person("城关镇", Role.SECRETARY), _person("城关镇", Role.MEMBER)
    acknowledge(closed, secretary, now=day(35))
    reply(closed.items[0], secretary, "已补齐1至9月会议记录9份，经班子成员签字确认后归档。", now=day(30))
    evidence = attach(closed.items[0], secretary, EvidenceKind.PHOTO, now=day(30))
    data = demo_history.photo(900)
    store_photo(evidence, data, process_photo(data))
    reply(closed.items[1], member, "已印发《党委会会议管理办法》，会议一律签到并在3日内形成纪要。", now=day(29))
    accept(closed.items[0], body, now=day(28))
    accept(closed.items[1], body, now=day(28))
    close(closed, body, "回访抽查近两个月会议记录，签到、纪要齐全，整改到位，予以销账。", now=day(14))

    waiting = write(inspector, "青山镇", "关于“三重一大”决策程序不规范问题的整改通知", "decisions", day(12), 3,
                    [("对未经集体研究的3件事项补充履行决策程序", 3, None),
                     ("修订“三重一大”议事规则并组织学习", 3, Role.MEMBER)])
    issue(waiting, inspector, now=day(12))
    reply(waiting.items[0], _person("青山镇", Role.COMMITTEE),
          "3件事项已提交党委会补充审议，形成会议纪要，相关责任人已作检讨。", now=day(2))
    reply(waiting.items[1], _person("青山镇", Role.MEMBER),
          "已修订议事规则，10月党委会组织全体班子成员学习。", now=day(1))

    late = write(stationed, "县教育局", "关于公务接待不规范问题的整改通知", "meals", day(20), -2,
                 [("清退超标准接待费用并追究经办人责任", -2, None),
                  ("完善公务接待审批和清单制度", -2, Role.STAFF)])
    issue(late, stationed, now=day(20))
    acknowledge(late, _person("县教育局", Role.COMMITTEE), now=day(19))
    reply(late.items[1], _person("县教育局", Role.STAFF), "已制定公务接待管理办法，接待一律先审批后接待。",
          now=day(8))
    return_item(late.items[1], stationed, "办法未明确接待清单的审核人和公示要求，请补充完善。", now=day(7))

    follow_up = write(inspector, "县卫生健康局", "关于廉政风险点排查不全面的监督建议", "posts", day(25), -15,
                      [("全面排查重点岗位廉政风险点并制定防控措施", -15, None)], kind="suggestion")
    issue(follow_up, inspector, now=day(25))
    reply(follow_up.items[0], _person("县卫生健康局", Role.SECRETARY),
          "已排查重点岗位18个、风险点46个，防控措施落实到人并公示。", now=day(17))
    accept(follow_up.items[0], inspector, now=day(15))

    fresh = write(body, "城关镇", "关于落实“一岗双责”不到位问题的整改通知", "posts", day(1), 9,
                  [("班子成员对分管领域开展一次廉政风险排查", 9, Role.MEMBER),
                   ("党委专题研究整改措施并形成会议纪要", 9, None)])
    issue(fresh, body, now=day(1))
    write(inspector, "石桥乡", "关于基层“微腐败”问题的整改通知（草稿）", "meals", day(1, 15), 14,
          [("开展一次“微腐败”问题专项自查", 14, None)])
    sweep_notices(now)
    # The past is past: what these weeks pushed counts as sent (models.demo_history does so).
    session.execute(sa.update(Notification).where(
        Notification.notice_id.is_not(None), Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.SENT, sent_at=sa.func.coalesce(
            Notification.send_after, Notification.created_at)))
    session.commit()
    return 6


def _unit(name: str) -> Unit:
    return session.scalars(sa.select(Unit).filter_by(name=name)).one()


def _person(unit_name: str, role: Role) -> Person:
    return session.scalars(sa.select(Person).join(Unit).where(
        Unit.name == unit_name, Person.role == role).order_by(Person.id)).first()

