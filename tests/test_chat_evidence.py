"""上报 in chat: summary paragraphs, photos fetched by the job, 提交 with the proof checked."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from conftest import openid
from handlers.wechat import texts
from models import (Assignment, Evidence, EvidenceKind, EvidenceStatus, Role, State, TemplateKind,
                    session)
from models.dispatch import dispatch


def photo(colour=(200, 30, 30), size=(1600, 1200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def task(make_bound_person, make_template, now):
    make_bound_person(1, role=Role.MEMBER, title="副书记")
    template = make_template(title="一岗双责履职报告", kind=TemplateKind.COMMON,
                             category="落实一岗双责", min_photos=2, review_levels=2)
    created = dispatch(template, "2026-12", now=now)
    session.commit()
    return created[0]


def _reload(assignment) -> Assignment:
    session.expire_all()
    return session.get(Assignment, assignment.id)


def test_report_with_summary_and_two_photos(emulator, task, work, app):
    user = openid(1)
    emulator.send_text(user, "待办")
    assert emulator.send_text(user, "签收 1").reply["content"].startswith("已签收")
    assert emulator.send_text(user, "上报 1").reply["content"].startswith("开始上报")
    assert "照片还差2张" in emulator.send_text(user, "提交").reply["content"]
    assert emulator.send_text(user, "本月召开班子会议一次，专题研究党风廉政建设。").reply[
        "content"] == texts.SUMMARY_RECEIVED.format(number=1)
    assert emulator.send_image(user, photo()).reply["content"] == \
        texts.PHOTO_RECEIVED.format(number=1)
    assert emulator.send_image(user, photo((20, 90, 200))).reply["content"] == \
        texts.PHOTO_RECEIVED.format(number=2)
    work()
    photos = session.scalars(sa.select(Evidence).where(Evidence.kind == "photo")).all()
    assert [p.status for p in photos] == [EvidenceStatus.STORED] * 2
    assert photos[0].width == 1600 and len(photos[0].dhash) == 16
    from jobs.evidence import storage
    from models.storage import content_key

    assert storage().exists(content_key("thumbs", photos[0].sha256, "jpg"))
    reply = emulator.send_text(user, "提交").reply["content"]
    assert reply.startswith("已提交：一岗双责履职报告") and "等待审核" in reply
    task = _reload(task)
    assert task.state == State.SUBMITTED and task.round == 1
    # The session is closed: a further text is no longer a summary.
    assert emulator.send_text(user, "补充一句").reply["content"] == texts.UNKNOWN_COMMAND


def test_not_an_image_is_refused_and_the_cadre_asked_again(emulator, task, work):
    user = openid(1)
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    emulator.send_image(user, b"%PDF-1.4 this is not a photo")
    work()
    evidence = session.scalar(sa.select(Evidence))
    assert evidence.status == EvidenceStatus.REJECTED
    custom = [m["content"] for m in emulator.inbox(user) if m["kind"] == "custom"]
    assert len(custom) == 1 and "第1张照片未能保存" in custom[0] and "重新发送" in custom[0]
    assert "照片还差2张" in emulator.send_text(user, "提交").reply["content"]


def test_expired_media_fails_after_retries_and_says_so(emulator, task, work):
    user = openid(1)
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    emulator.send_image(user, photo())
    emulator.fail_next(40007, count=10, path="media/get")
    work()
    assert session.scalar(sa.select(Evidence.status)) == EvidenceStatus.FAILED
    custom = [m["content"] for m in emulator.inbox(user) if m["kind"] == "custom"]
    assert custom and "第1张照片未能保存" in custom[0]


def test_cancel_keeps_a_draft(emulator, task, work):
    user = openid(1)
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    emulator.send_text(user, "先写一段小结")
    assert emulator.send_text(user, "取消").reply["content"] == texts.REPORT_CANCELLED
    assert session.scalar(sa.select(sa.func.count(Evidence.id))) == 1
    emulator.send_text(user, "上报 1")
    emulator.send_image(user, photo())
    emulator.send_image(user, photo((0, 0, 0)))
    work()
    assert emulator.send_text(user, "提交").reply["content"].startswith("已提交")


def _photos(task, number=None) -> list[Evidence]:
    from models.evidence import round_evidence

    session.expire_all()
    return round_evidence(_reload(task), EvidenceKind.PHOTO, number=number)


def test_photos_sent_before_a_report_wait_and_join_the_next_one(emulator, task, work):
    user = openid(1)
    replies = [r.reply for r in emulator.pic_event(
        user, event="pic_photo_or_album", key="REPORT_PHOTO",
        images=[photo(), photo((0, 0, 90)), photo((0, 90, 0))])[1:]]
    # One answer for the batch: which tasks, and that the photos wait 24 hours.
    assert replies[0]["content"].startswith(texts.PHOTO_KEPT.split("：")[0])
    assert "（24小时内有效）" in replies[0]["content"]
    assert "1. 一岗双责履职报告" in replies[0]["content"]
    assert replies[1:] == [None, None]
    work()  # downloaded by the media job like any chat photo
    waiting = session.scalars(sa.select(Evidence).where(Evidence.assignment_id.is_(None))).all()
    assert [e.status for e in waiting] == [EvidenceStatus.STORED] * 3
    assert _photos(task) == []

    reply = emulator.send_text(user, "上报 1").reply["content"]
    assert texts.PENDING_ATTACHED.format(count=3) in reply
    assert len(_photos(task)) == 3
    emulator.send_text(user, "本月召开班子会议一次。")
    assert emulator.send_text(user, "提交").reply["content"].startswith("已提交")
    assert len(_photos(task, number=1)) == 3


def test_waiting_photos_are_dropped_after_24_hours_and_never_attached(emulator, task, work,
                                                                    clock, now):
    from jobs.evidence import drop_expired_photos

    user = openid(1)
    emulator.send_image(user, photo())
    work()
    clock.move_to(now + timedelta(hours=24, minutes=1))
    emulator.send_text(user, "待办")
    reply = emulator.send_text(user, "上报 1").reply["content"]
    assert reply.startswith("开始上报") and "已附上" not in reply
    assert _photos(task) == []
    assert drop_expired_photos() == 1
    assert session.scalar(sa.select(Evidence.status)) == EvidenceStatus.EXPIRED
    # A new photo starts a new batch and a new 24 hours.
    emulator.send_text(user, "取消")
    assert emulator.send_image(user, photo((9, 9, 9))).reply["content"].startswith("已收到照片")
    assert drop_expired_photos() == 0


def test_a_waiting_photo_is_shown_on_no_page(app, emulator, task, work):
    import requests

    emulator.send_image(openid(1), photo())
    work()
    waiting = session.scalar(sa.select(Evidence.id))
    browser = requests.Session()
    browser.cookies.set("emu_openid", openid(1))
    base = app.config["PUBLIC_BASE_URL"]
    assert browser.get(f"{base}m/evidence/{waiting}/thumb").status_code == 404


def test_photos_of_a_new_batch_get_one_answer_again_after_a_report(emulator, task, work):
    user = openid(1)
    assert emulator.send_image(user, photo()).reply["content"].startswith("已收到照片")
    assert emulator.send_image(user, photo((1, 2, 3))).reply is None
    emulator.send_text(user, "上报 1")
    emulator.send_text(user, "取消")
    assert emulator.send_image(user, photo((4, 5, 6))).reply["content"].startswith("已收到照片")


def test_submission_sends_the_reviewer_a_working_review_link(app, emulator, task, work,
                                                             reviewer):
    import requests

    from models import WechatBinding

    session.add(WechatBinding(person_id=reviewer.id, openid=openid(2),
                              bound_at=datetime(2026, 11, 1, tzinfo=UTC)))
    session.commit()
    _hand_in(emulator, work, "召开专题会议一次。")
    work()
    cards = [m for m in emulator.inbox(openid(2)) if m["kind"] == "template"]
    assert len(cards) == 1 and cards[0]["template_id"] == "QL_REVIEW_REQUEST"
    link = cards[0]["url"]
    assert "/m/review/" in link

    def browser(index):
        session_ = requests.Session()
        session_.cookies.set("emu_openid", openid(index))
        return session_

    page = browser(2).get(link)
    assert page.status_code == 200 and "一岗双责履职报告" in page.text
    forwarded = browser(1).get(link)  # the assignee is no reviewer
    assert forwarded.status_code == 403 and "无权审核" in forwarded.text


def test_photo_menu_button_photos_join_the_open_session(emulator, task, work):
    user = openid(1)
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    emulator.pic_event(user, event="pic_photo_or_album", key="REPORT_PHOTO",
                       images=[photo(), photo((0, 0, 90))])
    work()
    stored = session.scalars(sa.select(Evidence.status).where(Evidence.kind == "photo")).all()
    assert stored == [EvidenceStatus.STORED] * 2


# Rework after 退回: the new round starts with what the last one handed in.

@pytest.fixture
def reviewer(task, make_unit, make_person):
    from models import Unit, UnitKind

    body = make_unit(name="青山镇纪委", kind=UnitKind.DISCIPLINE)
    session.get(Unit, task.unit_id).supervisor_id = body.id
    person = make_person(name="纪委书记", role=Role.DISCIPLINE, unit=body)
    session.commit()
    return person


def _hand_in(emulator, work, summary: str) -> str:
    """Task 1 handed in through chat with `summary` and two photos: the answer to 提交."""
    user = openid(1)
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    emulator.send_text(user, summary)
    emulator.send_image(user, photo())
    emulator.send_image(user, photo((20, 90, 200)))
    work()
    return emulator.send_text(user, "提交").reply["content"]


def _handed_in_and_returned(emulator, task, work, reviewer, now) -> str:
    """Handed in, returned by the first-level reviewer, and `上报 1` again: its answer."""
    from models.assignment import Action
    from models.lifecycle import transition

    assert _hand_in(emulator, work, "本月召开班子会议一次，专题研究党风廉政建设。").startswith("已提交")
    transition(_reload(task), Action.RETURN, reviewer, now=now, reason="请补充会议签到表照片。")
    session.commit()
    emulator.send_text(openid(1), "待办")
    return emulator.send_text(openid(1), "上报 1").reply["content"]


def _kinds(task, number) -> list[tuple[str, bool]]:
    """(kind, added in this round) of each item handed in with round `number`."""
    from models.evidence import round_evidence

    session.expire_all()
    return [(e.kind, e.is_new_in(number)) for e in round_evidence(_reload(task), number=number)]


def test_rework_starts_with_what_the_last_round_handed_in(emulator, task, work, reviewer, now):
    reply = _handed_in_and_returned(emulator, task, work, reviewer, now)
    assert texts.KEPT.format(what="小结和2张照片") in reply  # 可直接提交，或补充/删除
    assert "1. 小结：本月召开班子会议一次，专题研究党…（上次）" in reply
    assert "3. 照片2（上次）" in reply and "删除 序号" in reply
    user = openid(1)
    assert emulator.send_image(user, photo((0, 120, 0))).reply["content"] == \
        texts.PHOTO_RECEIVED.format(number=3)  # the 会议签到表: one photo, nothing retyped
    work()
    assert emulator.send_text(user, "提交").reply["content"].startswith("已提交")
    assert _reload(task).round == 2
    assert _kinds(task, 1) == [("text", True), ("photo", True), ("photo", True)]
    assert _kinds(task, 2) == [("text", False), ("photo", False), ("photo", False),
                               ("photo", True)]


def test_rework_in_chat_removes_an_item_from_the_new_round_only(emulator, task, work, reviewer,
                                                                now):
    _handed_in_and_returned(emulator, task, work, reviewer, now)
    user = openid(1)
    reply = emulator.send_text(user, "删除 2").reply["content"]
    assert reply.startswith(texts.REMOVED.format(number=2, item="照片"))
    assert texts.KEPT_INCOMPLETE.format(what="小结和1张照片",
                                        missing="照片还差1张（要求至少2张）") in reply
    # Numbers now mean the list just shown: 2 is the photo that is left.
    assert "\n2. 照片1（上次）\n" in reply
    assert "照片还差1张" in emulator.send_text(user, "提交").reply["content"]
    assert emulator.send_text(user, "删除 7").reply["content"].startswith(
        texts.ITEM_NOT_FOUND.format(number=7))
    emulator.send_image(user, photo((0, 120, 0)))
    work()
    assert emulator.send_text(user, "提交").reply["content"].startswith("已提交")
    assert _kinds(task, 1) == [("text", True), ("photo", True), ("photo", True)]
    assert _kinds(task, 2) == [("text", False), ("photo", False), ("photo", True)]


def test_a_summary_starting_with_the_word_delete_is_a_summary(emulator, task):
    user = openid(1)
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    assert emulator.send_text(user, "删除违规群聊3个，已整改。").reply["content"] == \
        texts.SUMMARY_RECEIVED.format(number=1)


# 改派 while the former assignee's 上报 session is open (issue 14, item 7).

def test_after_reassign_the_former_assignee_adds_nothing_in_chat(emulator, task, api,
                                                                  make_bound_person, make_unit):
    old, new = openid(1), openid(2)
    former = task.person
    colleague = make_bound_person(2, name="钱委员", role=Role.MEMBER, unit=former.unit)
    inspector = make_bound_person(3, name="赵审核", role=Role.INSPECTOR,
                                  unit=make_unit(name="县纪委监委", kind="county"))
    emulator.send_text(old, "待办")
    emulator.send_text(old, "上报 1")
    emulator.send_text(old, "改派前写的小结")
    changed = api(inspector, "PATCH", f"/assignments/{task.id}",
                  json={"person_id": colleague.id})
    assert changed.status_code == 200, changed.get_json()

    refusal = texts.NOT_ASSIGNEE.format(title="一岗双责履职报告")
    assert emulator.send_text(old, "改派后又写的小结").reply["content"] == refusal
    # The refusal ended the session: the next text is no summary of anyone's task.
    assert emulator.send_text(old, "再写一段").reply["content"] == texts.UNKNOWN_COMMAND
    assert [(e.kind, e.text) for e in _round(_reload(task))] == [("text", "改派前写的小结")]

    # The new assignee reports; the former's stale session cannot touch that round either.
    emulator.send_text(new, "待办")
    assert emulator.send_text(new, "上报 1").reply["content"].startswith("开始上报")
    assert emulator.send_text(new, "新承办人的小结").reply["content"] == \
        texts.SUMMARY_RECEIVED.format(number=2)
    assert [e.text for e in _round(_reload(task)) if e.kind == "text"] == [
        "改派前写的小结", "新承办人的小结"]


def test_a_stale_session_after_reassign_is_refused_for_text_photo_and_delete(
        emulator, task, work, api, make_bound_person, make_unit):
    old = openid(1)
    colleague = make_bound_person(2, name="钱委员", role=Role.MEMBER, unit=task.person.unit)
    inspector = make_bound_person(3, name="赵审核", role=Role.INSPECTOR,
                                  unit=make_unit(name="县纪委监委", kind="county"))
    emulator.send_text(old, "待办")
    emulator.send_text(old, "上报 1")
    emulator.send_text(old, "改派前写的小结")
    assert api(inspector, "PATCH", f"/assignments/{task.id}",
               json={"person_id": colleague.id}).status_code == 200
    refusal = texts.NOT_ASSIGNEE.format(title="一岗双责履职报告")
    for send in (lambda: emulator.send_image(old, photo()),
                 lambda: emulator.send_text(old, "删除 1"),
                 lambda: emulator.send_text(old, "提交")):
        emulator.send_text(old, "待办")
        # each attempt starts from a session still open on the task (as a cadre who kept typing)
        _reopen_session(old, task)
        assert send().reply["content"] == refusal
    work()
    assert [(e.kind, e.text) for e in _round(_reload(task))] == [("text", "改派前写的小结")]
    assert session.scalar(sa.select(sa.func.count(Evidence.id))) == 1
    assert _reload(task).state == State.DISPATCHED


def _reopen_session(user: str, task) -> None:
    """The chat 上报 session as it stood before the 改派 (Redis holds the task id)."""
    from handlers.wechat.evidence import SESSION_SECONDS, _key
    from jobs import redis_connection

    redis_connection().set(_key(user), task.id, ex=SESSION_SECONDS)


def _round(task) -> list[Evidence]:
    from models.evidence import round_evidence

    session.expire_all()
    return round_evidence(task)
