"""What people read (issue 9, words): pushed cards say the real days, who submitted and which
review, name the task; chat has no doubled 有. (催办 to the unreachable: test_supervision.py)"""

from datetime import timedelta

from conftest import openid
from models import Role, session
from models.assignment import Action
from models.lifecycle import transition
from models.escalation import sweep
from tests.test_escalation import DUE


def cards(emulator, index: int, template_id: str | None = None) -> list[dict]:
    return [m for m in emulator.inbox(openid(index)) if m["kind"] == "template"
            and (template_id is None or m["template_id"] == template_id)]


def lines(card: dict) -> list[tuple[str, str]]:
    """The card as the phone shows it: (keyword name, value) per line."""
    return [(line["label"], line["value"]) for line in card["lines"]]


def test_warnings_count_the_days_of_the_templates_own_ladder(ladder_county, work, emulator,
                                                             make_template, make_assignment):
    template = make_template(title="专题会议")
    template.ladder_days = "-2,2,4,6,8"
    session.commit()
    make_assignment(ladder_county["member"], template)
    for days in (-2, 2, 4, 6):
        sweep(DUE + timedelta(days=days))
    work()
    asks = [card["data"]["thing4"] for card in cards(emulator, 1, "QL_TASK_WARNING")]
    assert asks == ["还有2天到期，请按时完成", "已逾期2天，请尽快办理", "已逾期4天，请立即办理",
                    "已逾期6天，请立即办理"]
    secretary = [card["data"]["thing4"] for card in cards(emulator, 2, "QL_TASK_WARNING")]
    assert secretary == ["委员甲 青山镇逾期4天未办", "委员甲 青山镇逾期6天未办"]


def test_a_step_sent_late_says_how_late_it_really_is(ladder_county, work, emulator,
                                                     make_assignment):
    make_assignment(ladder_county["member"])
    sweep(DUE + timedelta(days=4))  # down over the yellow step's day: yellow, one day later
    work()
    [card] = cards(emulator, 1, "QL_TASK_WARNING")
    assert card["data"]["phrase2"] == "黄色预警" and card["data"]["thing4"] == "已逾期4天，请立即办理"


def test_the_dispatch_card_calls_the_assignees_unit_its_responsible_unit(ladder_county, work,
                                                                         emulator, make_template,
                                                                         make_assignment):
    make_assignment(ladder_county["member"], make_template(title="专题会议"))
    work()
    [card] = cards(emulator, 1, "QL_TASK_DISPATCHED")
    assert card["title"] == "任务派发通知"
    assert lines(card) == [("任务名称", "专题会议"), ("截止时间", DUE.strftime("%Y-%m-%d %H:%M")),
                           ("责任单位", "青山镇")]


def test_review_requests_name_who_submitted_and_which_review(ladder_county, work, emulator, now,
                                                             make_template, make_assignment):
    task = make_assignment(ladder_county["member"], make_template(title="专题会议", review_levels=2))
    transition(task, Action.SUBMIT, ladder_county["member"], now=now)
    session.commit()
    work()
    [first] = cards(emulator, 3, "QL_REVIEW_REQUEST")  # the township's 纪委
    assert lines(first)[:2] == [("任务名称", "初审：专题会议"), ("提交人", "委员甲（青山镇）")]
    transition(task, Action.APPROVE, ladder_county["discipline"], now=now)
    session.commit()
    work()
    [final] = cards(emulator, 4, "QL_REVIEW_REQUEST")  # the county inspector
    assert lines(final)[:2] == [("任务名称", "终审：专题会议"), ("提交人", "委员甲（青山镇）")]


def test_a_units_task_names_the_person_who_handed_it_in(ladder_county, make_bound_person, work,
                                                        emulator, now, make_template):
    from models.dispatch import dispatch

    liaison = make_bound_person(7, name="联络员", role=Role.COMMITTEE, unit=ladder_county["township"])
    template = make_template(title="班子述责述廉")
    [task] = dispatch(template, "2026-11", now=now, units=[ladder_county["township"]])
    transition(task, Action.SUBMIT, liaison, now=now)
    session.commit()
    work()
    [card] = cards(emulator, 3, "QL_REVIEW_REQUEST")
    assert dict(lines(card))["提交人"] == "联络员（青山镇）"


def test_a_review_overdue_reminder_says_which_review(ladder_county, work, emulator, now,
                                                     make_template, make_assignment):
    task = make_assignment(ladder_county["member"], make_template(title="专题会议"))
    transition(task, Action.SUBMIT, ladder_county["member"], now=now)
    session.commit()
    sweep(now + timedelta(days=4))
    work()
    titles = [card["data"]["thing1"] for card in cards(emulator, 3, "QL_REVIEW_REQUEST")]
    assert titles == ["初审：专题会议", "超期待初审：专题会议"]


def test_the_warnings_menu_says_it_once(emulator, ladder_county, make_assignment):
    make_assignment(ladder_county["member"])
    sweep(DUE + timedelta(days=1))
    reply = emulator.click(openid(1), "WARNINGS").reply["content"]
    assert "预警" in reply and "有有" not in reply
