"""岗位与廉政风险点 (issue 12): an admin keeps a person's posts with their duties and risk
points on the person's page; inspectors look; every change is audited; the rows are what a
monthly self-check asks about (models.post.posts_of)."""

import sqlalchemy as sa

from models import AuditEvent, Post, RiskPoint, session
from models.post import posts_of


def _actions(prefix: str) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)))


def test_an_admin_adds_posts_and_risk_points_that_a_self_check_can_read(county, admin_browser):
    member, colleague = county["member"], county["colleague"]
    admin = admin_browser(county["admin"])
    page = f"/admin/people/{member.id}/posts"
    assert "李明尚未设置岗位" in admin.get(page).text

    admin.post(page, {"name": "分管财政工作", "duties": "负责全镇财政预算执行"}, form_page=page)
    admin.post(page, {"name": "分管农业农村", "duties": "负责惠农补贴发放"}, form_page=page)
    finance = session.scalars(sa.select(Post).where(Post.name == "分管财政工作")).one()
    admin.post(f"/admin/posts/{finance.id}/risk-points", {
        "description": "专项资金拨付审核把关不严", "level": "high",
        "measures": "集体研究、分级审批，每季度公示", "responsible_id": colleague.id},
        form_page=page)
    refused = admin.post(f"/admin/posts/{finance.id}/risk-points", {
        "description": "专项资金拨付审核把关不严", "level": "low", "measures": ""}, form_page=page)
    assert refused.status_code == 422 and "已有该风险点" in refused.text
    bad_level = admin.post(f"/admin/posts/{finance.id}/risk-points", {
        "description": "公务接待超标准", "level": "严重", "measures": ""}, form_page=page)
    assert bad_level.status_code == 422 and "风险等级应为高、中或低" in bad_level.text

    shown = admin.get(page).text
    assert "专项资金拨付审核把关不严" in shown and "<td>高</td>" in shown
    assert "high" not in shown.replace('value="high"', "")
    session.expire_all()
    posts = posts_of(member)
    assert [post.name for post in posts] == ["分管财政工作", "分管农业农村"]
    [point] = posts[0].risk_points
    assert (point.level_label, point.responsible.name) == ("高", "钱委员")
    assert "1个岗位" not in admin.get("/admin/people").text and \
        "2个岗位" in admin.get("/admin/people").text

    point_id = point.id
    admin.post(f"/admin/risk-points/{point_id}", {
        "description": "专项资金拨付审核把关不严", "level": "medium", "measures": "集体研究",
        "responsible_id": member.id}, form_page=page)
    admin.post(f"/admin/posts/{posts[1].id}/remove", {}, form_page=page)
    session.expire_all()
    assert session.get(RiskPoint, point_id).level == "medium"
    assert [post.name for post in posts_of(member)] == ["分管财政工作"]
    assert _actions("post.") == ["post.create", "post.create", "post.remove"]
    assert _actions("risk_point.") == ["risk_point.create", "risk_point.update"]


def test_inspectors_see_posts_but_cannot_change_them(county, admin_browser):
    member = county["member"]
    inspector = admin_browser(county["inspector"])
    page = inspector.get(f"/admin/people/{member.id}/posts")
    assert page.status_code == 200 and "添加岗位" not in page.text
    refused = inspector.post(f"/admin/people/{member.id}/posts", {"name": "分管财政工作"},
                             form_page="/admin/people")
    assert refused.status_code == 403
    assert session.scalar(sa.select(Post.id)) is None
