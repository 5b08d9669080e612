"""考核得分 (/m/score): a unit's score and rank within its kind, live, and once published the
year-end assessment's row for it; the tasks where it lost points, its deductions in force, and
the person's own score.

Cadres and secretaries see their own unit, a discipline body its own and the units it
supervises, inspectors and admins any unit (models.hierarchy.can_see_unit); another unit's
?unit= answers 403. The numbers are the snapshot rows the admin pages and the xlsx show.
"""

from decimal import Decimal

import sqlalchemy as sa
from flask import g, render_template, request

from handlers.labels import DEDUCTION_KIND_LABELS, OUTCOME_LABELS, UNIT_KIND_LABELS
from handlers.mobile import texts
from handlers.mobile.auth import message_page
from jobs.assessment import describe_rules, provenance
from models import Assignment, Unit, assessment, session, utcnow
from models.clock import local_date
from models.hierarchy import SEES_ALL, Directory, can_see_unit, visible_filter
from models.scoring import RANKED_KINDS, Outcome
from models.unit import Role


def score():
    person = g.person
    year = request.args.get("year", "") or str(local_date(utcnow()).year)
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        return message_page(texts.SCORE_BAD_YEAR, 400)
    year = int(year)
    found = Directory()
    unit_id = request.args.get("unit", type=int) or person.unit_id
    if not can_see_unit(person, unit_id, found):
        return message_page(texts.SCORE_NOT_YOURS, 403)
    unit = session.get(Unit, unit_id)
    if unit is None:
        return message_page(texts.SCORE_NO_UNIT, 404)
    content = assessment.live(year, utcnow())
    published = assessment.latest(year, published=True)
    lines = [line for line in content["lines"] if line["unit_id"] == unit_id]
    lost = [line for line in lines
            if line["earned"] is not None and Decimal(line["earned"]) < line["points"]]
    waiting = [line for line in lines if line["outcome"] in WAITING]
    return render_template(
        "mobile/score.html", person=person, year=year, unit=unit,
        ranked=unit.kind in RANKED_KINDS,
        kind=UNIT_KIND_LABELS[unit.kind], row=assessment.unit_row(content, unit_id),
        published=published,
        frozen=published and assessment.unit_row(published.rows(), unit_id),
        lost=lost, waiting=waiting, openable=_openable(person, lost + waiting, found),
        outcome_labels=OUTCOME_LABELS,
        deductions=[d for d in content["deductions"] if d["unit_id"] == unit_id],
        deduction_labels=DEDUCTION_KIND_LABELS,
        mine=next((p for p in content["people"] if p["person_id"] == person.id), None),
        choices=_choices(person, content, found), provenance=provenance(content),
        rules=describe_rules(content["rules"]), today_year=local_date(utcnow()).year)


WAITING = (Outcome.OPEN, Outcome.REVIEWING)  # not scored yet: 另有N项 lists them


def _openable(person, lines: list, found: Directory) -> set[int]:
    """The listed tasks `person` may open (a member sees only their own tasks)."""
    ids = [line["assignment_id"] for line in lines]
    if not ids:
        return set()
    return set(session.scalars(sa.select(Assignment.id).where(
        Assignment.id.in_(ids), visible_filter(person, found))))


def _choices(person, content: dict, found: Directory) -> list[tuple[str, list[dict]]]:
    """The units `person` may switch to, by kind: everyone's for inspectors and admins, a
    discipline body's own and supervised ones; nobody else chooses."""
    if person.role not in (*SEES_ALL, Role.DISCIPLINE):
        return []
    units = [unit for unit in content["units"]
             if person.role in SEES_ALL or can_see_unit(person, unit["unit_id"], found)]
    return [(UNIT_KIND_LABELS[kind], [unit for unit in units if unit["kind"] == kind])
            for kind in RANKED_KINDS if any(unit["kind"] == kind for unit in units)]
