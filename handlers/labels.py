"""Display names of every stored value a person reads (states, warning levels, template kinds,
periods, due rules, roles) and evidence counted in words, the same in chat, on pages, in the
admin and on the command line."""

import re

import sqlalchemy as sa

from models import (
    EvidenceKind,
    LatePolicy,
    Level,
    Responsibility,
    Role,
    State,
    TemplateKind,
    session,
)
from models.clock import local_time
from models.deduction import DEDUCTION_KIND_LABELS
from models.duty import PERIOD_LABELS, DutyCategory, period_label
from models.integrity import FLAG_KIND_LABELS, FLAG_STATE_LABELS
from models.level_scheme import Labels, level_name
from models.notification import KIND_LABELS
from models.review import LEVEL_LABELS
from models.scoring import OUTCOME_LABELS, UNLOCKED_RULE_LABELS
from models.spot_check import PENDING_LABEL, RESULT_LABELS
from models.unit import ROLE_LABELS, UNIT_KIND_LABELS

__all__ = [
    "DEDUCTION_KIND_LABELS",
    "DUE_RULE_HELP",
    "FLAG_KIND_LABELS",
    "FLAG_STATE_LABELS",
    "KIND_LABELS",
    "LATE_POLICY_LABELS",
    "LEVEL_LABELS",
    "OUTCOME_LABELS",
    "PENDING_LABEL",
    "PERIOD_LABELS",
    "RESULT_LABELS",
    "RESPONSIBILITY_LABELS",
    "ROLE_LABELS",
    "SCOPE_LABELS",
    "STATE_LABELS",
    "TEMPLATE_KIND_LABELS",
    "UNIT_KIND_LABELS",
    "UNLOCKED_RULE_LABELS",
    "WARNING_LABELS",
    "colour_label",
    "dispatched_text",
    "due_rule_label",
    "late_policy_label",
    "period_label",
    "sample_words",
    "scope_words",
    "target_label",
]

STATE_LABELS = {
    State.DISPATCHED: "待签收", State.ACKNOWLEDGED: "待上报", State.RETURNED: "已退回",
    State.SUBMITTED: "待初审", State.FIRST_APPROVED: "待终审", State.COMPLETED: "已完成",
    State.CANCELLED: "已撤销",
}
# A task's warning level is named like the push of that step (the county's scheme,
# models.level_scheme), except that a task past its reminder is simply 即将到期.
WARNING_LABELS = Labels({"reminder": "即将到期", **{level.value: level for level in (
    Level.BLUE, Level.YELLOW, Level.RED, Level.SUPERVISION)}})


def colour_label(colour: str) -> str:
    """A unit's colour on the dashboard (models.dashboard.colour) in the county's words
    (models.level_scheme): its name for "nothing overdue" (正常, 绿色…) or for the warning."""
    return level_name(colour)


# What a leader's overview of the tasks they answer for is called (任务总览, menu lists).
SCOPE_LABELS = {Role.SECRETARY: "本单位", Role.DISCIPLINE: "监督单位", Role.INSPECTOR: "全县",
                Role.ADMIN: "全县"}

TEMPLATE_KIND_LABELS = {TemplateKind.COMMON: "共性任务", TemplateKind.SPECIFIC: "个性任务",
                        TemplateKind.ADHOC: "临时任务", TemplateKind.SELFCHECK: "月度自查"}
LATE_POLICY_LABELS = {LatePolicy.ALLOW: "允许逾期补交（按预警扣分）",
                      LatePolicy.CLOSE: "截止后关闭填报"}
RESPONSIBILITY_LABELS = {Responsibility.PRINCIPAL: "主体责任",
                         Responsibility.SUPERVISORY: "监督责任"}

# The due-rule field's help on the template form: each way of writing it, in plain words.
DUE_RULE_HELP = (("day:25", "每月25日（按月的任务）"), ("quarter_end", "季度末（按季度的任务）"),
                 ("period_end", "周期最后一天（月末、季末或年末）"),
                 ("date:06-30", "每年6月30日"), ("date:2026-12-20", "2026年12月20日"),
                 ("after:7", "派发后7天"))
_DATE = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})$")


def due_rule_label(rule: str | None) -> str:
    """A template's due rule in words ("day:25" → "每月25日"); an unknown rule as it is."""
    kind, _, value = (rule or "").partition(":")
    if kind == "day" and value.isdigit():
        return f"每月{int(value)}日"
    if kind == "quarter_end" and not value:
        return "季度末"
    if kind == "period_end" and not value:
        return "周期最后一天"
    if kind == "after" and value.isdigit():
        return f"派发后{int(value)}天"
    if kind == "date" and (match := _DATE.match(value)):
        year, month, day = match.groups()
        return (f"{year}年" if year else "每年") + f"{int(month)}月{int(day)}日"
    return rule or ""


def late_policy_label(template) -> str:
    """A template's late policy in words, with when input closes under `close`."""
    if template.late_policy != LatePolicy.CLOSE:
        return LATE_POLICY_LABELS[LatePolicy.ALLOW]
    days = template.close_after_days or 0
    return LATE_POLICY_LABELS[LatePolicy.CLOSE] + (f"（截止后{days}天）" if days else "（截止时）")


def target_label(template) -> str:
    """Whom a template is for, in words: its role and unit kind, or who names them."""
    parts = [ROLE_LABELS[template.target_role] if template.target_role else "按单位",
             UNIT_KIND_LABELS[template.target_unit_kind] if template.target_unit_kind else ""]
    if template.kind != TemplateKind.COMMON and not (template.target_role
                                                     or template.target_unit_kind):
        return "派发时指定"
    return "，".join(part for part in parts if part)


def describe_evidence(items) -> str:
    """Evidence counted in words: `小结和2张照片`, `2段小结`, `3张照片` ('' for none)."""
    summaries = sum(1 for item in items if item.kind == EvidenceKind.TEXT)
    photos = sum(1 for item in items if item.kind == EvidenceKind.PHOTO)
    parts = ([("小结" if summaries == 1 else f"{summaries}段小结")] if summaries else []) + (
        [f"{photos}张照片"] if photos else [])
    return "和".join(parts)


MISSING_PHOTOS = "照片还差{missing}张（要求至少{required}张）"


def missing_words(missing, summary: str = "工作小结") -> list[str]:
    """What a submission still lacks (models.evidence.missing_proof) in words; `summary` names
    the summary the way the place asks for it (chat: send a text)."""
    return ([summary] if missing.summary else []) + (
        [MISSING_PHOTOS.format(missing=missing.photos, required=missing.required_photos)]
        if missing.photos else [])


def dispatched_text(template, period: str, created: list, gaps: list = ()) -> str:
    """What a dispatch did, for the admin page and the CLI, with who is missing for the new
    tasks (models.dispatch.coverage_gaps)."""
    if not created:
        return (f"“{template.title}”{period_label(period)}："
                "新派发 0 项任务（此前已全部派发，未重复创建）")
    text = (f"“{template.title}”{period_label(period)}：新派发 {len(created)} 项任务，"
            f"截止时间 {local_time(created[0].due_at)}")
    if gaps:
        text += f"。请注意，{len(gaps)}处缺人：" + "；".join(str(gap) for gap in gaps)
    return text


def scope_words(spot) -> list[str]:
    """A spot-check round's scope in words: the year, its periods, categories and unit kinds
    (the round page, the list and `flask spot-check verify`)."""
    names = dict(session.execute(sa.select(DutyCategory.id, DutyCategory.name).where(
        DutyCategory.id.in_(spot.category_ids))).all()) if spot.category_ids else {}
    return [f"{spot.year}年度",
            "周期：" + "、".join(period_label(p) for p in spot.periods) if spot.periods
            else "全年各周期",
            "责任类别：" + "、".join(names.get(i, f"（已删除的类别{i}）")
                                 for i in spot.category_ids) if spot.category_ids
            else "全部责任类别",
            "单位类别：" + "、".join(UNIT_KIND_LABELS.get(k, k) for k in spot.unit_kinds)
            if spot.unit_kinds else "全部单位类别"]


def sample_words(spot) -> str:
    """"10项" or "30%" (the size the inspector asked for)."""
    return f"{spot.sample_size}项" if spot.sample_size is not None else f"{spot.sample_percent}%"


def amount(value) -> str:
    """A stored decimal ("3.00", "33.33") as people write it ("3", "33.33"); none as "—"."""
    if value is None:
        return "—"
    text = str(value)
    return text[:-3] if text.endswith(".00") else text
