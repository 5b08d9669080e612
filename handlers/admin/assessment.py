"""年度考核 (`/admin/assessments`): a year's generated versions and 一键生成; one version's
frozen rows with what changed since the version before; 发布 (each unit's secretary is told
its score and rank); the version as .xlsx. Inspectors generate and publish, admins look.
"""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from handlers.admin import texts
from handlers.admin.scoring import level_headers, pending, ranking_rows, year_arg
from handlers.labels import DEDUCTION_KIND_LABELS, OUTCOME_LABELS, UNIT_KIND_LABELS
from handlers.exports import assessment_xlsx
from jobs.assessment import describe_rules, provenance, unit_sentence
from models import Assessment, assessment, session, utcnow
from models.clock import local_date
from models.scoring import RANKED_KINDS

CHANGED_LINES_SHOWN = 200


def assessments():
    """The year's versions, newest first, and the button that makes the next one."""
    year = year_arg()
    live = assessment.live(year, utcnow())
    waiting = pending(live["units"])
    years = sorted({year, local_date(utcnow()).year,
                    *session.scalars(sa.select(Assessment.year).distinct())}, reverse=True)
    rows = assessment.of_year(year)
    return render_template(
        "admin/assessments.html", year=year, years=years, rows=rows, waiting=waiting,
        not_scored=texts.NOT_SCORED_YET.format(count=sum(waiting.values())),
        can_generate=assessment.may_generate(g.person), refusal=texts.ONLY_INSPECTORS_GENERATE,
        next_version=rows[0].version + 1 if rows else 1, rules=describe_rules(live["rules"]),
        outcome_labels=OUTCOME_LABELS)


def generate():
    """一键生成年度考核: freeze the year's scores as the next version."""
    year = year_arg(request.form)
    try:
        row = assessment.generate(year, actor=g.person, now=utcnow())
        session.commit()
    except IntegrityError:  # two inspectors at once: the other one's version stands
        session.rollback()
        flash(texts.GENERATE_RACE, "warn")
        return redirect(url_for("admin.assessments", year=year), 303)
    flash(texts.GENERATED.format(year=year, version=row.version, sha=row.sha256[:12]), "ok")
    return redirect(url_for("admin.assessment", assessment_id=row.id), 303)


def detail(assessment_id: int):
    """One version: its rows grouped by unit kind, one unit's lines opened (?unit=), and what
    changed since the version before."""
    row = assessment.get(assessment_id)
    content = row.rows()
    opened = request.args.get("unit", type=int)

    def deductions_url(uid):
        return url_for("admin.assessment", assessment_id=row.id, unit=uid, _anchor=f"u{uid}")

    groups = [(UNIT_KIND_LABELS[kind], ranking_rows(
        [unit for unit in content["units"] if unit["kind"] == kind], {"assessment": row.id},
        deductions_url)) for kind in RANKED_KINDS]
    unit = assessment.unit_row(content, opened) if opened else None
    before = assessment.previous(row)
    return render_template(
        "admin/assessment.html", row=row, content=content, provenance=provenance(content),
        rules=describe_rules(content["rules"]), groups=[group for group in groups if group[1]],
        levels=level_headers(), opened=unit, sentence=unit and unit_sentence(unit,
                                                                              content["rules"]),
        lines=[line for line in content["lines"] if unit and line["unit_id"] == opened],
        deductions=[d for d in content["deductions"] if unit and d["unit_id"] == opened],
        before=before, diff=_changes(content, before), shown_lines=CHANGED_LINES_SHOWN,
        can_publish=assessment.may_generate(g.person), refusal=texts.ONLY_INSPECTORS_GENERATE,
        secretaries=len(content["units"]), outcome_labels=OUTCOME_LABELS,
        deduction_labels=DEDUCTION_KIND_LABELS)


def _changes(content: dict, before: Assessment | None) -> dict | None:
    if before is None:
        return None
    old = before.rows()
    diff = assessment.changes(content, old)
    names = {unit["unit_id"]: unit["name"] for unit in (*old["units"], *content["units"])}
    return {**diff, "names": names}


def publish(assessment_id: int):
    """Tell each unit's secretary its score and rank; a version is published once."""
    row = session.scalar(sa.select(Assessment).where(Assessment.id == assessment_id)
                         .with_for_update()) or assessment.get(assessment_id)
    pushed = assessment.publish(row, actor=g.person, now=utcnow())
    session.commit()
    flash(texts.PUBLISHED.format(year=row.year, version=row.version, count=pushed), "ok")
    return redirect(url_for("admin.assessment", assessment_id=row.id), 303)


def xlsx(assessment_id: int):
    return assessment_xlsx(assessment.get(assessment_id), g.person)
