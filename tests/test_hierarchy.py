"""Lines of authority as a county lives them (issue 9 §1, §3): every submitted task has a
reviewer who is told, nobody reviews their own task, a vacancy falls to the next level and
is named for the admin, and 催办/批示 are only for people above the assignee."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conftest import ONE_OFF, Phone, openid
from models import Assignment, Notification, Responsibility, Review, Role, State, UnitKind, session
from models.escalation import sweep
from test_mobile_pages import redirected, reload

TEMPLATE_TITLE = "问题线索处置情况报送"


@pytest.fixture
def county(make_unit, make_bound_person):
    """A township with its own 纪委, a village under it (no supervisor of its own), and the
    county commission's inspectors; the 纪委 is itself supervised by the county."""
    county_unit = make_unit(name="县纪委监委", kind=UnitKind.COUNTY)
    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE, supervisor_id=county_unit.id)
    township = make_unit(name="青山镇", supervisor_id=body.id, parent_id=county_unit.id)
    body.parent_id = township.id
    village = make_unit(name="青山村", kind=UnitKind.VILLAGE, parent_id=township.id)
    session.commit()
    return {
        "township": township, "body": body, "village": village,
        "member": make_bound_person(1, name="李明", role=Role.MEMBER, unit=township),
        "secretary": make_bound_person(2, name="张建国", role=Role.SECRETARY, unit=township),
        "discipline": make_bound_person(5, name="王纪委", role=Role.DISCIPLINE, unit=body,
                                        title="纪委书记"),
        "inspector": make_bound_person(3, name="赵审核", role=Role.INSPECTOR, unit=county_unit),
        "inspector2": make_bound_person(4, name="钱审核", role=Role.INSPECTOR, unit=county_unit),
        "villager": make_bound_person(6, name="村支书", role=Role.SECRETARY, unit=village),
    }


@pytest.fixture
def task_for(make_template, make_assignment):
    """`task_for(person, at)`: a one-off 纪律审查工作 task for `person`, dispatched `at`."""

    def make(person, at, levels=2, title=TEMPLATE_TITLE, due_rule="after:7") -> Assignment:
        template = make_template(title=title, **{**ONE_OFF, "due_rule": due_rule},
                                 review_levels=levels, category="纪律审查工作",
                                 responsibility=Responsibility.SUPERVISORY)
        return make_assignment(person, template, period="once", at=at)

    return make


def submit_in_chat(emulator, index: int) -> None:
    for text in ("签收 1", "上报 1", "本月共处置问题线索3件，均已按期办结。", "提交"):
        emulator.send_text(openid(index), text)


def review_cards(emulator, index: int) -> list[dict]:
    return [m for m in emulator.inbox(openid(index))
            if m["kind"] == "template" and m["template_id"] == "QL_REVIEW_REQUEST"]


def test_a_discipline_bodys_own_task_goes_to_the_county_inspectors(app, county, emulator, work,
                                                                   now, task_for):
    task = task_for(county["discipline"], now)
    submit_in_chat(emulator, 5)
    work()
    assert reload(task).state == State.SUBMITTED
    assert review_cards(emulator, 5) == []  # never asked to review their own task
    [card] = review_cards(emulator, 3)
    assert len(review_cards(emulator, 4)) == 1
    # The inspector opens the card's link and approves: one review completes it.
    inspector = Phone(app, 3)
    link = card["url"].split("127.0.0.1", 1)[1].split("/", 1)[1]
    page = inspector.get("/" + link)
    assert page.status_code == 200 and "本月共处置问题线索3件" in page.text
    inspector.post("/" + link, {"decision": "approve"})
    assert reload(task).state == State.COMPLETED
    assert session.execute(sa.select(Review.level, Review.reviewer_id)).all() == [
        (2, county["inspector"].id)]
    assert Phone(app, 5).get("/" + link).status_code == 403  # the assignee has no review right


def test_a_vacant_first_level_falls_to_the_inspectors_and_is_named(app, client, county, emulator,
                                                                   work, now, task_for):
    county["discipline"].active = False
    session.commit()
    task = task_for(county["member"], now, title="专题会议")
    health = client.get("/healthz").json
    assert health["duty"] == "1 gaps"
    assert health["gaps"] == ["青山镇·专题会议：监督单位暂无纪检监察人员，初审转由县纪委监委审核"]
    submit_in_chat(emulator, 1)
    work()
    assert reload(task).state == State.SUBMITTED
    assert len(review_cards(emulator, 3)) == 1
    inspector = Phone(app, 3)
    page = inspector.get("/m/")
    assert "专题会议" in page.text and "/m/review/" in page.text


def test_nobody_at_any_level_is_named_for_the_admin(client, county, now, task_for):
    for key in ("inspector", "inspector2", "discipline"):
        county[key].active = False
    session.commit()
    task_for(county["member"], now, title="专题会议")
    assert client.get("/healthz").json["gaps"] == [
        "青山镇·专题会议：没有审核人（监督单位和县纪委监委均无审核人员）"]


def test_a_village_is_supervised_as_its_township_is_for_review_and_for_the_ladder(app, county,
                                                                                  emulator, work,
                                                                                  now, task_for):
    task = task_for(county["villager"], now, levels=1, title="村务监督")
    submit_in_chat(emulator, 6)
    work()
    assert len(review_cards(emulator, 5)) == 1  # the township's 纪委 reviews the village
    discipline = Phone(app, 5)
    assert "村务监督" in discipline.get(f"/m/tasks/{task.id}").text
    late = task_for(county["villager"], datetime(2026, 10, 1, tzinfo=UTC), levels=1,
                    title="村级廉政谈话", due_rule="after:1")
    sweep(now)
    red_to = set(session.scalars(sa.select(Notification.person_id).where(
        Notification.assignment_id == late.id, Notification.kind == "supervision")))
    assert county["discipline"].id in red_to


# 催办 and 领导批示 are for people above the assignee.

def test_a_secretary_cannot_urge_or_instruct_her_own_task(app, county, now, work, emulator,
                                                          task_for):
    own = task_for(county["secretary"], datetime(2026, 10, 1, tzinfo=UTC), title="述责述廉",
                   due_rule="after:1")
    sweep(now)
    assert reload(own).warning == "supervision"
    secretary = Phone(app, 2)
    page = secretary.get(f"/m/tasks/{own.id}").text
    assert "催办" not in page.split("督办记录")[0] and 'name="text"' not in page
    assert f"/m/tasks/{own.id}/urge" not in page
    refused = secretary.post(f"/m/tasks/{own.id}/urge", form_page="/m/")
    assert redirected(refused, f"/m/tasks/{own.id}") and "催办他人的任务" in refused.text
    refused = secretary.post(f"/m/tasks/{own.id}/instructions", {"text": "抓紧办理"},
                             form_page="/m/")
    assert redirected(refused, f"/m/tasks/{own.id}") and "无权进行此操作" in refused.text
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "urge")) == 0
    # The inspector above her may do both.
    inspector = Phone(app, 3)
    page = inspector.get(f"/m/tasks/{own.id}").text
    assert f"/m/tasks/{own.id}/urge" in page and f"/m/tasks/{own.id}/instructions" in page


def test_a_secretary_urges_and_instructs_her_members_task(app, county, now, task_for):
    task = task_for(county["member"], datetime(2026, 10, 1, tzinfo=UTC), title="一岗双责",
                    due_rule="after:1")
    sweep(now)
    page = Phone(app, 2).get(f"/m/tasks/{task.id}").text
    assert f"/m/tasks/{task.id}/urge" in page and f"/m/tasks/{task.id}/instructions" in page
    member_page = Phone(app, 1).get(f"/m/tasks/{task.id}").text
    assert f"/m/tasks/{task.id}/urge" not in member_page


def test_the_api_refuses_urging_ones_own_task(api, county, now, task_for):
    own = task_for(county["secretary"], datetime(2026, 10, 1, tzinfo=UTC), due_rule="after:1")
    sweep(now)
    answer = api(county["secretary"], "POST", f"/assignments/{own.id}/urge")
    assert answer.status_code == 403
    assert session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "urge")) == 0


# Gaps named where dispatchers look: the dispatch's answer and the template list.

def test_dispatch_and_the_template_list_name_a_unit_nobody_can_review(
        app, client, api, county, make_person, make_template, now):
    county["discipline"].active = False
    for key in ("inspector", "inspector2"):
        county[key].active = False
    session.commit()
    template = make_template(title="廉政谈话", target_role=None, due_rule="day:28",
                             category="加强组织领导")
    admin = make_person(name="管理员", role=Role.ADMIN, unit=county["township"], title="")
    answer = api(admin, "POST", "/dispatch", json={
        "template_id": template.id, "period": "2026-11", "person_ids": [county["member"].id]})
    assert answer.status_code == 201
    assert answer.get_json()["gaps"] == [
        "青山镇·廉政谈话：没有审核人（监督单位和县纪委监委均无审核人员）"]
    with client.session_transaction() as browser:
        browser["admin_id"] = admin.id
    page = client.get("/admin/templates").get_data(as_text=True)
    assert "1处缺少承办人或审核人" in page and "廉政谈话</a> · 青山镇：没有审核人" in page
