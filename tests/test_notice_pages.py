"""Notices on the phone, from issue to 销账: 签收, a reply per item with photos, a returned item
and its second reply, verification per item, 回访销账 on its date; who sees what; the printable
page and the .docx, opened with python-docx."""

import io
from datetime import timedelta

import docx
import pytest
import sqlalchemy as sa

from conftest import openid
from handlers.mobile import texts
from models import Deduction, ItemState, Notice, NoticeState, session
from models.clock import SHANGHAI
from models.notice_lifecycle import issue
from test_chat_evidence import photo
from test_notice import make_notice  # noqa: F401 (fixture)


@pytest.fixture
def issued(county, make_notice, now):
    notice = make_notice()
    issue(notice, county["discipline"], now=now)
    session.commit()
    return notice


def fresh(notice) -> Notice:
    session.rollback()
    session.expire_all()
    return session.get(Notice, notice.id)


def test_whole_life_on_the_phone(phone, county, issued, now, clock, work):
    page = f"/m/notices/{issued.id}"
    secretary, member, body = phone("secretary"), phone("member"), phone("discipline")
    first, second = issued.items
    shown = secretary.get(page)
    assert shown.status_code == 200 and issued.name in shown.text and "签收" in shown.text
    assert "退回重改" not in shown.text  # no verification form for the unit
    done = secretary.post(f"{page}/acknowledge", form_page=page)
    assert texts.NOTICE_ACKNOWLEDGED in done.text
    done = secretary.post(f"{page}/items/{first.id}/reply", form_page=page,
                          data={"reply": "已补齐2026年1至11月专题会议记录共11份。"},
                          files=[("photos", ("a.jpg", photo(), "image/jpeg"))])
    assert texts.NOTICE_REPLIED in done.text and "第1次回复" in done.text
    assert "处理中" in done.text and "/m/evidence/" not in done.text  # the media job decodes it
    work()
    assert "/m/evidence/" in secretary.get(page).text
    refused = member.post(f"{page}/items/{second.id}/reply", form_page=page, data={"reply": "已建"})
    assert "至少10个字" in refused.text
    member.post(f"{page}/items/{second.id}/reply", form_page=page,
                data={"reply": "已建立学习台账，每月登记并由书记签字。"})
    assert fresh(issued).state == NoticeState.REPLIED

    verify = f"{page}/items/{second.id}/verify"
    refused = body.post(verify, form_page=page, data={"decision": "return", "reason": "不"})
    assert "退回理由" in refused.text
    body.post(f"{page}/items/{first.id}/verify", form_page=page, data={"decision": "accept"})
    done = body.post(verify, form_page=page,
                     data={"decision": "return", "reason": "台账只有空表，未见登记内容。"})
    assert texts.NOTICE_RETURNED in done.text
    notice = fresh(issued)
    assert (notice.items[1].state, notice.state) == (ItemState.RETURNED, NoticeState.ACKNOWLEDGED)
    assert "台账只有空表" in member.get(page).text
    assert session.scalar(sa.select(sa.func.count(Deduction.id)).where(
        Deduction.source == f"notice:{issued.id}")) == 1

    member.post(f"{page}/items/{second.id}/reply", form_page=page,
                data={"reply": "已补登11月学习12条，附签字页照片。"})
    body.post(verify, form_page=page, data={"decision": "accept"})
    notice = fresh(issued)
    assert notice.state == NoticeState.FOLLOW_UP
    assert "回访并销账" not in body.get(page).text  # not before the follow-up day
    clock.move_to(now + timedelta(days=31))
    assert "回访并销账" in body.get(page).text
    done = body.post(f"{page}/close", form_page=page, data={"note": "回访查看会议记录和台账，整改到位。"})
    assert texts.NOTICE_CLOSED in done.text
    assert fresh(issued).state == NoticeState.CLOSED
    assert "已销账" in secretary.get(page).text


@pytest.mark.parametrize("role, status", [("other_secretary", 404), ("other_discipline", 404),
                                          ("colleague", 404), ("inspector", 200),
                                          ("member", 200)])
def test_who_sees_a_notice(phone, issued, role, status):
    assert phone(role).get(f"/m/notices/{issued.id}").status_code == status


def test_a_draft_is_the_issuers_alone(phone, make_notice):
    draft = make_notice()
    assert phone("secretary").get(f"/m/notices/{draft.id}").status_code == 404
    assert phone("discipline").get(f"/m/notices/{draft.id}").status_code == 200


def test_the_docx_is_the_document_offices_exchange(phone, issued, now):
    answer = phone("secretary").get(f"/m/notices/{issued.id}.docx")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    lines = [p.text for p in docx.Document(io.BytesIO(answer.content)).paragraphs]
    year = now.year
    assert lines[:5] == ["青山镇纪委", "整改通知书", f"〔{year}〕第1号", "关于落实主体责任问题的整改通知",
                         "青山镇："]
    assert "检查发现专题会议记录不全" in lines[5]
    assert lines[7].startswith("1. 补齐2026年专题会议记录（整改时限：")
    assert lines[8].endswith("责任人：李明）")
    assert lines[-2:] == ["青山镇纪委", f"{now.year}年{now.month}月{now.day}日"]


def test_the_print_page_carries_number_signature_and_date(phone, issued, now):
    page = phone("secretary").get(f"/m/notices/{issued.id}/print").text
    assert f"〔{now.year}〕第1号" in page and "@page { size: A4" in page
    assert '<div class="signature"><p>青山镇纪委</p>' in page


def test_a_discipline_body_drafts_and_issues_on_the_phone(phone, county, emulator, work, now):
    body = phone("discipline")  # 青山镇纪委, which supervises 青山镇
    listing = body.get("/m/notices").text
    assert 'href="/m/notices/new"' in listing
    form = body.get("/m/notices/new").text
    assert "青山镇" in form and "白水镇" not in form.split('name="unit_id"')[1].split("</select>")[0]
    day = (now + timedelta(days=10)).astimezone(SHANGHAI).date().isoformat()
    typed = {"kind": "suggestion", "unit_id": county["township"].id,
             "title": "关于加强廉政学习的监督建议", "facts": "抽查发现班子成员学习记录流于形式。",
             "basis": "", "reply_due": day, "follow_up_days": "30",
             "requirement": ["建立学习记录台账", "", ""], "due": ["2026-13-01", "", ""],
             "person_id": [county["member"].id, "", ""]}
    refused = body.post("/m/notices/new", data=typed, form_page="/m/notices/new")
    assert refused.status_code == 400 and "整改时限请按“年-月-日”填写" in refused.text
    assert "建立学习记录台账" in refused.text  # what was typed comes back
    assert session.scalar(sa.select(sa.func.count(Notice.id))) == 0
    saved = body.post("/m/notices/new", data={**typed, "due": [day, "", ""]},
                      form_page="/m/notices/new")
    assert texts.NOTICE_DRAFT_SAVED in saved.text and "下发" in saved.text
    notice = session.scalar(sa.select(Notice))
    assert notice.state == NoticeState.DRAFTED and notice.number is None
    assert [item.person_id for item in notice.items] == [county["member"].id]
    edit = f"/m/notices/{notice.id}/edit"
    assert f'href="{edit}"' in body.get("/m/notices").text  # 本单位草稿
    assert phone("secretary").get(edit).status_code == 403  # not an issuing body
    assert phone("other_discipline").get(edit).status_code == 404  # another body's draft
    issued = body.post(f"/m/notices/{notice.id}/issue", form_page=edit)
    notice = fresh(notice)
    assert notice.state == NoticeState.ISSUED and notice.number == 1
    assert notice.name in issued.text and "已下发" in issued.text
    work()
    [card] = [m for m in emulator.inbox(openid(2)) if m.get("template_id") == "QL_TASK_DISPATCHED"]
    assert card["url"].endswith(f"/m/notices/{notice.id}")
    assert body.get(edit).url.endswith(f"/m/notices/{notice.id}")  # issued: no more editing
