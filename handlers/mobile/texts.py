"""Every Chinese sentence and label the mobile views use (templates hold the page text)."""

from handlers.labels import LEVEL_LABELS, STATE_LABELS, WARNING_LABELS  # noqa: F401 (used via texts.)
HISTORY_LABELS = {
    "assignment.dispatch": "派发任务", "assignment.acknowledge": "签收",
    "assignment.submit": "提交审核", "assignment.approve": "审核通过",
    "assignment.return": "退回整改", "assignment.cancel": "撤销任务",
    "assignment.instruct": "领导批示", "supervision.respond": "督办回复",
    "assignment.urge": "催办", "assignment.extend": "调整截止时间",
    "assignment.reassign": "改派承办人", "assignment.unlock": "解锁补报",
    "self_check.answer": "填写自查",
}

ACKNOWLEDGED = "已签收，请按时上报完成情况。"
ALREADY_ACKNOWLEDGED = "该任务已签收，无需重复签收。"
SAVED = "已保存。材料齐全后请点“提交审核”。"
EVIDENCE_REMOVED = "已删除该项材料（之前已提交的记录仍保留）。"
SUBMITTED = "已提交，等待审核。"
SUBMITTED_COMPLETED = "已提交，任务已完成。"
ALREADY_SUBMITTED = "该任务已提交，请勿重复提交。"
NOT_REPORTABLE = "该任务当前为“{state}”，不能上报材料。"
NOTHING_TO_SAVE = "请填写工作小结或选择照片。"
TOO_MANY_PHOTOS = "一次最多上传{count}张照片，请分几次上传。"
UPLOAD_TOO_LARGE = "上传的照片和文件总大小超过{mb}MB，请分几次上传（每次一两张照片或一两个文件）。"
PHOTO_REFUSED = "第{number}张照片未能保存（{name}）：{why}"
TOO_MANY_FILES = "一次最多上传{count}个文件，请分几次上传。"
FILE_REFUSED = "第{number}个文件未能保存（{name}）：{why}"
PHOTO_NOT_KEPT = "第{number}张照片未能保存：{why}请重新上传这张照片。"
UPLOAD_TOO_COSTLY = "这次选择的照片合计太大，处理不过来，请把这张和后面的照片分开另传。"
SUMMARY_TOO_LONG = "工作小结请不超过{count}字。"
PROOF_MISSING = "还不能提交，还缺："
MISSING_SUMMARY = "工作小结"
INSTRUCTION_EMPTY = "请填写批示内容。"
INSTRUCTION_TOO_LONG = "批示请不超过{count}字。"
INSTRUCTION_ADDED = "批示已发送，经办人可在任务详情中查看。"
NO_REVIEW_RIGHT = "无权审核该任务。审核链接只对该任务的审核人有效，请勿转发。"
ALREADY_HANDLED = "该任务已处理（当前状态：{state}），无需再次审核。"
PICK_DECISION = "请选择“通过”或“退回”。"
REASON_TOO_SHORT = "请填写退回理由（至少{count}个字），说明需要补充或修改什么。"
APPROVED_FIRST = "初审已通过，已转县纪委监委终审。"
APPROVED_FINAL = "审核通过，任务已完成。"
RETURNED = "已退回整改，退回理由已告知经办人。"
DISMISS_REASON_TOO_SHORT = "请填写排除理由（至少{count}个字），说明为何不属于照搬照抄。"
FLAG_DISMISSED = "已排除该雷同预警，理由已记录。"
FLAG_GONE = "该雷同预警不属于本任务。"
NOT_YET_FINAL = "该任务正在初审，初审通过后再由您终审。"
WX_PHOTOS_BAD = "没有收到照片，请重新选择（一次最多9张）。"
SUPERVISION_RESPONDED = "督办回复已提交，县纪委监委和监督单位可在本页查看。"
URGED = "已催办，提醒已发送给{names}。"
URGED_NOBODY = "已记录催办，但该任务暂无可接收提醒的承办人，请联系管理员。"
URGE_UNDELIVERABLE = "{name}{why}，微信提醒无法送达，请电话联系本人。"
URGE_BY_SMS = "{name}{why}，微信提醒无法送达，已改发短信；如有急事请电话联系本人。"
DUE_EXTENDED = "截止时间已调整为{due}，预警提醒按新的时间重新计算。"
DUE_DATE_BAD = "请选择新的截止日期。"
REASSIGNED = "已改派给{name}，并已通知本人。"
REASSIGN_PICK = "请选择改派给本单位的哪位人员。"
UNLOCKED = "已解锁补报，已通知{names}。"
UNLOCKED_NOBODY = "已解锁补报，但该任务暂无可接收通知的承办人，请联系管理员。"
CARE_MODE_ON = "已开启大字模式：所有页面的字和按钮都已放大。"
CARE_MODE_OFF = "已关闭大字模式，页面恢复标准字号。"

# 任务总览 (/m/overview)
OVERVIEW_STATES = {"open": "未提交", "overdue": "已逾期", "review": "审核中"}
OVERVIEW_EMPTY = "没有符合条件的任务"

# 考核得分 (/m/score)
SCORE_NOT_YOURS = "您只能查看本单位（纪检组织还可查看所监督单位）的考核得分。"
SCORE_NO_UNIT = "未找到该单位。"
SCORE_BAD_YEAR = "年度不正确，请从“考核得分”页面重新进入。"

# 全县态势 (/m/situation)
SITUATION_REFUSED_TITLE = "无权查看"
SITUATION_REFUSED = "全县态势仅供县纪委监委审核人员和系统管理员查看。"

# 监督建议书 / 整改通知书 (handlers/mobile/notice.py).
NOTICE_ACKNOWLEDGED = "已签收，请按各项整改时限逐项回复整改情况。"
NOTICE_REPLIED = "已回复，下发单位核实后会通知您。"
NOTICE_ACCEPTED = "已核实通过该项。"
NOTICE_RETURNED = "已退回该项，被通知单位会收到退回理由。"
NOTICE_CLOSED = "已回访销账，被通知单位会收到通知。"
NOTICE_DECIDE = "请选择“核实通过”或“退回重改”。"
NOTICE_DRAFT_TITLE = "无权起草"
NOTICE_DRAFT_REFUSED = "只有纪检监察组织和县纪委监委审核人员可以起草监督建议书、整改通知书。"
NOTICE_DRAFT_SAVED = "草稿已保存。核对无误后点“下发”。"
NOTICE_ISSUED = "已下发{name}，{unit}的党组织书记和联络员已收到通知。"
NOTICE_DISCARDED = "草稿已删除（草稿没有文号，不占用编号）。"

# 政治生态指数 on the phone (handlers/mobile/eco_index.py).
ECO_REFUSED = "政治生态指数仅供县纪委监委审核人员和系统管理员查看。"
ECO_NOT_COMPUTED = "{month}的政治生态指数尚未计算。"
# 月度自查 (handlers/mobile/self_check.py).
SELF_CHECK_RISKS_REFUSED = "自查风险跟进仅向纪检监察人员和县纪委监委审核人员开放。"
RISK_FOLLOWED_UP = "已记录核实处置情况，该风险已办结。"
SELF_CHECK_BY_FORM = "月度自查请逐项填写自查表后提交。"
