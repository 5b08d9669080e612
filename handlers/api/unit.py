"""GET /units and GET /people: the organisation tree and its cadres, as far as the caller sees."""

import sqlalchemy as sa

from handlers.api.api_token import current_person
from handlers.api.payload import query_flag, query_int
from handlers.api.visibility import unit_filter
from models import Person, Unit, session


def unit_json(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
            "supervisor_id": unit.supervisor_id, "active": unit.active,
            "merged_into_id": unit.merged_into_id}


def person_json(person: Person) -> dict:
    return {"id": person.id, "name": person.name, "unit_id": person.unit_id,
            "role": person.role, "role_label": person.role_label, "title": person.title,
            "active": person.active}


def list_units():
    """The units the caller may see, by id; a 停用 or merged unit too (old tasks name it),
    marked so, and left out with `?active=true`."""
    query = sa.select(Unit).where(unit_filter(current_person())).order_by(Unit.id)
    if query_flag("active"):
        query = query.where(Unit.active.is_(True))
    return {"items": [unit_json(unit) for unit in session.scalars(query)]}


def list_people():
    """The people of the units the caller may see; `?unit=ID` narrows to one unit."""
    visible_units = sa.select(Unit.id).where(unit_filter(current_person()))
    query = sa.select(Person).where(Person.unit_id.in_(visible_units)).order_by(Person.id)
    unit_id = query_int("unit", low=1)
    if unit_id is not None:
        query = query.where(Person.unit_id == unit_id)
    return {"items": [person_json(person) for person in session.scalars(query)]}
