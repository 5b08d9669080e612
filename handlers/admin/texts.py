"""Chinese sentences of the admin pages that are not in their templates."""

NEW_LINK = ("请在服务器上执行 flask --app app admin-link 您的姓名（或人员编号）生成新的登录链接，"
            "或请系统管理员为您生成。")
LINK_EXPIRED = "登录链接已过期或无效（链接10分钟内有效）。" + NEW_LINK
LINK_USED = "该登录链接已使用过（每个链接只能使用一次）。" + NEW_LINK
SIGN_IN_FIRST = "请使用管理后台登录链接进入。" + NEW_LINK
NOT_ADMIN = "只有系统管理员和县纪委监委审核人员可以进入管理后台。"
LEVELS_IN_USE = "推送消息、公众号回复和各页面即刻使用新的名称和颜色。"

# 得分排名, 年度考核, 评分规则, 扣分加分 (handlers/admin/scoring.py, assessment.py, deduction.py)
BAD_YEAR = "年度不正确，请填写四位年份，如2026。"
NOT_SCORED_YET = "尚有{count}项任务未到期或待审核，未计入"
GENERATED = "已生成{year}年度考核第{version}版（sha256 {sha}）。"
GENERATE_RACE = "刚刚已有人生成了新版本，请查看列表后再决定是否重新生成。"
PUBLISHED = "已发布{year}年度考核第{version}版，已通知{count}个单位的党组织书记。"
ONLY_INSPECTORS_GENERATE = "只有县纪委监委审核人员可以生成、发布年度考核，系统管理员可以查看和下载。"
ONLY_INSPECTORS_RECORD = "只有县纪委监委审核人员可以登记、撤销扣分加分，系统管理员可以查看。"
POLICY_SAVED = "已保存{year}年评分规则第{version}版，此后的得分排名按新规则计算；已生成的年度考核不变。"
DEDUCTION_SAVED = "已登记：{unit}{person}{kind}{points}分。"
DEDUCTION_REVOKED = "已撤销：{unit}{person}{kind}{points}分。"
PICK_UNIT = "请选择单位。"
PICK_PERSON = "所选人员不存在，请重新选择。"
PICK_KIND = "请选择扣分或加分。"
BAD_DAY = "日期请按“年-月-日”填写，如2026-11-30。"
DEDUCTION_GONE = "未找到该扣分加分记录。"
# 抽查核实 (handlers/admin/spot_check.py)
ONLY_INSPECTORS_SPOT_CHECK = "只有县纪委监委审核人员可以开展抽查和核实，系统管理员可以查看。"
SPOT_CHECK_DRAWN = "已开展{name}：从{population}项已完成任务中抽取{count}项，抽取结果已留痕，不能重抽。"
SPOT_CHECK_VERIFIED = "已核实“{task}”：{result}。"
SPOT_CHECK_ITEM_GONE = "未找到该抽查任务。"
TASKS_ALL = "全部任务"
TASKS_SCORED = "计分任务"
TASKS_OUTCOME = "{outcome}的任务"
TASKS_REACHED = "达到{level}的任务"
# 谁还没交 (/admin/owed)
OWED_PICK_TEMPLATE = "请选择要查看的任务清单。"
OWED_PICK_PERIOD = "请选择周期。"


def urged_all(urged: int, too_soon: int, refused: int) -> str:
    """What 全部催办 did."""
    if not (urged or too_soon or refused):
        return "没有需要催办的任务：本期任务都已提交。"
    parts = [f"已催办 {urged} 项任务"]
    if too_soon:
        parts.append(f"{too_soon} 项您5分钟内刚催办过，本次跳过")
    if refused:
        parts.append(f"{refused} 项您无权催办，未发送")
    return "；".join(parts) + "。"
# 预警天数 (the county's default ladder, /admin/levels).
LADDER_FIELD = "预警天数（依次为{steps}，截止前为负数，如 -3,1,3,5,7；留空恢复默认）"
LADDER_SAVED = "已保存全县默认预警天数：{days}。{count}项未办结任务已按新天数重新安排预警。"
# 接口令牌 (/admin/api-tokens) and 停用账号 (/admin/people).
TOKEN_STATES = {"live": "有效", "expired": "已过期", "revoked": "已吊销", "inactive": "账号已停用"}
TOKEN_GONE = "未找到该接口令牌。"
TOKEN_REVOKED = "已吊销{person}的令牌 {id}，此后使用它的请求一律被拒绝。"
TOKEN_ALREADY_REVOKED = "{person}的令牌 {id} 此前已吊销。"
DEACTIVATED = "已停用{name}的账号，其微信绑定随即解除，登录会话随即失效。"
DEACTIVATED_TOKENS = ("已停用{name}的账号，并吊销其 {count} 个接口令牌；其微信绑定随即解除，"
                      "登录会话随即失效。")
# 组织机构 (/admin/org): units, people, posts and the xlsx import.
UNIT_CREATED = "已新建单位“{name}”。"
UNIT_SAVED = "已保存单位“{name}”。"
UNIT_UNCHANGED = "单位“{name}”没有改动。"
UNIT_DEACTIVATED = "已停用单位“{name}”：它不再出现在派发、全县态势和排名中，历史记录保留。"
UNIT_REACTIVATED = "已恢复单位“{name}”。"
MERGE_PICK = "请选择要并入的单位。"
MERGED = ("已将“{unit}”并入“{into}”：{people}名人员、{tasks}项任务、{deductions}笔扣分加分、"
          "{children}个下级单位随之转入；“{unit}”已停用，历史记录保留。")
TASK_WITHDRAWN = "已撤销{unit}的任务“{title}”（{period}）。"
PERSON_CREATED = "已新增人员{name}。请为其生成绑定码，绑定微信后即可使用。"
PERSON_SAVED = "已保存{name}的信息。"
PERSON_UNCHANGED = "{name}的信息没有改动。"
PERSON_MOVED = "已将{name}从{old}调到{unit}。"
REACTIVATED = "已恢复{name}的账号。原微信绑定已解除，请为其生成新的绑定码重新绑定。"
POST_SAVED = "已保存岗位“{name}”。"
POST_REMOVED = "已删除岗位“{name}”及其风险点。"
RISK_POINT_SAVED = "已保存岗位“{post}”的风险点。"
RISK_POINT_REMOVED = "已删除岗位“{post}”的一个风险点。"
IMPORT_PICK_FILE = "请选择要导入的 .xlsx 文件。"
IMPORT_XLSX_ONLY = "只支持 .xlsx 文件，请下载模板按格式填写（Excel 中“另存为 Excel 工作簿”）。"
IMPORT_TOO_LARGE = "文件超过5MB，请分批导入。"
IMPORT_UNREADABLE = "无法读取该Excel文件，请用Excel另存为 .xlsx 后重试。"
IMPORT_EXPIRED = "预览已过期（1小时内有效）或已导入，请重新上传文件。"
IMPORTED = "导入完成：新增{new}行，修改{changed}行，{unchanged}行不变。"

# 监督建议书 / 整改通知书 (handlers/admin/notice.py).
NOTICE_SAVED = "草稿已保存。核对无误后点“下发”。"
NOTICE_ISSUED = "已下发{name}，{unit}的党组织书记和联络员已收到通知。"
NOTICE_DISCARDED = "草稿已删除（草稿没有文号，不占用编号）。"


def handed_over(reassign: int = 0, cancel: int = 0) -> str:
    """What became of a person's unfinished tasks when they moved or left."""
    parts = ([f"改派{reassign}项任务"] if reassign else []) + \
        ([f"撤销{cancel}项任务"] if cancel else [])
    return ("其未办结任务：" + "，".join(parts) + "。") if parts else ""

# 政治生态指数 (handlers/admin/eco_index.py).
ECO_COMPUTED = "已计算{month}政治生态指数（第{version}版）。"
ECO_TREE_SAVED = "已保存{year}年指标体系第{version}版，此后计算的月份按新版本计算。"
ECO_MANUAL_SAVED = "已保存{count}项录入指标。"
ECO_MANUAL_UNCHANGED = "录入值没有变化。"
ECO_NOT_COMPUTED = "{month}的政治生态指数尚未计算。"
