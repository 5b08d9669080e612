"""Admin pages: dispatch by hand, idempotent, with clear answers to bad periods."""

import sqlalchemy as sa

from models import (Assignment, AuditEvent, DutyCategory, DutyTemplate, Period, Responsibility,
                    Role, TemplateKind, session, utcnow)


def _signed_in(client, make_person):
    inspector = make_person(name="审核员", role=Role.INSPECTOR, title="")
    make_person(name="委员", role=Role.MEMBER, unit=inspector.unit)
    with client.session_transaction() as browser:
        browser["admin_id"] = inspector.id
    return inspector


def _template():
    template = DutyTemplate(
        category=DutyCategory(name="深化作风建设", responsibility=Responsibility.PRINCIPAL),
        title="作风建设专项检查", kind=TemplateKind.COMMON, target_role="member",
        period=Period.MONTHLY, due_rule="day:28", created_at=utcnow())
    session.add(template)
    session.commit()
    return template


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_dispatch_page_dispatches_once(client, make_person):
    inspector = _signed_in(client, make_person)
    template = _template()
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


def test_bad_period_is_explained_and_creates_nothing(client, make_person):
    _signed_in(client, make_person)
    template = _template()
    form = {"csrf_token": _csrf(client, "/admin/dispatch"), "template_id": template.id,
            "period": "2026年12月"}
    page = client.post("/admin/dispatch", data=form, follow_redirects=True).get_data(as_text=True)
    assert "周期" in page and "不符" in page
    assert session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


def test_dispatch_needs_an_admin_and_a_csrf_token(client, make_person):
    cadre = make_person(role=Role.MEMBER)
    with client.session_transaction() as browser:
        browser["admin_id"] = cadre.id
    assert client.get("/admin/dispatch").status_code == 403
    _signed_in(client, make_person)
    assert client.post("/admin/dispatch", data={"template_id": _template().id,
                                                "period": "2026-12"}).status_code == 400
