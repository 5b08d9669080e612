"""Dispatch by hand (issue 9): no task born overdue without a yes, 个性/临时 tasks to chosen
units and people from the admin page and the CLI, due days moved off holidays, and no raw
values in what the dispatcher reads."""

import re
from functools import partial

import pytest
import sqlalchemy as sa

from models import Assignment, Period, Role, TemplateKind, session


@pytest.fixture
def people(county, make_person):  # noqa: F811 (the imported fixture)
    """Beside the county's: two people called 王芳 and one who has left (inactive)."""
    township, other = county["township"], county["other_secretary"].unit
    return {"township": township, "other": other, "member": county["member"],
            "inspector": county["inspector"],
            "wang": make_person(name="王芳", role=Role.STAFF, unit=township),
            "wang_too": make_person(name="王芳", role=Role.STAFF, unit=other),
            "retired": make_person(name="李退休", role=Role.MEMBER, unit=other, active=False)}


@pytest.fixture
def make_template(make_template):
    """This file's templates: 作风建设专项检查 in 深化作风建设, common, reviewed twice."""
    return partial(make_template, title="作风建设专项检查", kind=TemplateKind.COMMON,
                   review_levels=2, category="深化作风建设")


def tasks() -> list[tuple]:
    return session.execute(sa.select(Assignment.unit_id, Assignment.person_id)
                           .order_by(Assignment.id)).all()


def sign_in(client, inspector) -> None:
    with client.session_transaction() as browser:
        browser["admin_id"] = inspector.id


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(True))[1]


# Past due times (item 4)

def test_cli_refuses_a_past_due_time_unless_allow_past(runner, people, now, make_template):
    template = make_template(due_rule="day:5")  # November's due day was 15 days ago
    refused = runner.invoke(args=["dispatch", str(template.id), "2026-11"])
    assert refused.exit_code != 0
    assert "截止时间 2026-11-05 17:00 已过去14天" in refused.output
    assert "--allow-past" in refused.output and tasks() == []
    allowed = runner.invoke(args=["dispatch", str(template.id), "2026-11", "--allow-past"])
    assert allowed.exit_code == 0, allowed.output
    assert "新派发 2 项任务" in allowed.output and len(tasks()) == 2  # the two members


def test_periodic_dispatch_leaves_a_period_whose_due_time_passed_alone(people, make_template):
    from jobs.dispatch import dispatch_periodic

    early, late = make_template(due_rule="day:5"), make_template(due_rule="day:25")
    created = dispatch_periodic("2026-11-20T07:40:00+08:00")
    assert created == {f"{late.id}:2026-11": 2}
    assert session.scalar(sa.select(sa.func.count(Assignment.id)).where(
        Assignment.template_id == early.id)) == 0


def test_admin_page_warns_and_dispatches_a_past_due_time_only_when_confirmed(client, people, now,
                                                                             make_template):
    sign_in(client, people["inspector"])
    template = make_template(due_rule="day:5")
    listing = client.get("/admin/dispatch").get_data(True)
    assert "2026-11-05 17:00 <span class=\"warn\">已过</span>" in listing
    form = {"csrf_token": csrf(client, "/admin/dispatch"), "template_id": template.id,
            "period": "2026-11"}
    page = client.post("/admin/dispatch", data=form, follow_redirects=True).get_data(True)
    assert "截止时间 2026-11-05 17:00 已过去14天" in page
    assert "我已知晓截止时间已过，仍要派发" in page and tasks() == []
    page = client.post("/admin/dispatch", data={**form, "allow_past": "y"},
                       follow_redirects=True).get_data(True)
    assert "新派发 2 项任务" in page and len(tasks()) == 2


# 个性/临时 tasks to chosen units and people (item 6)

def test_cli_dispatches_an_adhoc_task_to_units_and_people_by_id_or_name(runner, people, now,
                                                                        make_template):
    template = make_template(kind=TemplateKind.ADHOC, period=Period.ONCE, due_rule="after:7",
                             title="节前廉洁过节专项提醒")
    result = runner.invoke(args=["dispatch", str(template.id), "once", "--unit", "白水镇",
                                 "--person", "李明", "--person", str(people["wang"].id)])
    assert result.exit_code == 0, result.output
    assert "“节前廉洁过节专项提醒”一次性：新派发 3 项任务，截止时间 2026-11-27 17:00" in \
        result.output
    assert tasks() == [(people["other"].id, None),
                       (people["township"].id, people["member"].id),
                       (people["township"].id, people["wang"].id)]


@pytest.mark.parametrize("args, words", [
    ([], "个性任务和临时任务需要指定单位或人员"),
    (["--unit", "黑水镇"], "没有找到单位“黑水镇”，请核对名称或改用单位编号"),
    (["--unit", "99999"], "没有找到单位“99999”"),
    (["--person", "王芳"], "有 2 人名为“王芳”"),
    (["--person", "李退休"], "李退休已停用，不能派发任务"),
])
def test_cli_explains_a_bad_choice_of_units_or_people(runner, people, now, args, words,
                                                      make_template):
    template = make_template(kind=TemplateKind.SPECIFIC, period=Period.ONCE,
                             due_rule="after:30")
    result = runner.invoke(args=["dispatch", str(template.id), "once", *args])
    assert result.exit_code != 0 and words in result.output
    if "王芳" in args:
        assert f"（编号 {people['wang'].id}、{people['wang_too'].id}），请改用人员编号" in result.output
    assert tasks() == []


def test_admin_page_picks_units_and_people_for_a_specific_task(client, people, now, make_template):
    sign_in(client, people["inspector"])
    template = make_template(kind=TemplateKind.SPECIFIC, period=Period.ONCE,
                             due_rule="after:30", title="县委巡察反馈问题整改")
    listing = client.get("/admin/dispatch").get_data(True)
    assert "个性任务" in listing and "一次性" in listing and "派发后30天" in listing
    assert ">once<" not in listing and ">specific<" not in listing
    path = f"/admin/dispatch/{template.id}"
    page = client.get(path).get_data(True)
    assert f'name="unit_id" value="{people["other"].id}"> 白水镇' in page
    assert f'name="person_id" value="{people["member"].id}"> 李明（副镇长）' in page
    assert "李退休" not in page  # people who left are not offered, nor dispatchers:
    assert f'name="person_id" value="{people["inspector"].id}"' not in page
    form = {"csrf_token": csrf(client, path), "template_id": template.id, "period": "once"}
    nobody = client.post("/admin/dispatch", data=form, follow_redirects=True).get_data(True)
    assert "需要指定单位或人员" in nobody and tasks() == []
    chosen = {**form, "unit_id": [people["other"].id], "person_id": [people["member"].id]}
    page = client.post("/admin/dispatch", data=chosen, follow_redirects=True).get_data(True)
    assert "“县委巡察反馈问题整改”一次性：新派发 2 项任务，截止时间 2026-12-20 17:00" in page
    assert tasks() == [(people["other"].id, None),
                       (people["township"].id, people["member"].id)]
    gone = client.post("/admin/dispatch", data={**form, "unit_id": [99999]},
                       follow_redirects=True).get_data(True)
    assert "所选单位不存在（编号 99999）" in gone
    assert 'name="unit_id" value="99999"' not in gone and len(tasks()) == 2


# Due days off work (item 11)

@pytest.mark.parametrize("working_days, period, due", [
    (False, "2026-11", "2026-11-29 17:00"),  # a Sunday, counted in calendar days
    (True, "2026-11", "2026-11-27 17:00"),  # the Friday before
    (True, "2026-10", "2026-09-30 17:00"),  # 国庆节 (1-8 Oct 2026): the last day before it
    (True, "2027-05", "2027-04-30 17:00"),  # no 2027 schedule yet: 劳动节 is still a holiday
])
def test_a_due_day_off_moves_to_the_working_day_before(runner, people, now, working_days, period,
                                                       due, make_template):
    day = "1" if period != "2026-11" else "29"
    template = make_template(due_rule=f"day:{day}", working_days=working_days)
    result = runner.invoke(args=["dispatch", str(template.id), period, "--allow-past"])
    assert result.exit_code == 0, result.output
    assert f"截止时间 {due}" in result.output


def test_the_template_page_says_due_days_move_off_holidays(client, people, make_template):
    sign_in(client, people["inspector"])
    page = client.get(f"/admin/templates/{make_template().id}").get_data(True)
    assert "截止日落在周末或节假日时，提前到前一个工作日" in page
