"""Leaders see what they are warned about (issue 9 §2): a digest or a warning copy sent to a
secretary, a discipline body or an inspector opens the list holding the tasks it names, and
the menu's 预警提醒 / 督办事项 / 待我审核 answer with the tasks, not a count."""

from datetime import UTC, datetime

import pytest

from conftest import ONE_OFF, Phone, openid
from models import Role, UnitKind, session
from models.dispatch import dispatch
from models.escalation import sweep

LONG_AGO = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)  # due a week later: 督办 by 20 November


@pytest.fixture
def county(make_unit, make_bound_person):
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE, supervisor_id=county_unit.id)
    township = make_unit(name="青山镇", supervisor_id=body.id)
    other_body = make_unit(name="白水镇纪委", kind=UnitKind.DISCIPLINE)
    other = make_unit(name="白水镇", supervisor_id=other_body.id)
    return {
        "township": township, "other": other,
        "members": [make_bound_person(i, name=name, role=Role.MEMBER, unit=township)
                    for i, name in ((1, "李明"), (2, "周强"), (3, "吴芳"))],
        "secretary": make_bound_person(4, name="张建国", role=Role.SECRETARY, unit=township),
        "discipline": make_bound_person(5, name="王纪委", role=Role.DISCIPLINE, unit=body),
        "inspector": make_bound_person(6, name="赵审核", role=Role.INSPECTOR, unit=county_unit),
        "outsider": make_bound_person(7, name="孙委员", role=Role.MEMBER, unit=other),
    }


@pytest.fixture
def overdue(make_template):
    """`overdue(people, title)`: a one-off task for each of `people`, dispatched LONG_AGO."""

    def make(people, title: str, levels: int = 1):
        template = make_template(title=title, **ONE_OFF, review_levels=levels)
        tasks = dispatch(template, "once", now=LONG_AGO, people=people)
        session.commit()
        return tasks

    return make


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def cards(emulator, index: int) -> list[dict]:
    return [m for m in emulator.inbox(openid(index)) if m["kind"] == "template"]


def test_a_secretarys_digest_opens_the_tasks_it_names(app, county, emulator, work, now, overdue):
    overdue(county["members"], "专题会议")
    overdue([county["outsider"]], "白水镇的任务")
    sweep(now)  # 督办: the members, their secretary, the 纪委 and the inspector are told
    work()
    [digest] = [c for c in cards(emulator, 4) if "项任务提醒" in str(c["data"])]
    page = Phone(app, 4).get(path_of(digest["url"]))
    assert page.status_code == 200 and "本单位任务" in page.text
    for name in ("李明", "周强", "吴芳"):
        assert name in page.text
    assert page.text.count("专题会议") == 3 and "白水镇的任务" not in page.text


def test_each_leader_sees_the_units_they_answer_for(app, county, now, overdue):
    overdue(county["members"][:2], "专题会议")
    overdue([county["outsider"]], "白水镇的任务")
    sweep(now)
    secretary = Phone(app, 4).get("/m/overview").text
    assert "专题会议" in secretary and "白水镇的任务" not in secretary
    body = Phone(app, 5).get("/m/overview").text
    assert "监督单位任务" in body and "专题会议" in body and "白水镇的任务" not in body
    inspector = Phone(app, 6)
    everything = inspector.get("/m/overview").text
    assert "全县任务" in everything and "专题会议" in everything and "白水镇的任务" in everything
    one_unit = inspector.get(f"/m/overview?unit={county['other'].id}").text
    assert "白水镇的任务" in one_unit and "专题会议" not in one_unit
    # Every number is reachable: the 督办 tile (3) links to the 3 rows under 督办.
    assert '<span class="counts__number">3</span>' in everything
    supervised = inspector.get("/m/overview?level=supervision").text
    assert supervised.count("task-row__title") == 3
    assert inspector.get("/m/overview?level=blue").text.count("task-row__title") == 0
    workbench = Phone(app, 4).get("/m/").text
    assert "本单位任务总览" in workbench and "有预警 2 项" in workbench
    assert "任务总览" not in Phone(app, 1).get("/m/").text  # a member leads nobody


def test_the_menu_lists_warned_tasks_for_a_leader(app, county, emulator, now, overdue):
    overdue(county["members"], "专题会议")
    overdue([county["secretary"]], "述责述廉")
    sweep(now)
    reply = emulator.click(openid(4), "WARNINGS").reply["content"]
    assert "您本人有预警的任务（1项" in reply and "1. 述责述廉" in reply
    assert "本单位有预警的任务（共3项）" in reply
    for name in ("李明：专题会议", "周强：专题会议", "吴芳：专题会议"):
        assert name in reply
    assert "/m/overview?level=warned" in reply and "有有" not in reply
    member = emulator.click(openid(1), "WARNINGS").reply["content"]
    assert "1. 专题会议" in member and "本单位" not in member


def test_the_menu_lists_what_waits_for_review(app, county, emulator, work, now, overdue):
    tasks = overdue(county["members"][:2], "专题会议")
    for index in (1, 2):
        for text in ("签收 1", "上报 1", "已召开专题会议，形成会议纪要。", "提交"):
            emulator.send_text(openid(index), text)
    reply = emulator.click(openid(5), "REVIEWS").reply["content"]
    assert "待您审核的任务（共2项）" in reply
    assert "1. 李明：专题会议" in reply and "2. 周强：专题会议" in reply
    assert "/m/#reviews" in reply
    assert emulator.click(openid(6), "REVIEWS").reply["content"].startswith("暂无待您审核")
    assert len(tasks) == 2
