"""组织机构 (/admin/org, issue 12): admins create, rename, move, merge and deactivate units
through the pages; tasks, people and deductions follow a merge, reviewers follow a move, a
cycle and a half-finished merge or deactivation are refused with the reason."""

import re
import threading
from datetime import date

import pytest

import sqlalchemy as sa

from conftest import ONE_OFF
from models import Assignment, AuditEvent, Deduction, State, Unit, UnitKind, session
from models.assignment import Action
from models.deduction import record as record_deduction
from models.hierarchy import reviewers
from models.lifecycle import transition


def _unit(name: str) -> Unit:
    session.expire_all()
    return session.scalars(sa.select(Unit).where(Unit.name == name)).one()


def _actions(subject: str) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject == subject).order_by(AuditEvent.id)))


def test_an_admin_creates_and_renames_a_unit_and_an_inspector_only_looks(county,
                                                                       admin_browser):
    admin = admin_browser(county["admin"])
    township = county["township"]
    made = admin.post("/admin/org/units/new", {
        "name": "东岭村", "kind": "village", "parent_id": township.id, "supervisor_id": 0},
        form_page="/admin/org")
    assert made.status_code == 303
    village = _unit("东岭村")
    assert village.parent_id == township.id and village.active
    page = admin.get("/admin/org").text
    assert "已新建单位“东岭村”" in page and "村（社区）" in page and "village" not in page

    renamed = admin.post(f"/admin/org/units/{village.id}", {
        "name": "东岭社区", "kind": "village", "parent_id": township.id, "supervisor_id": 0},
        form_page="/admin/org")
    assert renamed.status_code == 303 and _unit("东岭社区").id == village.id
    assert _actions(f"unit:{village.id}") == ["unit.create", "unit.update"]

    inspector = admin_browser(county["inspector"])
    assert "东岭社区" in inspector.get("/admin/org").text
    refused = inspector.post("/admin/org/units/new", {"name": "西岭村", "kind": "village",
                                                      "parent_id": 0, "supervisor_id": 0},
                             form_page="/admin/people")
    assert refused.status_code == 403
    assert session.scalar(sa.select(Unit.id).where(Unit.name == "西岭村")) is None


def test_a_move_below_itself_is_refused_and_nothing_changes(county, make_unit, admin_browser):
    township = county["township"]
    village = make_unit(name="东岭村", kind=UnitKind.VILLAGE, parent_id=township.id)
    admin = admin_browser(county["admin"])
    refused = admin.post(f"/admin/org/units/{township.id}", {
        "name": "青山镇", "kind": "township", "parent_id": village.id,
        "supervisor_id": township.supervisor_id}, form_page="/admin/org")
    assert refused.status_code == 422
    assert "上级单位不能是它自己或它的下级单位" in refused.text
    assert _unit("青山镇").parent_id is None


def test_a_new_supervising_body_reviews_the_open_tasks_at_once(county, make_template,
                                                               make_assignment, admin_browser,
                                                               now):
    township, member = county["township"], county["member"]
    task = make_assignment(member, make_template(**ONE_OFF), period="once", at=now)
    transition(task, Action.SUBMIT, member, now=now)
    session.commit()
    assert [p.name for p in reviewers(task)] == ["王纪委"]
    other_body = _unit("白水镇纪委")

    admin = admin_browser(county["admin"])
    moved = admin.post(f"/admin/org/units/{township.id}", {
        "name": "青山镇", "kind": "township", "parent_id": 0, "supervisor_id": other_body.id},
        form_page="/admin/org")

    assert moved.status_code == 303
    session.expire_all()
    assert [p.name for p in reviewers(task)] == ["周纪委"]
    assert "白水镇纪委" in admin.get("/admin/org").text


def test_a_merge_brings_people_tasks_and_deductions_and_reviewers_follow(
        county, make_template, make_assignment, admin_browser, now):
    baishui, qingshan = _unit("白水镇"), county["township"]
    sun = county["other_secretary"]
    own = make_assignment(sun, make_template(**ONE_OFF, title="专项检查"), period="once", at=now)
    record_deduction(unit=baishui, points="1", reason="会议记录不全，扣分", day=date(2026, 11, 19),
                     actor=county["inspector"], now=now)
    session.commit()
    admin = admin_browser(county["admin"])
    page = admin.get(f"/admin/org/units/{baishui.id}/merge?into={qingshan.id}")
    assert page.status_code == 200 and "合并后不能撤回" in page.text

    merged = admin.post(f"/admin/org/units/{baishui.id}/merge", {"into": qingshan.id},
                        form_page=f"/admin/org/units/{baishui.id}/merge?into={qingshan.id}")

    assert merged.status_code == 303
    assert "已将“白水镇”并入“青山镇”：1名人员、1项任务、1笔扣分加分" in admin.get("/admin/org").text
    session.expire_all()
    assert session.get(Unit, baishui.id).active is False
    assert session.get(Unit, baishui.id).merged_into_id == qingshan.id
    assert sun.unit_id == qingshan.id and own.unit_id == qingshan.id
    assert session.scalar(sa.select(Deduction.unit_id)) == qingshan.id
    transition(own, Action.SUBMIT, sun, now=now)
    session.commit()
    assert [p.name for p in reviewers(own)] == ["王纪委"]  # 青山镇's body reviews it now
    assert _actions(f"unit:{baishui.id}")[-1] == "unit.merge"
    assert "已并入青山镇" in admin.get("/admin/org").text


def test_a_merge_waits_for_another_admins_merge_of_the_same_unit_and_then_refuses(
        app, county, make_unit, make_template, make_assignment, admin_browser, now):
    """Two admins merge 白水镇 at once, into different units: the second waits for the first
    and is told, instead of moving what is left into its own choice."""
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    baishui, qingshan = _unit("白水镇"), county["township"]
    east = make_unit(name="东岭镇")
    own = make_assignment(county["other_secretary"], make_template(**ONE_OFF, title="专项检查"),
                          period="once", at=now)
    session.commit()
    other = engine.connect()  # the first admin's merge, in its transaction
    other.execute(sa.update(Unit).where(Unit.id == baishui.id)
                  .values(active=False, merged_into_id=east.id))
    other.execute(sa.update(Assignment).where(Assignment.unit_id == baishui.id)
                  .values(unit_id=east.id))

    def commit_once_the_second_waits():
        with engine.connect() as probe:
            for _ in range(500):
                if probe.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()")).scalar():
                    break
                probe.execute(sa.text("SELECT pg_sleep(0.01)"))
                probe.commit()  # pg_stat_activity is read once per transaction
        other.commit()
        other.close()

    first = threading.Thread(target=commit_once_the_second_waits)
    first.start()
    admin = admin_browser(county["admin"])
    merge_page = f"/admin/org/units/{baishui.id}/merge?into={qingshan.id}"
    second = admin.post(f"/admin/org/units/{baishui.id}/merge", {"into": qingshan.id},
                        form_page=merge_page)
    first.join()

    assert second.status_code == 422 and "已停用的单位不能合并" in second.text
    session.expire_all()
    assert session.get(Unit, baishui.id).merged_into_id == east.id
    assert session.get(Assignment, own.id).unit_id == east.id
    assert "unit.merge" not in _actions(f"unit:{baishui.id}")


def test_a_merge_that_waits_too_long_for_a_lock_is_not_saved_and_says_so(
        app, county, admin_browser):
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("the statement timeout is PostgreSQL's")
    baishui, qingshan = _unit("白水镇"), county["township"]
    session.commit()
    with engine.connect() as other:  # another change holds 白水镇's row past the timeout
        other.execute(sa.update(Unit).where(Unit.id == baishui.id).values(name="白水镇"))
        admin = admin_browser(county["admin"])
        merge_page = f"/admin/org/units/{baishui.id}/merge?into={qingshan.id}"
        busy = admin.post(f"/admin/org/units/{baishui.id}/merge", {"into": qingshan.id},
                          form_page=merge_page)
        other.rollback()

    assert busy.status_code == 503 and "本次操作未保存" in busy.text
    assert busy.headers["Retry-After"] == "5"
    session.expire_all()
    assert session.get(Unit, baishui.id).active and county["other_secretary"].unit_id == baishui.id


def _both_have_the_task(county, make_template, make_assignment, now):
    """白水镇 and 青山镇 each with the unit task 主体责任述职 of one period."""
    baishui, qingshan = _unit("白水镇"), county["township"]
    report = make_template(**{**ONE_OFF, "target_role": None}, title="主体责任述职")
    return (baishui, qingshan, make_assignment(baishui, report, period="once", at=now),
            make_assignment(qingshan, report, period="once", at=now))


def test_a_merge_with_the_same_unit_task_on_both_sides_waits_for_one_to_be_cancelled(
        county, make_template, make_assignment, admin_browser, now):
    baishui, qingshan, theirs, ours = _both_have_the_task(county, make_template,
                                                          make_assignment, now)
    admin = admin_browser(county["admin"])
    merge_page = f"/admin/org/units/{baishui.id}/merge?into={qingshan.id}"

    refused = admin.post(f"/admin/org/units/{baishui.id}/merge", {"into": qingshan.id},
                         form_page=merge_page)
    assert refused.status_code == 409
    assert "“主体责任述职”（一次性）" in refused.text and "请先撤销其中一方" in refused.text
    session.expire_all()
    assert session.get(Unit, baishui.id).active and theirs.unit_id == baishui.id

    short = admin.post(f"/admin/org/tasks/{theirs.id}/withdraw",
                       {"reason": "重复", "back": merge_page}, form_page=merge_page)
    assert short.status_code == 303 and "至少5个字" in admin.get(merge_page).text
    admin.post(f"/admin/org/tasks/{theirs.id}/withdraw",
               {"reason": "两镇合并，保留青山镇的述职", "back": merge_page}, form_page=merge_page)
    session.expire_all()
    assert theirs.state == State.CANCELLED
    done = admin.post(f"/admin/org/units/{baishui.id}/merge", {"into": qingshan.id},
                      form_page=merge_page)
    assert done.status_code == 303
    session.expire_all()
    assert ours.unit_id == qingshan.id and ours.state == State.DISPATCHED
    assert theirs.unit_id == baishui.id  # the cancelled side stays in the merged unit's record
    assert _actions(f"assignment:{theirs.id}")[-1] == "assignment.cancel"


def test_deactivation_names_what_still_depends_on_the_unit_then_leaves_pickers(
        county, make_unit, make_person, make_template, make_assignment, admin_browser, now):
    office = make_unit(name="青山镇党政办", kind=UnitKind.DEPARTMENT,
                       parent_id=county["township"].id)
    clerk = make_person("韩文静", unit=office, title="主任")
    task = make_assignment(clerk, make_template(**ONE_OFF, title="廉政学习"), period="once",
                           at=now)
    admin = admin_browser(county["admin"])
    admin.post(f"/admin/org/units/{office.id}/deactivate", {}, form_page="/admin/org")
    page = admin.get("/admin/org").text
    assert "“青山镇党政办”暂不能停用" in page
    assert "尚有在职人员：韩文静" in page and "尚有未办结任务：“廉政学习”" in page
    assert _unit("青山镇党政办").active

    transition(task, Action.CANCEL, county["inspector"], now=now)
    clerk.active = False
    session.commit()
    admin.post(f"/admin/org/units/{office.id}/deactivate", {}, form_page="/admin/org")
    assert "已停用单位“青山镇党政办”" in admin.get("/admin/org").text
    assert _unit("青山镇党政办").active is False
    assert "青山镇党政办" not in admin.get(f"/admin/dispatch/{make_template(**ONE_OFF).id}").text
    assert "青山镇党政办" not in admin.get("/admin/").text
    assert _actions(f"unit:{office.id}") == ["unit.deactivate"]


def test_the_migration_adds_what_the_models_declare_on_a_database_with_people(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base
    from models.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0017_notice")
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # a unit people refer to: SQLite refuses to rebuild it
        connection.execute(sa.text("INSERT INTO unit (id, name, kind, created_at)"
                                   " VALUES (1, '青山镇', 'township', '2026-01-01')"))
        connection.execute(sa.text(
            "INSERT INTO person (id, name, unit_id, role, title, phone, active, care_mode,"
            " created_at) VALUES (1, '李明', 1, 'member', '', '', 1, 0, '2026-01-01')"))
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT active FROM unit")).scalar() in (1, True)
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if any(f"'{table}'" in str(d) for table in ("unit", "post", "risk_point"))]
    engine.dispose()
    assert differences == []


def test_when_the_target_units_side_is_cancelled_the_live_task_comes_over(
        county, make_template, make_assignment, admin_browser, now):
    baishui, qingshan, theirs, ours = _both_have_the_task(county, make_template,
                                                          make_assignment, now)
    admin = admin_browser(county["admin"])
    merge_page = f"/admin/org/units/{baishui.id}/merge?into={qingshan.id}"
    admin.post(f"/admin/org/tasks/{ours.id}/withdraw",
               {"reason": "两镇合并，保留白水镇的述职", "back": merge_page}, form_page=merge_page)

    done = admin.post(f"/admin/org/units/{baishui.id}/merge", {"into": qingshan.id},
                      form_page=merge_page)

    assert done.status_code == 303
    session.expire_all()
    assert (theirs.unit_id, theirs.state) == (qingshan.id, State.DISPATCHED)
    assert (ours.unit_id, ours.state) == (baishui.id, State.CANCELLED)


def test_a_tampered_unit_kind_gets_a_chinese_answer(county, admin_browser):
    admin = admin_browser(county["admin"])
    refused = admin.post("/admin/org/units/new", {"name": "东岭村", "kind": "hamlet",
                                                  "parent_id": 0, "supervisor_id": 0},
                         form_page="/admin/org")
    assert refused.status_code == 422 and "请选择单位类别：" in refused.text
    assert "Not a valid choice" not in refused.text


def test_each_units_unfinished_count_lists_its_unfinished_tasks(county, make_template,
                                                                 make_assignment, admin_browser,
                                                                 now):
    township, member = county["township"], county["member"]
    template = make_template(**ONE_OFF)
    waiting, handed_in, done = (make_assignment(person, template, period="once", at=now)
                                for person in (member, county["secretary"], county["colleague"]))
    transition(handed_in, Action.SUBMIT, county["secretary"], now=now)
    done.state = State.COMPLETED
    session.commit()
    admin = admin_browser(county["admin"])
    page = admin.get("/admin/org").text
    link = f'/admin/tasks?unit={township.id}&amp;state=unfinished">2</a>'
    assert link in page
    listed = admin.get(f"/admin/tasks?unit={township.id}&state=unfinished").text
    assert "未办结" in listed and "共 <b>2</b> 项" in listed
    assert {int(i) for i in re.findall(r'data-task="(\d+)"', listed)} == {waiting.id, handed_in.id}
