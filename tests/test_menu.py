"""The menu in code, published by `flask menu-publish` within WeChat's limits."""

from datetime import timedelta

import pytest

from models import Assignment, TemplateKind, session
from wechat.menu import build_menu, check_menu


def test_menu_publish_creates_three_top_buttons(runner, emulator):
    result = runner.invoke(args=["menu-publish"])
    assert result.exit_code == 0, result.output
    names = [button["name"] for button in emulator.get_menu()["menu"]["button"]]
    assert names == ["我的履责", "审核督查", "我的"]


def test_menu_fits_wechat_limits():
    assert check_menu(build_menu("https://qinglian.example.gov.cn/")) == []


def test_oversized_names_are_caught():
    menu = {"button": [{"type": "click", "name": "一二三四五六", "key": "K"}]}
    assert check_menu(menu) == ["name '一二三四五六' is 18 bytes (at most 16)"]


@pytest.fixture
def assignment_in(make_template, now):
    """`assignment_in(person, state, warning)`: a task of `person` put straight into `state`."""

    def make(person, state, warning="none") -> Assignment:
        template = make_template(title="召开专题会议", kind=TemplateKind.COMMON, target_role=None,
                                 review_levels=2, category=f"类别{state}{warning}")
        assignment = Assignment(template=template, unit_id=person.unit_id, person_id=person.id,
                                person_key=person.id, period="2026-11",
                                due_at=now + timedelta(days=5), state=state, warning=warning,
                                created_at=now)
        session.add(assignment)
        session.commit()
        return assignment

    return make


def test_tasks_click_lists_open_tasks_and_links_the_workbench(emulator, make_bound_person,
                                                              assignment_in):
    person = make_bound_person(1)
    assignment_in(person, "dispatched")
    assignment_in(person, "returned", warning="red")
    assignment_in(person, "completed")
    from conftest import openid

    todo = emulator.click(openid(1), "TASKS").reply["content"]
    assert "待办任务（共2项）" in todo and "/m/" in todo
    warned = emulator.click(openid(1), "WARNINGS").reply["content"]
    assert "您本人有预警的任务（1项" in warned and "2. " in warned  # numbered as in 待办
    assert "您本人暂无督办事项" in emulator.click(openid(1), "SUPERVISION").reply["content"]


def test_reviews_click_counts_what_waits_for_the_discipline_body(emulator, make_person,
                                                                 make_bound_person, make_unit,
                                                                 assignment_in):
    from conftest import openid
    from models import Role, UnitKind

    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    make_bound_person(1, role=Role.DISCIPLINE, unit=body)
    assignment_in(make_person(unit=township), "submitted")
    reviews = emulator.click(openid(1), "REVIEWS").reply["content"]
    assert "待您审核的任务（共1项）" in reviews and "1. 张建国：" in reviews
