"""The mobile pages through HTTP, as a phone inside WeChat: workbench, task detail, 签收,
上报 with photos, 提交, 领导批示, review by link; who sees what (404), and bad input."""

import io
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from PIL import Image, ImageFile

from conftest import CSRF, bomb_png
from handlers.mobile import texts
from models import (Assignment, AuditEvent, Evidence, Instruction, Level, Notification, Review,
                    State, session)
from models.assignment import Action
from models.lifecycle import transition
from models.review import sign_review_token


def photo(colour=(200, 30, 30), size=(1200, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def task(county, now, make_task):
    return make_task()


def reload(task) -> Assignment:
    session.rollback()
    session.expire_all()
    return session.get(Assignment, task.id)


def submitted(task, county, now) -> Assignment:
    """The task handed in with its proof, done in the domain (the pages are tested elsewhere)."""
    from models import EvidenceKind
    from models.evidence import attach

    attach(task, EvidenceKind.TEXT, county["member"], now=now, text="已召开专题会议。")
    transition(task, Action.SUBMIT, county["member"], now=now)
    session.commit()
    return task


def redirected(page: requests.Response, path: str) -> bool:
    """A refused POST answered 303 and the browser landed on `path` (Post/Redirect/Get), so
    a reload shows that page again and posts nothing."""
    return ([step.status_code for step in page.history] == [303] and page.status_code == 200
            and urlsplit(page.url).path == path and page.request.method == "GET")


def evidence_count() -> int:
    session.rollback()
    return session.scalar(sa.select(sa.func.count(Evidence.id)))


# The workbench and the detail page.

def test_workbench_lists_todo_warnings_and_supervision(phone, county, now, make_task):
    task = make_task()
    warned = make_task(title="廉政教育月活动")
    warned.warning = Level.RED
    supervised = make_task(title="问题线索整改")
    supervised.warning = Level.SUPERVISION
    session.commit()
    page = phone("member").get("/m/")
    assert page.status_code == 200
    html = page.text
    assert "待办任务（3）" in html and "预警提醒（2）" in html and "工作督办（1）" in html
    assert "红色预警" in html and "工作督办" in html and "warn_red" in html
    assert f"/m/tasks/{task.id}" in html and "待签收" in html
    assert "待我审核" not in html  # only for reviewers


def test_reviewers_see_what_waits_for_them(phone, county, task, now):
    submitted(task, county, now)
    page = phone("discipline").get("/m/").text
    assert "待我审核（1）" in page and "/m/review/" in page and "党风廉政建设专题会议" in page
    assert "待我审核（0）" in phone("inspector").get("/m/").text
    assert "待我审核（0）" in phone("other_discipline").get("/m/").text


def test_detail_shows_what_why_due_instructions_evidence_and_history(phone, county, task, now):
    session.add(Instruction(assignment_id=task.id, author_id=county["secretary"].id,
                            text="务必按时召开，会议纪要要完整。", created_at=now))
    session.commit()
    page = phone("member").get(f"/m/tasks/{task.id}")
    assert page.status_code == 200
    html = page.text
    for expected in ("党风廉政建设专题会议", "加强组织领导", "主体责任", "截止时间",
                     "2026-11-27 17:00", "领导批示", "务必按时召开", "张建国", "办理记录",
                     "派发任务", "签收任务", "上报材料", "大字模式"):
        assert expected in html, expected
    assert 'name="csrf_token"' in html


# 签收, 上报, 提交 through the pages.

def test_acknowledge_report_with_photos_and_submit(phone, county, task, app, work):
    member = phone("member")
    page = member.post(f"/m/tasks/{task.id}/acknowledge", form_page=f"/m/tasks/{task.id}")
    assert page.status_code == 200 and texts.ACKNOWLEDGED in page.text
    assert reload(task).state == State.ACKNOWLEDGED
    again = member.post(f"/m/tasks/{task.id}/acknowledge", form_page=f"/m/tasks/{task.id}")
    assert texts.ALREADY_ACKNOWLEDGED in again.text

    report = f"/m/tasks/{task.id}/report"
    form = member.get(report)
    assert 'type="file"' in form.text and 'accept="image/*"' in form.text
    files = [("photos", ("a.jpg", photo(), "image/jpeg")),
             ("photos", ("b.jpg", photo((20, 90, 200)), "image/jpeg"))]
    page = member.post(report, {"summary": "11月20日召开专题会议，班子成员全体参加。",
                                "then": "save"}, files=files)
    assert page.status_code == 200 and texts.SAVED in page.text
    assert page.text.count("处理中…") == 2  # kept unopened: the media job decodes them
    assert reload(task).state == State.ACKNOWLEDGED
    work()
    photos = session.scalars(sa.select(Evidence).where(Evidence.kind == "photo")).all()
    assert [p.status for p in photos] == ["stored", "stored"] and photos[0].width == 1200
    assert "处理中" not in member.get(report).text
    thumb = member.get(f"/m/evidence/{photos[0].id}/thumb")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
    assert member.get(f"/m/evidence/{photos[0].id}/display").status_code == 200
    assert member.get(f"/m/evidence/{photos[0].id}/original").status_code == 404

    page = member.post(f"/m/tasks/{task.id}/submit", form_page=f"/m/tasks/{task.id}")
    assert page.status_code == 200 and texts.SUBMITTED in page.text
    task = reload(task)
    assert task.state == State.SUBMITTED and task.round == 1


def test_submit_without_the_proof_says_what_is_missing(phone, county, task):
    member = phone("member")
    page = member.post(f"/m/tasks/{task.id}/report", {"summary": "", "then": "submit"})
    assert "还不能提交" in page.text and "照片还差2张" in page.text and "工作小结" in page.text
    assert reload(task).state == State.DISPATCHED


def test_double_submit_makes_one_submission(phone, county, now, make_task):
    task = make_task(photos=0)
    member = phone("member")
    detail = member.get(f"/m/tasks/{task.id}")
    token = CSRF.search(detail.text).group(1)
    member.post(f"/m/tasks/{task.id}/report", {"summary": "已完成。", "then": "save"})
    answers = []

    def tap():
        answers.append(member.http.post(f"{member.base}/m/tasks/{task.id}/submit",
                                        data={"csrf_token": token}, timeout=30))

    taps = [threading.Thread(target=tap) for _ in range(2)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    # Both taps share one cookie jar, and the flashes ride in the cookie: which page shows
    # which word depends on the order the two responses set it, but no page is an error and
    # the taps are told they handed it in.
    assert not any("繁忙" in a.text or "出错了" in a.text for a in answers)
    assert any(texts.ALREADY_SUBMITTED in a.text or texts.SUBMITTED in a.text for a in answers)
    task = reload(task)
    assert task.state == State.SUBMITTED and task.round == 1
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "assignment.submit")) == 1


# Refused posts redirect (Post/Redirect/Get): a reload shows the page and posts nothing again.

def test_a_refused_acknowledge_redirects_to_the_task_page_and_says_why(phone, county, task):
    secretary = phone("secretary")  # sees the task, is not its assignee
    page = secretary.post(f"/m/tasks/{task.id}/acknowledge", form_page=f"/m/tasks/{task.id}")
    assert redirected(page, f"/m/tasks/{task.id}") and "无权进行此操作" in page.text
    assert 'class="flash flash_warn"' in page.text
    reloaded = secretary.get(urlsplit(page.url).path)
    assert reloaded.status_code == 200 and "无权进行此操作" not in reloaded.text  # said once
    assert reload(task).state == State.DISPATCHED
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "assignment.acknowledge")) == 0


def test_a_refused_submit_goes_back_to_the_report_form(phone, county, task):
    member = phone("member")
    page = member.post(f"/m/tasks/{task.id}/submit", form_page=f"/m/tasks/{task.id}")
    assert redirected(page, f"/m/tasks/{task.id}/report")
    assert texts.PROOF_MISSING in page.text and reload(task).state == State.DISPATCHED


def test_an_upload_over_the_limit_goes_back_to_the_form_and_says_so(phone, county, task, app,
                                                                    monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    page = phone("member").post(f"/m/tasks/{task.id}/report", {"then": "save"},
                                files=[("photos", ("big.jpg", b"x" * 100_000, "image/jpeg"))])
    assert redirected(page, f"/m/tasks/{task.id}/report")
    assert "照片和文件总大小超过" in page.text and "请分几次上传" in page.text and evidence_count() == 0


def test_a_non_image_is_refused_and_nothing_is_stored(phone, county, task, app):
    member = phone("member")
    before = _stored_files(app)
    files = [("photos", ("ok.jpg", photo(), "image/jpeg")),
             ("photos", ("scan.pdf", b"%PDF-1.4 not a photo", "image/jpeg"))]
    page = member.post(f"/m/tasks/{task.id}/report", {"summary": "会议小结", "then": "save"},
                       files=files)
    assert redirected(page, f"/m/tasks/{task.id}/report")
    assert "第2张照片未能保存" in page.text and "无法识别该图片" in page.text
    assert ">会议小结</textarea>" in page.text  # what was typed is kept
    assert "第2张照片未能保存" not in member.get(f"/m/tasks/{task.id}/report").text  # once
    assert evidence_count() == 0 and _stored_files(app) == before


@pytest.fixture
def no_decoding(monkeypatch):
    """Pillow refuses to decode a pixel while it is on (the web worker's rule); off() lifts it
    for the media job."""
    load = ImageFile.ImageFile.load

    def refuse(image):
        raise AssertionError("a page request decoded a picture")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    return lambda: monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def test_the_bomb_png_is_refused_from_its_header_and_names_the_photo(phone, county, task, app,
                                                                     no_decoding):
    bomb = bomb_png()
    assert len(bomb) < 200_000
    before = _stored_files(app)
    files = [("photos", ("ok.jpg", photo(), "image/jpeg")),
             ("photos", ("bomb.png", bomb, "image/png"))]
    page = phone("member").post(f"/m/tasks/{task.id}/report", {"summary": "会议小结",
                                                               "then": "save"}, files=files)
    assert redirected(page, f"/m/tasks/{task.id}/report")
    assert "第2张照片未能保存（bomb.png）：照片尺寸太大" in page.text and "另存为JPG" in page.text
    assert "第1张照片未能保存" not in page.text
    assert evidence_count() == 0 and _stored_files(app) == before


def test_page_photos_are_kept_unopened_and_decoded_by_the_media_job(phone, county, task, app,
                                                                    work, no_decoding):
    member = phone("member")
    files = [("photos", (f"{n}.jpg", photo((40 * n, 90, 200)), "image/jpeg")) for n in range(3)]
    page = member.post(f"/m/tasks/{task.id}/report", {"summary": "小结", "then": "submit"},
                       files=files)
    assert texts.SUBMITTED in page.text and page.text.count("处理中…") == 3
    assert reload(task).state == State.SUBMITTED  # handed in: the photos count while waiting
    rows = session.scalars(sa.select(Evidence).where(Evidence.kind == "photo")).all()
    assert [(e.status, e.content_type, e.width) for e in rows] == [("received", "image/jpeg",
                                                                    1200)] * 3
    assert member.get(f"/m/evidence/{rows[0].id}/thumb").status_code == 404  # not yet
    no_decoding()
    work()
    rows = session.scalars(sa.select(Evidence).where(Evidence.kind == "photo")).all()
    assert [e.status for e in rows] == ["stored"] * 3 and all(e.dhash for e in rows)
    thumb = member.get(f"/m/evidence/{rows[0].id}/thumb")
    assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)


def test_photos_over_the_upload_budget_are_refused_together(phone, county, task, app,
                                                            monkeypatch):
    from models.photo import inspect_photo

    one = inspect_photo(photo()).decode_cost
    monkeypatch.setattr("handlers.mobile.evidence.MAX_UPLOAD_DECODE_BYTES", 2 * one)
    files = [("photos", (f"p{n}.jpg", photo((n, 90, 200)), "image/jpeg")) for n in range(1, 5)]
    page = phone("member").post(f"/m/tasks/{task.id}/report", {"then": "save"}, files=files)
    assert redirected(page, f"/m/tasks/{task.id}/report")
    for number in (3, 4):
        assert f"第{number}张照片未能保存（p{number}.jpg）：这次选择的照片合计太大" in page.text
    assert "第2张照片未能保存" not in page.text and evidence_count() == 0


def test_an_upload_the_job_cannot_decode_is_marked_and_the_cadre_told(phone, county, task, app,
                                                                      work):
    whole = photo()
    page = phone("member").post(f"/m/tasks/{task.id}/report", {"then": "save"},
                                files=[("photos", ("cut.jpg", whole[: len(whole) // 2],
                                                   "image/jpeg"))])
    assert texts.SAVED in page.text  # the header was fine
    work()
    assert session.scalar(sa.select(Evidence.status)) == "rejected"
    form = phone("member").get(f"/m/tasks/{task.id}/report").text
    assert "处理中" not in form and "照片还差2张" in form
    assert "第1张照片未能保存：照片文件已损坏，请重新拍摄或发送。请重新上传这张照片。" in form
    # In chat too, where WeChat lets a service message through (48 hours after the cadre's
    # last message); the emulator's cadre has not written, so it stays in 推送记录 as failed.
    note = session.scalar(sa.select(Notification).where(Notification.kind == "evidence_problem"))
    assert note.content == ("您在页面上传的第1张照片未能保存：照片文件已损坏，请重新拍摄或发送。"
                            "请重新上传这张照片。")


def _stored_files(app) -> set[str]:
    root = app.config["EVIDENCE_ROOT"]
    return {os.path.join(d, f) for d, _, names in os.walk(root) for f in names}


# Who sees what: one rule, 404 for everything else.

@pytest.mark.parametrize("role, status", [
    ("member", 200), ("secretary", 200), ("discipline", 200), ("inspector", 200),
    ("admin", 200), ("colleague", 404), ("other_secretary", 404), ("other_discipline", 404),
])
def test_detail_visibility_by_role(phone, county, task, role, status):
    assert phone(role).get(f"/m/tasks/{task.id}").status_code == status


def test_guessed_ids_get_404_never_data(phone, county, task, app):
    member = phone("member")
    member.post(f"/m/tasks/{task.id}/report", {"summary": "小结", "then": "save"},
                files=[("photos", ("a.jpg", photo(), "image/jpeg"))])
    evidence = session.scalar(sa.select(Evidence).where(Evidence.kind == "photo"))
    outsider = phone("other_secretary")
    for path in (f"/m/tasks/{task.id}", f"/m/tasks/{task.id + 1000}",
                 f"/m/tasks/{task.id}/report", f"/m/evidence/{evidence.id}/thumb",
                 f"/m/evidence/{evidence.id}/display", f"/m/evidence/{evidence.id + 1}/thumb"):
        page = outsider.get(path)
        assert page.status_code == 404, path
        assert "党风廉政建设专题会议" not in page.text
    page = outsider.post(f"/m/tasks/{task.id}/acknowledge", form_page="/m/")
    assert page.status_code == 404 and reload(task).state == State.DISPATCHED
    # The secretary sees the task but is not its assignee: no report form for them.
    assert phone("secretary").get(f"/m/tasks/{task.id}/report").status_code == 403


def test_pages_need_the_oauth_session(client, task):
    for path in (f"/m/tasks/{task.id}", f"/m/review/{'x' * 20}", "/m/evidence/1/thumb"):
        response = client.get(path)
        assert response.status_code == 302 and "oauth2/authorize" in response.headers["Location"]


def test_a_post_without_csrf_token_changes_nothing(phone, county, task):
    member = phone("member")
    member.get(f"/m/tasks/{task.id}")  # signed in; the form's token then goes stale
    page = member.post(f"/m/tasks/{task.id}/acknowledge", csrf=False)
    assert redirected(page, f"/m/tasks/{task.id}") and "页面已过期" in page.text
    assert reload(task).state == State.DISPATCHED


# 领导批示.

def test_secretary_instructs_and_the_assignee_sees_it(phone, county, task):
    page = phone("secretary").post(f"/m/tasks/{task.id}/instructions",
                                   {"text": "会议要有纪要和照片。"},
                                   form_page=f"/m/tasks/{task.id}")
    assert texts.INSTRUCTION_ADDED in page.text
    assert "会议要有纪要和照片。" in phone("member").get(f"/m/tasks/{task.id}").text
    refused = phone("member").post(f"/m/tasks/{task.id}/instructions", {"text": "我自己批示"},
                                   form_page=f"/m/tasks/{task.id}")
    assert redirected(refused, f"/m/tasks/{task.id}") and "无权进行此操作" in refused.text
    refused = phone("discipline").post(f"/m/tasks/{task.id}/instructions", {"text": "批示内容"},
                                       form_page=f"/m/tasks/{task.id}")
    assert redirected(refused, f"/m/tasks/{task.id}") and "无权进行此操作" in refused.text
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Instruction.id))) == 1


# Review through the link.

def _link(app, task, **kwargs) -> str:
    return "/m/review/" + sign_review_token(task.id, app.config["SECRET_KEY"], **kwargs)


def test_two_level_review_through_the_link(phone, county, task, now, app):
    submitted(task, county, now)
    link = _link(app, task)
    discipline = phone("discipline")
    page = discipline.get(link)
    assert page.status_code == 200 and "初审" in page.text and "已召开专题会议。" in page.text
    assert phone("inspector").get(link).status_code == 409  # not yet at final review
    page = discipline.post(link, {"decision": "approve"})
    assert texts.APPROVED_FIRST in page.text
    assert reload(task).state == State.FIRST_APPROVED
    again = discipline.post(link, {"decision": "approve"}, form_page="/m/")
    assert again.history[0].status_code == 303 and again.request.method == "GET"
    assert again.status_code == 409 and "该任务已处理" in again.text
    inspector = phone("inspector")
    short = inspector.post(link, {"decision": "return", "reason": "不行"})
    assert redirected(short, urlsplit(link).path)
    assert "至少5个字" in short.text and ">不行</textarea>" in short.text
    assert reload(task).state == State.FIRST_APPROVED
    page = inspector.post(link, {"decision": "return", "reason": "缺少会议纪要照片，请补充。"})
    assert texts.RETURNED in page.text
    assert reload(task).state == State.RETURNED
    detail = phone("member").get(f"/m/tasks/{task.id}").text
    assert "已被退回整改" in detail and "缺少会议纪要照片，请补充。" in detail
    decisions = session.execute(sa.select(Review.level, Review.decision)).all()
    assert decisions == [(1, "approve"), (2, "return")]


@pytest.mark.parametrize("role", ["member", "secretary", "colleague", "other_discipline"])
def test_a_forwarded_link_shows_no_right_to_review(phone, county, task, now, app, role):
    submitted(task, county, now)
    link = _link(app, task)
    page = phone(role).get(link)
    assert page.status_code == 403 and "无权审核" in page.text
    assert "已召开专题会议" not in page.text
    posted = phone(role).post(link, {"decision": "approve"}, form_page="/m/")
    assert posted.status_code == 403 and reload(task).state == State.SUBMITTED


def test_expired_and_tampered_links_show_a_clear_page_and_change_nothing(
        phone, county, task, now, app):
    submitted(task, county, now)
    discipline = phone("discipline")
    expired = _link(app, task, now=datetime.now(UTC) - timedelta(days=8))
    page = discipline.get(expired)
    assert page.status_code == 410 and "已过期" in page.text
    assert discipline.post(expired, {"decision": "approve"}, form_page="/m/").status_code == 410
    good = _link(app, task)
    for tampered in (good[:-3] + "abc", "/m/review/" + sign_review_token(task.id, "wrong-key"),
                     "/m/review/not-a-token"):
        page = discipline.get(tampered)
        assert page.status_code == 400 and "链接无效" in page.text
        assert discipline.post(tampered, {"decision": "approve"},
                               form_page="/m/").status_code == 400
    assert reload(task).state == State.SUBMITTED
    assert session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_one_level_template_completes_at_first_approval(phone, county, now, app, make_task):
    task = submitted(make_task(levels=1, photos=0), county, now)
    page = phone("discipline").post(_link(app, task), {"decision": "approve"})
    assert texts.APPROVED_FINAL in page.text
    assert reload(task).state == State.COMPLETED


# Rework after 退回: the report page starts with what the last round handed in.

REMOVE = re.compile(r'action="(/m/tasks/\d+/evidence/\d+/remove)"')


def _handed_in_and_returned(phone, task, app):
    member = phone("member")
    files = [("photos", ("a.jpg", photo(), "image/jpeg")),
             ("photos", ("b.jpg", photo((20, 90, 200)), "image/jpeg"))]
    page = member.post(f"/m/tasks/{task.id}/report",
                       {"summary": "11月20日召开专题会议，班子成员全体参加。", "then": "submit"},
                       files=files)
    assert texts.SUBMITTED in page.text
    page = phone("discipline").post(_link(app, task),
                                    {"decision": "return", "reason": "请补充会议签到表照片。"})
    assert texts.RETURNED in page.text
    return member


def _round(task, number) -> list[tuple[str, bool]]:
    from models.evidence import round_evidence

    return [(e.kind, e.is_new_in(number)) for e in round_evidence(reload(task), number=number)]


def test_rework_page_keeps_the_last_round_each_item_removable(phone, county, task, app):
    member = _handed_in_and_returned(phone, task, app)
    report = f"/m/tasks/{task.id}/report"
    page = member.get(report).text
    assert "已保留上次上报的小结和2张照片，可直接提交，或补充、删除。" in page
    assert "11月20日召开专题会议" in page and "还缺" not in page
    removes = REMOVE.findall(page)
    assert len(removes) == 3 and 'aria-label="删除第2张照片"' in page
    refused = phone("secretary").post(removes[2], form_page=f"/m/tasks/{task.id}")
    assert refused.url.endswith(f"/m/tasks/{task.id}") and "无权进行此操作" in refused.text
    assert len(REMOVE.findall(member.get(report).text)) == 3  # nothing removed

    page = member.post(removes[2], form_page=report)
    assert texts.EVIDENCE_REMOVED in page.text and "照片还差1张" in page.text
    assert len(REMOVE.findall(page.text)) == 2
    again = member.post(removes[2], form_page=report)
    assert again.status_code == 200 and "该材料已删除" in again.text

    page = member.post(report, {"summary": "", "then": "submit"},
                       files=[("photos", ("c.jpg", photo((0, 120, 0)), "image/jpeg"))])
    assert texts.SUBMITTED in page.text
    assert reload(task).round == 2
    assert _round(task, 1) == [("text", True), ("photo", True), ("photo", True)]
    assert _round(task, 2) == [("text", False), ("photo", False), ("photo", True)]
    assert member.post(removes[0], form_page=report).status_code == 200  # submitted: told
    assert _round(task, 2) == [("text", False), ("photo", False), ("photo", True)]


def test_the_reviewer_sees_what_a_reworked_round_added_kept_and_dropped(phone, county, task,
                                                                      app, work):
    member = _handed_in_and_returned(phone, task, app)
    report = f"/m/tasks/{task.id}/report"
    member.post(REMOVE.findall(member.get(report).text)[2], form_page=report)
    member.post(report, {"summary": "", "then": "submit"},
                files=[("photos", ("c.jpg", photo((0, 120, 0)), "image/jpeg"))])
    work()
    review = phone("discipline").get(_link(app, task)).text
    assert "第2次提交" in review
    assert "与第1次相比：本次新增1张照片；沿用上次小结和1张照片；删除了上次的1张照片。" in review
    assert review.count('class="tag tag_new"') == 1
    assert review.count('class="tag tag_carried"') == 2
    detail = phone("member").get(f"/m/tasks/{task.id}").text
    first, second = detail.index("第1次上报"), detail.index("第2次上报")
    assert second < first  # newest first, each round as it was handed in
    assert detail[second:first].count("<img") == 2 and detail[first:].count("<img") == 2
