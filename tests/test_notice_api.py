"""Notices through the API: a discipline body drafts and issues, the unit replies item by item,
an item is returned and answered again, both accepted, 回访销账 on its day; every answer matches
the OpenAPI document; who sees what; the docx; the migration matches the models."""

import io
from datetime import timedelta

import docx
import pytest
import sqlalchemy as sa

from models import Notice, session
from models.clock import SHANGHAI
from test_scoring import schema_check


def body(county, now) -> dict:
    due = (now + timedelta(days=10)).astimezone(SHANGHAI).isoformat()
    return {"kind": "rectification", "unit_id": county["township"].id,
            "title": "关于落实主体责任问题的整改通知", "facts": "检查发现专题会议记录不全，学习流于形式。",
            "basis": "", "reply_due_at": due, "follow_up_days": 15,
            "items": [{"requirement": "补齐专题会议记录", "due_at": due},
                      {"requirement": "建立学习台账", "due_at": due,
                       "person_id": county["member"].id}]}


def test_whole_life_through_the_api(api, client, county, now, clock):
    body_person, secretary, member = county["discipline"], county["secretary"], county["member"]
    made = api(body_person, "POST", "/notices", json=body(county, now))
    assert made.status_code == 201, made.get_json()
    notice = made.get_json()
    schema_check(client, "Notice", notice)
    assert notice["reference"] is None and "issue" in notice["actions"]
    path = f"/notices/{notice['id']}"
    assert api(secretary, "GET", path).status_code == 404  # a draft is the issuer's alone

    issued = api(body_person, "POST", f"{path}/issue").get_json()
    assert issued["reference"] == f"〔{now.astimezone(SHANGHAI).year}〕第1号"
    first, second = (item["id"] for item in issued["items"])
    seen = api(secretary, "GET", path).get_json()
    assert seen["actions"] == ["acknowledge"] and seen["items"][1]["actions"] == ["reply"]
    assert api(secretary, "POST", f"{path}/acknowledge").get_json()["state"] == "acknowledged"
    again = api(secretary, "POST", f"{path}/acknowledge")
    assert again.status_code == 409 and "已签收" in again.get_json()["error"]

    short = api(secretary, "POST", f"{path}/items/{first}/replies", json={"text": "已改"})
    assert short.status_code == 400 and "至少" in short.get_json()["error"]
    refused = api(county["colleague"], "POST", f"{path}/items/{first}/replies",
                  json={"text": "已补齐全部专题会议记录共11份。"})
    assert refused.status_code == 404  # not theirs to see
    api(secretary, "POST", f"{path}/items/{first}/replies", json={"text": "已补齐全部专题会议记录共11份。"})
    replied = api(member, "POST", f"{path}/items/{second}/replies",
                  json={"text": "已建立学习台账，每月登记并由书记签字。"}).get_json()
    assert replied["state"] == "replied"
    denied = api(secretary, "POST", f"{path}/items/{first}/verifications",
                 json={"decision": "accept"})
    assert denied.status_code == 403
    api(body_person, "POST", f"{path}/items/{first}/verifications", json={"decision": "accept"})
    returned = api(body_person, "POST", f"{path}/items/{second}/verifications",
                   json={"decision": "return", "reason": "台账只有空表，未见登记内容。"}).get_json()
    assert returned["state"] == "acknowledged" and returned["items"][1]["returns"] == 1
    api(member, "POST", f"{path}/items/{second}/replies", json={"text": "已补登11月学习12条，附签字页。"})
    done = api(body_person, "POST", f"{path}/items/{second}/verifications",
               json={"decision": "accept"}).get_json()
    assert done["state"] == "follow_up"
    early = api(body_person, "POST", f"{path}/close", json={"note": "回访查看台账，整改到位。"})
    assert early.status_code == 409

    clock.move_to(now + timedelta(days=16))
    closed = api(body_person, "POST", f"{path}/close", json={"note": "回访查看台账，整改到位。"})
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    listed = api(county["inspector"], "GET", "/notices?state=closed").get_json()
    schema_check(client, "Notice", listed["items"][0])
    assert [row["id"] for row in listed["items"]] == [notice["id"]]
    assert api(county["other_secretary"], "GET", "/notices").get_json()["items"] == []
    dashboard = api(county["inspector"], "GET", "/dashboard").get_json()
    schema_check(client, "Dashboard", dashboard)
    assert dashboard["notices"]["states"]["closed"] == 1
    assert dashboard["notices"]["returned"] == 1 and dashboard["notices"]["deducted"] == "0.50"

    document = api(secretary, "GET", f"{path}.docx")
    text = [p.text for p in docx.Document(io.BytesIO(document.data)).paragraphs]
    assert issued["reference"] in text and "2. 建立学习台账" in " ".join(text)


def test_bad_input_is_answered_politely(api, county, now):
    who = county["discipline"]
    assert api(who, "POST", "/notices", json={**body(county, now), "items": "x"}).status_code == 400
    naive = {**body(county, now), "reply_due_at": "2026-12-01T17:00"}
    assert "时区" in api(who, "POST", "/notices", json=naive).get_json()["error"]
    other = {**body(county, now), "unit_id": county["other_secretary"].unit_id}
    assert api(who, "POST", "/notices", json=other).status_code == 403
    for person_id in (2**31, 2**63, "2", 0):  # an int4 column on PostgreSQL: bounded first
        typed = body(county, now)
        typed["items"][1]["person_id"] = person_id
        refused = api(who, "POST", "/notices", json=typed)
        assert refused.status_code == 400 and "person_id（责任人）" in refused.get_json()["error"]
    assert session.scalar(sa.select(sa.func.count(Notice.id))) == 0


@pytest.mark.parametrize("table", ["notice", "notice_item", "notification", "evidence",
                                   "scoring_policy"])
def test_migration_matches_the_model(app, table):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if f"'{table}'" in str(d) or f"Table('{table}'" in str(d)]
    assert differences == []
