"""The demo county's posts (岗位) and risk points (廉政风险点) [seed: 随州]: what each township's
and department's leaders answer for, so a monthly self-check has something to ask about."""

from datetime import datetime

import sqlalchemy as sa

from models import audit
from models.db import session
from models.post import Post, RiskLevel, RiskPoint
from models.unit import Person, Role, Unit, UnitKind

H, M, L = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW
# By role: (post, duties, [(risk point, level, prevention measures)]).
TOWNSHIP_POSTS = {
    Role.SECRETARY: [("主持党委全面工作", "履行全面从严治党第一责任人职责，主持党委会研究“三重一大”事项，"
                      "抓班子带队伍。", [
        ("“三重一大”事项个人说了算、会前未充分酝酿", H,
         "“三重一大”事项一律上党委会集体研究，会前征求班子成员意见，书记末位表态，会议记录存档备查"),
        ("干部选拔任用中打招呼、说情", M, "严格执行干部选拔任用程序，动议、民主推荐、考察全程纪实"),
    ])],
    Role.MEMBER: [("分管财政、农业农村工作", "负责乡镇财政预算执行、惠农补贴发放和农村集体“三资”监管。", [
        ("专项资金拨付审核把关不严、虚报冒领", H,
         "资金拨付实行经办、审核、审批三级签字，每季度在政务公开栏公示补贴发放名单"),
        ("农村集体资产处置未经民主程序", H, "集体资产处置一律经村民代表大会表决并公示，乡镇“三资”中心全程监管"),
        ("工程项目验收走过场", M, "项目验收由财政、审计、纪委三方参加，验收资料留档"),
    ]), ("联系村（社区）工作", "联系指导所包村（社区）党建、信访和疫情防控工作。", [
        ("接受服务对象宴请、礼品", L, "严格执行中央八项规定精神，节前开展廉洁提醒"),
    ])],
    Role.STAFF: [("党政办公室日常管理", "负责公务接待、公车管理、办公用品采购和文件收发。", [
        ("公务接待超标准、虚列接待费用", M, "执行公务接待审批单制度，接待清单与发票、公函三单对照报销"),
        ("公车私用", M, "公车统一停放、派车单审批，安装北斗定位，每月通报行驶里程"),
    ])],
}
DEPARTMENT_POSTS = {
    Role.SECRETARY: [("主持党组全面工作", "履行全面从严治党主体责任，主持党组会议，组织落实重大决策。", [
        ("重大项目、大额资金使用未经党组集体研究", H, "大额资金使用和重大项目安排一律经党组会集体决策，纪检组列席监督"),
    ])],
    Role.MEMBER: [("分管行政审批与项目管理", "负责本系统行政审批、项目招投标和资金监管。", [
        ("行政审批中吃拿卡要、选择性执法", H, "审批事项全部进入政务服务中心窗口办理，办理时限和结果网上公开"),
        ("招投标中量身定制条件、泄露标底", H, "招标文件合法性审查，评标专家随机抽取，开标全程录像"),
    ])],
    Role.STAFF: [("财务与资产管理", "负责单位财务收支、固定资产登记和政府采购。", [
        ("违规发放津贴补贴", M, "津贴补贴按规定标准发放，每半年自查一次并报纪检组"),
    ])],
}


def seed_posts(now: datetime, actor: Person) -> int:
    """Posts and risk points for every township's and department's leaders; returns how many
    risk points. The caller commits."""
    count = 0
    people = session.scalars(sa.select(Person).join(Unit, Unit.id == Person.unit_id).where(
        Unit.kind.in_((UnitKind.TOWNSHIP, UnitKind.DEPARTMENT))).order_by(Person.id))
    for person in people:
        posts = (TOWNSHIP_POSTS if person.unit.kind == UnitKind.TOWNSHIP else DEPARTMENT_POSTS)
        for name, duties, risks in posts.get(Role(person.role), []):
            post = Post(person=person, name=name, duties=duties, created_at=now)
            session.add(post)
            for description, level, measures in risks:
                session.add(RiskPoint(post=post, description=description, level=level,
                                      measures=measures, responsible=person, created_at=now))
                count += 1
    session.flush()
    audit.record("demo.posts", "county", now=now, actor=actor, risk_points=count)
    return count
