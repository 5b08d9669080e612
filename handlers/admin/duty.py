"""Admin pages for the duty lists: the 16 categories and the templates, editable."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, StopValidation

import sqlalchemy as sa
from handlers.labels import (DUE_RULE_HELP, LATE_POLICY_LABELS, PERIOD_LABELS,
                             RESPONSIBILITY_LABELS, ROLE_LABELS, TEMPLATE_KIND_LABELS,
                             UNIT_KIND_LABELS)
from models import DutyCategory, DutyTemplate, LatePolicy, Period, Role, TemplateKind
from models import session as db
from models import utcnow
from models.catalogue import BadLadder, save_category, save_template
from models.dispatch import coverage_gaps
from models.duty import MAX_CLOSE_AFTER_DAYS
from models.hierarchy import Directory
from models.ladder import DEFAULT_LADDER, STEP_NAMES
from models.level_scheme import ladder_names, scheme
from models.errors import DomainError
from models.unit import UnitKind

# The ladder field names the steps as this county does (models.level_scheme), set per page.
LADDER_LABEL = "预警天数（{steps}；空为全县默认 {default}）"
DEFAULT_DAYS = ",".join(str(days) for _, days in DEFAULT_LADDER)


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class WholeNumberField(IntegerField):
    """An IntegerField that says in Chinese when what was typed is no whole number."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请填写整数。") from None

    def pre_validate(self, form):
        if self.process_errors:  # no number, so no range to check either
            raise StopValidation()


RESPONSIBILITIES = [(value.value, label) for value, label in RESPONSIBILITY_LABELS.items()]
KINDS = [(value.value, label) for value, label in TEMPLATE_KIND_LABELS.items()]
PERIODS = [(value.value, label) for value, label in PERIOD_LABELS.items()]
ROLES = [("", "（按单位派发）")] + [(role.value, ROLE_LABELS[role]) for role in Role
                                    if role not in (Role.INSPECTOR, Role.ADMIN)]
LATE_POLICIES = [(value.value, label) for value, label in LATE_POLICY_LABELS.items()]
UNIT_KINDS = [("", "（不限）")] + [(kind.value, UNIT_KIND_LABELS[kind]) for kind in (
    UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.VILLAGE)]


class CategoryForm(FlaskForm):
    name = StringField("类别名称", validators=[DataRequired("请填写类别名称。"), Length(max=40)])
    responsibility = SelectField("责任", choices=_choices(RESPONSIBILITIES))
    position = WholeNumberField("排序", default=0,
                            validators=[NumberRange(0, 999, "排序须为0到999之间的数字。")])


class TemplateForm(FlaskForm):
    title = StringField("任务名称", validators=[DataRequired("请填写任务名称。"), Length(max=80)])
    description = TextAreaField("任务要求", validators=[Length(max=2000)])
    category_id = SelectField("责任类别", coerce=int)
    kind = SelectField("任务类型", choices=_choices(KINDS))
    target_role = SelectField("派发对象（角色）", choices=_choices(ROLES))
    target_unit_kind = SelectField("单位类型", choices=_choices(UNIT_KINDS))
    period = SelectField("周期", choices=_choices(PERIODS))
    due_rule = StringField("截止规则", validators=[DataRequired("请填写截止规则。")])
    points = WholeNumberField("分值", default=0, validators=[NumberRange(0, 100, "分值须在0到100之间。")])
    requires_summary = BooleanField("需要工作小结", default=True)
    min_photos = WholeNumberField("至少照片数", default=0,
                              validators=[NumberRange(0, 9, "照片数须在0到9之间。")])
    review_levels = SelectField("审核级数", coerce=int,
                                choices=_choices([(0, "无需审核"), (1, "一级（纪检组织）"),
                                                  (2, "两级（初审+终审）")]))
    working_days = BooleanField(
        "按工作日计算", description="预警天数只计工作日（含法定节假日和调休）；"
                                 "截止日落在周末或节假日时，提前到前一个工作日。")
    ladder_days = StringField(LADDER_LABEL.format(steps="、".join(STEP_NAMES), default=DEFAULT_DAYS),
                              validators=[Length(max=40)])
    late_policy = SelectField("逾期处理", choices=_choices(LATE_POLICIES), description=(
        "允许逾期补交：逾期后仍可上报，按达到的预警等级扣分；截止后关闭填报：到时不能再上报，"
        "补报须县纪委监委审核人员解锁。"))
    close_after_days = WholeNumberField(
        "截止后N天关闭", default=0,
        validators=[NumberRange(0, MAX_CLOSE_AFTER_DAYS,
                                f"截止后关闭的天数须在0到{MAX_CLOSE_AFTER_DAYS}之间。")],
        description="仅对“截止后关闭填报”有效：截止时间后再过几天（自然日）关闭，0为截止时间一到即关闭。")
    active = BooleanField("启用", default=True)


def templates():
    rows = db.scalars(sa.select(DutyTemplate).order_by(DutyTemplate.category_id,
                                                        DutyTemplate.id)).all()
    categories = db.scalars(sa.select(DutyCategory).order_by(DutyCategory.position)).all()
    found = Directory()
    missing = [gap for template in rows if template.active
               for gap in coverage_gaps(template, found=found)]
    return render_template("admin/templates.html", templates=rows, categories=categories,
                           gaps=missing)


def category(category_id: int | None = None):
    item = db.get(DutyCategory, category_id) if category_id else DutyCategory(position=0)
    if item is None:
        abort(404)
    form = CategoryForm(obj=item)
    if form.validate_on_submit():
        save_category(item, {"name": form.name.data.strip(),
                             "responsibility": form.responsibility.data,
                             "position": form.position.data}, actor=g.person, now=utcnow())
        db.commit()
        flash(f"已保存责任类别“{item.name}”。", "ok")
        return redirect(url_for("admin.templates"))
    return render_template("admin/form.html", form=form, heading="责任类别")


def template(template_id: int | None = None):
    item = db.get(DutyTemplate, template_id) if template_id else DutyTemplate(
        kind=TemplateKind.COMMON, period=Period.MONTHLY, points=0, requires_summary=True,
        min_photos=0, review_levels=2, working_days=False, late_policy=LatePolicy.ALLOW,
        close_after_days=0, active=True)
    if item is None:
        abort(404)
    form = TemplateForm(obj=item)
    form.ladder_days.label.text = LADDER_LABEL.format(
        steps="、".join(ladder_names()), default=scheme().ladder_days or DEFAULT_DAYS)
    form.category_id.choices = _choices((c.id, c.name) for c in db.scalars(
        sa.select(DutyCategory).order_by(DutyCategory.position)))
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items()
                  if name != "csrf_token"}
        values["target_role"] = values["target_role"] or None
        values["target_unit_kind"] = values["target_unit_kind"] or None
        values["due_rule"] = values["due_rule"].strip()
        try:
            save_template(item, values, actor=g.person, now=utcnow())
        except DomainError as refusal:
            db.rollback()
            field = form.ladder_days if isinstance(refusal, BadLadder) else form.due_rule
            field.errors = [refusal.message]
            return _template_page(form, 422)
        db.commit()
        flash(f"已保存任务清单“{item.title}”。", "ok")
        return redirect(url_for("admin.templates"))
    return _template_page(form, 422 if form.is_submitted() else 200)


def _template_page(form: TemplateForm, status: int):
    return render_template("admin/form.html", form=form, heading="任务清单",
                           due_rule_help=DUE_RULE_HELP), status
