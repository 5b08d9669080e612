"""Admin pages: dispatch by hand, idempotent, with clear answers to bad periods."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models import (Assignment, AuditEvent, DutyCategory, DutyTemplate, Period, Role,
                    TemplateKind, session)


def _signed_in(client, make_person):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    make_person(name="委员", role=Role.MEMBER, unit=inspector.unit)
    with client.session_transaction() as browser:
        browser["admin_id"] = inspector.id
    return inspector


@pytest.fixture
def template(make_template):
    return make_template(title="作风建设专项检查", kind=TemplateKind.COMMON, due_rule="day:28",
                         review_levels=2, category="深化作风建设")


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_dispatch_page_dispatches_once(client, make_person, template):
    inspector = _signed_in(client, make_person)
    assert "作风建设专项检查" in client.get("/admin/dispatch").get_data(as_text=True)
    form = {"csrf_token": _csrf(client, "/admin/dispatch"), "template_id": template.id,
            "period": "2026-12"}
    page = client.post("/admin/dispatch", data=form, follow_redirects=True).get_data(as_text=True)
    assert "新派发 1 项任务" in page
    page = client.post("/admin/dispatch", data=form, follow_redirects=True).get_data(as_text=True)
    assert "未重复创建" in page
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 1
    assert session.scalar(sa.select(AuditEvent.actor_id).where(
        AuditEvent.action == "assignment.dispatch")) == inspector.id


def test_bad_period_is_explained_and_creates_nothing(client, make_person, template):
    _signed_in(client, make_person)
    form = {"csrf_token": _csrf(client, "/admin/dispatch"), "template_id": template.id,
            "period": "2026年12月"}
    page = client.post("/admin/dispatch", data=form, follow_redirects=True).get_data(as_text=True)
    assert "周期" in page and "不符" in page
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


def test_dispatch_needs_an_admin_and_a_csrf_token(client, make_person, template):
    cadre = make_person(role=Role.MEMBER)
    with client.session_transaction() as browser:
        browser["admin_id"] = cadre.id
    assert client.get("/admin/dispatch").status_code == 403
    _signed_in(client, make_person)
    assert client.post("/admin/dispatch", data={"template_id": template.id,
                                                "period": "2026-12"}).status_code == 400


def _form_fields(page: str) -> dict:
    """The current values of a rendered WTForms form (inputs, selects, checkboxes)."""
    import re

    fields = {}
    for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page):
        fields[name] = value
    for name, body in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or \
            re.search(r'<option value="([^"]*)"', body)
        fields[name] = chosen.group(1)
    for name in re.findall(r'<input checked[^>]*name="(\w+)"', page):
        fields[name] = "y"
    return fields


def test_templates_are_editable_with_checked_due_rules(client, make_person, template):
    _signed_in(client, make_person)
    url = f"/admin/templates/{template.id}"
    fields = _form_fields(client.get(url).get_data(as_text=True))
    assert fields["title"] == "作风建设专项检查" and fields["due_rule"] == "day:28"
    bad = client.post(url, data={**fields, "due_rule": "每月底"})
    assert bad.status_code == 422 and "截止规则格式不正确" in bad.get_data(as_text=True)
    ladder = client.post(url, data={**fields, "ladder_days": "-3,1,1,5,7"})
    assert ladder.status_code == 422 and "依次增大" in ladder.get_data(as_text=True)
    quarterly_day = client.post(url, data={**fields, "period": "quarterly"})
    assert quarterly_day.status_code == 422 and "只适用于按月" in quarterly_day.get_data(as_text=True)
    session.expire_all()
    assert session.get(DutyTemplate, template.id).due_rule == "day:28"
    ok = client.post(url, data={**fields, "title": "作风建设月度检查", "points": "6",
                                "ladder_days": "-2, 1, 2, 4, 6"}, follow_redirects=True)
    assert "已保存任务清单“作风建设月度检查”" in ok.get_data(as_text=True)
    session.expire_all()
    saved = session.get(DutyTemplate, template.id)
    assert (saved.title, saved.points, saved.ladder_days) == ("作风建设月度检查", 6, "-2,1,2,4,6")
    assert session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.subject == f"template:{template.id}")) == "template.save"


def test_categories_can_be_added_and_pages_need_an_admin(client, make_person):
    _signed_in(client, make_person)
    fields = _form_fields(client.get("/admin/categories/new").get_data(as_text=True))
    page = client.post("/admin/categories/new", data={**fields, "name": "加强作风效能监督",
                                                      "responsibility": "supervisory"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已保存责任类别“加强作风效能监督”" in page
    assert session.scalar(sa.select(DutyCategory.responsibility).where(
        DutyCategory.name == "加强作风效能监督")) == "supervisory"
    cadre = make_person(name="干部", role=Role.STAFF)
    with client.session_transaction() as browser:
        browser["admin_id"] = cadre.id
    assert client.get("/admin/templates").status_code == 403


# Words, not stored codes (issue 9).

def test_the_template_list_shows_words_not_stored_codes(client, make_person, template,
                                                        make_template):
    _signed_in(client, make_person)
    template.period, template.due_rule = Period.QUARTERLY, "quarter_end"
    make_template(title="岗位廉政风险点排查", kind=TemplateKind.ADHOC, target_role=None,
                  period=Period.YEARLY, due_rule="date:06-30", review_levels=2,
                  category=template.category)
    page = client.get("/admin/templates").get_data(as_text=True)
    for words in ("共性任务", "班子成员", "每季度", "季度末", "临时任务", "派发时指定", "每年",
                  "每年6月30日", "主体责任"):
        assert words in page, words
    for code in (">common<", ">member<", ">quarterly<", ">quarter_end<", ">adhoc<", ">yearly<",
                 ">date:06-30<", "principal"):
        assert code not in page, code


def test_the_due_rule_field_explains_each_way_of_writing_it(client, make_person, template):
    _signed_in(client, make_person)
    page = client.get(f"/admin/templates/{template.id}").get_data(as_text=True)
    assert "当前：<strong data-rule-words>每月28日</strong>" in page
    for rule, words in (("day:25", "每月25日"), ("quarter_end", "季度末"),
                        ("date:06-30", "每年6月30日"), ("after:7", "派发后7天")):
        assert f'data-value="{rule}"' in page and words in page, rule


def test_labels_read_every_due_rule_and_period():
    from handlers.labels import due_rule_label, period_label

    assert [due_rule_label(rule) for rule in (
        "day:25", "quarter_end", "period_end", "date:06-30", "date:2026-12-20", "after:7",
        "something")] == ["每月25日", "季度末", "周期最后一天", "每年6月30日", "2026年12月20日",
                          "派发后7天", "something"]
    assert [period_label(period) for period in ("2026-11", "2026Q4", "2026", "once")] == [
        "2026年11月", "2026年第4季度", "2026年", "一次性"]


def test_admin_pages_have_our_style_and_a_labelled_file_button(client, make_person):
    inspector = _signed_in(client, make_person)
    inspector.role = Role.ADMIN
    session.commit()
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "/static/admin.css" in page and "/static/admin.js" in page
    assert 'class="file__input"' in page and ">选择文件</span>" in page and "未选择文件" in page
    css = client.get("/static/admin.css").get_data(as_text=True)
    assert "input.date" in css and ".file__input" in css and ".btn_primary" in css
    filters = client.get("/admin/notifications").get_data(as_text=True)
    assert 'type="date"' not in filters and 'placeholder="如 2026-11-01"' in filters


# Signing in: a dead link says how to get a new one.

def test_an_expired_or_used_sign_in_link_says_how_to_get_a_new_one(client, make_person, clock,
                                                                    app):
    from handlers.admin import login_link

    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    path = "/" + login_link(inspector).split("/", 3)[3]
    assert client.get(path).status_code == 302
    used = client.get(path)
    assert used.status_code == 403 and "已使用过" in used.get_data(as_text=True)
    assert "flask --app app admin-link" in used.get_data(as_text=True)
    stale = "/" + login_link(inspector).split("/", 3)[3]
    clock.shift(timedelta(minutes=11))
    expired = client.get(stale).get_data(as_text=True)
    assert "已过期" in expired and "flask --app app admin-link 您的姓名" in expired
    assert "请系统管理员为您生成" in expired


def test_admin_pages_without_signing_in_say_how(client):
    page = client.get("/admin/")
    assert page.status_code == 403
    assert "flask --app app admin-link" in page.get_data(as_text=True)


# The command line speaks Chinese, times in Asia/Shanghai.

def test_admin_link_for_a_cadre_is_refused_in_chinese(runner, make_person):
    make_person(name="黄国平", role=Role.MEMBER, title="")
    result = runner.invoke(args=["admin-link", "黄国平"])
    assert result.exit_code == 1
    assert result.output.strip() == ("错误：黄国平是班子成员，只有系统管理员和县纪委监委审核人员"
                                     "可以登录管理后台")


def test_bind_code_tells_the_expiry_in_shanghai_time(runner, make_person, now):
    make_person(name="黄国平", role=Role.MEMBER, title="")
    result = runner.invoke(args=["bind-code", "黄国平"])
    assert result.exit_code == 0
    expires = (now + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"有效期至 {expires:%Y-%m-%d %H:%M}（北京时间）" in result.output
    assert "UTC" not in result.output and "valid" not in result.output


def test_two_people_of_one_name_are_told_apart_by_id(runner, make_person):
    first = make_person(name="王强", role=Role.MEMBER, title="")
    second = make_person(name="王强", role=Role.STAFF, title="")
    result = runner.invoke(args=["bind-code", "王强"])
    assert result.exit_code == 1
    assert f"有 2 人名为“王强”（编号 {first.id}、{second.id}），请改用人员编号" in result.output
