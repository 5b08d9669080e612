"""得分排名 (`/admin/scores`), the tasks behind each of its numbers (`/admin/scores/tasks`) and
评分规则 (`/admin/policy`).

Every number is read from snapshot rows (models.assessment.snapshot), the rows the xlsx and the
API read too: the live computation here, a frozen version on its assessment's page.
"""

from decimal import Decimal

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.labels import OUTCOME_LABELS, UNIT_KIND_LABELS, UNLOCKED_RULE_LABELS
from jobs.assessment import describe_rules, formula, level_label, provenance
from models import Person, assessment, session, utcnow
from models.clock import local_date
from models.errors import DomainError
from models.ladder import Level
from models.scoring import (LEVEL_ORDER, PENALTY_LEVELS, RANKED_KINDS, SCORED, Outcome,
                            UnlockedRule, policy_for, save_policy, versions)

TASK_LIMIT = 500
LEVELS = [str(level) for level in PENALTY_LEVELS]


def year_arg(values=None) -> int:
    """?year= (or a form's year): four digits, this year (Shanghai) when left out."""
    text = ((values if values is not None else request.args).get("year") or "").strip()
    if not text:
        return local_date(utcnow()).year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise DomainError(texts.BAD_YEAR)
    return int(text)


def level_headers() -> list[tuple[str, str]]:
    return [(level, level_label(level)) for level in LEVELS]


def ranking_rows(units: list[dict], source: dict, deductions_url) -> list[dict]:
    """Each unit's row as a table shows it, with where each of its numbers leads: the tasks
    behind a count (`source` says live year or frozen version), its deductions, its page."""
    rows = []
    for unit in units:
        uid = unit["unit_id"]

        def tasks(uid=uid, **match):
            return url_for("admin.score_tasks", unit=uid, **source, **match)

        urls = {"unit": f"/admin/units/{uid}", "possible": tasks(outcome="scored"),
                "earned": tasks(outcome="scored"), "deducted": deductions_url(uid),
                "bonus": deductions_url(uid), "on_time_rate": tasks(outcome=Outcome.ON_TIME.value),
                **{level: tasks(level=level) for level in LEVELS}}
        rows.append({**unit, "kind_label": UNIT_KIND_LABELS[unit["kind"]], "urls": urls})
    return rows


def pending(units: list[dict]) -> dict:
    """Tasks not yet scored: in progress (进行中) and handed in awaiting review (待审核)."""
    return {outcome: sum(unit["counts"][outcome] for unit in units)
            for outcome in (Outcome.OPEN.value, Outcome.REVIEWING.value)}


def scores():
    """The live ranking of one unit kind (tabs), the rules in force, what is not scored yet."""
    year = year_arg()
    kind = request.args.get("kind", "")
    if kind not in RANKED_KINDS:
        kind = RANKED_KINDS[0]
    content = assessment.live(year, utcnow())
    shown = [unit for unit in content["units"] if unit["kind"] == kind]
    tabs = [(value, UNIT_KIND_LABELS[value],
             sum(1 for unit in content["units"] if unit["kind"] == value))
            for value in RANKED_KINDS]
    rows = ranking_rows(shown, {"year": year},
                        lambda uid: url_for("admin.deductions", year=year, unit=uid))
    return render_template(
        "admin/scores.html", year=year, kind=kind, tabs=tabs, rows=rows,
        levels=level_headers(), rules=describe_rules(content["rules"]), formula=formula(),
        provenance=provenance(content), pending=pending(content["units"]),
        outcome_labels=OUTCOME_LABELS)


def content_arg() -> tuple[dict, dict, str]:
    """The rows a task list reads: a frozen version (?assessment=ID) or the live year's, with
    the query that names them and where to go back to."""
    assessment_id = request.args.get("assessment", type=int)
    if assessment_id:
        row = assessment.get(assessment_id)
        return row.rows(), {"assessment": row.id}, url_for("admin.assessment",
                                                            assessment_id=row.id)
    year = year_arg()
    return assessment.live(year, utcnow()), {"year": year}, url_for("admin.scores", year=year)


def _matches(line: dict, outcome: str, level: str) -> bool:
    if outcome == "scored" and line["outcome"] not in SCORED:
        return False
    if outcome not in ("", "scored") and line["outcome"] != outcome:
        return False
    return not level or (line["outcome"] != Outcome.CANCELLED
                         and LEVEL_ORDER[Level(line["level"])] >= LEVEL_ORDER[Level(level)])


def score_tasks():
    """The task lines behind one number: a unit's (or every unit's), matching ?outcome=
    (an outcome, or `scored`) and ?level= (the tasks that reached that warning level)."""
    content, source, back = content_arg()
    outcome = request.args.get("outcome", "")
    if outcome not in {"scored", *(value.value for value in Outcome)}:
        outcome = ""
    level = request.args.get("level", "")
    if level not in LEVELS:
        level = ""
    names = {unit["unit_id"]: unit["name"] for unit in content["units"]}
    unit = request.args.get("unit", type=int)
    lines = [line for line in content["lines"]
             if (unit is None or line["unit_id"] == unit) and _matches(line, outcome, level)]
    if level:
        what = texts.TASKS_REACHED.format(level=level_label(level))
    elif outcome == "scored":
        what = texts.TASKS_SCORED
    elif outcome:
        what = texts.TASKS_OUTCOME.format(outcome=OUTCOME_LABELS[outcome])
    else:
        what = texts.TASKS_ALL
    return render_template(
        "admin/score_tasks.html", what=what, unit_name=names.get(unit), lines=lines[:TASK_LIMIT],
        total=len(lines), limit=TASK_LIMIT, names=names, back=back, title=content["title"],
        provenance=provenance(content), outcome_labels=OUTCOME_LABELS,
        level_label=lambda value: level_label(value) if value in LEVELS else "")


def policy():
    """The year's rule versions and a form for the next one; a refused form saves nothing."""
    posted = request.method == "POST"
    year = year_arg(request.form if posted else None)
    error, values = None, None
    if posted:
        form = request.form
        try:
            row = save_policy(
                year, actor=g.person, now=utcnow(),
                penalties={level: form.get(f"penalty_{level}") for level in LEVELS},
                grace_days=form.get("grace_days"), unlocked_rule=form.get("unlocked_rule"),
                bonus_cap=form.get("bonus_cap"), note=form.get("note", ""),
                notice_late_points=form.get("notice_late_points"),
                notice_return_points=form.get("notice_return_points"))
        except DomainError as refusal:
            session.rollback()
            error, values = refusal.message, form
        else:
            session.commit()
            flash(texts.POLICY_SAVED.format(year=year, version=row.version), "ok")
            return redirect(url_for("admin.policy", year=year), 303)
    rules = policy_for(year)
    if values is None:
        values = {**{f"penalty_{level}": rules.penalty(level) for level in LEVELS},
                  "grace_days": rules.grace_days, "unlocked_rule": rules.unlocked_rule.value,
                  "bonus_cap": f"{rules.bonus_cap.normalize():f}", "note": "",
                  "notice_late_points": f"{rules.notice_late_points.normalize():f}",
                  "notice_return_points": f"{rules.notice_return_points.normalize():f}"}
    rows = versions(year)
    authors = dict(session.execute(sa.select(Person.id, Person.name).where(
        Person.id.in_({row.created_by_id for row in rows}))).all())
    return render_template(
        "admin/policy.html", year=year, rules=describe_rules(rules.as_dict()), versions=rows,
        authors=authors, values=values, error=error, levels=level_headers(),
        unlocked_rules=[(rule.value, UNLOCKED_RULE_LABELS[rule]) for rule in UnlockedRule],
        penalty=lambda row, level: getattr(row, f"penalty_{level}"),
        plain=lambda value: f"{Decimal(value).normalize():f}"), 400 if error else 200
