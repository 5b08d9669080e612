"""The JSON API at `/api/v1` (DESIGN.md, Interfaces): bearer tokens, JSON in and out.

Every route is in the one `ROUTES` table below (STYLE R3); `openapi.py` describes the same
routes and a test checks that the two agree.
"""

from flask import Blueprint, jsonify, request

from handlers.web import csrf
from handlers.api import (api_token, assignment, duty, eco_index, evidence, integrity, notice,
                          notification, openapi, payload, report, score, self_check, spot_check,
                          supervision, unit)

bp = Blueprint("api", __name__, url_prefix="/api/v1", cli_group=None)
csrf.exempt(bp)  # bearer tokens, not cookies: nothing for a forged form to ride on

ROUTES = (
    ("GET", "/units", unit.list_units),
    ("GET", "/people", unit.list_people),
    ("GET", "/templates", duty.list_templates),
    ("POST", "/dispatch", duty.dispatch_template),
    ("GET", "/assignments", assignment.list_assignments),
    ("GET", "/assignments/<int:assignment_id>", assignment.show_assignment),
    ("PATCH", "/assignments/<int:assignment_id>", supervision.adjust_assignment),
    ("POST", "/assignments/<int:assignment_id>/urge", supervision.urge_assignment),
    ("POST", "/assignments/<int:assignment_id>/evidence", report.add_evidence),
    ("POST", "/assignments/<int:assignment_id>/submit", report.submit_assignment),
    ("POST", "/assignments/<int:assignment_id>/unlock", supervision.unlock_assignment),
    ("POST", "/assignments/<int:assignment_id>/reviews", assignment.review_assignment),
    ("POST", "/assignments/<int:assignment_id>/instructions", assignment.instruct_assignment),
    ("GET", "/assignments/<int:assignment_id>/notifications",
     notification.assignment_notifications),
    ("GET", "/notifications", notification.list_notifications),
    ("GET", "/assignments/<int:assignment_id>/integrity-flags",
     integrity.assignment_integrity_flags),
    ("POST", "/integrity-flags/<int:flag_id>/dismiss", integrity.dismiss_integrity_flag),
    ("GET", "/evidence/<int:evidence_id>", evidence.show_evidence),
    ("GET", "/evidence/<int:evidence_id>/file", evidence.evidence_file),
    ("GET", "/scores", score.list_scores),
    ("GET", "/units/<int:unit_id>/score", score.unit_score),
    ("GET", "/units/<int:unit_id>/trend", score.unit_trend),
    ("GET", "/dashboard", score.dashboard_series),
    ("GET", "/deductions", score.list_deductions),
    ("POST", "/deductions", score.create_deduction),
    ("POST", "/deductions/<int:deduction_id>/revoke", score.revoke_deduction),
    ("GET", "/assessments", score.list_assessments),
    ("POST", "/assessments", score.generate_assessment),
    ("GET", "/assessments/<int:assessment_id>", score.show_assessment),
    ("GET", "/assessments/<int:assessment_id>.xlsx", score.assessment_workbook),
    ("POST", "/assessments/<int:assessment_id>/publish", score.publish_assessment),
    # 监督建议书 / 整改通知书 (issue 11).
    ("GET", "/notices", notice.list_notices),
    ("POST", "/notices", notice.create_notice),
    ("GET", "/notices/<int:notice_id>", notice.show_notice),
    ("GET", "/notices/<int:notice_id>.docx", notice.notice_docx),
    ("POST", "/notices/<int:notice_id>/issue", notice.issue_notice),
    ("POST", "/notices/<int:notice_id>/acknowledge", notice.acknowledge_notice),
    ("POST", "/notices/<int:notice_id>/items/<int:item_id>/replies", notice.reply_item),
    ("POST", "/notices/<int:notice_id>/items/<int:item_id>/verifications", notice.verify_item),
    ("POST", "/notices/<int:notice_id>/close", notice.close_notice),
    ("GET", "/spot-checks", spot_check.list_spot_checks),
    ("POST", "/spot-checks", spot_check.open_spot_check),
    ("GET", "/spot-checks/<int:round_id>", spot_check.show_spot_check),
    ("POST", "/spot-checks/<int:round_id>/items/<int:item_id>/verification",
     spot_check.verify_spot_check_item),
    # 政治生态指数 (issue 12).
    ("GET", "/eco-index/tree", eco_index.show_tree),
    ("POST", "/eco-index/tree", eco_index.save_tree),
    ("GET", "/eco-index", eco_index.show_month),
    ("POST", "/eco-index", eco_index.compute_month),
    ("GET", "/eco-index/units/<int:unit_id>", eco_index.unit_explanation),
    ("GET", "/eco-index/manual", eco_index.list_manual),
    ("POST", "/eco-index/manual", eco_index.enter_manual),
    # 月度自查 (issue 12).
    ("GET", "/assignments/<int:assignment_id>/self-check", self_check.show_self_check),
    ("GET", "/self-check-risks", self_check.list_self_check_risks),
    ("GET", "/openapi.json", openapi.openapi_document),
)
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})

for method, rule, view in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=[method])


@bp.before_request
def _authenticate():
    """Every endpoint but the OpenAPI document needs a valid bearer token; ids in the path
    are bounded like every other number (payload.MAX_ID)."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        api_token.authenticate()
    payload.check_path_ids(request.view_args)


@bp.errorhandler(api_token.Unauthorized)
def _unauthorized(error: api_token.Unauthorized):
    response = jsonify(error=error.message)
    response.status_code = error.status
    response.headers["WWW-Authenticate"] = 'Bearer realm="qinglian"'
    return response


