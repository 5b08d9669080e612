"""政治生态指数 through the API (issue 12): the indicator tree (read, save a version), a
month's index per unit (read the frozen month, compute it), a unit's explanation and the
manual values (read with their history, enter). Inspectors and admins read; models decide
who may change what. A refusal rolls back and answers its status (R9)."""

from flask import request

from handlers.api import texts
from handlers.api.api_token import current_person
from handlers.api.payload import YEARS, BadInput, json_body, query_int, required, required_unit
from models import session, utcnow
from models import eco_index, eco_manual, eco_tree
from models.clock import local_date
from models.eco_indicator import INDICATORS, rule_text
from models.errors import DomainError, NotAllowed
from models.hierarchy import SEES_ALL


def _reader():
    person = current_person()
    if person.role not in SEES_ALL:
        raise NotAllowed(texts.ECO_INDEX_READERS)
    return person


def _month(default: str | None = None) -> str:
    text = request.args.get("month") or default
    if text is None:
        raise DomainError("请指定月份（month=2026-11）。")
    eco_index.parse_month(text)
    return text


def _committed(work):
    try:
        found = work()
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return found


def tree_json(tree: eco_tree.Tree) -> dict:
    leaves = [{"code": leaf["code"], "path": leaf["path"], "indicator": leaf["indicator"],
               "share": f"{leaf['share']:.2f}", "step": leaf.get("step"),
               "formula": INDICATORS[leaf["indicator"]].formula,
               "rule": rule_text(INDICATORS[leaf["indicator"]], leaf.get("step")),
               "manual": INDICATORS[leaf["indicator"]].manual} for leaf in tree.leaves()]
    return {**tree.as_dict(), "leaves": leaves}


def show_tree():
    """The year's indicator tree in force (the default tree as version 0)."""
    _reader()
    year = query_int("year", local_date(utcnow()).year, low=YEARS[0], high=YEARS[1])
    return tree_json(eco_tree.tree_for(year))


def save_tree():
    """A new version of a year's tree; the weights of each node's children must sum to 100."""
    person = current_person()
    body = json_body()
    year = required(body, "year", int, "年度")
    if not YEARS[0] <= year <= YEARS[1]:
        raise BadInput(texts.WRONG_TYPE.format(key="year", label="年度"))
    nodes, limits = body.get("nodes"), body.get("thresholds")
    if not isinstance(nodes, list) or not all(isinstance(node, dict) for node in nodes):
        raise BadInput(texts.ECO_NODES)
    if not isinstance(limits, dict):
        raise BadInput(texts.ECO_THRESHOLDS)
    note = body.get("note") or ""
    if not isinstance(note, str):
        raise BadInput(texts.WRONG_TYPE.format(key="note", label="说明"))
    _committed(lambda: eco_tree.save_tree(year, _plain(nodes), limits, actor=person,
                                          now=utcnow(), note=note))
    return tree_json(eco_tree.tree_for(year)), 201


def _plain(nodes, depth: int = 1) -> list:
    """The posted nodes with every child list checked to be a list of objects."""
    found = []
    for node in nodes:
        children = node.get("children")
        if depth < 3 and children is not None:
            if not isinstance(children, list) or not all(isinstance(c, dict) for c in children):
                raise BadInput(texts.ECO_NODES)
            node = {**node, "children": _plain(children, depth + 1)}
        found.append(node)
    return found


def month_json(row: eco_index.IndexMonth) -> dict:
    content = row.content
    return {"month": row.month, "version": row.version, "sha256": row.sha256,
            "computed_at": content["computed_at"], "as_of": content["as_of"],
            "tree_version": row.tree_version, "thresholds": content["tree"]["thresholds"],
            "leaves": content["leaves"], "units": content["units"]}


def show_month():
    """A month's frozen index per unit (default: the newest computed month)."""
    _reader()
    months = eco_index.months()
    return month_json(eco_index.get(_month(months[0] if months else None)))


def compute_month():
    """Compute a month that has ended and freeze it as its next version."""
    person = current_person()
    body = json_body()
    month = required(body, "month", str, "月份")
    eco_index.parse_month(month)
    return month_json(_committed(lambda: eco_index.freeze(month, actor=person,
                                                          now=utcnow()))), 201


def unit_explanation(unit_id: int):
    """Why a unit has its colour in a month, indicator by indicator, and its trend."""
    _reader()
    months = eco_index.months()
    row = eco_index.get(_month(months[0] if months else None))
    return {**eco_index.explain(row.content, unit_id), "version": row.version,
            "trend": eco_index.trend(unit_id)}


def entry_json(row: eco_manual.ManualValue) -> dict:
    return {"id": row.id, "unit_id": row.unit_id, "month": row.month,
            "indicator": row.indicator, "value": f"{row.value:.2f}", "source": row.source,
            "entered_at": row.entered_at.isoformat(), "entered_by_id": row.entered_by_id,
            "replaces_id": row.replaces_id}


def list_manual():
    """A month's manual values in force, and the entries that changed an earlier one."""
    _reader()
    month = _month(eco_index.previous_month(utcnow()))
    return {"month": month,
            "items": [entry_json(row) for row in eco_manual.values(month).values()],
            "changes": [entry_json(row) for row in eco_manual.history(month)]}


def enter_manual():
    """Enter (or change) one manual value with its source; audited."""
    person = current_person()
    body = json_body()
    unit = required_unit(body)
    month = required(body, "month", str, "月份")
    eco_index.parse_month(month)
    indicator = required(body, "indicator", str, "指标")
    value = required(body, "value", int, "数值")
    source = required(body, "source", str, "来源")
    row = _committed(lambda: eco_manual.enter(unit, month, indicator, value, source,
                                              actor=person, now=utcnow()))
    if row is None:
        row = eco_manual.values(month, [unit.id])[(unit.id, indicator)]
        return entry_json(row), 200
    return entry_json(row), 201
