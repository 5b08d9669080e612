"""Every word the jobs put before a person (STYLE.md §12: words in one place per area): the
template messages' values, the SMS copy, the chat answer about a photo that could not be
kept, and the reasons an admin reads on 推送记录."""

from models.notification import NotificationKind

# What each ladder step asks of the assignee (thing4 of the warning template). The days are
# counted when the push is recorded, in Shanghai calendar days like the task page's chip: a
# template sets its own ladder days, and a step sent after downtime is later than its day.
ASK = {NotificationKind.BLUE: "已逾期{days}天，请尽快办理",
       NotificationKind.YELLOW: "已逾期{days}天，请立即办理",
       NotificationKind.RED: "已逾期{days}天，请立即办理"}
DUE_SOON, DUE_TODAY = "还有{days}天到期，请按时完成", "今天到期，请按时完成"
PAST_DUE = "已过截止时间，请尽快办理"
OTHERS_LATE = "{owner}逾期{days}天未办"
URGED = "{by}催办，请尽快办理"
UNREACHABLE = "{name}（{unit}）收不到微信，请电话告知"
UNREACHABLE_TITLE = "{name}的任务提醒"
UNDELIVERABLE_PHRASE = "无法送达"
MORE_TASKS = "等{count}项"
# A review request's task name says which review is asked for (初审 / 终审).
REVIEW_REQUEST, REVIEW_OVERDUE = "{level}：{title}", "超期待{level}：{title}"
RETURNED_VERDICT, COMPLETED_VERDICT = "退回整改", "审核通过"
RETURN_REASON, COMPLETED_DETAIL = "理由：{reason}", "任务已完成"
# 年度考核结果 published (result template): year, verdict, score and rank.
ASSESSMENT_TITLE, ASSESSMENT_PHRASE = "{year}年度考核结果", "已发布"
ASSESSMENT_DETAIL = "得分{score}，同类第{rank}名/共{among}个"
# 补报解锁 (models.lifecycle.unlock) on the result template: the verdict and what to do.
UNLOCKED_VERDICT, UNLOCKED_DETAIL = "准予补报", "填报已重新开放，请尽快补报"
# Notices (监督建议书/整改通知书): what each push about one says.
NOTICE_FOLLOW_UP_TITLE, NOTICE_REPLIED_TITLE = "回访：{name}", "待核实：{name}"
NOTICE_RETURNED_VERDICT, NOTICE_RETURNED_DETAIL = "退回重改", "{item}：{reason}"
NOTICE_CLOSED_VERDICT, NOTICE_CLOSED_DETAIL = "已销账", "整改已核实并回访，予以销账"
NOTICE_ITEM_TITLE = "{name}{item}"
NOTICE_DUE_SOON = "还有{days}天到期，请按时整改回复"
NOTICE_LATE = "已逾期{days}天，请尽快整改回复"
NOTICE_OTHERS_LATE = "{unit}逾期{days}天未回复"
# 抽查核实结果 to the unit's secretary: the task, 不实/部分属实, what follows and why.
SPOT_CHECK_DEDUCTED, SPOT_CHECK_REOPENED = "扣{points}分，", "已退回整改，"
SPOT_CHECK_DETAIL = "{deducted}{reopened}{reason}"
DIGEST_TITLE, DIGEST_ASK = "您有{count}项任务提醒", "请点击详情逐项查看"
SMS = "【清廉】{text}。请打开“清廉”公众号处理。"

# Chat: a photo the media job could not keep.
PHOTO_NOT_SAVED = "您发送的第{number}张照片未能保存：{why}请重新发送这张照片。"
UPLOAD_NOT_SAVED = "您在页面上传的第{number}张照片未能保存：{why}请重新上传这张照片。"

# Why a push or a photo went wrong, for admins (推送记录, evidence status).
NOT_BOUND = "未绑定微信或已取消关注"
CANNOT_COMPOSE = "无法生成消息：{error}"
OUTCOME_UNKNOWN = "结果未知：{error}"
CHECK_DELIVERY = "{error}，请人工核实是否已送达"
RETRIES_EXHAUSTED = "{error}（重试{count}次仍失败）"
SMS_SENT_TOO = "{error}；已改发短信"
STUCK_UNKNOWN = "发送中断且已超过10分钟，结果未知，请人工核实是否已送达"
DOWNLOAD_FAILED = "下载失败（{error}）"
UPLOAD_MISSING = "上传的照片文件已丢失。"

# The year-end assessment's workbook (jobs/assessment.py) and the rules it was scored by, as
# the admin pages and /m/score say them too.
SUMMARY_SHEET, DEDUCTIONS_SHEET = "汇总", "扣分明细"
SUMMARY_HEADER = ("排名", "单位", "类别", "应得分", "实得分", "扣分", "加分", "得分", "按时完成率")
WARNING_COUNT = "{level}次数"
UNIT_HEADER = ("任务", "承办人", "周期", "分值", "得分", "失分原因")
UNIT_DEDUCTION_HEADER = ("事由", "个人", "日期", "分值", "类型", "文号")
DEDUCTION_HEADER = ("单位", "个人", "类型", "分值", "事由", "文号", "日期", "登记人")
SPOT_CHECK_SHEET = "抽查核实"
SPOT_CHECK_HEADER = ("轮次", "抽取时间", "单位", "抽取", "属实", "部分属实", "不实", "待核实",
                     "随机种子")
NO_SPOT_CHECKS = "本年度截至统计时未开展抽查。"
SPOT_CHECK_NOTE = ("“不实”“部分属实”的扣分已计入扣分明细；统计时尚未录入的核实结果计为待核实。"
                   "任何人都可以用 flask --app app spot-check verify 轮次编号 按种子重新抽取核对。")
UNIT_SHEET_TITLE = "{title}——{unit}"
KIND_GROUP = "{kind}（{count}个单位）"
UNIT_TASK = "本单位"
NOT_SCORED = "{outcome}，未计分"
UNIT_TOTAL = "合计（计分任务{count}项）"
UNIT_DEDUCTIONS = "扣分、加分"
NO_DEDUCTIONS = "无"
UNIT_SCORE = ("得分 {score} = 100 × 实得分 {earned} ÷ 应得分 {possible} − 扣分 {deducted} + 加分 "
              "{bonus}（加分不超过{cap}分，得分不低于0）；{kind}第{rank}名（共{among}个）")
UNIT_SCORE_EMPTY = ("得分 {score}（尚无计分任务，按100分计）− 扣分 {deducted} + 加分 {bonus}；"
                    "{kind}第{rank}名（共{among}个）")
GENERATED = "第{version}版，{when}由{who}生成，数据截至{as_of}。"
LIVE = "实时得分（非正式考核结果），数据截至{as_of}。"
RULES = ("评分规则：{version}；逾期完成按达到的最高预警等级扣减该项分值：{penalties}；周期结束后"
         "宽限{grace}天仍未完成的得0分；补报的任务{unlocked}；加分上限{cap}分。")
RULES_DEFAULT, RULES_VERSION, RULES_CARRIED = "默认规则", "第{version}版", "沿用{year}年第{version}版"
PENALTY = "{level}{percent}%"
FORMULA = ("单位得分 = 100 × 实得分 ÷ 应得分 − 扣分 + 加分，在同类单位中排名；得分相同时依次比较"
           "按时完成率、{supervision}次数、{red}次数、扣分。")
FOOTER = "第 &[Page] 页，共 &N 页"
SELF_CHECK_RISK_TITLE = "自查报告风险：{description}"
