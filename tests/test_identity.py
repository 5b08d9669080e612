"""The cached identity on the chat's hot path: fast when warm, never stale."""

import sqlalchemy as sa
from sqlalchemy import event

from conftest import openid
from handlers.wechat import texts
from models import Person, session, utcnow
from models.wechat_binding import unbind_openid


def test_warm_identity_needs_no_database_query(app, emulator, make_bound_person):
    make_bound_person(1)
    emulator.send_text(openid(1), "我的")
    statements = []
    engine = app.extensions["db_engine"]
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert emulator.send_text(openid(1), "我的").reply["content"].startswith("姓名：")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_rename_shows_on_the_next_message(emulator, make_bound_person):
    person = make_bound_person(1, name="旧名字")
    assert "旧名字" in emulator.send_text(openid(1), "我的").reply["content"]
    session.execute(sa.select(Person).where(Person.id == person.id)).scalar_one().name = "新名字"
    session.commit()
    assert "新名字" in emulator.send_text(openid(1), "我的").reply["content"]


def test_an_unbinding_shows_on_the_next_message(emulator, make_bound_person):
    make_bound_person(1)
    assert emulator.send_text(openid(1), "我的").reply["content"].startswith("姓名：")
    unbind_openid(openid(1), now=utcnow())
    session.commit()
    assert emulator.send_text(openid(1), "我的").reply["content"] == texts.BIND_INSTRUCTIONS
