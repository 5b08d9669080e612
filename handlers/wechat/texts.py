"""Every Chinese chat reply, as named constants the tests import."""

WELCOME = (
    "欢迎关注清廉公众号！\n"
    "本号承载“两个责任”履责纪实：查看任务、上报材料、接收预警提醒。\n"
    "首次使用请绑定账号：发送“绑定+6位绑定码”，例如：绑定 123456（绑定码向单位管理员索取），"
    "或用微信扫描管理员提供的绑定二维码。"
)
BIND_INSTRUCTIONS = (
    "您的微信尚未绑定干部账号，暂时无法使用此功能。\n"
    "请发送“绑定+6位绑定码”，例如：绑定 123456。绑定码向单位管理员索取，7天内有效。"
)
ACCOUNT_DEACTIVATED = ("您的账号已停用，暂时无法使用此功能。如有疑问请联系单位管理员；"
                       "账号恢复后，请向管理员索取新的绑定码重新绑定。")
BIND_FORMAT = "请发送“绑定”加6位数字绑定码，例如：绑定 123456"
BIND_OK = "绑定成功！您好，{name}（{unit}，{role}）。\n发送“帮助”查看可用功能。"
BIND_WRONG = "绑定码不正确，请核对后重新发送（1小时内还可尝试{left}次）。"
BIND_LOCKED = "绑定码错误次数过多，为保护账号安全，请{minutes}分钟后再试，或联系管理员。"
WELCOME_BACK = "欢迎回来，{name}！发送“帮助”查看可用功能。"
HELP = (
    "可用命令：\n"
    "· 待办 —— 查看我的待办任务（带序号）\n"
    "· 签收 1 —— 签收第1项任务\n"
    "· 上报 1 —— 为第1项任务上报材料：之后发送的文字是工作小结，照片是影像资料，"
    "发“提交”完成上报，发“取消”暂存\n"
    "· 删除 2 —— 上报时删除第2项材料（退回后重新上报时，上次的材料会保留）\n"
    "· 督办回复 1 办理情况 —— 书面回复第1项任务的工作督办（只有一项督办时可不写序号）\n"
    "· 整改通知 —— 查看本单位待整改的监督建议书、整改通知书（整改要求带序号）\n"
    "· 整改回复 1 整改情况 —— 回复第1项整改要求，之后发送的照片作为佐证\n"
    "· 自查 —— 逐项填写本月廉政风险点自查（回复“取消”退出）\n"
    "· 我的 —— 查看我的姓名、单位和角色\n"
    "· 帮助 —— 显示本说明\n"
    "也可以点击下方菜单“我的履责”“审核督查”“我的”。"
)
ME = "姓名：{name}\n单位：{unit}\n角色：{role}{title}"
CARE_MODE_LINK = '\n大字模式：{state}，<a href="{url}">{action}</a>'
CARE_MODE_STATES = {True: ("已开启", "点此关闭"), False: ("未开启", "点此开启（字更大、按钮更大）")}
UNKNOWN_COMMAND = "没有看懂您的消息。\n" + HELP
UNSUPPORTED = "暂不支持此类消息。请发送文字命令，例如“帮助”，或点击下方菜单。"
COUNT = "您当前有{label} {count} 项。"
WORKBENCH_LINK = '\n<a href="{url}">打开个人工作台查看详情</a>'
TASKS_HEADER = "您的待办任务（共{count}项）："
TASKS_MORE = "……还有{count}项，请在个人工作台查看。"
TASKS_HINT = "回复“签收 序号”签收任务，例如：签收 1"
# {name}: the supervision level's name in this county (models.level_scheme).
TASKS_SUPERVISION_HINT = "标有“{name}”的任务须书面回复：发送“督办回复 序号 办理情况”"
NO_TASKS = "您目前没有待办任务。"
NEED_NUMBER = "请在“{verb}”后面加上任务序号，例如：{verb} 1（序号见“待办”列表）"
TASK_NOT_FOUND = "未找到该任务，请先发送“待办”查看任务序号。"
LIST_GONE = "您看到的任务列表已过期（或还没有查看过），为免办错任务，请按下面的最新列表重新回复序号。"
TASK_LEFT_LIST = "第{number}项“{title}”已不在您的待办中（{state}）。最新待办如下，请按新序号回复。"
ACKNOWLEDGED = "已签收：{title}\n截止时间：{due}\n完成后请及时上报材料。"
ALREADY_ACKNOWLEDGED = "“{title}”当前状态为“{state}”，无需再次签收。"
REPORT_OPENED = "开始上报：{title}\n需要：{needs}"
REPORT_HOW = "请直接发送文字和照片，全部发完后回复“提交”；回复“取消”可暂存稍后再报。"
PENDING_ATTACHED = "已附上您之前发送的{count}张照片。"
KEPT = "已保留上次的{what}，可直接提交，或补充/删除："
KEPT_INCOMPLETE = "已保留上次的{what}，还需补充：{missing}。现有材料："
DRAFT_READY = "已有{what}，材料已齐，可直接提交，或补充/删除："
DRAFT_INCOMPLETE = "已有{what}，还需补充：{missing}。现有材料："
EARLIER = "（上次）"
SUMMARY_ITEM = "小结：{text}"
PHOTO_ITEM = "照片{number}"
REMOVE_HINT = "删除某项请回复“删除 序号”，例如：删除 {example}"
REMOVED = "已删除第{number}项（{item}）。"
NOTHING_LEFT = "本次上报暂无材料，还需：{missing}。"
NOTHING_TO_REMOVE = "本次上报还没有材料，无需删除。"
ITEMS_GONE = "材料列表已变化，为免删错，请按下面的最新序号回复“删除 序号”。"
ITEM_NOT_FOUND = "没有第{number}项材料，请按下面的序号回复“删除 序号”。"
NOT_REPORTABLE = "“{title}”当前状态为“{state}”，不能上报。"
INPUT_CLOSED = ("“{title}”的填报已于{at}截止关闭，不能再上报材料。\n"
                "如需补报，请联系县纪委监委审核人员解锁，解锁后会通知您。")
NOT_ASSIGNEE = ("“{title}”已改派他人承办，您的上报已结束，刚才发送的材料没有加入该任务。\n"
                "如有疑问，请联系县纪委监委审核人员。")
SUMMARY_RECEIVED = "已收到第{number}段工作小结。继续发送，或回复“提交”。"
PHOTO_RECEIVED = "已收到第{number}张照片。继续发送，或回复“提交”。"
NO_SESSION = "您还没有开始上报。请先发送“上报 序号”，例如：上报 1"
PROOF_MISSING = "还不能提交，缺少：\n{missing}"
MISSING_SUMMARY = "工作小结（直接发送文字即可）"
SUBMITTED = "已提交：{title}\n{next}，结果会通过公众号通知您。"
REPORT_CANCELLED = "已暂停上报，已发送的材料已保存。需要时发送“上报 序号”继续。"
PHOTO_KEPT = ("已收到照片，请回复“上报 序号”选择任务，照片会一并上报（24小时内有效）：\n"
              "{tasks}")
PHOTO_KEPT_NO_TASK = ("已收到照片，但您目前没有需要上报的任务。照片保留24小时，"
                      "期间有新任务时发送“上报 序号”即可一并上报。")
DEFERRED = "已收到您的消息，系统正忙，稍后为您处理并回复。"
SERVER_ERROR = "系统暂时繁忙，请稍后再试。"
SUPERVISION_RESPONDED = "已提交督办回复：{title}\n县纪委监委和监督单位可在任务详情中查看您的回复。"
SUPERVISION_FORMAT = "格式：督办回复 序号 办理情况，例如：督办回复 1 已于12月5日召开专题会议，问题已整改到位。"
NO_OPEN_SUPERVISION = "您目前没有需要回复的工作督办。"
SUPERVISION_WHICH = ("您有{count}项工作督办待回复，请先发送“待办”查看序号，"
                     "再发送“督办回复 序号 办理情况”。")

# The menu's 预警提醒 / 督办事项 / 待我审核 (handlers/wechat/menu.py)
MENU_LINK = '\n<a href="{url}">{label}</a>'
MENU_OWN_HEADER = "您本人{label}（{count}项，序号同“待办”）："
MENU_OWN_NONE = "您本人暂无{label}。"
MENU_SCOPE_HEADER = "{scope}{label}（共{count}项）："
MENU_SCOPE_NONE = "{scope}暂无{label}。"
MENU_MORE = "……另有{count}项，请点击下方链接查看。"
MENU_REVIEWS_HEADER = "待您审核的任务（共{count}项）："
MENU_NO_REVIEWS = "暂无待您审核的任务。"

# 监督建议书 / 整改通知书 in chat (handlers/wechat/notice.py).
NOTICES_HEADER = "待您整改回复的要求（共{count}项）："
NOTICE_LINE = "{number}. {name}{item}：{requirement}\n   {due}前·{state}"
NOTICE_RETURNED_WHY = "\n   退回理由：{reason}"
NOTICES_HINT = "回复“整改回复 序号 整改情况”，例如：整改回复 1 已补齐会议记录……；之后发送的照片作为该项佐证。"
NO_NOTICES = "您目前没有待整改回复的监督建议书、整改通知书。"
ISSUER_HEADER = "待您单位核实或回访的文书（共{count}份）："
ISSUER_LINE = "· {name}（{unit}）：{what}"
ISSUER_VERIFY, ISSUER_FOLLOW_UP = "{count}项待核实", "回访日期{day}"
NOTICE_PAGE_LINK = '\n<a href="{url}">打开整改通知查看详情</a>'
NOTICE_NEED_NUMBER = "请在“整改回复”后面加上序号和整改情况，例如：整改回复 1 已补齐会议记录（序号见“整改通知”）"
NOTICE_LIST_GONE = "您看到的整改要求列表已过期（或还没有查看过），请按下面的最新列表重新回复序号。"
NOTICE_ITEM_LEFT = "第{number}项已不需要回复（{state}）。最新列表如下，请按新序号回复。"
NOTICE_REPLIED = "已回复{name}{item}。\n可继续发送照片作为佐证（30分钟内），下发单位核实后会通知您。"
NOTICE_PHOTO_RECEIVED = "已收到{item}的第{number}张佐证照片。"

# 月度自查 in chat (handlers/wechat/self_check.py).
NO_SELF_CHECK = "您当前没有待填写的月度自查。"
SELF_CHECK_STARTED = ("开始填写：{title}（{period}），共{count}个廉政风险点，逐项回复即可。"
                      "随时回复“取消”退出，已填内容不提交。")
SELF_CHECK_NO_POINTS = "您的岗位暂未设置廉政风险点，只需填写自查小结。"
SELF_CHECK_OCCURRED = ("第{number}/{count}项 【{post}】{description}（风险等级：{level}）\n"
                       "是否发生风险？回复 是 或 否")
SELF_CHECK_MEASURES = "第{number}/{count}项 防控措施落实情况？请直接回复文字。"
SELF_CHECK_SUMMARY = "请回复本月自查小结（至少{min}个字）。"
SELF_CHECK_REVIEW = "请核对您的自查：\n{lines}\n小结：{summary}\n回复 确认 提交，回复 取消 放弃。"
SELF_CHECK_LINE = "{number}. {description}：{occurred}；{measures}"
OCCURRED_WORDS = {True: "发生风险", False: "未发生"}
SELF_CHECK_YES_NO = "请回复 是 或 否（第{number}项：{description}）。回复“取消”可退出自查。"
SELF_CHECK_TOO_SHORT = "请写明防控措施落实情况（至少{min}个字）。回复“取消”可退出自查。"
SELF_CHECK_TOO_LONG = "内容太长了，请控制在{max}个字以内。"
SELF_CHECK_SUMMARY_SHORT = "小结太短了，请写明本月自查情况（至少{min}个字）。"
SELF_CHECK_CONFIRM = "请回复 确认 提交自查，或回复 取消 放弃。"
SELF_CHECK_SUBMITTED = "已提交：{title}（{period}），{next}。"
SELF_CHECK_RISKS_SENT = "您报告的{count}项风险已推送监督单位跟进。"
SELF_CHECK_FAILED = "{reason}\n本次自查未提交，请回复“自查”重新开始。"
SELF_CHECK_CANCELLED = "已退出自查，填写内容未提交。需要时回复“自查”重新开始。"
SELF_CHECK_BY_VERB = "“{title}”是月度自查，请回复“自查”逐项填写，或在任务页面点“填写自查”。"
