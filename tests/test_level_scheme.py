"""预警等级与颜色 (/admin/levels, models.level_scheme): one stored scheme names and colours the
warning levels in pushes, chat replies, pages, the admin and the CLI.

The county's task is due 2026-11-25 17:00 (template "day:25"); its blue step falls a day later.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import AuditEvent, Base, DutyTemplate, Level, session
from models.catalogue import BadLadder, save_template
from models.escalation import sweep
from models.level_scheme import (DEFAULT, PRESETS, LevelScheme, contrast, level_colour,
                                 level_name, scheme)
from tests.conftest import openid

SH = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 11, 25, 17, 0, tzinfo=SH)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
GREEN = "green_yellow_orange_red"


def sign_in(client, person):
    with client.session_transaction() as browser:
        browser["admin_id"] = person.id


def post_levels(client, **fields):
    page = client.get("/admin/levels").get_data(as_text=True)
    return client.post("/admin/levels", data={"csrf_token": CSRF.search(page).group(1), **fields})


def preset_fields(key: str, **changes) -> dict:
    """Every field of the form as `key` fills it, with `changes` (blue_name="…") on top."""
    shades = PRESETS[key].shades
    return {"preset": key, "apply": "fields", **{
        f"{level.value}_{part}": getattr(shades[level], part)
        for level in shades for part in ("name", "colour")}, **changes}


def phrases(emulator, index: int) -> list[str]:
    return [msg["data"]["phrase2"] for msg in emulator.inbox(openid(index))
            if msg["kind"] == "template" and "phrase2" in msg["data"]]


def test_without_a_row_the_default_blue_yellow_red_is_in_force(app, client, county):
    assert session.scalar(sa.select(sa.func.count()).select_from(LevelScheme)) == 0
    assert scheme() == DEFAULT and DEFAULT.preset == "blue_yellow_red"
    assert [level_name(level) for level in (Level.BLUE, Level.YELLOW, Level.RED,
                                            Level.SUPERVISION, Level.NONE)] == [
        "蓝色预警", "黄色预警", "红色预警", "工作督办", "正常"]
    assert level_name(Level.REMINDER) == "正常"  # not overdue yet
    sign_in(client, county["admin"])
    page = client.get("/admin/levels").get_data(as_text=True)
    assert "蓝黄红（默认）" in page and "尚未设置，使用默认方案" in page
    assert f"--level-blue: {level_colour(Level.BLUE)};" in page


def test_switching_to_green_yellow_orange_red_renames_the_push_the_page_the_chat_and_admin(
        client, api, county, make_assignment, work, emulator, phone):
    sign_in(client, county["admin"])
    response = post_levels(client, preset=GREEN, apply="preset")
    assert response.status_code == 302
    flash = client.get("/admin/levels").get_data(as_text=True)
    assert "已改用“绿黄橙红（常山）”的预警等级与颜色" in flash
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "level_scheme.save"))
    assert event.actor_id == county["admin"].id and GREEN in event.data

    task = make_assignment(county["member"])
    sweep(DUE + timedelta(days=1))
    work()
    assert phrases(emulator, 1) == ["黄色预警"]  # the blue step, named as 常山 names it

    page = phone("member").get(f"/m/tasks/{task.id}").text
    assert '<span class="tag tag_blue">黄色预警</span>' in page
    assert "--level-blue: #f5b800;" in page and "--level-yellow: #ef6c00;" in page
    assert "蓝色预警" not in page

    listing = emulator.send_text(openid(1), "待办").reply["content"]
    assert "待签收·黄色预警" in listing
    assert "待签收·黄色预警" in emulator.click(openid(1), "WARNINGS").reply["content"]

    pushes = client.get("/admin/notifications").get_data(as_text=True)
    assert "黄色预警" in pushes and "橙色预警" in pushes and "蓝色预警" not in pushes
    items = api(county["inspector"], "GET", "/notifications").get_json()["items"]
    assert {item["kind_label"] for item in items if item["kind"] == "blue"} == {"黄色预警"}


def test_the_cli_sweep_names_the_steps_as_the_county_does(client, runner, county,
                                                          make_assignment, clock):
    sign_in(client, county["admin"])
    post_levels(client, preset="white_yellow_red", apply="preset")
    clock.move_to(DUE + timedelta(days=2))
    make_assignment(county["member"])
    result = runner.invoke(args=["sweep", "--now", (DUE + timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "白色预警 1 项" in result.output and "蓝色预警" not in result.output


def test_each_level_can_be_edited_from_a_preset(client, county):
    sign_in(client, county["admin"])
    response = post_levels(client, **preset_fields(GREEN, blue_name="提示预警",
                                                   blue_colour="#0B6E99"))
    assert response.status_code == 302
    assert level_name(Level.BLUE) == "提示预警" and level_colour(Level.BLUE) == "#0b6e99"
    assert level_name(Level.YELLOW) == "橙色预警"
    assert scheme().preset == GREEN and scheme().customised
    page = client.get("/admin/levels").get_data(as_text=True)
    assert "在“绿黄橙红（常山）”基础上修改" in page and "绿黄橙红（常山）（已修改）" in page


@pytest.mark.parametrize("changes, reason", [
    ({"blue_name": "Blue"}, "一级预警的名称须为2至5个汉字"),
    ({"blue_name": "蓝色预警一级"}, "一级预警的名称须为2至5个汉字（微信推送的预警等级一栏最多5个字）"),
    ({"none_name": "正"}, "未逾期的名称须为2至8个汉字。"),
    ({"red_name": "预警提醒"}, "“预警提醒”是预警提醒的名称，请换一个。"),
    ({"red_name": "黄色预警"}, "三级预警与一级预警的名称相同，各级须能区分。"),
    ({"yellow_colour": "orange"}, "二级预警的颜色须为#加6位十六进制数"),
    ({"supervision_colour": "#C62828"}, "督办与三级预警的颜色相同，各级须能区分。"),
    ({"preset": "rainbow"}, "请选择一种预设方案。"),
])
def test_bad_names_or_colours_are_refused_with_the_reason_and_nothing_saved(client, county,
                                                                            changes, reason):
    sign_in(client, county["admin"])
    response = post_levels(client, **preset_fields(GREEN, **changes))
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(LevelScheme)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "level_scheme.save")) == 0


def test_only_admins_change_the_scheme(client, county):
    sign_in(client, county["member"])
    assert client.get("/admin/levels").status_code == 403
    sign_in(client, county["inspector"])
    page = client.get("/admin/levels").get_data(as_text=True)
    assert "仅系统管理员可以修改" in page and "选用所选预设" not in page
    sign_in(client, county["admin"])
    token = CSRF.search(client.get("/admin/levels").get_data(as_text=True)).group(1)
    sign_in(client, county["inspector"])
    assert client.post("/admin/levels", data={"csrf_token": token, "preset": GREEN,
                                              "apply": "preset"}).status_code == 403
    sign_in(client, county["admin"])
    assert client.post("/admin/levels", data={"preset": GREEN, "apply": "preset"}
                       ).status_code == 400  # no CSRF token
    assert scheme() == DEFAULT
    assert '<a href="/admin/levels">预警等级与颜色</a>' in client.get("/admin/").get_data(
        as_text=True)


def test_a_change_committed_elsewhere_shows_from_the_next_transaction(app, county):
    assert level_name(Level.BLUE) == "蓝色预警"  # read once, kept for this transaction
    with app.extensions["db_engine"].begin() as other:  # another process saves 白黄红
        shades = PRESETS["white_yellow_red"].shades
        other.execute(sa.insert(LevelScheme.__table__).values(
            id=1, preset="white_yellow_red", updated_at=DUE, **{
                f"{level.value}_{part}": getattr(shade, part)
                for level, shade in shades.items() for part in ("name", "colour")}))
    assert level_name(Level.BLUE) == "蓝色预警"
    session.commit()
    assert level_name(Level.BLUE) == "白色预警"


@pytest.mark.parametrize("key", PRESETS)
def test_every_preset_keeps_its_badges_readable(key):
    for level, shade in PRESETS[key].shades.items():
        assert contrast(shade.colour, shade.ink) >= 4.5, (key, level)
        assert contrast(shade.line, "#ffffff") >= 1.5, (key, level)  # visible on a white page
    assert PRESETS["white_yellow_red"].shades[Level.BLUE].line == "#8c8c8c"


def test_migration_matches_the_model(app):
    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if "level_scheme" in str(d)]
    assert differences == []


def test_the_template_form_names_the_ladder_steps_as_the_county_does(client, county):
    sign_in(client, county["admin"])
    post_levels(client, preset=GREEN, apply="preset")
    page = client.get("/admin/templates/new").get_data(as_text=True)
    assert "预警天数（预警提醒、黄色预警、橙色预警、红色预警、工作督办" in page
    with pytest.raises(BadLadder, match="黄色预警至少逾期1天"):
        save_template(DutyTemplate(), {"due_rule": "after:7", "period": "once",
                                       "ladder_days": "-3,0,3,5,7"}, actor=None, now=DUE)


def post_ladder(client, days: str, form_page: str = "/admin/levels"):
    page = client.get(form_page).get_data(as_text=True)
    return client.post("/admin/levels/ladder", data={"csrf_token": CSRF.search(page).group(1),
                                                     "ladder_days": days})


def test_the_countys_default_ladder_days_replan_tasks_without_their_own(
        client, county, make_assignment, make_template, work, emulator):
    """Thresholds as configuration: a county that warns later (blue 2 days overdue) sets its
    default once; a template with its own days keeps them."""
    own = make_assignment(county["colleague"], make_template(title="自定天数",
                                                             ladder_days="-3,1,3,5,7"))
    task = make_assignment(county["member"])
    sign_in(client, county["inspector"])
    # admins only (an inspector sees the page without the form; a token from another one)
    assert post_ladder(client, "-5,2,4,6,8", form_page="/admin/deductions").status_code == 403
    sign_in(client, county["admin"])
    saved = post_ladder(client, "-5, 2, 4, 6, 8")
    assert saved.status_code == 302
    page = client.get("/admin/levels").get_data(as_text=True)
    assert "预警提醒 截止前5天、蓝色预警 逾期2天" in page and "1项未办结任务" in page
    session.refresh(task)
    session.refresh(own)
    assert task.next_step_at == (DUE - timedelta(days=5)).astimezone(task.next_step_at.tzinfo)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "level_scheme.ladder"))
    assert event.actor_id == county["admin"].id and "-5,2,4,6,8" in event.data

    sweep(DUE + timedelta(days=1, minutes=5))  # a day overdue: blue only for the template's own
    assert (session.get(type(task), task.id).warning, session.get(type(own), own.id).warning) == (
        Level.REMINDER, Level.BLUE)
    assert "空为全县默认 -5,2,4,6,8" in client.get("/admin/templates/new").get_data(as_text=True)

    bad = post_ladder(client, "1,2,3")
    assert bad.status_code == 400 and "预警天数填5个整数" in bad.get_data(as_text=True)
    assert scheme().ladder_days == "-5,2,4,6,8"  # nothing saved by the refusal
    assert post_ladder(client, "").status_code == 302
    assert scheme().ladder_days is None
