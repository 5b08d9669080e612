"""A labelled corpus of 党风廉政 work summaries for the copied-summary detector (issue 13).

Summaries are built from the blocks such reports are made of (units, people, dates, counts,
activities, the seeds' vocabulary), so distinct summaries share vocabulary, sentence shapes and
the task template's wording, as real ones do. Copies are made from a source summary with the
edits people make to an old summary (EDITS). Hard negatives: distinct summaries of the same
template, and distinct paragraphs of one report (same unit, people and dates).

Everything is drawn from a `random.Random(seed)`: the same seed gives the same corpus.
"""

import random
import re
from dataclasses import dataclass

UNITS = (
    "青山镇", "白水镇", "城关镇", "河口乡", "柳林乡", "石门镇", "龙泉街道", "新华街道", "东坝镇",
    "南岭乡", "县财政局", "县教育局", "县自然资源局", "县卫生健康委", "县交通运输局",
    "县农业农村局", "县住房和城乡建设局", "县市场监督管理局", "县人力资源和社会保障局",
    "县民政局", "县水利局", "县文化和旅游局", "县医疗保障局", "县审计局", "县统计局",
    "县公安局", "县司法局", "县税务局", "县供销社", "县人民医院",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
GIVEN = "建国军华明伟强平刚杰涛超勇艳敏静丽芳娟霞红玲桂英秀兰海波鹏飞云峰宇浩然志远"
TOPICS = (
    "违规收送礼品礼金", "违规吃喝", "公车私用", "酒驾醉驾", "违规操办婚丧喜庆事宜",
    "侵害群众利益", "惠民惠农资金管理", "工程项目招投标", "“三资”管理", "低保评定",
    "形式主义官僚主义", "基层微腐败", "“四风”问题", "违规兼职取酬", "落实“三重一大”制度",
)
PLACES = ("党委会议室", "三楼会议室", "党员活动室", "廉政教育基地", "县警示教育中心",
          "新时代文明实践站", "村党群服务中心", "机关会议室")
MATERIALS = ("《中国共产党纪律处分条例》", "《中国共产党廉洁自律准则》",
             "《关于新形势下党内政治生活的若干准则》", "《中国共产党党内监督条例》",
             "典型案例通报", "警示教育片《镜鉴》", "省纪委监委通报的典型问题",
             "中央八项规定及其实施细则精神")
ACTIONS = ("逐条对照检查", "建立问题清单", "明确整改时限", "落实整改责任人", "开展回头看",
           "签订廉政承诺书", "发送廉洁提醒短信", "张贴廉洁宣传标语", "制作廉政文化展板",
           "开展家访活动", "组织廉政知识测试", "召开警示教育大会")

# Task templates: the title and requirements every summary of it is written against.
TEMPLATES = (
    ("召开党风廉政建设专题会议", "每季度至少召开一次党风廉政建设专题会议，"
     "研究部署党风廉政建设工作，形成会议纪要，上报工作小结和会议照片。"),
    ("开展廉政警示教育活动", "组织党员干部观看警示教育片、参观廉政教育基地，开展以案促改，"
     "上报活动小结和现场照片。"),
    ("班子成员“一岗双责”履职报告", "班子成员报告履行“一岗双责”情况，对分管领域廉政风险防控、"
     "监督检查和问题整改情况作出说明。"),
    ("落实中央八项规定精神自查", "对照中央八项规定及其实施细则精神开展自查，"
     "列出问题清单，明确整改措施。"),
    ("节假日廉洁提醒", "节前开展廉洁提醒，节中开展监督检查，节后通报检查情况。"),
    ("廉政风险点排查", "围绕岗位职责排查廉政风险点，评定风险等级，制定防控措施。"),
    ("开展谈心谈话", "党组织书记与班子成员、班子成员与分管科室负责人开展谈心谈话，做好谈话记录。"),
    ("群众身边不正之风专项整治", "聚焦群众反映强烈的突出问题开展专项整治，建立台账，按期销号。"),
)

# Sentence shapes; {u} unit, {p}/{q} people, {d} a date, {n}/{m} counts, {t} a topic,
# {l} a place, {r} a material, {a}/{b} actions.
SENTENCES = (
    "{d}，{u}在{l}召开会议，{p}主持会议，{n}名干部参加",
    "会上传达学习了{r}，{q}结合{t}问题作了发言",
    "{u}聚焦{t}，{a}，共发现问题{n}个，已整改{m}个",
    "{p}带头讲廉政党课，围绕{t}剖析了{n}起典型案例",
    "组织{n}名党员干部到{l}观看{r}，并撰写心得体会{m}篇",
    "{d}前后，{u}{a}，对{n}个站所开展明察暗访",
    "针对排查出的{n}个风险点，{u}{b}，逐项制定防控措施",
    "{q}与分管科室负责人逐一谈话{n}人次，提醒在{t}方面守住底线",
    "全年累计{a}{n}次，{b}{m}次，覆盖干部职工{n}人",
    "对{t}问题线索{n}条进行了核查，给予诫勉谈话{m}人",
    "{u}把{t}作为重点，建立台账，实行销号管理，目前已销号{n}项",
    "在{l}设立廉政提醒栏，{b}，营造崇廉拒腐的良好氛围",
    "{d}，{p}带队深入{n}个村（社区）督导检查，现场交办问题{m}个",
    "结合{r}学习，{u}开展专题研讨{n}次，{q}等{m}名同志作交流发言",
    "对照{r}，{u}梳理出制度漏洞{n}处，新建完善制度{m}项",
    "{p}要求各股室负责人既要管好业务，又要管好队伍，坚决防止{t}",
    "{d}，{u}对{t}情况开展专项检查，下发提醒函{n}份",
    "通过{a}、{b}等方式，推动{t}问题整改到位",
    "针对群众反映的{t}问题，{u}{a}，回访群众{n}户，满意率达到百分之九十以上",
    "{q}对分管领域的{n}项重点工作逐一过问，对苗头性问题及时提醒纠正",
    "当前仍存在部分干部对{t}认识不足、{a}不够及时等问题",
    "下阶段，{u}将继续{b}，把{t}整治引向深入",
    "{u}将{r}纳入理论学习中心组学习内容，全年集中学习{n}次",
    "组织开展“以案说纪”活动{n}场，{p}以身边事教育身边人",
)
OPENINGS = (
    "按照县纪委监委的统一部署，{u}结合工作实际，认真组织开展了本项工作，现将有关情况报告如下。",
    "今年以来，{u}坚持把这项工作摆在突出位置，{p}亲自研究部署，现将工作开展情况总结如下。",
    "根据《关于做好{t}工作的通知》要求，{u}迅速行动，现将具体情况汇报如下。",
)
CLOSINGS = (
    "下一步，{u}将继续压实工作责任，推动各项措施落地见效。",
    "{u}将以此次工作为契机，持续巩固工作成果，确保取得实效。",
    "以上是{u}本阶段工作情况，不足之处请批评指正。",
)


@dataclass(frozen=True)
class Summary:
    text: str
    template: int  # index into TEMPLATES
    sentences: tuple[str, ...]
    unit: str
    report: int = 0  # the report it is a paragraph of (1, 2, …), 0 for a summary of its own


def boilerplate(template: int) -> str:
    """What the detector is told is the template's own wording: title and requirements."""
    title, requirements = TEMPLATES[template]
    return f"{title}\n{requirements}"


class Corpus:
    def __init__(self, seed: int = 13):
        self.random = random.Random(seed)
        self.reports = 0

    def person(self) -> str:
        pick = self.random
        given = "".join(pick.choice(GIVEN) for _ in range(pick.randint(1, 2)))
        return pick.choice(SURNAMES) + given

    def date(self) -> str:
        pick = self.random
        return f"{pick.randint(2019, 2026)}年{pick.randint(1, 12)}月{pick.randint(1, 28)}日"

    def fill(self, shape: str, unit: str, people: tuple[str, str], date: str) -> str:
        pick = self.random
        return shape.format(
            u=unit, p=people[0], q=people[1], d=date, n=pick.randint(2, 60),
            m=pick.randint(1, 30), t=pick.choice(TOPICS), l=pick.choice(PLACES),
            r=pick.choice(MATERIALS), a=pick.choice(ACTIONS), b=pick.choice(ACTIONS))

    def summary(self, template: int | None = None, unit: str | None = None,
                people: tuple[str, str] | None = None, date: str | None = None,
                sentences: int | None = None) -> Summary:
        """A distinct summary: the template's wording quoted, an opening, 4–9 sentences."""
        pick = self.random
        template = pick.randrange(len(TEMPLATES)) if template is None else template
        unit = unit or pick.choice(UNITS)
        people = people or (self.person(), self.person())
        date = date or self.date()
        title, requirements = TEMPLATES[template]
        shapes = pick.sample(SENTENCES, sentences or pick.randint(4, 9))
        body = tuple(self.fill(shape, unit, people, date) + "。" for shape in shapes)
        opening = self.fill(pick.choice(OPENINGS), unit, people, date)
        quoted = pick.choice((f"关于{title}的工作小结", f"{unit}{title}情况",
                              f"按照“{requirements[:-1]}”的要求"))
        text = quoted + "\n" + opening + "\n" + "".join(body)
        if pick.random() < 0.5:
            text += "\n" + self.fill(pick.choice(CLOSINGS), unit, people, date)
        return Summary(text, template, body, unit)

    def report(self, paragraphs: int = 4) -> list[Summary]:
        """Distinct paragraphs of one report: same template, unit, people and date."""
        pick = self.random
        self.reports += 1
        template, unit = pick.randrange(len(TEMPLATES)), pick.choice(UNITS)
        people, date = (self.person(), self.person()), self.date()
        shapes = pick.sample(SENTENCES, paragraphs * 4)
        out = []
        for number in range(paragraphs):
            body = tuple(self.fill(shape, unit, people, date) + "。"
                         for shape in shapes[number * 4:number * 4 + 4])
            out.append(Summary("".join(body), template, body, unit, self.reports))
        return out

    # The edits people make to an old summary.

    def rename(self, source: Summary) -> str:
        """Another unit's name and other dates."""
        other = self.random.choice([unit for unit in UNITS if unit != source.unit])
        text = source.text.replace(source.unit, other)
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
        return (self.fill(self.random.choice(OPENINGS), other.unit, ("", ""), self.date())
                + filler[0] + "\n" + source.text + "\n" + "".join(filler[1:]))

    def everything(self, source: Summary) -> str:
        """Renamed, reordered, a sentence dropped, punctuation changed, wrapped."""
        other = self.random.choice([unit for unit in UNITS if unit != source.unit])
        body = [sentence.replace(source.unit, other) for sentence in source.sentences]
        self.random.shuffle(body)
        if len(body) > 4:
            body.pop(self.random.randrange(len(body)))
        copy = Summary("".join(body), source.template, tuple(body), other)
        return self.rewrap(Summary(self.wrap(copy), 0, (), other)).replace("，", "、")


EDITS = ("rename", "reorder", "drop", "punctuate", "rewrap", "wrap", "everything")


def copy_of(corpus: Corpus, source: Summary, edit: str) -> str:
    return getattr(corpus, edit)(source)
