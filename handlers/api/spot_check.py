"""抽查核实 through the API (issue 11): rounds (list, open — which draws —, one with its items
and per-unit results) and an item's 核实; inspectors act, inspectors and admins read. A
refusal rolls back and answers its status (R9)."""


from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import (YEARS, BadInput, iso_time, json_body, optional_ids,
                                  optional_text, query_int)
from models import SpotCheckItem, session, spot_check, utcnow
from models.errors import DomainError, NotAllowed, NotFound
from models.hierarchy import SEES_ALL
from models.spot_check import Scope



def round_json(row, items: bool = False) -> dict:
    body = {"id": row.id, "name": row.name, "year": row.year, "number": row.number,
            "periods": row.periods, "category_ids": row.category_ids,
            "unit_kinds": row.unit_kinds, "sample_size": row.sample_size,
            "sample_percent": row.sample_percent, "points_false": f"{row.points_false:.2f}",
            "points_partial": f"{row.points_partial:.2f}", "seed": row.seed,
            "drawn_at": iso_time(row.drawn_at), "population_size": len(row.population),
            "population_sha256": row.population_sha256, "opened_by_id": row.opened_by_id,
            "drawn": len(row.items), "units": spot_check.unit_results(row)}
    if items:
        body["population"] = sorted(row.population)
        body["items"] = [item_json(item) for item in row.items]
    return body


def item_json(item: SpotCheckItem) -> dict:
    return {"id": item.id, "assignment_id": item.assignment_id, "unit_id": item.unit_id,
            "key": item.key, "result": item.result, "reason": item.reason,
            "verified_by_id": item.verified_by_id, "verified_at": iso_time(item.verified_at),
            "deduction_id": item.deduction_id}


def _reader():
    person = current_person()
    if person.role not in SEES_ALL:
        raise NotAllowed(texts.SPOT_CHECK_READERS)
    return person


def list_spot_checks():
    """The rounds, newest first (?year=)."""
    _reader()
    year = query_int("year", low=YEARS[0], high=YEARS[1])
    return {"items": [round_json(row) for row in spot_check.rounds(year)]}


def show_spot_check(round_id: int):
    _reader()
    return round_json(spot_check.get(round_id), items=True)


def open_spot_check():
    """Open a round: drawn at once and audited; there is no redraw."""
    person = current_person()
    body = json_body()
    year = _whole(body, "year", "年度")
    periods, kinds = _texts(body, "periods", "周期"), _texts(body, "unit_kinds", "单位类别")
    size, percent = _whole(body, "sample_size", "抽查数量"), \
        _whole(body, "sample_percent", "抽查比例")
    try:
        if (size is None) == (percent is None):
            raise BadInput(texts.SPOT_CHECK_SAMPLE)
        size, percent = spot_check.parse_sample(f"{size}" if size is not None else f"{percent}%")
        if year is None or not YEARS[0] <= year <= YEARS[1]:
            raise BadInput(texts.WRONG_TYPE.format(key="year", label="年度"))
        row = spot_check.open_round(
            Scope(year, periods, optional_ids(body, "category_ids", "责任类别"), kinds),
            size=size, percent=percent, actor=person, now=utcnow(),
            points_false=_points(body, "points_false", spot_check.DEFAULT_POINTS_FALSE),
            points_partial=_points(body, "points_partial", spot_check.DEFAULT_POINTS_PARTIAL))
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return round_json(row, items=True), 201


def _whole(body: dict, key: str, label: str) -> int | None:
    value = body.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise BadInput(texts.WRONG_TYPE.format(key=key, label=label))
    return value


def _texts(body: dict, key: str, label: str) -> list[str]:
    value = body.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInput(texts.WRONG_TYPE.format(key=key, label=label))
    return value


def _points(body: dict, key: str, default):
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str, type(None))):
        raise BadInput(texts.WRONG_TYPE.format(key=key, label="扣分"))
    return spot_check.parse_points(None if value is None else str(value), default)


def verify_spot_check_item(round_id: int, item_id: int):
    """核实 one drawn task, once: {"result": "true" | "partial" | "false", "reason": "..."}."""
    person = current_person()
    item = session.get(SpotCheckItem, item_id)
    if item is None or item.round_id != round_id:
        raise NotFound(texts.NO_SPOT_CHECK_ITEM)
    body = json_body()
    try:
        spot_check.verify(item, optional_text(body, "result", "核实结果"),
                          optional_text(body, "reason", "核实情况"), actor=person, now=utcnow())
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return item_json(item)
