"""The warning ladder run by the sweep (DESIGN.md, issue 4): explicit `now`s, each swept twice.

The county: a township supervised by its 纪委, with a secretary and members; a county
inspector. Everyone is bound to a phone of the emulator, so pushes can be followed to it.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models import (Assignment, DutyTemplate, Notification, Role, NotificationStatus, Supervision,
                    UnitKind, Level, session)
from models.assignment import Action
from models.lifecycle import transition
from models.escalation import sweep
from tests.conftest import flush_redis, openid

SH = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 11, 25, 17, 0, tzinfo=SH)  # template "day:25", period 2026-11


def sh(month, day, hour=17, minute=0, year=2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


LIFECYCLE = ("dispatched", "review_request", "returned", "completed")


def pushes(since_id=0) -> list[tuple[str, int]]:
    """(kind, person id) of the ladder's notifications recorded after `since_id`, in order."""
    return [tuple(row) for row in session.execute(
        sa.select(Notification.kind, Notification.person_id)
        .where(Notification.id > since_id, Notification.kind.not_in(LIFECYCLE))
        .order_by(Notification.id))]


def last_id() -> int:
    return session.scalar(sa.select(sa.func.max(Notification.id))) or 0


def test_one_task_climbs_the_whole_ladder_each_step_once(ladder_county, work, emulator,
                                                         make_assignment):
    task = make_assignment(ladder_county["member"])
    m, s, d, i = (ladder_county[k].id for k in ("member", "secretary", "discipline", "inspector"))
    timeline = [
        (DUE - timedelta(days=4), []),
        (DUE - timedelta(days=3), [("reminder", m)]),
        (DUE - timedelta(days=1), []),
        (DUE + timedelta(days=1), [("blue", m)]),
        (DUE + timedelta(days=2), []),
        (DUE + timedelta(days=3), [("yellow", m), ("yellow", s)]),
        (DUE + timedelta(days=5), [("red", m), ("red", s), ("red", d)]),
        (DUE + timedelta(days=7), [("supervision", m), ("supervision", s), ("supervision", d),
                                   ("supervision", i)]),
        (DUE + timedelta(days=30), []),
    ]
    for now, expected in timeline:
        before = last_id()
        sweep(now)
        sweep(now)  # the same instant again: nothing new
        assert pushes(before) == expected, now
    session.expire_all()
    assert session.get(Assignment, task.id).warning == Level.SUPERVISION
    assert session.get(Assignment, task.id).next_step_at is None
    assert session.scalar(sa.select(sa.func.count(Supervision.id))) == 1

    work()
    phone = [msg for msg in emulator.inbox(openid(1)) if msg["kind"] == "template"]
    assert [msg["template_id"] for msg in phone] == [
        "QL_TASK_DISPATCHED", "QL_TASK_WARNING", "QL_TASK_WARNING", "QL_TASK_WARNING",
        "QL_TASK_WARNING", "QL_SUPERVISION"]
    levels = [msg["data"]["phrase2"] for msg in phone[1:5]]
    assert levels == ["预警提醒", "蓝色预警", "黄色预警", "红色预警"]
    secretary = [msg for msg in emulator.inbox(openid(2)) if msg["kind"] == "template"]
    assert len(secretary) == 3 and "委员甲" in secretary[0]["data"]["thing4"]
    assert len([m for m in emulator.inbox(openid(4)) if m["kind"] == "template"]) == 1
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.status != NotificationStatus.SENT)) == 0


def test_steps_missed_while_down_collapse_into_the_highest(ladder_county, make_assignment):
    make_assignment(ladder_county["member"])
    m, s, d = (ladder_county[k].id for k in ("member", "secretary", "discipline"))
    sweep(DUE + timedelta(days=6))  # nothing ran since dispatch
    assert pushes() == [("red", m), ("red", s), ("red", d)]
    before = last_id()
    sweep(DUE + timedelta(days=7))
    assert [kind for kind, _ in pushes(before)] == ["supervision"] * 4


def test_handed_in_before_due_never_warns_and_reviewers_are_reminded_daily(ladder_county,
                                                                           make_assignment):
    task = make_assignment(ladder_county["member"])
    sweep(DUE - timedelta(days=3))
    transition(task, Action.SUBMIT, ladder_county["member"], now=DUE - timedelta(days=1))
    session.commit()
    before = last_id()
    for day in range(0, 8):
        sweep(DUE + timedelta(days=day))
    reminders = pushes(before)
    # Submitted at T-1 d: the reviewer hears at T+2 d, then once a day; never a colour.
    assert set(reminders) == {("review_overdue", ladder_county["discipline"].id)}
    assert len(reminders) == 6  # T+2 … T+7
    assert session.get(Assignment, task.id).warning == Level.REMINDER
    before = last_id()
    sweep(DUE + timedelta(days=7, hours=3))  # same day again
    assert pushes(before) == []


def test_returned_after_due_resumes_at_the_step_now_due(ladder_county, make_assignment):
    task = make_assignment(ladder_county["member"])
    sweep(DUE - timedelta(days=3))
    transition(task, Action.SUBMIT, ladder_county["member"], now=DUE - timedelta(hours=2))
    session.commit()
    sweep(DUE + timedelta(days=1))  # waiting for review: no blue
    assert [kind for kind, _ in pushes()] == ["reminder"]
    transition(task, Action.RETURN, ladder_county["discipline"], now=DUE + timedelta(days=4),
               reason="照片不清晰，请补充会议记录")
    session.commit()
    before = last_id()
    sweep(DUE + timedelta(days=4, minutes=10))
    assert pushes(before) == [("yellow", ladder_county["member"].id),
                              ("yellow", ladder_county["secretary"].id)]
    before = last_id()
    sweep(DUE + timedelta(days=5))
    assert [kind for kind, _ in pushes(before)] == ["red"] * 3


def test_a_vacant_secretary_post_goes_one_level_up(ladder_county, make_unit, make_bound_person,
                                                   make_assignment):
    village = make_unit(name="东村", kind=UnitKind.VILLAGE, parent_id=ladder_county["township"].id)
    villager = make_bound_person(7, name="村干部", role=Role.MEMBER, unit=village)
    make_assignment(villager)
    sweep(DUE + timedelta(days=3))
    assert pushes() == [("yellow", villager.id), ("yellow", ladder_county["secretary"].id)]
    ladder_county["secretary"].active = False
    session.commit()
    before = last_id()
    sweep(DUE + timedelta(days=5))
    # No secretary anywhere up the tree now; the township's supervising 纪委 still hears.
    assert pushes(before) == [("red", villager.id), ("red", ladder_county["discipline"].id)]


def test_working_days_skip_the_national_day_holiday_and_count_the_make_up_saturday(
        ladder_county, make_template, make_assignment):
    template = make_template(working_days=True, due_rule="day:30")
    task = make_assignment(ladder_county["member"], template, period="2026-09", at=sh(9, 1, 9))
    assert task.due_at == sh(9, 30)
    # Reminder: 29 and 28 September, then back over the Mid-Autumn holiday (25–27) to the 24th.
    expected = [(sh(9, 24), "reminder"),
                (sh(10, 8), "blue"),  # 1–7 October: National Day
                (sh(10, 10), "yellow"),  # Saturday 10 October: a make-up workday
                (sh(10, 13), "red"), (sh(10, 15), "supervision")]
    for at, step in expected:
        before = last_id()
        sweep(at - timedelta(minutes=1))
        assert pushes(before) == [], at
        sweep(at)
        assert pushes(before)[0] == (step, ladder_county["member"].id), at


def test_a_missing_year_holds_steps_off_the_fixed_holidays_and_raises_an_alarm(ladder_county, now,
                                                                               make_template,
                                                                               make_assignment):
    from models.calendar import missing_year

    template = make_template(working_days=True, due_rule="day:31")
    task = make_assignment(ladder_county["member"], template, period="2026-12", at=sh(12, 1, 9))
    assert missing_year(sh(11, 2, 9)) == 2027
    assert missing_year(sh(10, 31, 9)) is None  # before 1 November nobody expects it yet
    assert task.next_step_at == sh(12, 28)  # reminder: 31 Dec (Thu) − 3 working days
    sweep(sh(12, 28))
    assert pushes() == [("reminder", ladder_county["member"].id)]
    # 2027 is unknown: blue is counted Monday to Friday rather than never, but not on 元旦
    # (Friday 1 Jan, fixed by date): Monday 4 Jan.
    assert session.get(Assignment, task.id).next_step_at == sh(1, 4, year=2027)
    sweep(sh(1, 1, year=2027))
    assert pushes() == [("reminder", ladder_county["member"].id)]
    sweep(sh(1, 4, year=2027))
    assert pushes()[-1] == ("blue", ladder_county["member"].id)


def test_quiet_hours_hold_pushes_until_morning_except_supervision(app, ladder_county, monkeypatch,
                                                                  make_assignment):
    monkeypatch.setitem(app.config, "QUIET_HOURS", "22:00-07:30")
    task = make_assignment(ladder_county["member"], at=sh(11, 1, 23, 30))
    dispatched = session.scalar(sa.select(Notification).where(Notification.kind == "dispatched"))
    assert dispatched.send_after == sh(11, 2, 7, 30)
    task.due_at = sh(11, 25, 23, 0)
    from models.escalation import plan

    plan(task, sh(11, 1, 23, 30))
    session.commit()
    assert task.next_step_at == sh(11, 23, 7, 30)  # reminder at 22 Nov 23:00 waits
    sweep(sh(11, 22, 23, 30))
    assert pushes() == []
    sweep(sh(11, 23, 7, 30))
    assert pushes() == [("reminder", ladder_county["member"].id)]
    before = last_id()
    sweep(sh(12, 2, 23, 0))  # T+7 d at 23:00: 督办 does not wait, lower steps collapse
    assert [kind for kind, _ in pushes(before)] == ["supervision"] * 4
    before = last_id()
    # A step found due at night after downtime waits too (here on a second task).
    other = make_assignment(ladder_county["member2"], at=sh(11, 1, 9))
    sweep(sh(11, 26, 23, 40))
    assert pushes(before) == []
    assert session.get(Assignment, other.id).next_step_at == sh(11, 27, 7, 30)
    sweep(sh(11, 27, 7, 30))
    assert pushes(before) == [("blue", ladder_county["member2"].id)]


def test_several_pushes_for_one_person_in_a_sweep_become_one_digest(ladder_county, work, emulator,
                                                                    make_template,
                                                                    make_assignment):
    template = make_template()
    for key in ("member", "member2", "member3"):
        make_assignment(ladder_county[key], template)
    sweep(DUE + timedelta(days=3))
    secretary = ladder_county["secretary"].id
    rows = session.scalars(sa.select(Notification).where(
        Notification.person_id == secretary).order_by(Notification.id)).all()
    digests = [row for row in rows if row.kind == "digest"]
    assert len(digests) == 1 and len(rows) == 4
    assert {row.status for row in rows if row.kind == "yellow"} == {NotificationStatus.DIGESTED}
    assert {row.digest_id for row in rows if row.kind == "yellow"} == {digests[0].id}
    work()
    phone = [msg for msg in emulator.inbox(openid(2)) if msg["kind"] == "template"]
    assert len(phone) == 1
    assert phone[0]["data"]["thing1"] == "您有3项任务提醒"
    assert phone[0]["url"].endswith(f"/m/overview?digest={digests[0].id}")  # the 3 tasks
    for index in (1, 5, 6):  # each member gets their own, undigested
        mine = [m for m in emulator.inbox(openid(index)) if m["template_id"] == "QL_TASK_WARNING"]
        assert len(mine) == 1 and mine[0]["data"]["phrase2"] == "黄色预警"


def test_dry_run_prints_what_would_be_sent_and_writes_nothing(ladder_county, runner, clock,
                                                              make_assignment):
    clock.move_to(DUE + timedelta(days=4))
    make_assignment(ladder_county["member"])
    at = (DUE + timedelta(days=3)).astimezone(UTC).isoformat()  # shown in Shanghai time
    result = runner.invoke(args=["sweep", "--now", at, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "黄色预警" in result.output and "书记" in result.output
    assert "扫描时间 2026-11-28 17:00（北京时间）" in result.output
    assert "黄色预警 1 项；将记录 2 条推送" in result.output
    assert pushes() == []
    assert session.scalar(sa.select(Assignment.warning)) == Level.NONE
    result = runner.invoke(args=["sweep", "--now", at])
    assert "已记录 2 条推送" in result.output
    assert len(pushes()) == 2
    bad = runner.invoke(args=["sweep", "--now", "2026-11-28 17:00"])
    assert bad.exit_code != 0 and "须带时区" in bad.output


def test_sweep_refuses_a_future_now_unless_dry_run(ladder_county, runner, now, make_assignment):
    make_assignment(ladder_county["member"])  # due 2026-11-25; the clock reads 2026-11-20
    ahead = (DUE + timedelta(days=3)).isoformat()
    refused = runner.invoke(args=["sweep", "--now", ahead])
    assert refused.exit_code != 0
    assert "2026-11-28 17:00 还没有到" in refused.output and "--dry-run" in refused.output
    assert pushes() == [] and session.scalar(sa.select(Assignment.warning)) == Level.NONE
    preview = runner.invoke(args=["sweep", "--now", ahead, "--dry-run"])
    assert preview.exit_code == 0 and "将记录 2 条推送" in preview.output


def test_redis_flushed_between_sweeps_resends_nothing_and_loses_nothing(app, ladder_county, work,
                                                                        emulator, make_assignment):
    from jobs.notification import relay_pending

    make_assignment(ladder_county["member"])
    work()
    sweep(DUE - timedelta(days=3))
    flush_redis(app)  # the queued send job is gone
    sweep(DUE - timedelta(days=3))
    work()
    assert [m for m in emulator.inbox(openid(1)) if m["template_id"] == "QL_TASK_WARNING"] == []
    relay_pending(now=DUE - timedelta(days=3, minutes=-2))  # the clock's backstop, 2 min on
    work()
    flush_redis(app)
    sweep(DUE - timedelta(days=3))
    sweep(DUE + timedelta(days=1))
    work()
    warnings = [m["data"]["phrase2"] for m in emulator.inbox(openid(1))
                if m["template_id"] == "QL_TASK_WARNING"]
    assert warnings == ["预警提醒", "蓝色预警"]


def test_switching_a_template_to_working_days_moves_its_open_tasks_steps(ladder_county, now,
                                                                         make_template,
                                                                         make_assignment):
    from models.catalogue import save_template

    template = make_template(due_rule="day:30")
    task = make_assignment(ladder_county["member"], template, period="2026-09", at=sh(9, 1, 9))
    assert task.next_step_at == sh(9, 27)  # three calendar days before 30 September
    save_template(template, {"working_days": True}, actor=ladder_county["inspector"], now=now)
    session.commit()
    assert session.get(Assignment, task.id).next_step_at == sh(9, 24)  # over Mid-Autumn


def test_two_sweeps_at_once_record_each_push_once(app, ladder_county, make_template,
                                                  make_assignment):
    import threading

    template = make_template()
    for key in ("member", "member2", "member3"):
        make_assignment(ladder_county[key], template)
    at = DUE + timedelta(days=5)
    start, failures = threading.Barrier(2), []

    def run():
        with app.app_context():
            start.wait()
            try:
                sweep(at)
            except Exception as exc:  # SQLite may refuse the second writer: it recorded nothing
                failures.append(exc)
            finally:
                session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if session.get_bind().dialect.name == "postgresql":
        assert failures == []  # SKIP LOCKED: each took rows the other had not
    assert len(failures) < 2
    sweep(at)  # whatever a refused sweep left is picked up by the next
    rows = session.execute(sa.select(Notification.person_id, Notification.assignment_id)
                           .where(Notification.kind == "red")).all()
    assert len(rows) == len(set(rows)) == 3 * 3  # 3 tasks × (member, secretary, 纪委)


def test_a_template_sets_its_own_ladder_days_and_bad_ones_are_refused(ladder_county, now,
                                                                      make_template,
                                                                      make_assignment):
    from models.catalogue import BadLadder, save_template

    template = make_template()
    task = make_assignment(ladder_county["member"], template)
    save_template(template, {"ladder_days": "-1, 2, 4, 6, 10"}, actor=ladder_county["inspector"],
                  now=now)
    session.commit()
    assert session.get(Assignment, task.id).next_step_at == DUE - timedelta(days=1)
    sweep(DUE + timedelta(days=1))  # blue now falls at +2 d
    assert pushes() == [("reminder", ladder_county["member"].id)]
    sweep(DUE + timedelta(days=2))
    assert pushes()[-1] == ("blue", ladder_county["member"].id)
    for bad in ("1,2,3,4,5", "-3,1,1,5,7", "-3,1,3,5", "a,b,c,d,e"):
        with pytest.raises(BadLadder):
            save_template(template, {"ladder_days": bad}, actor=ladder_county["inspector"],
                          now=now)
        session.rollback()
    assert session.get(DutyTemplate, template.id).ladder_days == "-1,2,4,6,10"


def test_a_digest_gives_way_when_a_race_already_recorded_its_other_pushes(ladder_county,
                                                                          make_template,
                                                                          make_assignment):
    from models.notification import notify

    template = make_template()
    tasks = [make_assignment(ladder_county[key], template)
             for key in ("member", "member2", "member3")]
    secretary = ladder_county["secretary"].id
    for task in tasks[:2]:  # another sweep got there first with two of the three
        notify("yellow", secretary, now=DUE + timedelta(days=3), assignment_id=task.id,
               step="yellow", cycle=0)
    session.commit()
    report = sweep(DUE + timedelta(days=3))
    mine = session.scalars(sa.select(Notification).where(
        Notification.person_id == secretary).order_by(Notification.id)).all()
    assert [row.kind for row in mine] == ["yellow", "yellow", "yellow"]  # no digest of one
    assert mine[-1].status == NotificationStatus.PENDING and mine[-1].digest_id is None
    assert report.digests == 0 and report.created == 4  # three members' and one secretary's
