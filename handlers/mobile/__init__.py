"""Mobile pages `/m/...` (WeUI, care mode), entered from the menu and from pushed messages.

Every page but the OAuth return is behind `login_required`; every form carries a CSRF token
(CSRFProtect is on app-wide); a refused form post redirects (handlers.mobile.refusal). The
routes are one explicit table (STYLE R3).
"""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from handlers.mobile import (assignment, eco_index, evidence, late, me, notice, overview,
                             refusal, review, score, self_check, situation, supervision, workbench)
from handlers.mobile.auth import auth, login_required, message_page

__all__ = ["bp", "login_required", "message_page"]

bp = Blueprint("mobile", __name__, url_prefix="/m")

ROUTES = [
    # (rule, endpoint, view, methods, needs login)
    ("/auth", "auth", auth, ["GET"], False),
    ("/", "workbench", workbench.workbench, ["GET"], True),
    ("/overview", "overview", overview.overview, ["GET"], True),
    ("/situation", "situation", situation.situation, ["GET"], True),  # 全县态势 (issue 10)
    ("/situation/tasks", "situation_tasks", situation.situation_tasks, ["GET"], True),
    ("/situation/integrity", "situation_flags", situation.situation_flags, ["GET"], True),
    ("/eco-index", "eco_index", eco_index.index, ["GET"], True),  # 政治生态指数 (issue 12)
    ("/eco-index/units/<int:unit_id>", "eco_unit", eco_index.unit, ["GET"], True),
    ("/me", "me", me.me, ["GET"], True),
    ("/me/care-mode", "care_mode", me.care_mode, ["POST"], True),
    ("/score", "score", score.score, ["GET"], True),
    ("/tasks/<int:assignment_id>", "assignment", assignment.assignment, ["GET"], True),
    ("/tasks/<int:assignment_id>/acknowledge", "acknowledge", assignment.acknowledge, ["POST"],
     True),
    ("/tasks/<int:assignment_id>/report", "report", evidence.report, ["GET", "POST"], True),
    ("/tasks/<int:assignment_id>/wx-photos", "wx_photos", evidence.wx_photos, ["POST"], True),
    ("/tasks/<int:assignment_id>/evidence/<int:evidence_id>/remove", "remove_evidence",
     evidence.remove_evidence, ["POST"], True),
    ("/tasks/<int:assignment_id>/submit", "submit", assignment.submit, ["POST"], True),
    # 月度自查 (issue 12): the form, and the reported risks a discipline body follows up.
    ("/tasks/<int:assignment_id>/selfcheck", "self_check", self_check.self_check_form,
     ["GET", "POST"], True),
    ("/selfcheck-risks", "self_check_risks", self_check.risks, ["GET"], True),
    ("/selfcheck-risks/<int:follow_up_id>/close", "close_self_check_risk",
     self_check.close_risk, ["POST"], True),
    ("/tasks/<int:assignment_id>/instructions", "instruct", assignment.instruct, ["POST"], True),
    ("/tasks/<int:assignment_id>/supervision", "respond_supervision",
     supervision.respond_supervision, ["POST"], True),
    ("/tasks/<int:assignment_id>/urge", "urge", supervision.urge_assignment, ["POST"], True),
    ("/tasks/<int:assignment_id>/extend", "extend", supervision.extend, ["POST"], True),
    ("/tasks/<int:assignment_id>/reassign", "reassign", supervision.reassign_assignment,
     ["POST"], True),
    ("/tasks/<int:assignment_id>/unlock", "unlock", late.unlock_assignment, ["POST"], True),
    ("/review/<token>", "review", review.review, ["GET", "POST"], True),
    ("/review/<token>/flags/<int:flag_id>/dismiss", "dismiss_flag", review.dismiss_flag,
     ["POST"], True),
    # 监督建议书 / 整改通知书 (issue 11).
    ("/notices", "notices", notice.notices, ["GET"], True),
    ("/notices/new", "new_notice", notice.draft_notice, ["GET", "POST"], True),
    ("/notices/<int:notice_id>", "notice", notice.notice, ["GET"], True),
    ("/notices/<int:notice_id>/edit", "edit_notice", notice.draft_notice, ["GET", "POST"], True),
    ("/notices/<int:notice_id>/issue", "issue_notice", notice.issue_notice, ["POST"], True),
    ("/notices/<int:notice_id>/discard", "discard_notice", notice.discard_notice, ["POST"],
     True),
    ("/notices/<int:notice_id>/print", "notice_print", notice.notice_print, ["GET"], True),
    ("/notices/<int:notice_id>.docx", "notice_docx", notice.notice_docx, ["GET"], True),
    ("/notices/<int:notice_id>/acknowledge", "acknowledge_notice", notice.acknowledge_notice,
     ["POST"], True),
    ("/notices/<int:notice_id>/items/<int:item_id>/reply", "reply_notice_item",
     notice.reply_item, ["POST"], True),
    ("/notices/<int:notice_id>/items/<int:item_id>/verify", "verify_notice_item",
     notice.verify_item, ["POST"], True),
    ("/notices/<int:notice_id>/close", "close_notice", notice.close_notice, ["POST"], True),
    ("/evidence/<int:evidence_id>/file", "evidence_file", evidence.evidence_file, ["GET"], True),
    ("/evidence/<int:evidence_id>/<variant>", "evidence_image", evidence.evidence_image, ["GET"],
     True),
]

for rule, endpoint, view, methods, needs_login in ROUTES:
    bp.add_url_rule(rule, endpoint, login_required(view) if needs_login else view,
                    methods=methods)
refusal.init_app(bp)
bp.register_error_handler(RequestEntityTooLarge, evidence.upload_too_large)
