"""政治生态指数 on the phone (/m/eco-index): a month's units as coloured tiles and a list with
each index (一图一表), and a unit's explanation, for county inspectors and admins at 375 px.
The same frozen month the admin pages, the API and the xlsx read (models.eco_index)."""

from decimal import Decimal

from flask import abort, g, render_template, request

from handlers.admin.eco_index import ref_links
from handlers.mobile import texts
from handlers.mobile.auth import message_page
from handlers.mobile.workbench import SITUATION_VIEWERS
from models import eco_index
from models.eco_tree import COLOUR_LABELS, COLOURS
from models.errors import DomainError, NotFound


def _month() -> str | None:
    text = request.args.get("month") or next(iter(eco_index.months()), None)
    if text is not None:
        try:
            eco_index.parse_month(text)
        except DomainError:
            abort(404)
    return text


def _refused():
    return message_page(texts.ECO_REFUSED, 403, title=texts.SITUATION_REFUSED_TITLE)


def index():
    if g.person.role not in SITUATION_VIEWERS:
        return _refused()
    month = _month()
    row = eco_index.latest(month) if month else None
    content = row.content if row else None
    counts = [(colour, COLOUR_LABELS[colour],
               sum(1 for u in content["units"] if u["colour"] == colour))
              for colour in COLOURS] if content else []
    # 一表, lowest index first (the stored index is text: "100.00" would sort before "78.29").
    ranked = sorted(content["units"], key=lambda u: (Decimal(u["index"]), u["name"])) \
        if content else []
    return render_template("mobile/eco_index.html", month=month, row=row, content=content,
                           counts=counts, ranked=ranked, labels=COLOUR_LABELS, months=eco_index.months(),
                           not_computed=texts.ECO_NOT_COMPUTED.format(month=month or ""))


def unit(unit_id: int):
    if g.person.role not in SITUATION_VIEWERS:
        return _refused()
    month = _month()
    row = eco_index.latest(month) if month else None
    if row is None:
        abort(404)
    try:
        explained = eco_index.explain(row.content, unit_id)
    except NotFound:
        abort(404)
    items = [{**item, "links": ref_links(item["ref_kind"], item["refs"], unit_id, month)}
             for item in explained["items"]]
    return render_template("mobile/eco_index_unit.html", month=month, explained=explained,
                           items=items, labels=COLOUR_LABELS, trend=eco_index.trend(unit_id))
