"""Admin pages `/admin/...` (PC): people, bind codes and their QR codes.

Admins sign in with a one-time link from `flask admin-link PERSON` (10 minutes, single use),
or arrive already signed in through the mobile OAuth session.
"""

import functools

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, g, make_response, redirect,
                   render_template, request, url_for)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload
from wechatpy.exceptions import WeChatException

from handlers.admin import texts
from handlers.web import ADMIN_ROLES, session_person, start_session
from models import Person, Unit, WechatBinding, audit, utcnow
from models import session as db
from models.errors import DomainError
from models.organisation import active_units
from models.post import Post
from models.admin_link import LINK_VALIDITY, use_admin_link
from models.wechat_binding import CODE_VALIDITY, issue_bind_code

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="admin-login")


def login_link(person: Person) -> str:
    """A signed one-time sign-in URL for an admin or inspector."""
    token = _serializer().dumps({"person_id": person.id})
    return current_app.config["PUBLIC_BASE_URL"] + "admin/login/" + token


def admin_required(view):
    """Signed in (handlers.web.session_person, re-checked on every request) as an admin or
    inspector, or a page saying how to sign in; sets g.person."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        person = session_person()
        if person is None:
            abort(make_response(_refused("请先登录", texts.SIGN_IN_FIRST)))
        if person.role not in ADMIN_ROLES:
            abort(make_response(_refused("无权访问", texts.NOT_ADMIN)))
        g.person = person
        return view(*args, **kwargs)

    return wrapped


def _refused(title: str, message: str):
    return render_template("message.html", title=title, message=message), 403


@bp.get("/login/<token>")
def login(token: str):
    try:
        data, signed_at = _serializer().loads(token, max_age=LINK_VALIDITY.total_seconds(),
                                              return_timestamp=True)
        person_id = int(data["person_id"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return _refused("链接已过期", texts.LINK_EXPIRED)
    now = utcnow()
    if not use_admin_link(person_id, signed_at, now):
        db.commit()
        return _refused("链接已使用", texts.LINK_USED)
    person = db.get(Person, person_id)
    if person is None or not person.active or person.role not in ADMIN_ROLES:
        db.commit()  # the link is spent even so
        return _refused("无权访问", texts.NOT_ADMIN)
    start_session(admin_id=person.id)
    audit.record("admin.login", f"person:{person.id}", now=now, actor=person)
    db.commit()
    return redirect(url_for("admin.index"))


@bp.get("/people")
@admin_required
def people():
    """人员与绑定: everyone (or one unit's people), their binding, posts and account."""
    query = sa.select(Person).options(joinedload(Person.unit)).order_by(Person.unit_id, Person.id)
    unit = db.get(Unit, request.args.get("unit", type=int) or 0)
    if unit is not None:
        query = query.where(Person.unit_id == unit.id)
    rows = db.scalars(query).all()
    bound = set(db.scalars(sa.select(WechatBinding.person_id)
                           .where(WechatBinding.active.is_(True))))
    posts = dict(db.execute(sa.select(Post.person_id, sa.func.count())
                            .group_by(Post.person_id)).all())
    return render_template("admin/people.html", people=rows, bound=bound, posts=posts,
                           unit=unit, units=active_units())


@bp.post("/people/<int:person_id>/bind-code")
@admin_required
def bind_code(person_id: int):
    """Issue a fresh one-time code and, when WeChat answers, its QR code."""
    person = db.get(Person, person_id) or abort(404)
    try:
        code = issue_bind_code(person, now=utcnow(), issued_by=g.person)
    except DomainError as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("admin.people", unit=person.unit_id), 303)
    db.commit()
    client = current_app.extensions["wechat"].client
    try:
        ticket = client.create_bind_qrcode(code.scene, int(CODE_VALIDITY.total_seconds()))
        qr_url = client.qrcode_image_url(ticket["ticket"])
    except (WeChatException, OSError):
        qr_url = None
    return render_template("admin/bind_code.html", person=person, code=code, qr_url=qr_url)


# Views below use admin_required.
from handlers.admin import calendar, dashboard, dispatch, duty, levels, notifications  # noqa: E402
from handlers.admin import api_token, assessment, deduction, notice, scoring  # noqa: E402
from handlers.admin import org_sheet, organisation, person, post  # noqa: E402
from handlers.admin import eco_index, eco_manual, eco_tree, spot_check  # noqa: E402

for rule, endpoint, view, methods in (
    ("/dispatch", "dispatch_page", dispatch.dispatch_page, ["GET"]),
    ("/dispatch", "dispatch_post", dispatch.dispatch_post, ["POST"]),
    ("/dispatch/<int:template_id>", "dispatch_form", dispatch.dispatch_form, ["GET"]),
    ("/templates", "templates", duty.templates, ["GET"]),
    ("/templates/new", "template_new", duty.template, ["GET", "POST"]),
    ("/templates/<int:template_id>", "template", duty.template, ["GET", "POST"]),
    ("/categories/new", "category_new", duty.category, ["GET", "POST"]),
    ("/categories/<int:category_id>", "category", duty.category, ["GET", "POST"]),
    ("/notifications", "notifications", notifications.notifications, ["GET"]),
    ("/tasks/<int:assignment_id>/pushes", "task_pushes", notifications.task_pushes, ["GET"]),
    ("/calendar", "calendar", calendar.calendar, ["GET"]),
    ("/calendar/days", "calendar_day", calendar.calendar_day, ["POST"]),
    ("/calendar/days/<day>/remove", "calendar_day_remove", calendar.calendar_day_remove, ["POST"]),
    ("/calendar/import", "calendar_import", calendar.calendar_import, ["POST"]),
    ("/calendar/template.csv", "calendar_template", calendar.calendar_template, ["GET"]),
    ("/levels", "levels", levels.levels, ["GET"]),
    ("/levels", "levels_save", levels.levels_save, ["POST"]),
    ("/levels/ladder", "levels_ladder", levels.levels_ladder, ["POST"]),
    # Scores, the year-end assessment, the scoring policy, deductions (issue 10).
    ("/scores", "scores", scoring.scores, ["GET"]),
    ("/scores/tasks", "score_tasks", scoring.score_tasks, ["GET"]),
    ("/policy", "policy", scoring.policy, ["GET", "POST"]),
    ("/assessments", "assessments", assessment.assessments, ["GET"]),
    ("/assessments", "generate_assessment", assessment.generate, ["POST"]),
    ("/assessments/<int:assessment_id>", "assessment", assessment.detail, ["GET"]),
    ("/assessments/<int:assessment_id>.xlsx", "assessment_xlsx", assessment.xlsx, ["GET"]),
    ("/assessments/<int:assessment_id>/publish", "publish_assessment", assessment.publish,
     ["POST"]),
    ("/deductions", "deductions", deduction.deductions, ["GET"]),
    ("/deductions", "record_deduction", deduction.record_post, ["POST"]),
    ("/deductions/<int:deduction_id>/revoke", "revoke_deduction", deduction.revoke_post,
     ["POST"]),
    # 监督建议书 / 整改通知书 (issue 11): the ledger, its xlsx, drafting and issuing.
    ("/notices", "notices", notice.notices, ["GET"]),
    ("/notices.xlsx", "notices_xlsx", notice.notices_xlsx, ["GET"]),
    ("/notices/new", "notice_new", notice.notice_form, ["GET", "POST"]),
    ("/notices/<int:notice_id>", "notice_edit", notice.notice_form, ["GET", "POST"]),
    ("/notices/<int:notice_id>/issue", "issue_notice", notice.issue_post, ["POST"]),
    ("/notices/<int:notice_id>/discard", "discard_notice", notice.discard_post, ["POST"]),
    # 抽查核实 (issue 11): a round is opened and drawn in one POST; no redraw route exists.
    ("/spot-checks", "spot_checks", spot_check.spot_checks, ["GET"]),
    ("/spot-checks", "open_spot_check", spot_check.open_post, ["POST"]),
    ("/spot-checks/<int:round_id>", "spot_check", spot_check.detail, ["GET"]),
    ("/spot-checks/<int:round_id>/items/<int:item_id>", "verify_spot_check",
     spot_check.verify_post, ["POST"]),
    # 全县态势 (issue 10): the dashboard and its JSON, the tasks behind its numbers, a unit's
    # own page, 谁还没交 with 催办 for one or all.
    ("/", "index", dashboard.index, ["GET"]),
    ("/dashboard.json", "dashboard_json", dashboard.dashboard_json, ["GET"]),
    ("/tasks", "tasks", dashboard.tasks, ["GET"]),
    ("/integrity", "integrity_flags", dashboard.integrity_flags, ["GET"]),  # issue 13
    ("/units/<int:unit_id>", "unit", dashboard.unit, ["GET"]),
    ("/owed", "owed", dashboard.owed_page, ["GET"]),
    ("/owed/urge-all", "urge_all", dashboard.urge_all, ["POST"]),
    ("/owed/<int:assignment_id>/urge", "urge_one", dashboard.urge_one, ["POST"]),
    # 政治生态指数 (issue 12): 一图一表, a unit's explanation, the tree, the manual values.
    ("/eco-index", "eco_index", eco_index.index, ["GET"]),
    ("/eco-index", "eco_compute", eco_index.compute, ["POST"]),
    ("/eco-index.xlsx", "eco_xlsx", eco_index.workbook, ["GET"]),
    ("/eco-index/units/<int:unit_id>", "eco_unit", eco_index.unit, ["GET"]),
    ("/eco-index/tree", "eco_tree", eco_tree.tree, ["GET", "POST"]),
    ("/eco-index/manual", "eco_manual", eco_manual.manual, ["GET", "POST"]),
    # 接口令牌 (issue 14): who holds a token, until when, last used; admins revoke.
    ("/api-tokens", "api_tokens", api_token.api_tokens, ["GET"]),
    ("/api-tokens/<int:token_id>/revoke", "revoke_api_token", api_token.revoke, ["POST"]),
    # 组织机构 (issue 12): the unit tree, people with their posts and risk points, the xlsx.
    ("/org", "org_units", organisation.units_page, ["GET"]),
    ("/org/units/new", "org_unit_new", organisation.unit_edit, ["GET", "POST"]),
    ("/org/units/<int:unit_id>", "org_unit_edit", organisation.unit_edit, ["GET", "POST"]),
    ("/org/units/<int:unit_id>/merge", "org_unit_merge", organisation.unit_merge,
     ["GET", "POST"]),
    ("/org/units/<int:unit_id>/deactivate", "org_unit_deactivate", organisation.unit_deactivate,
     ["POST"]),
    ("/org/units/<int:unit_id>/reactivate", "org_unit_reactivate", organisation.unit_reactivate,
     ["POST"]),
    ("/org/tasks/<int:assignment_id>/withdraw", "org_task_withdraw", organisation.task_withdraw,
     ["POST"]),
    ("/people/new", "person_new", person.person_edit, ["GET", "POST"]),
    ("/people/<int:person_id>", "person_edit", person.person_edit, ["GET", "POST"]),
    ("/people/<int:person_id>/move", "person_move", person.person_move, ["GET", "POST"]),
    ("/people/<int:person_id>/deactivate", "deactivate_person", person.person_deactivate,
     ["GET", "POST"]),
    ("/people/<int:person_id>/reactivate", "person_reactivate", person.person_reactivate,
     ["POST"]),
    ("/people/<int:person_id>/posts", "person_posts", post.posts_page, ["GET"]),
    ("/people/<int:person_id>/posts", "post_save", post.post_save, ["POST"]),
    ("/posts/<int:post_id>", "post_update", post.post_save, ["POST"]),
    ("/posts/<int:post_id>/remove", "post_remove", post.post_remove, ["POST"]),
    ("/posts/<int:post_id>/risk-points", "risk_point_save", post.risk_point_save, ["POST"]),
    ("/risk-points/<int:point_id>", "risk_point_update", post.risk_point_save, ["POST"]),
    ("/risk-points/<int:point_id>/remove", "risk_point_remove", post.risk_point_remove,
     ["POST"]),
    ("/org/import", "org_import", org_sheet.import_page, ["GET"]),
    ("/org/import", "org_import_preview", org_sheet.preview, ["POST"]),
    ("/org/import/<token>", "org_import_apply", org_sheet.apply, ["POST"]),
    ("/org/template.xlsx", "org_template", org_sheet.template_xlsx, ["GET"]),
    ("/org/export.xlsx", "org_export", org_sheet.export_xlsx, ["GET"]),
):
    bp.add_url_rule(rule, endpoint, admin_required(view), methods=methods)
bp.context_processor(calendar.alarm)
