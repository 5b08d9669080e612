"""Keeping the duty catalogue (责任类别 and 任务清单): checked saves, audited, and what a
changed template means for its open tasks (their ladder steps are planned again)."""

from datetime import datetime

from models import audit
from models.db import session
from models.duty import DutyCategory, DutyTemplate, check_due_rule
from models.errors import DomainError
from models.escalation import replan_template
from models.ladder import ladder_problem
from models.level_scheme import ladder_names


class BadLadder(DomainError):
    """A template's warning ladder days that cannot be used."""


def save_template(template: DutyTemplate, values: dict, *, actor, now: datetime) -> DutyTemplate:
    """Create or change a duty template after checking its due rule; audited. Caller commits."""
    problem = check_due_rule(values.get("due_rule", template.due_rule),
                             values.get("period", template.period))
    if problem:
        raise DomainError(problem)
    if "ladder_days" in values:
        values["ladder_days"] = "".join((values["ladder_days"] or "").split()) or None
        if values["ladder_days"] and (problem := ladder_problem(values["ladder_days"],
                                                                ladder_names())):
            raise BadLadder(problem)
    counting_changed = template.id is not None and any(
        name in values and values[name] != getattr(template, name)
        for name in ("working_days", "ladder_days", "late_policy", "close_after_days"))
    for name, value in values.items():
        setattr(template, name, value)
    if template.id is None:
        template.created_at = now
        session.add(template)
    session.flush()
    if counting_changed:  # open tasks' ladder steps move to the new days, counting or closing
        replan_template(template, now)
    audit.record("template.save", f"template:{template.id}", now=now, actor=actor,
                 **{k: str(v) for k, v in values.items()})
    return template


def save_category(category: DutyCategory, values: dict, *, actor, now: datetime) -> DutyCategory:
    """Create or rename a duty category; audited. Caller commits."""
    for name, value in values.items():
        setattr(category, name, value)
    if category.id is None:
        session.add(category)
    session.flush()
    audit.record("category.save", f"category:{category.id}", now=now, actor=actor,
                 **{k: str(v) for k, v in values.items()})
    return category
