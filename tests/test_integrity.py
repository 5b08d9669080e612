"""照搬照抄 (issue 13, the reviewers' half): a photo or summary matching earlier evidence of
another task flags the later one on the review page, in the API and on the dashboard; a
reviewer dismisses it with a reason or returns the task citing it; `integrity-scan` judges a
folder. The detectors here are whatever models.photo_print / models.text_print are: the tests
use exact copies and simple crops any of them must see."""

import io
import json
import random
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image

from conftest import ONE_OFF, openid
from handlers.mobile import texts
from jobs.integrity import LOST_AFTER, requeue_unchecked
from models import AuditEvent, Evidence, EvidenceKind, IntegrityFlag, State, session, utcnow
from models.clock import local_time
from models.integrity import FlagState
from models.review import sign_review_token

MEETING = "召开党风廉政建设专题会议"
SUMMARY = ("11月18日上午，镇党委召开党风廉政建设专题会议，传达学习县纪委全会精神，"
           "逐项对照责任清单查摆问题12条，明确整改责任人和完成时限，"
           "会议要求各村各站所严格落实一岗双责，每月报送廉政风险排查情况。")


def picture(seed: int, size=(1200, 900)) -> Image.Image:
    """A photo-like picture: random 16x12 blocks, smoothly enlarged (unlike other seeds)."""
    noise = random.Random(seed).randbytes(16 * 12 * 3)
    return Image.frombytes("RGB", (16, 12), noise).resize(size, Image.Resampling.BICUBIC)


def jpeg(image: Image.Image, quality=90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def resaved(image: Image.Image, share=0.005) -> bytes:
    """The picture with its edges trimmed, shrunk and saved again at low quality."""
    w, h = image.size
    trimmed = image.crop((int(w * share), int(h * share), int(w * (1 - share)),
                          int(h * (1 - share))))
    return jpeg(trimmed.resize((800, 600)), quality=60)


@pytest.fixture
def earlier(county, make_template, make_assignment, now):
    """白水镇's task of the same kind, dispatched before."""
    template = make_template(title=MEETING, **ONE_OFF, min_photos=1, review_levels=1)
    return make_assignment(county["other_secretary"], template, period="once", at=now)


@pytest.fixture
def later(make_task):
    """青山镇's member's task (two review levels: 纪委 then the inspector)."""
    return make_task(photos=1, title=MEETING)


def hand_in(phone, role, task, data: bytes, summary: str, work):
    page = phone(role).post(f"/m/tasks/{task.id}/report", {"summary": summary, "then": "save"},
                            files=[("photos", ("p.jpg", data, "image/jpeg"))])
    assert texts.SAVED in page.text
    work()
    page = phone(role).post(f"/m/tasks/{task.id}/submit", form_page=f"/m/tasks/{task.id}")
    assert texts.SUBMITTED in page.text
    work()  # the summaries' check, queued by the 上报


def flags_of(task) -> list[IntegrityFlag]:
    session.rollback()
    return list(session.scalars(sa.select(IntegrityFlag).where(
        IntegrityFlag.assignment_id == task.id).order_by(IntegrityFlag.id)))


def link(app, task) -> str:
    return "/m/review/" + sign_review_token(task.id, app.config["SECRET_KEY"])


def test_a_reused_photo_flags_the_later_one_with_its_sentence(phone, county, earlier, later,
                                                               app, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(1)), "白水镇召开了专题会议。", work)
    hand_in(phone, "member", later, resaved(picture(1)),
            "青山镇召开了专题会议。", work)
    assert flags_of(earlier) == []
    [flag] = flags_of(later)
    percent = round(flag.similarity * 100)
    month = local_time(earlier.created_at, "%Y-%m")  # a one-off task: its dispatch month
    assert flag.kind == "photo" and flag.state == FlagState.OPEN
    assert flag.description == f"此照片与 白水镇 {month}《{MEETING}》中的照片相似（{percent}%）"
    page = phone("discipline").get(link(app, later))
    assert page.status_code == 200 and flag.description in page.text
    # both pictures side by side: the earlier one is 白水镇's, shown to 青山镇's reviewer
    matched = f"/m/evidence/{flag.matched_evidence_id}/display"
    assert matched in page.text and f"/m/evidence/{flag.evidence_id}/display" in page.text
    assert page.text.index(flag.description) < page.text.index("上报材料")
    assert phone("discipline").get(matched).status_code == 200
    assert phone("colleague").get(matched).status_code == 404  # sees neither task
    assert phone("other_discipline").get(f"/m/evidence/{flag.evidence_id}/display"
                                         ).status_code == 404


def test_a_photo_sent_in_chat_is_checked_too(emulator, phone, county, earlier, later, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(2)), "白水镇召开了专题会议。", work)
    user = openid(1)  # 青山镇's member
    emulator.send_text(user, "待办")
    assert emulator.send_text(user, "上报 1").reply["content"].startswith("开始上报")
    emulator.send_text(user, "青山镇召开了专题会议，班子成员全体参加。")
    emulator.send_image(user, jpeg(picture(2), quality=70))
    work()
    assert emulator.send_text(user, "提交").reply["content"].startswith("已提交")
    [flag] = flags_of(later)
    assert flag.kind == "photo" and flag.description.startswith("此照片与 白水镇 ")


def test_a_resubmission_in_the_same_assignment_is_no_flag(phone, county, later, app, work):
    hand_in(phone, "member", later, jpeg(picture(3)), SUMMARY, work)
    page = phone("discipline").post(link(app, later),
                                    {"decision": "return", "reason": "请补充会议签到表。"})
    assert texts.RETURNED in page.text
    hand_in(phone, "member", later, jpeg(picture(3), quality=50), SUMMARY + "已补充签到表。",
            work)
    assert flags_of(later) == []


def test_different_photos_are_no_flag(phone, county, earlier, later, app, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(4)), "白水镇召开了专题会议。", work)
    hand_in(phone, "member", later, jpeg(picture(5)), "青山镇召开了专题会议。", work)
    assert flags_of(later) == []


def test_a_copied_summary_flags_with_the_shared_passages_marked(phone, county, earlier, later,
                                                                app, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(6)), SUMMARY, work)
    copy = "为深入推进全面从严治党，" + SUMMARY.replace("镇党委", "青山镇党委") + "下一步将持续抓好落实。"
    hand_in(phone, "member", later, jpeg(picture(7)), copy, work)
    [flag] = flags_of(later)
    percent = round(flag.similarity * 100)
    assert flag.kind == "summary" and percent >= 60
    assert flag.description.startswith("此小结与 白水镇 ")
    assert flag.description.endswith(f"《{MEETING}》中的小结高度雷同（{percent}%）")
    page = phone("discipline").get(link(app, later)).text
    assert flag.description in page
    assert page.count("<mark>") >= 2 and "逐项对照责任清单查摆问题12条" in page
    assert "<mark>为深入推进" not in page  # the new opening is not a shared passage


def test_the_templates_own_wording_is_no_flag(phone, county, earlier, later, app, work):
    wording = later.template.description  # every unit may repeat what it was asked to do
    hand_in(phone, "other_secretary", earlier, jpeg(picture(8)), wording + "白水镇已完成。", work)
    hand_in(phone, "member", later, jpeg(picture(9)), wording + "青山镇已落实。", work)
    assert flags_of(later) == []


@pytest.fixture
def flagged(phone, county, earlier, later, app, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(10)), "白水镇召开了专题会议。",
            work)
    hand_in(phone, "member", later, jpeg(picture(10)), "青山镇召开了专题会议。", work)
    [flag] = flags_of(later)
    return flag


def test_dismissing_needs_a_reason_and_is_audited(phone, county, later, flagged, app):
    review = link(app, later)
    dismiss = f"{review}/flags/{flagged.id}/dismiss"
    discipline = phone("discipline")
    short = discipline.post(dismiss, {"reason": "没问题"}, form_page=review)
    assert urlsplit(short.url).path == urlsplit(review).path
    assert "至少5个字" in short.text and ">没问题</textarea>" in short.text
    assert flags_of(later)[0].state == FlagState.OPEN
    refused = phone("member").post(dismiss, {"reason": "这是我自己拍的照片"},
                                   form_page=f"/m/tasks/{later.id}")
    assert refused.status_code == 403 and "无权审核" in refused.text
    page = discipline.post(dismiss, {"reason": "两镇联合召开的同一次会议"}, form_page=review)
    assert texts.FLAG_DISMISSED in page.text and "已排除：两镇联合召开的同一次会议" in page.text
    [flag] = flags_of(later)
    assert flag.state == FlagState.DISMISSED and flag.decided_by_id == county["discipline"].id
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "integrity.dismiss")).one()
    assert event.actor_id == county["discipline"].id
    assert json.loads(event.data) == {"flag": flag.id, "reason": "两镇联合召开的同一次会议"}


def test_returning_citing_a_flag_prefills_its_sentence(phone, county, later, flagged, app):
    review = link(app, later)
    discipline = phone("discipline")
    page = discipline.get(f"{review}?cite={flagged.id}")
    assert f">{flagged.description}。</textarea>" in page.text
    assert f'name="cite" value="{flagged.id}"' in page.text
    page = discipline.post(review, {"decision": "return", "cite": str(flagged.id),
                                    "reason": flagged.description + "。请重新上报本次会议照片。"},
                           form_page=f"{review}?cite={flagged.id}")
    assert texts.RETURNED in page.text
    session.rollback()
    assert session.get(type(later), later.id).state == State.RETURNED
    assert flags_of(later)[0].state == FlagState.CITED
    detail = phone("member").get(f"/m/tasks/{later.id}").text
    assert flagged.description in detail
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "integrity.cite")) == 1


def test_a_failing_check_keeps_the_evidence_and_is_done_again_later(phone, county, earlier,
                                                                    later, app, work,
                                                                    monkeypatch):
    from models import photo_print, text_print

    hand_in(phone, "other_secretary", earlier, jpeg(picture(11)), SUMMARY, work)
    working = photo_print.fingerprint, text_print.fingerprint

    def broken(*args, **kwargs):
        raise RuntimeError("detector down")

    monkeypatch.setattr(photo_print, "fingerprint", broken)
    monkeypatch.setattr(text_print, "fingerprint", broken)
    hand_in(phone, "member", later, resaved(picture(11)), "按照县纪委要求，" + SUMMARY, work)
    assert session.get(type(later), later.id).state == State.SUBMITTED
    assert flags_of(later) == []
    kept = session.scalars(sa.select(Evidence.kind).where(Evidence.assignment_id == later.id))
    assert sorted(kept) == [EvidenceKind.PHOTO, EvidenceKind.TEXT]
    monkeypatch.setattr(photo_print, "fingerprint", working[0])
    monkeypatch.setattr(text_print, "fingerprint", working[1])
    assert requeue_unchecked(utcnow()) == {"tasks": 0, "photos": 0}  # their jobs may yet run
    assert requeue_unchecked(utcnow() + LOST_AFTER) == {"tasks": 1, "photos": 1}
    work()
    assert sorted(flag.kind for flag in flags_of(later)) == ["photo", "summary"]
    assert requeue_unchecked(utcnow() + LOST_AFTER) == {"tasks": 0, "photos": 0}


def test_a_summary_handed_in_in_chat_is_checked_after_the_reply(emulator, phone, county,
                                                                earlier, later, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(13)), SUMMARY, work)
    user = openid(1)  # 青山镇's member
    emulator.send_text(user, "待办")
    emulator.send_text(user, "上报 1")
    emulator.send_text(user, SUMMARY.replace("镇党委", "青山镇党委"))
    emulator.send_image(user, jpeg(picture(14)))
    work()
    assert emulator.send_text(user, "提交").reply["content"].startswith("已提交")
    assert [flag.kind for flag in flags_of(later)] == []  # not in the callback's 5 seconds
    work()
    assert [flag.kind for flag in flags_of(later)] == ["summary"]


def test_the_review_page_says_while_the_comparison_is_under_way(phone, api, county, earlier,
                                                                later, app, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(16)), SUMMARY, work)
    phone("member").post(f"/m/tasks/{later.id}/report", {"summary": SUMMARY, "then": "save"},
                         files=[("photos", ("p.jpg", jpeg(picture(17)), "image/jpeg"))])
    phone("member").post(f"/m/tasks/{later.id}/submit", form_page=f"/m/tasks/{later.id}")
    page = phone("discipline").get(link(app, later)).text
    assert "正在把本次上报的 2 项材料与以往材料比对" in page and "材料雷同预警" not in page
    listed = api(county["discipline"], "GET", f"/assignments/{later.id}/integrity-flags")
    assert listed.get_json() == {"items": [], "checking": 2}
    work()
    page = phone("discipline").get(link(app, later)).text
    assert "正在把本次上报" not in page and "材料雷同预警（1条）" in page


def test_a_lost_check_is_queued_again(phone, county, earlier, later, app, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(15)), SUMMARY, work)
    phone("member").post(f"/m/tasks/{later.id}/report", {"summary": SUMMARY, "then": "save"},
                         files=[("photos", ("p.jpg", jpeg(picture(15)), "image/jpeg"))])
    for queue in app.extensions["queues"].values():
        queue.empty()  # Redis lost the media job and the check the 上报 queues
    phone("member").post(f"/m/tasks/{later.id}/submit", form_page=f"/m/tasks/{later.id}")
    for queue in app.extensions["queues"].values():
        queue.empty()
    work()
    assert flags_of(later) == []
    assert requeue_unchecked(utcnow() + LOST_AFTER) == {"tasks": 1, "photos": 0}
    work()
    assert [flag.kind for flag in flags_of(later)] == ["summary"]


def test_the_api_lists_a_tasks_flags_and_dismisses_one(api, county, later, flagged):
    answer = api(county["discipline"], "GET", f"/assignments/{later.id}/integrity-flags")
    assert answer.status_code == 200 and answer.get_json()["checking"] == 0
    [item] = answer.get_json()["items"]
    assert item["id"] == flagged.id and item["kind"] == "photo" and item["state"] == "open"
    assert item["description"] == flagged.description and 0.9 <= item["similarity"] <= 1
    assert item["matched_evidence_id"] == flagged.matched_evidence_id
    hidden = api(county["other_secretary"], "GET", f"/assignments/{later.id}/integrity-flags")
    assert hidden.status_code == 404
    dismiss = f"/integrity-flags/{flagged.id}/dismiss"
    short = api(county["discipline"], "POST", dismiss, json={"reason": "没问题"})
    assert short.status_code == 400 and "至少5个字" in short.get_json()["error"]
    assert api(county["member"], "POST", dismiss,
               json={"reason": "这是我自己拍的照片"}).status_code == 403
    done = api(county["discipline"], "POST", dismiss, json={"reason": "两镇联合召开的同一次会议"})
    assert done.status_code == 200 and done.get_json()["state"] == "dismissed"
    again = api(county["discipline"], "POST", dismiss, json={"reason": "两镇联合召开的同一次会议"})
    assert again.status_code == 409
    assert api(county["discipline"], "POST", "/integrity-flags/999999/dismiss",
               json={"reason": "两镇联合召开的同一次会议"}).status_code == 404


def test_the_dashboards_count_flags_and_link_to_their_lists(admin_browser, phone, county, later,
                                                            flagged, app):
    browser = admin_browser(county["inspector"])
    board = browser.get("/admin/").text
    assert "材料雷同预警" in board
    assert 'href="/admin/integrity?state=all"><b>1</b> 条</a>' in board
    assert 'href="/admin/integrity?state=open"><b>1</b> 条</a>' in board
    listed = browser.get("/admin/integrity?state=open").text
    assert flagged.description in listed and f'href="/m/tasks/{later.id}"' in listed
    situation = phone("inspector").get("/m/situation").text
    assert 'href="/m/situation/integrity?state=open"><b>1</b> 条</a>' in situation
    review = link(app, later)
    phone("discipline").post(f"{review}/flags/{flagged.id}/dismiss",
                             {"reason": "两镇联合召开的同一次会议"}, form_page=review)
    situation = phone("inspector").get("/m/situation").text
    assert 'href="/m/situation/integrity?state=all"><b>1</b> 条</a>' in situation
    assert 'href="/m/situation/integrity?state=open"><b>0</b> 条</a>' in situation
    assert flagged.description not in phone("inspector").get(
        "/m/situation/integrity?state=open").text
    everything = phone("inspector").get("/m/situation/integrity?state=all").text
    assert flagged.description in everything and "已排除" in everything
    assert phone("member").get("/m/situation/integrity").status_code == 403


def test_integrity_scan_prints_each_reused_photo_and_copied_summary(runner, tmp_path, county,
                                                                   later, now, work, phone):
    (tmp_path / "会议1.jpg").write_bytes(jpeg(picture(20)))
    (tmp_path / "会议1-翻拍.jpeg").write_bytes(resaved(picture(20)))
    picture(20).save(tmp_path / "会议1.png")
    (tmp_path / "另一次会议.jpg").write_bytes(jpeg(picture(21)))
    (tmp_path / "小结甲.txt").write_text(SUMMARY, encoding="utf-8")
    (tmp_path / "小结乙.txt").write_text("按照县纪委要求，" + SUMMARY, encoding="utf-8")
    (tmp_path / "小结丙.txt").write_text("村级财务公开栏每季度更新一次，群众监督渠道畅通，"
                                        "本季度共收到意见建议三条，均已办结回复。", encoding="utf-8")
    (tmp_path / "坏照片.jpg").write_bytes(b"not a photo")
    (tmp_path / "乱码.txt").write_bytes("小结".encode("gbk"))
    (tmp_path / "说明.doc").write_bytes(b"ignored")
    result = runner.invoke(args=["integrity-scan", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    pairs = {(line["a"], line["b"], line["kind"]) for line in lines}
    assert pairs == {("会议1-翻拍.jpeg", "会议1.jpg", "photo"),
                     ("会议1-翻拍.jpeg", "会议1.png", "photo"),
                     ("会议1.jpg", "会议1.png", "photo"),
                     ("小结乙.txt", "小结甲.txt", "summary")}
    assert all(0.6 <= line["similarity"] <= 1 for line in lines)
    assert "会议1.jpg" in result.stdout  # ensure_ascii=False: names as they are
    assert result.stderr.count("\n") == 2
    assert "坏照片.jpg" in result.stderr and "乱码.txt" in result.stderr
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(
        sa.table("photo_print"))) == 0  # nothing kept without --index

    kept = runner.invoke(args=["integrity-scan", str(tmp_path), "--index"])
    assert kept.exit_code == 0 and kept.stdout == result.stdout
    hand_in(phone, "member", later, jpeg(picture(20), quality=70), SUMMARY, work)
    flags = {flag.kind: flag.description for flag in flags_of(later)}
    assert flags["photo"].startswith("此照片与 历史档案“会议1")
    assert flags["summary"].startswith("此小结与 历史档案“小结")


def test_integrity_scan_learns_the_wording_an_archives_summaries_share(runner, tmp_path):
    """Thirty units answered one template, each quoting its requirements before its own few
    lines: they are not copies of each other; the one that copied another's own lines is."""
    asked = ("根据县纪委关于开展责任制落实情况专项检查的通知要求，本单位对照检查提纲逐项开展自查，"
             "重点检查班子议事规则执行、重大事项请示报告、干部选拔任用、财务收支审批、"
             "工程项目招投标等方面，现将自查情况报告如下：")
    characters = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
    for number in range(30):
        own = "".join(random.Random(number).choices(characters, k=60))
        (tmp_path / f"{number:02d}.txt").write_text(asked + own, encoding="utf-8")
    copied = (tmp_path / "07.txt").read_text(encoding="utf-8")
    (tmp_path / "抄件.txt").write_text(copied + "以上情况属实。", encoding="utf-8")
    result = runner.invoke(args=["integrity-scan", str(tmp_path)])
    assert result.exit_code == 0, result.output
    pairs = [(line["a"], line["b"]) for line in map(json.loads, result.stdout.splitlines())]
    assert pairs == [("07.txt", "抄件.txt")]


def test_the_demo_shows_a_reused_photo_and_a_copied_summary(runner, emulator, app, work, api):
    from conftest import Phone
    from models import Person

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    work()
    flags = session.scalars(sa.select(IntegrityFlag).order_by(IntegrityFlag.id)).all()
    assert sorted(flag.kind for flag in flags) == ["photo", "summary"]
    assert {flag.assignment_id for flag in flags} == {flags[0].assignment_id}
    task = flags[0].assignment
    assert task.unit.name == "青山镇" and task.state == State.SUBMITTED
    assert all("石桥乡" in flag.description and "节前廉洁过节专项提醒" in flag.description
               for flag in flags)
    page = Phone(app, 10).get(link(app, task))  # user 10: 青山镇纪委's secretary
    assert page.status_code == 200
    assert all(flag.description in page.text for flag in flags) and "<mark>" in page.text
    reviewer = session.scalars(sa.select(Person).where(Person.unit.has(name="青山镇纪委"))).first()
    listed = api(reviewer, "GET", f"/assignments/{task.id}/integrity-flags").get_json()["items"]
    assert len(listed) == 2
    inspector = Phone(app, 2)
    assert 'href="/m/situation/integrity?state=open"><b>2</b> 条</a>' in inspector.get(
        "/m/situation").text


def test_a_chat_photo_sent_before_its_report_is_checked_when_taken(emulator, phone, county,
                                                                   earlier, later, work):
    hand_in(phone, "other_secretary", earlier, jpeg(picture(40)), "白水镇召开了专题会议。", work)
    user = openid(1)
    emulator.send_image(user, jpeg(picture(40), quality=70))  # no 上报 open: it waits
    work()
    assert flags_of(later) == []
    emulator.send_text(user, "待办")
    assert "1张" in emulator.send_text(user, "上报 1").reply["content"]
    work()
    [flag] = flags_of(later)
    assert flag.kind == "photo" and flag.description.startswith("此照片与 白水镇 ")


def test_the_api_returns_a_task_citing_a_flag(api, county, later, flagged):
    reason = flagged.description + "。请重新上报本次会议照片。"
    answer = api(county["discipline"], "POST", f"/assignments/{later.id}/reviews",
                 json={"decision": "return", "reason": reason, "cite_flag_id": flagged.id})
    assert answer.status_code == 201 and answer.get_json()["state"] == "returned"
    [flag] = flags_of(later)
    assert flag.state == FlagState.CITED and flag.reason == reason
    other = api(county["discipline"], "POST", f"/assignments/{later.id}/reviews",
                json={"decision": "return", "reason": reason, "cite_flag_id": 999999})
    assert other.status_code == 404


def test_a_photo_taken_long_before_the_dispatch_is_flagged_by_its_exif(phone, county, later,
                                                                       app, work):
    image, exif = picture(50), Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2024:06:01 10:00:00"  # DateTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    hand_in(phone, "member", later, buffer.getvalue(), "青山镇召开了专题会议。", work)
    [flag] = flags_of(later)
    assert flag.kind == "exif" and flag.matched_evidence_id is None and flag.description
    assert flag.description in phone("discipline").get(link(app, later)).text
