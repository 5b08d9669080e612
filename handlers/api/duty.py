"""GET /templates and POST /dispatch: the duty list and turning an item into assignments."""

import sqlalchemy as sa

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import (BadInput, json_body, optional_flag, optional_ids, query_flag,
                                  required_id, required_period)
from models import DutyTemplate, Person, Role, Unit, session, utcnow
from models.dispatch import DueInPast, coverage_gaps, dispatch
from models.errors import Conflict, NotAllowed

DISPATCHERS = (Role.INSPECTOR, Role.ADMIN)


def template_json(template: DutyTemplate) -> dict:
    return {"id": template.id, "title": template.title, "description": template.description,
            "category": template.category.name, "responsibility": template.responsibility,
            "kind": template.kind, "target_role": template.target_role,
            "target_unit_kind": template.target_unit_kind, "period": template.period,
            "due_rule": template.due_rule, "points": template.points,
            "requires_summary": template.requires_summary, "min_photos": template.min_photos,
            "review_levels": template.review_levels, "late_policy": template.late_policy,
            "close_after_days": template.close_after_days, "active": template.active}


def list_templates():
    """Every duty template (the published duty list); `?active=true` for active ones only."""
    query = sa.select(DutyTemplate).order_by(DutyTemplate.id)
    if query_flag("active"):
        query = query.where(DutyTemplate.active.is_(True))
    return {"items": [template_json(t) for t in session.scalars(query)]}


def dispatch_template():
    """Dispatch a template for a period (inspectors and admins); a repeat creates nothing.
    A due time already past is refused (409) unless the body says `"allow_past": true`."""
    person = current_person()
    if person.role not in DISPATCHERS:
        raise NotAllowed(texts.DISPATCHERS_ONLY)
    body = json_body()
    template = _template(required_id(body, "template_id", "任务清单编号"))
    period = required_period(body)
    units = _rows(Unit, optional_ids(body, "unit_ids", "单位编号"), "单位")
    people = _rows(Person, optional_ids(body, "person_ids", "人员编号"), "人员")
    allow_past = optional_flag(body, "allow_past", "截止时间已过仍派发")
    try:
        created = dispatch(template, period, now=utcnow(), actor=person, units=units,
                           people=people, allow_past=allow_past)
    except DueInPast as late:
        raise Conflict(texts.PAST_DUE_HINT.format(message=late.message)) from None
    session.commit()
    missing = coverage_gaps(template, created)
    return {"template_id": template.id, "period": period, "created": len(created),
            "assignment_ids": [a.id for a in created],
            "gaps": [str(gap) for gap in missing]}, 201 if created else 200


def _template(template_id: int) -> DutyTemplate:
    template = session.get(DutyTemplate, template_id)
    if template is None:
        raise BadInput(texts.NO_TEMPLATE.format(id=template_id))
    return template


def _rows(model, ids: list[int], label: str) -> list:
    """The rows with these ids in the given order, or BadInput naming those missing."""
    found = {row.id: row for row in session.scalars(sa.select(model).where(model.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise BadInput(texts.NOT_FOUND_IDS.format(label=label, ids=", ".join(missing)))
    return [found[i] for i in dict.fromkeys(ids)]
