"""大字模式 (issue 10): WeUI's care mode with larger type, switched by each person on 我的 (or
from the chat's 我的), remembered on the person, audited, and worn by every mobile page."""

import sqlalchemy as sa

from conftest import openid
from handlers.mobile import texts
from models import AuditEvent, Person, session
from test_mobile_pages import redirected

CARE = 'data-weui-mode="care"'


def switch(phone_, on: bool):
    return phone_.post("/m/me/care-mode", {"on": "1" if on else "0"}, form_page="/m/me")


def care_mode(person) -> bool:
    session.rollback()
    return session.scalar(sa.select(Person.care_mode).where(Person.id == person.id))


def test_off_by_default_and_the_me_page_offers_it(phone, county):
    member = phone("member")
    page = member.get("/m/me").text
    assert "大字模式" in page and "未开启" in page and "开启大字模式" in page
    assert CARE not in page and CARE not in member.get("/m/").text
    assert 'href="/m/me"' in member.get("/m/").text  # every page leads to 我的


def test_switched_on_every_mobile_page_wears_it_and_only_for_that_person(phone, county, now, app,
                                                                         make_task):
    member = phone("member")
    task = make_task()
    done = switch(member, True)
    assert redirected(done, "/m/me") and texts.CARE_MODE_ON in done.text
    assert CARE in done.text and 'class="care"' in done.text and "关闭大字模式" in done.text
    assert care_mode(county["member"]) is True
    for path in ("/m/", f"/m/tasks/{task.id}", f"/m/tasks/{task.id}/report", "/m/me",
                 "/m/tasks/999999"):  # the 404 page too
        assert CARE in member.get(path).text, path
    assert CARE not in phone("secretary").get(f"/m/tasks/{task.id}").text

    off = switch(member, False)
    assert texts.CARE_MODE_OFF in off.text and CARE not in off.text
    assert care_mode(county["member"]) is False
    assert [tuple(row) for row in session.execute(
        sa.select(AuditEvent.actor_id, AuditEvent.data).where(
            AuditEvent.action == "person.care_mode").order_by(AuditEvent.id))] == [
        (county["member"].id, '{"on": true}'), (county["member"].id, '{"on": false}')]


def test_switching_twice_to_the_same_records_once(phone, county):
    switch(phone("member"), True)
    switch(phone("member"), True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "person.care_mode")) == 1


def test_the_chats_me_reply_links_the_switch(emulator, phone, county):
    reply = emulator.send_text(openid(1), "我的").reply["content"]
    assert "大字模式：未开启" in reply and "/m/me" in reply and "点此开启" in reply
    switch(phone("member"), True)
    reply = emulator.send_text(openid(1), "我的").reply["content"]  # not a cached identity
    assert "大字模式：已开启" in reply and "点此关闭" in reply


def test_the_migration_adds_the_column_the_model_declares(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from models import Base
    from models.migrate import alembic_config

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if "care_mode" in str(d)]
    assert differences == []
    script = ScriptDirectory.from_config(alembic_config(app.config["DATABASE_URL"]))
    assert len(script.get_heads()) == 1  # one line of migrations, no branch left behind
