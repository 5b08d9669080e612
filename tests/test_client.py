"""The WeChat API client against the emulator: shared token, one refresh, bounded retries."""

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
from wechatpy.exceptions import WeChatClientException

from conftest import openid
from models import Channel, Notification, NotificationStatus, session, utcnow


def _client(app):
    return app.extensions["wechat"].client


def _token_fetches(emulator) -> int:
    stats = emulator.stats()
    fetches = stats.get("token_fetches", {})
    return sum(fetches.values()) if isinstance(fetches, dict) else fetches


def test_token_is_fetched_once_and_shared(app, emulator):
    client = _client(app)
    client.jsapi.get_ticket()
    client.jsapi.get_ticket()
    assert _token_fetches(emulator) == 1


def test_rejected_token_is_refreshed_once_and_retried_once(app, emulator):
    client = _client(app)
    client.jsapi.get_ticket()
    first = client.access_token
    calls = emulator.stats()["api_calls"].get("/cgi-bin/ticket/getticket", 0)
    emulator.fail_next(40001, count=1)
    assert client.jsapi.get_ticket()["ticket"]
    # One refresh: stable_token in normal mode hands back the same token, so it is forced.
    assert client.access_token != first
    assert _token_fetches(emulator) == 3
    assert emulator.stats()["api_calls"]["/cgi-bin/ticket/getticket"] == calls + 2


def test_token_rejected_twice_gives_up_instead_of_looping(app, emulator):
    client = _client(app)
    client.jsapi.get_ticket()
    emulator.fail_next(40001, count=50)
    with pytest.raises(WeChatClientException) as raised:
        client.jsapi.get_ticket()
    assert raised.value.errcode == 40001
    assert _token_fetches(emulator) <= 3


def test_two_worker_processes_share_one_token(app, emulator):
    """Two real processes ask for the token at the same moment: WeChat sees one fetch."""
    script = textwrap.dedent("""
        import sys
        from app import create_app
        app = create_app(dict(REDIS_URL=sys.argv[1], DATABASE_URL=sys.argv[2],
                              WECHAT_API_BASE=sys.argv[3], WECHAT_APPID=sys.argv[4],
                              WECHAT_SECRET=sys.argv[5]))
        print("ready", flush=True)
        sys.stdin.readline()  # the start line: both go at once
        print(app.extensions["wechat"].client.access_token)
    """)
    config = app.config
    args = [config["REDIS_URL"], config["DATABASE_URL"], config["WECHAT_API_BASE"],
            config["WECHAT_APPID"], config["WECHAT_SECRET"]]
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))}
    workers = [subprocess.Popen([sys.executable, "-c", script, *args], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    # A barrier on pipes, not on the wall clock: each process (under faketime too) keeps its own.
    assert [worker.stdout.readline().strip() for worker in workers] == ["ready", "ready"]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    tokens = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert len(tokens) == 1 and tokens != {""}
    assert _token_fetches(emulator) == 1


def _notification(to: str) -> Notification:
    note = Notification(kind="reply", channel=Channel.CUSTOM, openid=to, content="测试消息",
                        created_at=utcnow())
    session.add(note)
    session.commit()
    return note


def test_busy_wechat_is_retried_a_bounded_number_of_times_then_recorded(app, emulator, work):
    from jobs.notification import queue_notifications

    emulator.send_text(openid(1), "你好")  # opens the 48 h customer-service window
    note = _notification(openid(1))
    emulator.fail_next(-1, count=100, path="message/custom/send")
    queue_notifications([note.id])
    work()
    session.expire_all()
    note = session.get(Notification, note.id)
    assert note.status == NotificationStatus.FAILED
    assert note.attempts == 4 and note.error.startswith("-1")
    assert not [m for m in emulator.inbox(openid(1)) if m["kind"] == "custom"]


def test_busy_once_then_sent(app, emulator, work):
    from jobs.notification import queue_notifications

    emulator.send_text(openid(1), "你好")
    note = _notification(openid(1))
    emulator.fail_next(-1, count=1, path="message/custom/send")
    queue_notifications([note.id])
    work()
    session.expire_all()
    assert session.get(Notification, note.id).status == NotificationStatus.SENT
    custom = [m for m in emulator.inbox(openid(1)) if m["kind"] == "custom"]
    assert [m["content"] for m in custom] == ["测试消息"]


def test_a_sent_notification_is_never_sent_again(app, emulator, work):
    from jobs.notification import send_notifications

    emulator.send_text(openid(1), "你好")
    note = _notification(openid(1))
    send_notifications([note.id])
    send_notifications([note.id])
    custom = [m for m in emulator.inbox(openid(1)) if m["kind"] == "custom"]
    assert len(custom) == 1
    assert session.scalar(sa.select(Notification.status)) == NotificationStatus.SENT
