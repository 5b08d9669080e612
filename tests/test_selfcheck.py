"""月度自查 (issue 12): a monthly task whose form is the cadre's own posts and risk points,
answered on the page or in chat one short reply at a time; a reported risk goes to the
supervising discipline body, who follows it up; dispatch, the ladder and scoring treat it as
any task."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from conftest import at, openid
from handlers.wechat import texts as chat
from models import (Assignment, AuditEvent, Evidence, Notification, RiskFollowUp, RiskPoint,
                    SelfCheckAnswer, SelfCheckDraft, State, TemplateKind, session)
from models.assignment import Action
from models.dispatch import dispatch
from models.escalation import sweep
from models.lifecycle import transition
from models.organisation import merge_units
from models.post import save_post, save_risk_point
from models.scoring import Outcome, compute
from models.self_check import Answer, close, hand_in, questions, risk_counts


@pytest.fixture
def points(county, now):
    """李明 (the member) holds two posts with three risk points; nobody else has any."""
    member, admin = county["member"], county["admin"]
    finance = save_post(member, "分管财政工作", "负责全镇财政预算执行", now=now, actor=admin)
    save_risk_point(finance, "专项资金拨付审核把关不严", "high", "三级签字、每季度公示", None,
                    now=now, actor=admin)
    save_risk_point(finance, "工程项目验收走过场", "medium", "三方验收", None, now=now,
                    actor=admin)
    village = save_post(member, "联系村（社区）工作", "", now=now, actor=admin)
    save_risk_point(village, "接受服务对象宴请、礼品", "low", "节前廉洁提醒", None, now=now,
                    actor=admin)
    session.commit()
    return county


@pytest.fixture
def self_check(points, make_template, now):
    """The November self-check, dispatched by rule (to 李明 only), one review level."""
    template = make_template(title="月度廉政风险自查", kind=TemplateKind.SELFCHECK,
                             target_role=None, review_levels=1, points=2)
    [task] = dispatch(template, "2026-11", now=now)
    session.commit()
    return task


def _reload(task) -> Assignment:
    session.expire_all()
    return session.get(Assignment, task.id)


def test_dispatch_goes_only_to_people_with_risk_points(self_check, points):
    tasks = session.scalars(sa.select(Assignment)).all()
    assert [(t.person_id, t.unit_id) for t in tasks] == [
        (points["member"].id, points["township"].id)]


def test_self_check_answered_in_chat_step_by_step(self_check, emulator, points, work):
    user = openid(1)
    started = emulator.send_text(user, "自查").reply["content"]
    assert "共3个廉政风险点" in started
    assert "第1/3项 【分管财政工作】专项资金拨付审核把关不严" in started
    assert "是否发生风险？回复 是 或 否" in started
    stray = emulator.send_text(user, "不知道").reply["content"]
    assert stray.startswith("请回复 是 或 否（第1项：专项资金拨付审核把关不严）")
    assert "防控措施落实情况" in emulator.send_text(user, "否").reply["content"]
    assert emulator.send_text(user, "无").reply["content"].startswith("请写明防控措施落实情况")
    # the state is in the database, not only in a cache
    assert session.get(SelfCheckDraft, points["member"].id).step == 1
    assert "第2/3项" in emulator.send_text(user, "资金拨付均三级签字并已公示").reply["content"]
    emulator.send_text(user, "是")
    emulator.send_text(user, "发现一个项目验收资料不全，已要求补齐")
    emulator.send_text(user, "否")
    summary = emulator.send_text(user, "节前已开展提醒").reply["content"]
    assert summary.startswith("请回复本月自查小结")
    review = emulator.send_text(user, "本月对照岗位风险点逐项自查，发现验收问题一项。").reply[
        "content"]
    assert "1. 专项资金拨付审核把关不严：未发生" in review
    assert "2. 工程项目验收走过场：发生风险" in review
    assert review.endswith("回复 确认 提交，回复 取消 放弃。")
    assert emulator.send_text(user, "好的").reply["content"] == chat.SELF_CHECK_CONFIRM
    done = emulator.send_text(user, "确认").reply["content"]
    assert done.startswith("已提交：月度廉政风险自查（2026年11月），等待审核")
    assert "1项风险已推送监督单位跟进" in done
    task = _reload(self_check)
    assert task.state == State.SUBMITTED
    answers = session.scalars(sa.select(SelfCheckAnswer).order_by(SelfCheckAnswer.id)).all()
    assert [(a.description, a.occurred) for a in answers] == [
        ("专项资金拨付审核把关不严", False), ("工程项目验收走过场", True),
        ("接受服务对象宴请、礼品", False)]
    assert session.scalar(sa.select(Evidence.text)) == \
        "本月对照岗位风险点逐项自查，发现验收问题一项。"
    assert session.get(SelfCheckDraft, points["member"].id) is None
    # A later text is no answer any more.
    assert emulator.send_text(user, "补充一句").reply["content"] == chat.UNKNOWN_COMMAND


def test_cancel_stops_the_chat_self_check(self_check, emulator, points):
    user = openid(1)
    assert "第1/3项" in emulator.click(user, "SELF_CHECK").reply["content"]  # the menu
    emulator.send_text(user, "是")
    assert emulator.send_text(user, "取消").reply["content"] == chat.SELF_CHECK_CANCELLED
    assert session.scalar(sa.select(SelfCheckDraft)) is None
    assert emulator.send_text(user, "是").reply["content"] == chat.UNKNOWN_COMMAND
    assert _reload(self_check).state == State.DISPATCHED
    assert emulator.send_text(openid(2), "自查").reply["content"] == chat.NO_SELF_CHECK
    assert "self_check.chat_cancel" in session.scalars(sa.select(AuditEvent.action)).all()


def _point_ids() -> list[int]:
    return list(session.scalars(sa.select(RiskPoint.id).order_by(RiskPoint.id)))


def test_form_is_built_from_the_cadres_posts_and_risk_points(self_check, phone):
    member = phone("member")
    task_page = member.get(f"/m/tasks/{self_check.id}").text
    assert "填写自查" in task_page and "上报材料</a>" not in task_page
    form = member.get(f"/m/tasks/{self_check.id}/selfcheck").text
    assert form.index("专项资金拨付审核把关不严") < form.index("工程项目验收走过场") < \
        form.index("接受服务对象宴请、礼品")
    assert "第3项 · 联系村（社区）工作" in form and "风险等级：高" in form
    assert "防控措施：三级签字、每季度公示" in form and "本月自查小结" in form
    assert "high" not in form and "medium" not in form
    # 上报材料 on a self-check leads to its form
    assert member.get(f"/m/tasks/{self_check.id}/report").url.endswith(
        f"/m/tasks/{self_check.id}/selfcheck")


def test_form_refused_keeps_what_was_typed_then_hands_in(self_check, phone):
    member = phone("member")
    first, second, third = _point_ids()
    page = f"/m/tasks/{self_check.id}/selfcheck"
    refused = member.post(page, {f"occurred_{first}": "no", f"measures_{first}": "三级签字已落实",
                                 f"occurred_{second}": "yes", "summary": "本月自查"},
                          form_page=page)
    assert refused.url.endswith(page)
    assert "第2项风险点：请填写防控措施落实情况。" in refused.text
    assert "第3项风险点：请选择是否发生风险。" in refused.text
    assert "请填写本月自查小结（至少5个字）。" in refused.text
    assert "三级签字已落实" in refused.text and 'value="yes" checked' in refused.text
    assert _reload(self_check).state == State.DISPATCHED
    assert session.scalar(sa.select(SelfCheckAnswer.id)) is None
    done = member.post(page, {
        f"occurred_{first}": "no", f"measures_{first}": "三级签字已落实",
        f"occurred_{second}": "yes", f"measures_{second}": "一个项目验收资料不全，已整改",
        f"occurred_{third}": "no", f"measures_{third}": "节前开展廉洁提醒",
        "summary": "本月逐项自查，发现验收问题一项，已整改。"}, form_page=page)
    assert done.url.endswith(f"/m/tasks/{self_check.id}") and "已提交，等待审核。" in done.text
    assert "自查情况（第1次上报）" in done.text and "一个项目验收资料不全，已整改" in done.text
    assert _reload(self_check).state == State.SUBMITTED
    again = member.get(page)
    assert again.url.endswith(f"/m/tasks/{self_check.id}")


def _hand_in_with_risk(task, person, now):
    asked = questions(person)
    answers = {q.risk_point_id: Answer(q.risk_point_id, n == 1, "已落实防控措施")
               for n, q in enumerate(asked)}
    state = hand_in(task, person, answers, "本月逐项自查完毕。", now=now)
    session.commit()
    return state


def test_a_reported_risk_reaches_the_discipline_body(self_check, points, phone, emulator, work,
                                                     now):
    _hand_in_with_risk(self_check, points["member"], now)
    [follow_up] = session.scalars(sa.select(RiskFollowUp)).all()
    assert follow_up.body_id == points["discipline"].unit_id
    work()
    [card] = [m for m in emulator.inbox(openid(3)) if m["kind"] == "template"
              and "自查报告风险" in str(m)]
    assert "工程项目验收走过场" in str(card) and card["url"].endswith("/m/selfcheck-risks")
    assert not [m for m in emulator.inbox(openid(7)) if "自查报告风险" in str(m)]
    body = phone("discipline")
    listed = body.get("/m/selfcheck-risks").text
    assert "工程项目验收走过场" in listed and "李明 · 青山镇" in listed and "记录并办结" in listed
    assert "工程项目验收走过场" not in phone("other_discipline").get("/m/selfcheck-risks").text
    # the reviewer reads the answers beside the summary
    task_page = body.get(f"/m/tasks/{self_check.id}").text
    review = body.get(re.search(r'href="(/m/review/[^"]+)"', task_page).group(1)).text
    assert "自查情况（第1次上报）" in review and "是否发生风险：<strong" in review
    assert "本月逐项自查完毕。" in review
    assert phone("member").get("/m/selfcheck-risks").status_code == 403
    short = body.post(f"/m/selfcheck-risks/{follow_up.id}/close", {"note": "已核"},
                      form_page="/m/selfcheck-risks")
    assert "请填写核实处置情况（至少5个字）。" in short.text and "已核" in short.text
    closed = body.post(f"/m/selfcheck-risks/{follow_up.id}/close",
                       {"note": "已到现场核实，责令补齐验收资料并约谈经办人"},
                       form_page="/m/selfcheck-risks")
    assert "已记录核实处置情况" in closed.text and "暂无待跟进的风险" in closed.text
    assert "约谈经办人" in body.get("/m/selfcheck-risks?state=closed").text
    actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert {"self_check.answer", "self_check.risk_reported", "self_check.follow_up"} <= set(actions)


def test_dashboard_counts_link_to_the_risk_lists(self_check, points, phone, admin_browser, api,
                                                now):
    _hand_in_with_risk(self_check, points["member"], now)
    inspector = phone("inspector")
    situation = inspector.get("/m/situation").text
    assert ('自查报告风险 <a href="/m/selfcheck-risks?state=all"><b>1</b> 项</a>，'
            '待跟进 <a href="/m/selfcheck-risks?state=open"><b>1</b> 项</a>') in situation
    index = admin_browser(points["inspector"]).get("/admin/").text
    assert '<a href="/m/selfcheck-risks?state=all">自查报告风险 <b>1</b> 项</a>' in index
    assert '<a href="/m/selfcheck-risks?state=open">待跟进 <b>1</b> 项</a>' in index
    assert "工程项目验收走过场" in inspector.get("/m/selfcheck-risks?state=all").text
    # the API: the answers of the task, and the risk with its follow-up
    answers = api(points["discipline"], "GET", f"/assignments/{self_check.id}/self-check").json
    assert [a["occurred"] for a in answers["answers"]] == [False, True, False]
    [risk] = api(points["discipline"], "GET", "/self-check-risks").json["items"]
    assert risk["answer"]["description"] == "工程项目验收走过场" and risk["closed_at"] is None
    assert api(points["member"], "GET", "/self-check-risks").status_code == 403
    refused = api(points["member"], "POST", f"/assignments/{self_check.id}/submit")
    assert refused.status_code == 409


def test_the_ladder_chases_and_scoring_counts_a_self_check_like_any_task(
        points, make_template, now):
    """Two post holders: 李明 hands in on time and is approved (full points); 钱委员 never
    answers: the ladder turns it blue after the due day, and it scores 0 at period end."""
    colleague, admin = points["colleague"], points["admin"]
    post = save_post(colleague, "组织工作", "", now=now, actor=admin)
    save_risk_point(post, "发展党员把关不严", "medium", "支部集体研究", None, now=now, actor=admin)
    template = make_template(title="月度廉政风险自查", kind=TemplateKind.SELFCHECK,
                             target_role=None, review_levels=1, points=2)
    mine, theirs = dispatch(template, "2026-11", now=now)
    session.commit()
    assert (mine.person_id, theirs.person_id) == (points["member"].id, colleague.id)
    _hand_in_with_risk(mine, points["member"], now)
    transition(mine, Action.APPROVE, points["discipline"], now=now)
    session.commit()
    sweep(at(26, 18))
    session.commit()
    blue = session.scalars(sa.select(Notification.person_id).where(
        Notification.kind == "blue")).all()
    assert blue == [colleague.id] and _reload(theirs).warning == "blue"
    lines = {line.assignment_id: line for line in compute(2026, at(2, 9, month=12)).lines}
    assert (lines[mine.id].outcome, lines[mine.id].earned) == (Outcome.ON_TIME, 2)
    assert lines[theirs.id].earned == 0


def test_risk_counts_per_unit_as_known_at_a_moment(self_check, points, phone, now):
    township, other = points["township"].id, points["other_secretary"].unit_id
    _hand_in_with_risk(self_check, points["member"], now)
    [follow_up] = session.scalars(sa.select(RiskFollowUp)).all()
    later = now + timedelta(days=3)
    close(follow_up, points["discipline"], "已核实并处置到位", now=later)
    session.commit()
    november = (date(2026, 11, 1), date(2026, 12, 1))
    assert risk_counts([township, other], *november, as_of=now - timedelta(hours=1)) == {
        township: (0, 0), other: (0, 0)}
    assert risk_counts([township, other], *november, as_of=now + timedelta(days=1)) == {
        township: (1, 0), other: (0, 0)}
    assert risk_counts([township], *november, as_of=later + timedelta(seconds=1)) == {
        township: (1, 1)}
    assert risk_counts([township], date(2026, 12, 1), date(2027, 1, 1),
                       as_of=later + timedelta(days=1)) == {township: (0, 0)}


def test_the_demo_county_has_two_months_of_self_checks(runner, clock, emulator):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    # README step 14: user 08 (城关镇党政办主任) still owes this month's
    assert "开始填写：月度廉政风险自查（2026年11月）" in emulator.send_text(
        openid(8), "自查").reply["content"]
    tasks = session.scalars(sa.select(Assignment).join(Assignment.template).where(
        Assignment.template.has(kind=TemplateKind.SELFCHECK))).all()
    by_month = {period: [t.state for t in tasks if t.period == period]
                for period in ("2026-10", "2026-11")}
    assert set(by_month["2026-10"]) == {State.COMPLETED} and len(by_month["2026-10"]) >= 10
    november = by_month["2026-11"]
    assert State.SUBMITTED in november and State.DISPATCHED in november
    risks = session.scalars(sa.select(RiskFollowUp).order_by(RiskFollowUp.id)).all()
    assert [(r.assignment.period, r.closed_at is not None) for r in risks] == [
        ("2026-10", True), ("2026-11", False)]


def test_answers_that_start_with_a_command_word_stay_answers(self_check, emulator, points,
                                                             phone):
    user = openid(1)
    emulator.send_text(user, "自查")
    emulator.send_text(user, "否")
    assert "第2/3项" in emulator.send_text(user, "提交审批单三级签字，已落实").reply["content"]
    emulator.send_text(user, "否")
    emulator.send_text(user, "上报验收资料已归档")
    emulator.send_text(user, "否")
    emulator.send_text(user, "取消宴请安排，节前已提醒")
    assert emulator.send_text(user, "自查发现问题零项，防控措施均已落实。").reply[
        "content"].startswith("请核对您的自查")
    draft = session.get(SelfCheckDraft, points["member"].id)
    assert [a["measures"] for a in draft.answers] == [
        "提交审批单三级签字，已落实", "上报验收资料已归档", "取消宴请安排，节前已提醒"]
    assert draft.summary == "自查发现问题零项，防控措施均已落实。"
    # Handed in on the page meanwhile: the chat sequence ends with it.
    ids = _point_ids()
    page = f"/m/tasks/{self_check.id}/selfcheck"
    phone("member").post(page, {**{f"occurred_{i}": "no" for i in ids},
                                **{f"measures_{i}": "已落实" for i in ids},
                                "summary": "本月逐项自查完毕。"}, form_page=page)
    session.expire_all()
    assert session.get(SelfCheckDraft, points["member"].id) is None
    assert emulator.send_text(user, "确认").reply["content"] == chat.UNKNOWN_COMMAND


def test_a_returned_self_check_is_answered_again_from_what_it_said(self_check, points, phone,
                                                                   now):
    _hand_in_with_risk(self_check, points["member"], now)
    transition(self_check, Action.RETURN, points["discipline"], now=now,
               reason="第2项请写明整改时限")
    session.commit()
    page = f"/m/tasks/{self_check.id}/selfcheck"
    form = phone("member").get(page).text
    assert "退回理由：第2项请写明整改时限" in form and "本月逐项自查完毕。" in form
    assert form.count('value="yes" checked') == 1 and "已落实防控措施" in form
    ids = _point_ids()
    phone("member").post(page, {f"occurred_{ids[0]}": "no", f"occurred_{ids[1]}": "yes",
                                f"occurred_{ids[2]}": "no",
                                **{f"measures_{i}": "已落实，11月30日前整改完毕" for i in ids},
                                "summary": "本月逐项自查完毕，整改时限已写明。"}, form_page=page)
    task = _reload(self_check)
    assert (task.state, task.round) == (State.SUBMITTED, 2)
    assert len(session.scalars(sa.select(SelfCheckAnswer)).all()) == 6
    assert len(session.scalars(sa.select(RiskFollowUp)).all()) == 1  # the same risk, once


def test_a_merged_units_reported_risks_follow_its_tasks(self_check, points, now):
    _hand_in_with_risk(self_check, points["member"], now)
    other = points["other_secretary"].unit
    merge_units(points["township"], other, now=now, actor=points["admin"])
    session.commit()
    [follow_up] = session.scalars(sa.select(RiskFollowUp)).all()
    assert follow_up.unit_id == other.id == _reload(self_check).unit_id
    assert risk_counts([other.id], date(2026, 11, 1), date(2026, 12, 1),
                       as_of=now + timedelta(days=1)) == {other.id: (1, 0)}


def test_the_index_reads_the_share_of_reported_risks_followed_up(self_check, points, phone,
                                                                 now):
    """The political-ecology index's self-check indicator, over a Shanghai month's instants."""
    from models.dashboard import month_start
    from models.eco_indicator import self_check_followed

    township = points["township"].id
    _hand_in_with_risk(self_check, points["member"], now)
    [follow_up] = session.scalars(sa.select(RiskFollowUp)).all()
    november = month_start(2026, 11), month_start(2026, 12)
    before = self_check_followed([township], *november, november[1])
    assert (before[township].value, before[township].note) == (0, "本月自查上报风险1项，已跟进0项")
    close(follow_up, points["discipline"], "已核实并处置到位", now=now + timedelta(days=1))
    session.commit()
    after = self_check_followed([township], *november, november[1])
    assert after[township].value == 100
