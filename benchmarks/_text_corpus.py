"""A labelled corpus of 党风廉政 work summaries for the copied-summary detector (issue 13).

A county's archive, not a handful of sentences: a generated county (`County`) of towns and
streets with their villages and communities, and county departments with their offices and
subordinate bodies; each unit has its own people (secretaries, a discipline inspector, team
members), its own projects and its own sites. A summary is written for one task template by
one unit: a title, an opening, 4-9 sentences and sometimes a closing, drawn from 104
sentence shapes in the style of real work summaries (the seeds at /work/shared/seeds/ and
county 党风廉政 reports), each shape with alternative wordings (`[a|b]`) and slots filled from
the unit's facts (its villages, projects, people) and from larger vocabularies shared by the
county (topics, materials, actions, findings built from a subject and a problem, measures).

Why this shape. The first corpus had 24 sentence shapes with small slot vocabularies: at
archive scale (200,000 stored) almost every new "distinct" summary had a stored one sharing
most of its wording, so the index's false flags measured the generator. Real summaries share
short stock phrases (which the learned common set masks) and the facts of their own unit, but
two independently written summaries seldom share a run of whole sentences. So here a sentence
shares its frame with many others, its facts only with its own unit's summaries, and two
units' summaries share only the county-wide wording. The hard negatives stay hard and are
measured on their own: distinct summaries of the same template (its title and requirements
quoted, its template's typical sentence shapes preferred), of the same unit (its people,
villages and projects recur), and distinct paragraphs of one report (same template, unit,
people and date).

Copies are made from a source summary with the edits people make to an old summary (EDITS).
Everything is drawn from a `random.Random(seed)`: the same seed gives the same corpus.
"""

import random
import re
from dataclasses import dataclass

PLACE_FIRST = ("青山", "白水", "城关", "河口", "柳林", "石门", "龙泉", "新华", "东坝", "南岭",
               "桃源", "双河", "马鞍", "清溪", "黄土", "杨柳", "金竹", "凤凰", "太平", "安乐",
               "长岭", "大石", "五里", "回龙", "高桥", "铁炉", "红岩", "梅子", "沙坪", "观音")
TOWN_KINDS = ("镇", "镇", "镇", "乡", "街道")
DEPARTMENTS = (
    "县财政局", "县教育局", "县自然资源局", "县卫生健康局", "县交通运输局", "县农业农村局",
    "县住房和城乡建设局", "县市场监督管理局", "县人力资源和社会保障局", "县民政局", "县水利局",
    "县文化和旅游局", "县医疗保障局", "县审计局", "县统计局", "县公安局", "县司法局", "县税务局",
    "县供销社", "县人民医院", "县中医院", "县林业局", "县生态环境局", "县应急管理局", "县商务局",
    "县发展和改革局", "县退役军人事务局", "县乡村振兴局", "县城市管理局", "县行政审批局",
    "县机关事务管理局", "县经济和信息化局", "县科学技术局", "县档案局", "县信访局", "县粮食局",
)
VILLAGE_FIRST = "石柳桃杨李王张枫竹松梅杏荷兰桂槐榆柏青白红黄金银铜铁新老上下东西南北前后大小高"
VILLAGE_SECOND = "湾坪岭桥口沟坝塘冲岗埠庄寨堡田溪河山林园湖洲店铺垭坡台营"
OFFICES = ("办公室", "财务股", "人事股", "审批股", "法规股", "计划股", "监督股", "综合股",
           "执法大队", "项目办", "信息中心", "服务中心", "稽查大队", "后勤服务中心", "档案室")
TOWN_OFFICES = ("党政办", "财政所", "农业服务中心", "便民服务中心", "社会事务办", "规划建设办",
                "综治中心", "林业站", "水利站", "经济发展办")
VILLAGE_PROJECTS = ("村道硬化工程", "饮水安全巩固提升工程", "高标准农田建设项目",
                    "人居环境整治项目", "光伏发电项目", "村集体经济合作社", "危房改造项目",
                    "河道清淤工程",
                    "文化广场建设项目", "产业路建设项目", "茶叶基地建设项目", "山塘整治工程")
DEPARTMENT_PROJECTS = ("办公楼维修改造项目", "信息化平台建设项目", "专项资金分配", "物资集中采购",
                       "老旧小区改造项目", "学校食堂配送服务", "公路养护工程", "医疗设备采购",
                       "农村供水保障工程", "专项债券项目", "安置房建设项目", "污水管网建设工程")
SITES = ("党委会议室", "三楼会议室", "党员活动室", "廉政教育基地", "新时代文明实践站",
         "党群服务中心", "机关会议室", "二楼会议室", "职工之家", "廉政文化室")
COUNTY_SITES = ("县警示教育中心", "县廉政教育基地", "县看守所", "县法院庭审现场", "红色教育基地",
                "县档案馆廉洁文化展厅", "县委党校")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许"
            "韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏")
GIVEN = "建国军华明伟强平刚杰涛超勇艳敏静丽芳娟霞红玲桂英秀兰海波鹏飞云峰宇浩然志远春燕德文武永"

TOPICS = (
    "违规收送礼品礼金", "违规吃喝", "公车私用", "酒驾醉驾", "违规操办婚丧喜庆事宜", "侵害群众利益",
    "惠民惠农资金管理", "工程项目招投标", "“三资”管理", "低保评定", "形式主义官僚主义",
    "基层微腐败", "“四风”问题", "违规兼职取酬", "落实“三重一大”制度", "违规发放津贴补贴",
    "超标准公务接待", "优亲厚友", "吃拿卡要", "违规借用管理服务对象车辆", "违规插手工程项目",
    "收受电子红包", "违规经商办企业", "高频次“打卡式”调研", "文山会海", "乡村振兴资金使用",
    "医保基金使用", "耕地保护", "校外培训", "食品药品安全监管", "安全生产监管", "涉农补贴发放",
    "村级工程项目", "集体资产资源处置", "政府采购", "公款旅游", "违规使用公务加油卡",
    "“一卡通”管理",
    "困难群众救助", "农村危房改造",
)
MATERIALS = ("《中国共产党纪律处分条例》", "《中国共产党廉洁自律准则》",
             "《关于新形势下党内政治生活的若干准则》", "《中国共产党党内监督条例》",
             "典型案例通报", "省纪委监委通报的典型问题", "中央八项规定及其实施细则精神",
             "《中国共产党问责条例》", "《中华人民共和国监察法》",
             "《中华人民共和国公职人员政务处分法》",
             "《党委（党组）落实全面从严治党主体责任规定》", "县纪委全会精神", "上级纪委的通报",
             "《中国共产党农村基层组织工作条例》", "《事业单位工作人员处分规定》",
             "违反中央八项规定精神典型问题的通报", "《习近平关于党风廉政建设和反腐败斗争论述摘编》")
FILMS = ("《镜鉴》", "《零容忍》", "《持续发力 纵深推进》", "《警钟》", "《迷途》", "《蜕变》",
         "《反腐为了人民》", "《贪欲之祸》", "《初心之问》", "《忏悔录》")
FEEDBACK = ("县委第一巡察组", "县委第二巡察组", "县委第三巡察组", "县审计局", "县纪委监委",
            "县委督查室", "上级检查组", "县委巡察办", "县财政局专项检查组")
LESSONS = ("守纪律讲规矩", "知敬畏存戒惧守底线", "从严治党永远在路上", "廉洁从政从我做起",
           "筑牢拒腐防变思想防线", "算好廉政七笔账", "扣好廉洁从政第一粒扣子", "以案为鉴警钟长鸣",
           "家风正则政风清", "严守纪律红线", "做忠诚干净担当的干部")
VERBS = ("开展", "组织", "建立", "落实", "推行", "实行", "完善", "深化", "健全")
OBJECTS = ("廉政谈话", "问题清单", "整改台账", "责任清单", "廉政承诺", "廉洁提醒", "专项检查",
           "交叉检查", "回头看", "廉政家访", "警示教育", "纪律教育", "谈心谈话", "廉政档案",
           "风险排查", "财务审计", "项目公示", "民主评议", "述责述廉", "约谈提醒", "跟踪督办",
           "明察暗访", "督导检查", "问题销号", "廉政测试", "岗位轮换", "集体研究")
SUBJECTS = ("部分村干部", "个别股室", "村务监督委员会", "个别站所", "财务人员", "项目业主单位",
            "个别党员干部", "部分村（社区）", "施工单位", "个别班子成员", "报账员",
            "个别窗口工作人员",
            "村级报账员", "驻村工作队", "个别经办人员")
PROBLEMS = ("未按规定公开财务收支", "报销手续不全", "台账记录不完整", "超标准列支费用",
            "未经集体研究决定", "公示时间不足", "工程变更未报批", "补贴发放不及时",
            "白条入账", "合同管理不规范", "资金拨付滞后", "档案资料缺失", "会议记录不规范",
            "公务接待无公函", "车辆使用登记不全", "监督流于形式", "整改不彻底", "履职不到位",
            "资产登记不全", "票据管理混乱", "违规发放劳务费", "工作作风不实", "推诿扯皮",
            "群众诉求回应不及时", "项目验收走过场", "政策宣传不到位", "民主决策程序不规范",
            "未严格执行审批程序", "现金管理不规范", "往来款长期挂账")
MEASURES = ("警示教育", "监督检查", "专项整治", "制度建设", "廉洁文化建设", "作风建设",
            "风险防控", "基层监督", "问题整改", "日常监督", "政治监督", "纠治“四风”", "谈心谈话",
            "纪律教育", "“三务”公开", "跟踪问效")
HOLIDAYS = ("元旦", "春节", "清明", "五一", "端午", "中秋", "国庆", "元旦春节", "中秋国庆")
VENUES = ("农家乐", "宾馆酒店", "烟酒店", "商超", "停车场", "茶楼", "KTV等娱乐场所", "特产店")

# Task templates: the title and requirements every summary of it is written against, and the
# kinds of sentence (SHAPES) a summary of it mostly uses.
TEMPLATES = (
    ("召开党风廉政建设专题会议", "每季度至少召开一次党风廉政建设专题会议，"
     "研究部署党风廉政建设工作，形成会议纪要，上报工作小结和会议照片。", ("meeting", "duty")),
    ("开展廉政警示教育活动", "组织党员干部观看警示教育片、参观廉政教育基地，开展以案促改，"
     "上报活动小结和现场照片。", ("warning", "study")),
    ("班子成员“一岗双责”履职报告", "班子成员报告履行“一岗双责”情况，对分管领域廉政风险防控、"
     "监督检查和问题整改情况作出说明。", ("duty", "risk", "talk")),
    ("落实中央八项规定精神自查", "对照中央八项规定及其实施细则精神开展自查，"
     "列出问题清单，明确整改措施。", ("inspection", "rectify", "holiday")),
    ("节假日廉洁提醒", "节前开展廉洁提醒，节中开展监督检查，节后通报检查情况。", ("holiday",)),
    ("廉政风险点排查", "围绕岗位职责排查廉政风险点，评定风险等级，制定防控措施。",
     ("risk", "system")),
    ("开展谈心谈话", "党组织书记与班子成员、班子成员与分管科室负责人开展谈心谈话，做好谈话记录。",
     ("talk",)),
    ("群众身边不正之风专项整治", "聚焦群众反映强烈的突出问题开展专项整治，建立台账，按期销号。",
     ("special", "grassroots")),
    ("村级“三务”公开监督检查", "督促村（社区）按时公开党务、村务、财务，"
     "对公开内容和程序开展监督检查。",
     ("grassroots", "inspection")),
    ("惠民惠农资金专项监督", "对惠民惠农补贴资金的申报、审核、发放开展专项监督，发现问题及时整改。",
     ("special", "grassroots", "rectify")),
    ("廉洁文化建设", "推进廉洁文化进机关、进村居、进家庭，开展廉洁文化活动，上报活动情况。",
     ("culture", "study")),
    ("巡察反馈问题整改", "对照巡察反馈问题逐条制定整改措施，明确责任人和整改时限，"
     "按期报送整改进展。",
     ("rectify", "system")),
    ("工程建设项目廉政监督", "对工程建设项目的招投标、施工、验收和资金拨付开展廉政监督，"
     "防范廉政风险。",
     ("grassroots", "risk", "inspection")),
    ("纠治“四风”月度报告", "报告本月纠治“四风”工作开展情况、发现的问题及处理情况。",
     ("holiday", "inspection", "cases")),
    ("落实全面从严治党主体责任情况报告", "报告年度落实全面从严治党主体责任情况，"
     "分析存在的问题，提出下一步工作打算。", ("duty", "meeting", "problems")),
    ("党纪学习教育", "组织党员干部学习党纪法规，开展警示教育和专题研讨，上报学习教育开展情况。",
     ("study", "warning", "cases")),
)

# Sentence shapes by kind. [a|b] is one of the alternative wordings ([a|] may leave it out);
# slots: {u} the unit, {p} its secretary, {q} its discipline inspector, {r}/{o} team members,
# {v}/{w} its villages or offices, {j} one of its projects, {e} a site, {d} a date, {h} a
# holiday, {n}/{m} counts, {y} an amount, {c} a percentage, {t} a topic, {k} a material, {z}
# a film, {g} who gave feedback, {l} a lesson's title, {a}/{b} actions, {f}/{i} findings, {s}
# a kind of work, {x} a venue.
SHAPES = {
    "meeting": (
        ("{d}，{u}[党委|党组|领导班子]召开[党风廉政建设专题会议|专题推进会|专题工作会]，"
         "{p}主持会议[并讲话|]，班子成员及{v}等负责人共{n}人参加"),
        ("会议传达学习了[上级|县纪委监委|县委]关于{t}的[部署要求|文件精神|通报]，"
         "研究[部署|安排]了下阶段{s}工作"),
        ("{p}[强调|指出|要求]，[各股室|各村（社区）|各站所|各部门]要{a}，"
         "[切实|坚决]把{t}[抓在手上|摆上重要位置|作为重点]"),
        ("会议[逐项|逐条]听取了{r}、{o}[关于|对]分管领域{t}[情况|工作]的汇报，"
         "就{f}等问题提出[整改要求|具体安排]"),
        "会后，[党政办|办公室]印发会议纪要，[将|把]{n}项[任务|工作]分解到{r}等{m}名班子成员",
        ("[今年以来|本季度|上半年]，{u}已召开专题会议{n}次，"
         "研究[解决|部署]{t}等[具体|重点]问题{m}个"),
        "[会上|会议上]，{q}通报了{v}{f}的[情况|问题]，[并|]对{w}的整改[进度|情况]进行了[点评|通报]",
        "[会议|此次会议]还[专题|]研究了{j}的[推进|管理]工作，[明确|要求]{r}[牵头负责|跟踪督办]",
    ),
    "study": (
        ("{u}[把|将]{k}[纳入|列入][理论学习中心组|“三会一课”|支部主题党日]学习内容，"
         "[全年|今年以来]集中学习{n}次"),
        ("结合{k}学习，{u}开展[专题研讨|交流研讨]{n}次，"
         "{r}、{o}等{m}名同志[作交流发言|作了交流发言]"),
        "[组织|举办]党纪学习教育[读书班|专题培训班]{n}期，[参学|参训]党员干部{m}人次",
        ("{p}以“{l}”为题[讲授|讲]廉政党课，[结合|联系]{v}[的实际|近年来的情况]，"
         "[剖析|分析]了{t}的[危害|表现形式]"),
        ("[利用|依托]“学习强国”、[廉政微信群|单位工作群]等[平台|载体][推送|转发]廉洁[提醒|学习]内容"
         "{n}条"),
        "[组织|开展][党纪法规知识测试|廉政知识答题|应知应会测试]{n}次，参测{m}人[次|]",
        "{o}[带领|组织]{w}[全体党员|党员干部][逐章逐条|原原本本]学习{k}，[撰写|形成]学习笔记{n}篇",
        "[邀请|请]县纪委[干部|同志]到{u}[作|开展]{k}专题辅导，[参加|聆听]辅导的干部{n}人",
    ),
    "warning": (
        ("{d}，{u}组织{n}名党员干部[到|赴]{e}[参观学习|接受警示教育]，"
         "[现场|集中]观看了警示教育片{z}"),
        ("[通报|学习]了[本县|我县|全县]近年来查处的{t}典型案例{n}起，"
         "[以身边事教育身边人|用身边事警醒身边人]"),
        ("[组织|要求]{m}名[新提任|重点岗位]干部[撰写|提交]心得体会，"
         "[开展|进行]“[以案说纪|以案说法|以案明纪]”[讨论|交流]"),
        ("针对{v}[发生|出现]的{f}[问题|案例]，[召开|组织]以案促改[专题会|警示教育会]，"
         "[举一反三|对照检查][查找|梳理]问题{n}个"),
        ("[组织|邀请]干部职工家属{n}人[参加|参与]“[廉洁家访|家庭助廉|廉内助]”[活动|座谈会]，"
         "[签订|发放]家庭助廉承诺书{m}份"),
        ("{q}[结合|围绕]{v}的{t}问题[讲|上]了一堂警示教育课，"
         "[点名道姓|逐一]通报了{n}起[违纪|违规]问题"),
        ("[组织|安排]{r}等{n}名[科级干部|中层干部|重点岗位人员]旁听[职务犯罪|腐败案件]庭审，"
         "[现场|]接受警示教育"),
        ("{u}[编印|制作]《[身边的警示|以案为鉴|警钟长鸣]》[案例汇编|警示读本]{n}册，"
         "发放到{v}等[各村|各股室|各站所]"),
    ),
    "talk": (
        "{q}与[分管|联系]{v}的{r}[逐一|开展]谈话{n}人次，提醒在{t}方面守住底线",
        "{p}与班子成员[开展|进行]“一对一”谈心谈话{n}[人次|次]，[指出|点出]{f}等[问题|苗头性问题]",
        "对[新提任|新任职|调整岗位]的{n}名干部开展任前廉政谈话，[提醒|要求][其|他们]把好“第一关”",
        "[针对|对]群众反映的{v}{f}问题，{q}[约谈|提醒谈话]了[相关|有关]负责人{n}人",
        "谈话[内容|情况][逐一|全部]记入[廉政档案|谈话记录本]，[建立|形成]谈话台账{n}份",
        ("{r}与{v}、{w}的负责人[逐一|分别]谈心谈话，"
         "[了解|掌握]{j}[推进|实施]中的[廉政风险|思想动态]"),
        "[在|围绕]{t}[等方面|方面]，{o}对{w}负责人[开展|进行]了[提醒谈话|约谈]，[督促|要求]{a}",
    ),
    "inspection": (
        ("{d}，{q}带队[深入|到]{v}等{n}个[村（社区）|站所|股室]开展[明察暗访|督导检查|监督检查]，"
         "现场交办问题{m}个"),
        ("[聚焦|围绕]{t}，{u}[采取|通过][随机抽查|“四不两直”|交叉检查]等方式，"
         "[检查|抽查]{j}等项目{n}个"),
        "[检查|抽查]中发现{f}、{i}等问题{n}个，已[当场|现场]整改{m}个",
        ("对{j}[资金拨付|合同签订|竣工验收]情况开展专项检查，"
         "[查阅|调阅][凭证|台账|资料]{n}[份|本|册]"),
        "[节前|近期]，{u}对{v}[公车使用|值班值守|公务接待]情况开展[突击|随机]检查{n}次",
        "[下发|发出][提醒函|督办单|整改通知书]{n}份，[督促|要求]{w}等[限期|按期]整改",
        ("{r}[带领|率]{w}[工作人员|人员]对{v}的{t}情况[开展|进行]了[专项|]督查，"
         "[形成|撰写]督查报告{n}份"),
        "[通过|采取][查阅资料|实地查看|个别谈话]等方式，[重点|着重]检查了{v}{t}[情况|问题]",
    ),
    "risk": (
        "[围绕|紧扣][岗位职责|权力运行][排查|查找]廉政风险点{n}个，其中[高风险|一级风险]{m}个",
        "针对排查出的{n}个风险点，{u}{a}，逐项制定防控措施{m}条",
        "对{j}[招投标|物资采购|资金拨付]等关键环节，[绘制|梳理]权力运行流程图{n}张",
        "在{v}[推行|实行][“三重一大”集体决策|财务联审|村账乡代管]制度，[规范|约束]{t}[行为|]",
        ("[将|把]风险防控[措施|责任]落实到{r}等{n}名[岗位人员|责任人]，"
         "[签订|递交]廉政风险防控承诺书{m}份"),
        "{w}[围绕|针对]{t}[梳理|查找]出[岗位|个人]风险点{n}个，[经|由]{o}[审核|把关]后[公示|上墙]",
        "[对|针对]{j}[存在的|中的]{f}风险，[建立|落实]{a}[机制|制度]，[实行|做到]动态[管理|监控]",
    ),
    "holiday": (
        ("{h}前夕，{u}[向|给]全体干部[发送|推送]廉洁提醒短信{n}条，"
         "[重申|强调]节日期间“[十不准|八不准|六个严禁]”"),
        "{h}期间，[组织|安排]{n}个检查组对{v}等开展[明察暗访|监督检查]，[重点|着重]检查{t}等问题",
        ("对[县城|集镇]{x}、[停车场|餐饮场所]等[场所|地点]开展[蹲点|暗访]检查{n}次[，"
         "未发现违规问题|]"),
        ("[节后|检查结束后]，[对|就]检查[发现|出]的{f}问题[进行了|作了]通报，"
         "[对|给予]{n}名[责任人|相关人员][诫勉谈话|批评教育]"),
        ("{h}[前|前夕]，{q}[组织|召开]{v}等[单位|部门]负责人[开展|进行]集体廉政谈话，"
         "[提醒|要求]过一个[廉洁|清廉]节日"),
        ("[在|通过]{u}[微信公众号|电子屏|宣传栏][发布|推送]{h}廉洁[倡议书|提醒]，"
         "[公布|设立]举报电话"),
    ),
    "rectify": (
        ("[对照|针对]{g}反馈的{n}个问题，{u}[建立|制定][问题|任务|责任]清单，"
         "[明确|落实]整改[时限|责任人]"),
        "目前已[完成整改|整改到位]{n}个，[正在整改|持续推进]{m}个，[建立完善|新建]制度{n}项",
        "[对|就]{f}[问题|情况]，[责令|要求]{v}[退回|清退][违规|多领][资金|补贴]{y}万元",
        "[坚持|实行]“[清单化|台账式]”管理，[整改|销号]一项、[销号|办结]一项，[目前|现已]销号{n}项",
        "[开展|组织]整改“回头看”{n}次，对{j}等[项目|事项][逐一|再次][核查|复核]",
        "{r}[牵头|负责]{v}{f}问题的整改，[已|现已][追回|挽回]资金{y}万元",
        "[针对|对]{g}指出的{t}问题，{w}[制定|细化]整改措施{n}条，[整改|完成]情况[已|]在{e}公示",
    ),
    "special": (
        "{u}[聚焦|围绕]{t}，{a}，共[发现|查找]问题{n}个，已整改{m}个",
        "[针对|围绕]群众反映强烈的{f}问题，{u}[开展|组织][专项整治|集中整治]，[回访|走访]群众{n}户",
        ("对{v}等[村（社区）|地方]的低保、[特困|临时救助]对象开展[入户|逐户]核查，"
         "[清退|取消]不符合条件对象{n}户"),
        ("[对|就]{j}[中|][的|]群众[投诉|反映|信访]{n}件，[逐件|全部][核实|办理]，"
         "[办结率|满意率]达到{c}"),
        ("[建立|完善]专项整治台账，[实行|推行]“[周调度|月通报|季督查]”[机制|制度]，"
         "[推动|确保]{t}问题整改到位"),
        "{q}[带队|牵头]对{v}{t}[问题|情况][开展|进行][蹲点|专项]调研，[梳理|形成]问题清单{n}条",
        "在{v}[召开|组织][群众座谈会|院坝会|坝坝会]{n}场，[收集|听取]群众对{t}的意见建议{m}条",
    ),
    "system": (
        "对照{k}，{u}梳理出制度漏洞{n}处，新建完善[制度|规章制度]{m}项",
        ("[修订|制定|完善]了《{u}[公务接待管理办法|财务管理制度|公车管理规定|“三重一大”事项议事规则"
         "]》[等制度|]"),
        "[推行|实行]{v}[权力|小微权力]清单制度，[梳理|明确]权力事项{n}项",
        "[建立|健全][廉政档案|干部廉政档案]{n}份，[实行|做到][一人一档|动态更新]",
        "[制定|出台]{j}[管理|监督][办法|细则]，[明确|规定]{v}[的|在]{t}[责任|环节][事项|]{n}项",
        "[对|在]{w}[推行|实行][首问负责|限时办结|一次性告知]等制度，[办件|服务群众]{n}件",
    ),
    "grassroots": (
        "[督促|推动]{v}[按月|按季度|定期]公开[党务|村务|财务]信息，[公开|公示][事项|内容]{n}项",
        ("在{j}[实施|建设]过程中，[村务监督委员会|村监委会][全程|全过程][参与|监督]，"
         "[发现|纠正]{f}[问题|情况]{n}个"),
        ("对{v}{j}[资金|款项][使用|拨付]情况[进行|开展]了[专项审计|财务审查|专项检查]，"
         "[涉及|核查]资金{y}万元"),
        "[组织|开展][村级|村（社区）]财务[交叉|专项]审计，[审计|检查]{n}个村，[发现|查出]问题{m}个",
        ("{v}[党支部|村委会]在{j}中[未经|没有经过]“[四议两公开|村民代表会议]”程序，"
         "[已|现已]责令[整改|纠正]"),
        ("[对|就]{v}的{j}，[聘请|邀请]{n}名[群众代表|老党员][担任|作为]义务监督员，"
         "[全程|]监督[施工质量|资金使用]"),
        "{q}[到|深入]{v}[检查|查看]{j}的[公示|公开]情况，[发现|指出]{i}问题{n}个",
    ),
    "cases": (
        ("[受理|收到]{t}[方面的|相关]问题线索{n}条，[已|现已]全部[核查|办结]，"
         "运用“第一种形态”处理{m}人"),
        "[对|针对]{v}{f}的问题，[给予|对]相关责任人[诫勉谈话|批评教育|党内警告处分][处理|]",
        ("[查处|立案查处]{t}问题{n}起，[给予|其中]党纪政务处分{m}人，"
         "[通报曝光|点名道姓通报]典型问题{n}起"),
        "[运用|践行]监督执纪“四种形态”[处理|批评教育帮助和处理]{n}人次，其中第一种形态{m}人次",
        "{q}[对|就]{w}[反映|举报]的{f}问题[进行了|开展]初步核实，[已|]移交县纪委监委[处理|]",
    ),
    "culture": (
        ("[在|依托]{e}[设立|打造][廉政文化长廊|廉洁文化墙|清风园]，"
         "[张贴|展示]廉政[标语|漫画|格言]{n}[幅|块]"),
        "[开展|举办]“[清廉家庭|廉洁家庭|最美家风]”评选活动，[评选出|表彰]{n}户[廉洁家庭|文明家庭]",
        ("[组织|开展][廉洁书画|廉政诗词|廉洁故事]征集活动，[收到|征集]作品{n}件，"
         "[在|于]{e}[展出|展览]"),
        "[挖掘|整理]{v}[本地|当地]廉洁文化资源，[编印|制作]廉洁故事读本{n}册",
        "{o}[带领|组织]{w}[干部|党员]开展“[廉洁文化进村居|廉洁文化进家庭|廉洁文化进校园]”活动{n}场",
        "在{v}[打造|建设]清廉[村居|单元|站所]示范点{n}个，[以点带面|示范带动]推进清廉建设",
    ),
    "duty": (
        ("{p}[认真|切实]履行第一责任人职责，"
         "[全年|今年以来][主持召开|研究]党风廉政建设[会议|工作]{n}次，[批示|签批]相关事项{m}件"),
        "{r}对分管的{v}{t}工作[逐一|逐项]过问，对苗头性问题{n}个及时提醒纠正",
        ("{r}[带队|牵头][到|深入]{v}[调研|督导]{n}次，"
         "[协调解决|推动解决]{j}[推进|建设]中的[难点|问题]{m}个"),
        ("[年初|今年初]，{u}与{n}个[股室|村（社区）|站所][签订|层层签订]党风廉政建设责任书，"
         "[明确|细化]责任事项{m}项"),
        "{o}[分管|负责]{w}的[工作|业务]，[坚持|做到]业务工作与廉政建设同部署，[督促|推动]{a}",
        ("[对|就]{j}[等|][重点|重大]事项，{u}[坚持|严格]集体研究决定，"
         "[全年|今年以来][研究|决策]“三重一大”事项{n}项"),
        "{p}[带头|率先][述责述廉|作廉洁承诺]，[主动|自觉]接受{w}[干部|群众]监督",
    ),
    "problems": (
        "当前仍存在部分干部对{t}认识不足、{a}不够及时等问题",
        "[从检查情况看|对照要求]，{v}[还存在|仍存在]{f}[的问题|等问题]，[监督|管理]还有待加强",
        ("[个别|少数]{w}负责人[主体责任意识不强|“一岗双责”落实不到位]，"
         "[存在|有]重业务轻廉政的[倾向|现象]"),
        "{j}的[监管|监督]还存在薄弱环节，{i}的问题[时有发生|仍未根除]",
    ),
    "next": (
        "下阶段，{u}将继续{a}，把{t}整治引向深入",
        "[下一步|今后]，{u}将[聚焦|围绕]{j}[等|]重点[项目|领域]，[持续|进一步]抓好{s}",
        "[下阶段|下一步]，{u}将[针对|围绕]{f}等问题，[持续|]{b}，[确保|推动]整改[到位|见效]",
    ),
}
GENERAL = ("next", "problems", "study", "inspection")  # kinds any summary may use
OPENINGS = (
    "按照县纪委监委的统一部署，{u}结合工作实际，认真组织开展了本项工作，现将有关情况报告如下。",
    "今年以来，{u}坚持把这项工作摆在突出位置，{p}亲自研究部署，现将工作开展情况总结如下。",
    "根据《关于做好{t}工作的通知》要求，{u}迅速行动，现将具体情况汇报如下。",
    ("[按照|根据]县委、县纪委监委[工作部署|有关要求]，{u}[党委|党组]高度重视，[及时|迅速]安排部署，"
     "现将[工作|有关]情况[报告|汇报]如下。"),
    "{d}以来，{u}[紧紧围绕|聚焦]{t}，[扎实|认真]开展[各项|]工作，现[总结|报告]如下。",
    ("为[切实|进一步]抓好{s}，{u}[成立|组建]了由{p}任组长的工作专班，"
     "现将[开展|推进]情况[报告|汇报]如下。"),
)
CLOSINGS = (
    "下一步，{u}将继续压实工作责任，推动各项措施落地见效。",
    "{u}将以此次工作为契机，持续巩固工作成果，确保取得实效。",
    "以上是{u}本阶段工作情况，不足之处请批评指正。",
    ("[今后|下一步]，{u}将[持续|继续]抓好{s}，"
     "[以|用]{s}的成效[推动|保障]{j}等工作[顺利开展|落地见效]。"),
    "特此报告。",
)
# Words each writer picks for himself: any of a group stands for the others. With the
# alternative wordings of SHAPES they make a frame worded the same way in two summaries
# about as rare as in real ones, where only the stock phrases recur word for word.
SYNONYMS = (
    ("开展", "组织开展", "进行"), ("召开", "组织召开", "举行"), ("围绕", "聚焦", "紧扣", "紧盯"),
    ("针对", "对于"), ("相关", "有关"), ("推动", "推进", "促进"), ("制定", "研究制定", "出台"),
    ("逐一", "逐个", "一一"), ("及时", "第一时间", "迅速"), ("共", "累计", "共计"),
    ("目前", "截至目前", "当前"), ("负责人", "负责同志", "主要负责人"), ("督促", "要求", "责成"),
    ("全体干部", "全体干部职工", "机关干部"), ("发现", "查找出", "查出"),
    ("通报", "通报了"), ("期间", "前后"), ("组织", "安排", "动员"),
)
CONNECTIVES = ("同时，", "此外，", "另外，", "与此同时，", "在此基础上，", "其中，")
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SYNONYM = {word: group for group in SYNONYMS for word in group}
_WORD = re.compile("|".join(sorted(_SYNONYM, key=len, reverse=True)))


@dataclass(frozen=True)
class Unit:
    """A unit of the county with its own facts: people, villages or offices, projects, sites."""

    name: str
    secretaries: tuple[str, ...]
    inspectors: tuple[str, ...]
    members: tuple[str, ...]
    places: tuple[str, ...]  # villages and communities of a town, offices of a department
    projects: tuple[str, ...]
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    text: str
    template: int  # index into TEMPLATES
    sentences: tuple[str, ...]
    unit: str
    report: int = 0  # the report it is a paragraph of (1, 2, …), 0 for a summary of its own


def boilerplate(template: int) -> str:
    """What the detector is told is the template's own wording: title and requirements."""
    title, requirements, _ = TEMPLATES[template]
    return f"{title}\n{requirements}"


class Corpus:
    def __init__(self, seed: int = 13):
        self.random = random.Random(seed)
        self.reports = 0
        self.units = self._county()
        self.unit_names = [unit.name for unit in self.units]

    def _county(self) -> list[Unit]:
        """The towns and streets (named from PLACE_FIRST) and every department of DEPARTMENTS."""
        pick = self.random
        names = [first + pick.choice(TOWN_KINDS) for first in PLACE_FIRST]
        villages = {first + second + "村" for first in VILLAGE_FIRST for second in VILLAGE_SECOND}
        villages = sorted(villages)
        pick.shuffle(villages)
        units = []
        for name in names + list(DEPARTMENTS):
            if name in DEPARTMENTS:
                places = tuple(pick.sample(OFFICES, 6))
                projects = tuple(pick.choice(PLACE_FIRST) + project
                                 for project in pick.sample(DEPARTMENT_PROJECTS, 5))
            else:
                places = tuple(villages.pop() for _ in range(pick.randint(8, 14)))
                places += tuple(pick.sample(TOWN_OFFICES, 3))
                projects = tuple(pick.choice(places[:8]) + project
                                 for project in pick.sample(VILLAGE_PROJECTS, 6))
            sites = tuple(pick.choice((name, "")) + site for site in pick.sample(SITES, 3))
            units.append(Unit(name, self._people(2), self._people(2), self._people(8), places,
                              projects, sites + tuple(pick.sample(COUNTY_SITES, 2))))
        return units

    def _people(self, count: int) -> tuple[str, ...]:
        pick = self.random
        return tuple(pick.choice(SURNAMES) + "".join(pick.choice(GIVEN)
                                                     for _ in range(pick.randint(1, 2)))
                     for _ in range(count))

    def person(self) -> str:
        return self._people(1)[0]

    def date(self) -> str:
        pick = self.random
        return f"{pick.randint(2019, 2026)}年{pick.randint(1, 12)}月{pick.randint(1, 28)}日"

    def unit(self, name: str | None = None) -> Unit:
        if name is None:
            return self.random.choice(self.units)
        return self.units[self.unit_names.index(name)]

    def fill(self, shape: str, unit: Unit, people: tuple[str, str], date: str) -> str:
        """`shape` with one of each of its alternative wordings and its slots filled."""
        pick = self.random
        shape = _CHOICE.sub(lambda choice: pick.choice(choice.group(1).split("|")), shape)
        shape = _WORD.sub(lambda word: pick.choice(_SYNONYM[word.group()]), shape)
        if pick.random() < 0.2:
            shape = pick.choice(CONNECTIVES) + shape
        members = pick.sample(unit.members, 2)
        places = pick.sample(unit.places, 2)
        return shape.format(
            u=unit.name, p=people[0], q=people[1], r=members[0], o=members[1], v=places[0],
            w=places[1], j=pick.choice(unit.projects), e=pick.choice(unit.sites), d=date,
            h=pick.choice(HOLIDAYS), n=pick.randint(2, 60), m=pick.randint(1, 30),
            y=f"{pick.randint(1, 300) / 10:g}", c=f"{pick.randint(90, 100)}%",
            t=pick.choice(TOPICS), k=pick.choice(MATERIALS), z=pick.choice(FILMS),
            g=pick.choice(FEEDBACK), l=pick.choice(LESSONS), a=self._action(),
            b=self._action(), f=self._finding(), i=self._finding(), s=pick.choice(MEASURES),
            x=pick.choice(VENUES))

    def _action(self) -> str:
        return self.random.choice(VERBS) + self.random.choice(OBJECTS)

    def _finding(self) -> str:
        return self.random.choice(SUBJECTS) + self.random.choice(PROBLEMS)

    def _shapes(self, template: int, count: int) -> list[str]:
        """`count` distinct shapes, most of the template's own kinds, the rest of any kind."""
        pick = self.random
        own = [shape for kind in TEMPLATES[template][2] for shape in SHAPES[kind]]
        other = [shape for kind, shapes in SHAPES.items() if kind not in TEMPLATES[template][2]
                 for shape in shapes]
        mine = min(len(own), round(count * pick.uniform(0.5, 0.8)))
        return pick.sample(own, mine) + pick.sample(other, count - mine)

    def _who(self, unit: Unit) -> tuple[str, str]:
        return self.random.choice(unit.secretaries), self.random.choice(unit.inspectors)

    def summary(self, template: int | None = None, unit: str | None = None,
                people: tuple[str, str] | None = None, date: str | None = None,
                sentences: int | None = None) -> Summary:
        """A distinct summary: the template's wording quoted, an opening, 4–9 sentences."""
        pick = self.random
        template = pick.randrange(len(TEMPLATES)) if template is None else template
        writer = self.unit(unit)
        people = people or self._who(writer)
        date = date or self.date()
        title, requirements, _ = TEMPLATES[template]
        shapes = self._shapes(template, sentences or pick.randint(4, 9))
        pick.shuffle(shapes)
        body = tuple(self.fill(shape, writer, people, date) + "。" for shape in shapes)
        opening = self.fill(pick.choice(OPENINGS), writer, people, date)
        quoted = pick.choice((f"关于{title}的工作小结", f"{writer.name}{title}情况",
                              f"按照“{requirements[:-1]}”的要求"))
        text = quoted + "\n" + opening + "\n" + "".join(body)
        if pick.random() < 0.5:
            text += "\n" + self.fill(pick.choice(CLOSINGS), writer, people, date)
        return Summary(text, template, body, writer.name)

    def report(self, paragraphs: int = 4) -> list[Summary]:
        """Distinct paragraphs of one report: same template, unit, people and date."""
        pick = self.random
        self.reports += 1
        template, writer = pick.randrange(len(TEMPLATES)), self.unit()
        people, date = self._who(writer), self.date()
        shapes = self._shapes(template, paragraphs * 4)
        out = []
        for number in range(paragraphs):
            body = tuple(self.fill(shape, writer, people, date) + "。"
                         for shape in shapes[number * 4:number * 4 + 4])
            out.append(Summary("".join(body), template, body, writer.name, self.reports))
        return out

    # The edits people make to an old summary.

    def _other_unit(self, name: str) -> str:
        return self.random.choice([other for other in self.unit_names if other != name])

    def rename(self, source: Summary) -> str:
        """Another unit's name and other dates."""
        text = source.text.replace(source.unit, self._other_unit(source.unit))
        return re.sub(r"\d{4}年\d{1,2}月\d{1,2}日", lambda _: self.date(), text)

    def reorder(self, source: Summary) -> str:
        body = list(source.sentences)
        while len(body) > 1 and body == list(source.sentences):
            self.random.shuffle(body)
        return "".join(body)

    def drop(self, source: Summary) -> str:
        """A third of the sentences left out (at least one kept out, at least three kept)."""
        body = list(source.sentences)
        for _ in range(max(1, min(len(body) - 3, len(body) // 3))):
            body.pop(self.random.randrange(len(body)))
        return "".join(body)

    def punctuate(self, source: Summary) -> str:
        """Punctuation changed, half-width digits made full-width, spaces added."""
        table = str.maketrans({"，": "、", "。": "；", "“": "\"", "”": "\"", "（": "(", "）": ")",
                               **{str(d): chr(0xFF10 + d) for d in range(10)}})
        return re.sub(r"；", "； ", source.text.translate(table))

    def rewrap(self, source: Summary) -> str:
        """Re-typed into lines of 20–40 characters, as when copied out of a PDF."""
        flat, lines, at = source.text.replace("\n", ""), [], 0
        while at < len(flat):
            step = self.random.randint(20, 40)
            lines.append(flat[at:at + step])
            at += step
        return "\n".join(lines)

    def wrap(self, source: Summary) -> str:
        """A new opening and closing paragraph around the whole old summary, as long as half
        of it together."""
        other = self.summary(template=source.template, sentences=3)
        filler = other.sentences
        writer = self.unit(other.unit)
        return (self.fill(self.random.choice(OPENINGS), writer, self._who(writer), self.date())
                + filler[0] + "\n" + source.text + "\n" + "".join(filler[1:]))

    def everything(self, source: Summary) -> str:
        """Renamed, reordered, a sentence dropped, punctuation changed, wrapped."""
        other = self._other_unit(source.unit)
        body = [sentence.replace(source.unit, other) for sentence in source.sentences]
        self.random.shuffle(body)
        if len(body) > 4:
            body.pop(self.random.randrange(len(body)))
        copy = Summary("".join(body), source.template, tuple(body), other)
        return self.rewrap(Summary(self.wrap(copy), 0, (), other)).replace("，", "、")


EDITS = ("rename", "reorder", "drop", "punctuate", "rewrap", "wrap", "everything")


def copy_of(corpus: Corpus, source: Summary, edit: str) -> str:
    return getattr(corpus, edit)(source)
