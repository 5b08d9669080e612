"""Scores, deductions and year-end assessments through the API (issue 10).

The numbers are models.assessment's rows over models.scoring's one computation, the same the
pages and the xlsx show. Inspectors and admins see every unit; a discipline body the units it
supervises and its own; anyone else their own unit, and their own row among its people.
"""

from datetime import date

import sqlalchemy as sa

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import (MAX_REASON, YEARS, BadInput, json_body, optional_text,
                                  query_choice, query_int, query_moment, required, required_day,
                                  required_id, required_unit)
from handlers.api.visibility import unit_filter
from handlers.exports import assessment_xlsx
from models import Person, Role, Unit, UnitKind, session, utcnow
from models import assessment as assessments
from models import dashboard
from models import deduction as deductions
from models.clock import local_date
from models.deduction import MAX_REFERENCE, Deduction, DeductionKind
from models.errors import DomainError, NotAllowed, NotFound
from models.hierarchy import SEES_ALL
from models.scoring import compute, current


def _year() -> int:
    return query_int("year", local_date(utcnow()).year, low=YEARS[0], high=YEARS[1])


def _visible_units(person: Person) -> set[int] | None:
    """The unit ids whose scores `person` sees (None: all)."""
    if person.role in SEES_ALL:
        return None
    return set(session.scalars(sa.select(Unit.id).where(unit_filter(person))))


def _own_people_only(person: Person, rows: list[dict]) -> list[dict]:
    """A cadre reads their own row among the people; leaders read everyone's they see."""
    if person.role in (*SEES_ALL, Role.DISCIPLINE, Role.SECRETARY):
        return rows
    return [row for row in rows if row["person_id"] == person.id]


def list_scores():
    """Every visible unit's score and rank for the year, in ranking order within kind."""
    person = current_person()
    kind = query_choice("unit_kind", UnitKind)
    scores = current(_year(), utcnow())
    rows = assessments.unit_rows(scores, unit_ids=_visible_units(person))
    return {"year": scores.year, "as_of": scores.as_of.isoformat(),
            "rules": scores.rules.as_dict(),
            "items": [row for row in rows if kind is None or row["kind"] == kind]}


def unit_score_visible(unit_id: int) -> Person:
    """The caller, when they may see `unit_id`'s score; else NotFound."""
    person = current_person()
    visible = _visible_units(person)
    if visible is not None and unit_id not in visible or session.get(Unit, unit_id) is None:
        raise NotFound(texts.NO_UNIT)
    return person


def unit_score(unit_id: int):
    """One unit's score, its people's, its lines and deductions, as of now or `as_of`."""
    person = unit_score_visible(unit_id)
    as_of = query_moment("as_of")
    year = query_int("year", local_date(as_of).year if as_of else None, low=YEARS[0],
                     high=YEARS[1]) \
        or local_date(utcnow()).year
    scores = compute(year, as_of) if as_of else current(year, utcnow())
    detail = assessments.unit_detail(scores, unit_id)
    detail["people"] = _own_people_only(person, detail["people"])
    if person.role not in (*SEES_ALL, Role.DISCIPLINE, Role.SECRETARY):
        detail["lines"] = [line for line in detail["lines"]
                           if line["person_id"] in (None, person.id)]
    return detail


def deduction_json(row: Deduction) -> dict:
    return {"id": row.id, "kind": str(row.kind), "unit_id": row.unit_id,
            "person_id": row.person_id, "points": f"{row.points:.2f}", "reason": row.reason,
            "reference": row.reference, "day": row.day.isoformat(), "source": row.source,
            "recorded_by_id": row.recorded_by_id, "created_at": row.created_at.isoformat(),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            "revoked_by_id": row.revoked_by_id, "revoke_reason": row.revoke_reason}


def list_deductions():
    """The year's deductions and bonuses of the visible units, revoked ones included."""
    person = current_person()
    year = _year()
    query = sa.select(Deduction).where(Deduction.day >= date(year, 1, 1),
                                       Deduction.day <= date(year, 12, 31))
    visible = _visible_units(person)
    if visible is not None:
        query = query.where(Deduction.unit_id.in_(visible))
    unit_id = query_int("unit", low=1)
    if unit_id is not None:
        query = query.where(Deduction.unit_id == unit_id)
    return {"items": [deduction_json(row) for row in session.scalars(
        query.order_by(Deduction.day, Deduction.id))]}


def create_deduction():
    """Record a deduction or bonus (inspectors), audited."""
    person = current_person()
    body = json_body()
    unit = required_unit(body)
    target = None
    if body.get("person_id") is not None:
        target = session.get(Person, required_id(body, "person_id", "个人"))
        if target is None:
            raise BadInput(texts.NO_SUCH_PERSON_FIELD)
    kind = body.get("kind") or DeductionKind.DEDUCTION
    if kind not in [k.value for k in DeductionKind]:
        raise BadInput(texts.BAD_DEDUCTION_KIND)
    day = required_day(body, "day", "日期")
    points = required(body, "points", (int, float, str), "分值")
    if isinstance(points, bool):
        raise BadInput(texts.WRONG_TYPE.format(key="points", label="分值"))
    try:
        row = deductions.record(unit=unit, person=target, points=points,
                                reason=optional_text(body, "reason", "事由", MAX_REASON),
                                reference=optional_text(body, "reference", "文号", MAX_REFERENCE),
                                day=day, kind=kind,
                                actor=person, now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return deduction_json(row), 201


def revoke_deduction(deduction_id: int):
    """Revoke with a reason (inspectors); the row stays, marked revoked."""
    person = current_person()
    row = session.get(Deduction, deduction_id)
    visible = _visible_units(person)
    if row is None or (visible is not None and row.unit_id not in visible):
        raise NotFound(texts.NO_DEDUCTION)
    body = json_body()
    try:
        deductions.revoke(row, actor=person,
                          reason=optional_text(body, "reason", "撤销理由", MAX_REASON),
                          now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return deduction_json(row)


def assessment_json(row, *, content: bool = False) -> dict:
    data = {"id": row.id, "year": row.year, "version": row.version,
            "as_of": row.as_of.isoformat(), "policy_version": row.policy_version,
            "sha256": row.sha256, "units": row.units,
            "created_at": row.created_at.isoformat(),
            "created_by": row.created_by.name if row.created_by else None,
            "published_at": row.published_at.isoformat() if row.published_at else None}
    if content:
        rows = row.rows()
        earlier = assessments.previous(row)
        data.update(content=rows, changes=assessments.changes(rows, earlier.rows())
                    if earlier else None)
    return data


def _viewer() -> Person:
    person = current_person()
    if not assessments.may_view(person):
        raise NotAllowed(texts.ASSESSMENT_VIEWERS)
    return person


def list_assessments():
    _viewer()
    return {"items": [assessment_json(row) for row in assessments.of_year(_year())]}


def generate_assessment():
    """一键生成年度考核: the year's next version, frozen (inspectors)."""
    person = current_person()
    body = json_body()
    year = required(body, "year", int, "年度")
    if not YEARS[0] <= year <= YEARS[1]:
        raise BadInput(texts.FIELD_OUT_OF_RANGE.format(key="year", label="年度",
                                                       limit=f"{YEARS[0]}–{YEARS[1]}"))
    try:
        row = assessments.generate(year, actor=person, now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return assessment_json(row), 201


def show_assessment(assessment_id: int):
    _viewer()
    return assessment_json(assessments.get(assessment_id), content=True)


def dashboard_series():
    """全县态势's series (inspectors and admins): tiles, warnings per month, 督办 and 催办,
    rates by category and the ranking; the numbers /admin/ draws."""
    if current_person().role not in SEES_ALL:
        raise NotAllowed(texts.DASHBOARD_VIEWERS)
    return dashboard.series(_year(), utcnow())


def unit_trend(unit_id: int):
    """A unit's score at each month's end of the year so far, and now."""
    unit_score_visible(unit_id)
    return {"items": dashboard.trend(_year(), unit_id, utcnow())}


def assessment_workbook(assessment_id: int):
    """The version as .xlsx (the same workbook as the admin download), audited."""
    return assessment_xlsx(assessments.get(assessment_id), _viewer())


def publish_assessment(assessment_id: int):
    person = current_person()
    row = assessments.get(assessment_id)
    try:
        pushed = assessments.publish(row, actor=person, now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return {**assessment_json(row), "pushed": pushed}
