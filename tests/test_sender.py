"""The outbox's sender against the emulator's fault knobs (wechat-platform.md §3.3, issue 4 §4).

Every push here is a real ladder step recorded by a sweep; the sender is driven by the RQ
worker (`work`), by a real worker process, or directly with `send_notifications`.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jobs.notification import reap_stuck, send_notifications
from jobs.sms import LoggingSms
from models import Notification, NotificationStatus, WechatBinding, session, utcnow
from models.escalation import sweep
from models.dispatch import SHANGHAI, period_of
from tests.conftest import machine_now, openid, same_clock
from tests.test_escalation import DUE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEND = "message/template/send"


@pytest.fixture
def reminder(ladder_county, make_assignment):
    """A reminder for 委员甲 (phone 1), recorded and committed, not yet sent."""
    task = make_assignment(ladder_county["member"])
    session.execute(
        sa.update(Notification).values(status=NotificationStatus.SENT)
    )  # the dispatch notice
    session.commit()
    sweep(DUE - timedelta(days=3))
    return session.scalar(sa.select(Notification).where(Notification.kind == "reminder")), task


def cards(emulator, index=1) -> list[dict]:
    return [m for m in emulator.inbox(openid(index)) if m["kind"] == "template"]


def reload(note) -> Notification:
    note_id = note if isinstance(note, int) else note.id
    session.expire_all()
    return session.get(Notification, note_id)


def test_a_sent_push_carries_client_msg_id_and_delivery_is_recorded(app, reminder, work,
                                                                   emulator):
    note, _ = reminder
    work()
    [card] = cards(emulator)
    assert card["client_msg_id"] == f"ql-{note.id}"
    emulator.flush()  # TEMPLATESENDJOBFINISH reaches the callback
    note = reload(note)
    assert note.status == NotificationStatus.DELIVERED and note.msgid == str(card["msgid"])


def test_a_rejected_token_is_refreshed_once_and_the_push_goes(app, reminder, work, emulator):
    note, _ = reminder
    app.extensions["wechat"].client.access_token  # the token in use: one fetch
    emulator.fail_next(40001, count=1, path=SEND)
    work()
    assert reload(note).status == NotificationStatus.SENT and len(cards(emulator)) == 1
    assert emulator.stats()["api_calls"]["/cgi-bin/" + SEND] == 2  # the rejected call, once more
    # One refresh: stable_token in normal mode hands back the same token, so it is forced.
    assert emulator.stats()["token_fetches"]["stable_token"] == 3


@pytest.mark.parametrize("errcode", [-1, 45009])
def test_busy_or_over_quota_backs_off_then_sends(app, reminder, emulator, monkeypatch, errcode):
    note, _ = reminder
    monkeypatch.setitem(app.config, "SEND_RETRY_INTERVALS", [10, 60, 300])
    emulator.fail_next(errcode, count=2, path=SEND)
    send_notifications([note.id])
    note = reload(note)
    assert note.status == NotificationStatus.PENDING and note.attempts == 1
    assert note.error.startswith(str(errcode))
    first_wait = note.send_after - utcnow()
    assert timedelta(seconds=5) < first_wait <= timedelta(seconds=10)
    send_notifications([note.id])  # too early: not claimed, nothing sent
    assert reload(note).attempts == 1
    session.execute(sa.update(Notification).values(send_after=utcnow()))
    session.commit()
    send_notifications([note.id])
    note = reload(note)
    assert note.attempts == 2 and timedelta(seconds=50) < note.send_after - utcnow()
    session.execute(sa.update(Notification).values(send_after=utcnow()))
    session.commit()
    send_notifications([note.id])
    assert reload(note).status == NotificationStatus.SENT and len(cards(emulator)) == 1


def test_busy_for_good_ends_failed_after_the_last_retry(app, reminder, work, emulator):
    note, _ = reminder
    emulator.fail_next(-1, count=100, path=SEND)
    work()
    note = reload(note)
    assert note.status == NotificationStatus.FAILED and note.attempts == 4 and "-1" in note.error
    assert cards(emulator) == []


@pytest.mark.parametrize("errcode", [40003, 40037, 47003])
def test_errors_an_admin_must_fix_end_failed_with_wechats_words(app, reminder, work, emulator,
                                                                errcode):
    note, _ = reminder
    emulator.fail_next(errcode, count=1, path=SEND)
    work()
    note = reload(note)
    assert note.status == NotificationStatus.FAILED and note.attempts == 1
    assert note.error.startswith(f"{errcode}:")
    assert cards(emulator) == []


def test_unfollowed_cadre_is_undeliverable_and_the_unit_is_told(app, ladder_county, reminder, work,
                                                                emulator, monkeypatch):
    note, task = reminder
    sms = LoggingSms()
    monkeypatch.setitem(app.extensions, "fallback", sms)
    ladder_county["member"].phone = "13800001111"
    session.commit()
    emulator.fail_next(43004, count=1, path=SEND)
    work()
    note = reload(note)
    assert note.status == NotificationStatus.UNDELIVERABLE and "43004" in note.error
    assert not session.scalar(sa.select(WechatBinding.active).where(
        WechatBinding.person_id == ladder_county["member"].id))
    told = session.scalars(sa.select(Notification).where(Notification.kind == "unreachable")).all()
    assert {row.person_id for row in told} == {ladder_county["secretary"].id,
                                               ladder_county["discipline"].id}
    for index in (2, 3):  # the card names the task and its due time, then who is lost
        [card] = cards(emulator, index)
        assert card["data"]["thing1"] == "专题会议" and card["data"]["phrase2"] == "无法送达"
        assert card["data"]["time3"] == DUE.strftime("%Y-%m-%d %H:%M")
        assert card["data"]["thing4"] == "委员甲（青山镇）收不到微信，请电话告知"
    assert sms.sent and sms.sent[0][0] == "13800001111" and "专题会议" in sms.sent[0][1]
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.channel == "sms")) == 1

    calls = emulator.stats()["api_calls"].get("/cgi-bin/" + SEND, 0)
    sweep(DUE + timedelta(days=1))  # the next step: no WeChat call, nobody told again
    work()
    blue = session.scalar(sa.select(Notification).where(Notification.kind == "blue"))
    assert blue.status == NotificationStatus.UNDELIVERABLE
    assert emulator.stats()["api_calls"].get("/cgi-bin/" + SEND, 0) == calls
    assert len(session.scalars(sa.select(Notification).where(
        Notification.kind == "unreachable")).all()) == 2


def test_no_answer_is_retried_with_the_same_client_msg_id_and_arrives_once(app, reminder, work,
                                                                           emulator, monkeypatch):
    note, _ = reminder
    client = app.extensions["wechat"].client
    client.access_token  # fetched before WeChat turns slow
    monkeypatch.setattr(client, "timeout", 0.3)
    emulator.set_latency(800)  # WeChat takes the message but we hear nothing back in time
    send_notifications([note.id])
    note = reload(note)
    assert note.status == NotificationStatus.PENDING and note.error.startswith("结果未知")
    emulator.set_latency(0)
    _wait_for(lambda: len(cards(emulator)) == 1)  # the first request lands at WeChat
    work()
    note = reload(note)
    assert note.status == NotificationStatus.SENT and note.attempts == 2
    [card] = cards(emulator)  # WeChat's client_msg_id dedupe: still one message
    assert card["msgid"] == int(note.msgid)


def test_no_answer_outside_the_dedupe_window_is_left_for_an_admin(app, reminder, emulator,
                                                                  monkeypatch):
    note, _ = reminder
    session.execute(sa.update(Notification).where(Notification.id == note.id).values(
        first_attempt_at=utcnow() - timedelta(minutes=11), attempts=1))
    session.commit()
    app.extensions["wechat"].client.access_token
    monkeypatch.setattr(app.extensions["wechat"].client, "timeout", 0.2)
    emulator.set_latency(600)
    send_notifications([note.id])
    emulator.set_latency(0)
    note = reload(note)
    assert note.status == NotificationStatus.UNKNOWN and "人工核实" in note.error


def test_the_reaper_returns_stuck_sends_inside_the_window_only(app, reminder, ladder_county,
                                                               make_assignment):
    note, _ = reminder
    other = make_assignment(ladder_county["member2"])
    sweep(DUE - timedelta(days=3))
    late = session.scalar(sa.select(Notification).where(
        Notification.kind == "reminder", Notification.person_id == ladder_county["member2"].id))
    now = utcnow()
    for row, first in ((note, now - timedelta(minutes=4)), (late, now - timedelta(minutes=12))):
        session.execute(sa.update(Notification).where(Notification.id == row.id).values(
            status=NotificationStatus.SENDING, sending_since=now - timedelta(minutes=3),
            first_attempt_at=first, attempts=1))
    session.commit()
    assert reap_stuck(now - timedelta(minutes=2)) == 0  # not stuck long enough yet
    assert reap_stuck(now) == 2
    assert reload(note).status == NotificationStatus.PENDING
    assert reload(late).status == NotificationStatus.UNKNOWN and other.id


def test_the_send_rate_is_shared_and_enforced(app, ladder_county, emulator, monkeypatch,
                                              make_assignment):
    from jobs import notification

    monkeypatch.setitem(app.config, "SEND_RATE", 3)
    waits = []
    real_sleep = time.sleep
    monkeypatch.setattr(notification.time, "sleep", lambda s: (waits.append(s), real_sleep(s)))
    for key in ("member", "member2", "member3"):
        make_assignment(ladder_county[key])
    session.execute(sa.update(Notification).values(status=NotificationStatus.SENT))
    session.commit()
    sweep(DUE + timedelta(days=1))
    ids = session.scalars(sa.select(Notification.id).where(Notification.kind == "blue")).all()
    sweep(DUE + timedelta(days=3))
    ids += session.scalars(sa.select(Notification.id).where(
        Notification.kind == "yellow", Notification.status == NotificationStatus.PENDING)).all()
    started = time.monotonic()
    send_notifications(ids)
    assert len(ids) >= 6
    assert waits, "six sends at 3 per second must wait for the window"
    assert time.monotonic() - started >= 1.0


@pytest.fixture
def reminder_on_the_machine_clock(ladder_county, clock, make_template, make_assignment):
    """As `reminder`, recorded on the machine's clock: the RQ worker a test starts is another
    process, which time-machine cannot move, so the test and the worker share this one."""
    clock.move_to(machine_now())
    moment = utcnow()
    template = make_template(due_rule="after:2")  # due in two days: the reminder is due now
    task = make_assignment(ladder_county["member"], template, at=moment,
                  period=period_of(template, moment.astimezone(SHANGHAI).date()))
    session.execute(
        sa.update(Notification).values(status=NotificationStatus.SENT)
    )  # the dispatch notice
    session.commit()
    sweep(moment)
    return session.scalar(sa.select(Notification).where(Notification.kind == "reminder")), task


def test_a_worker_killed_mid_send_neither_duplicates_nor_loses_the_push(
        app, reminder_on_the_machine_clock, work, emulator):
    note = reminder_on_the_machine_clock[0].id
    emulator.set_latency(2000)
    worker = _worker_process(app)
    try:
        path = "/cgi-bin/" + SEND
        _wait_for(lambda: emulator.stats()["api_calls"].get(path, 0) >= 1, seconds=30)
        assert reload(note).status == NotificationStatus.SENDING
        # The worker and its work horse (RQ gives the horse a session of its own), mid-request.
        for pid in _children(worker.pid) + [worker.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    emulator.set_latency(0)
    _wait_for(lambda: len(cards(emulator)) == 1)  # the request in flight reached WeChat
    assert reload(note).status == NotificationStatus.SENDING  # nobody recorded the outcome
    later = utcnow() + timedelta(minutes=3)  # the clock's next backstop runs
    assert reap_stuck(later) == 1
    from jobs.notification import relay_pending

    relay_pending(now=later)
    work()
    row = reload(note)
    assert row.status == NotificationStatus.SENT and row.attempts == 2
    [card] = cards(emulator)
    assert card["msgid"] == int(row.msgid) and card["client_msg_id"] == f"ql-{note}"


def _worker_process(app, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    config = app.config
    env = {**os.environ, "DATABASE_URL": config["DATABASE_URL"], "REDIS_URL": config["REDIS_URL"],
           "SECRET_KEY": config["SECRET_KEY"], "WECHAT_APPID": config["WECHAT_APPID"],
           "WECHAT_SECRET": config["WECHAT_SECRET"], "WECHAT_TOKEN": config["WECHAT_TOKEN"],
           "WECHAT_AES_KEY": config["WECHAT_AES_KEY"], "QUIET_HOURS": "off",
           "WECHAT_API_BASE": config["WECHAT_API_BASE"],
           "PUBLIC_BASE_URL": config["PUBLIC_BASE_URL"]}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT,
                            env=same_clock(env), start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=stderr)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(child) for child in f.read().split()]


def _wait_for(condition, seconds: float = 10) -> None:
    """Wait for something another thread or process does (not a timing assumption)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)
    session.expire_all()


def test_undelivered_results_are_recorded_from_templatesendjobfinish(app, reminder, work,
                                                                    emulator):
    note, _ = reminder
    emulator.fail_deliveries(1)
    work()
    emulator.flush()
    note = reload(note)
    assert note.status == NotificationStatus.FAILED and "system failed" in note.error
    assert datetime.now(UTC) > note.sent_at


def test_a_cadre_who_never_bound_is_undeliverable_without_alarming_the_unit(app, ladder_county,
                                                                            make_person, work,
                                                                            make_assignment):
    unbound = make_person(name="新任委员", role="member", unit=ladder_county["township"])
    make_assignment(unbound)
    sweep(DUE - timedelta(days=3))
    work()
    row = session.scalar(sa.select(Notification).where(Notification.kind == "reminder"))
    assert row.status == NotificationStatus.UNDELIVERABLE and "未绑定" in row.error
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "unreachable")) == 0


def test_a_cadre_who_blocked_the_account_is_recorded_failed_on_the_send_result(app, reminder,
                                                                            work, emulator):
    note, _ = reminder
    emulator.set_blocked(openid(1))
    work()
    assert reload(note).status == NotificationStatus.SENT  # WeChat accepted it
    emulator.flush()
    note = reload(note)
    assert note.status == NotificationStatus.FAILED and note.error == "failed:user block"
    assert cards(emulator) == []
