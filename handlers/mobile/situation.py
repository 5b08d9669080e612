"""全县态势 on the phone (/m/situation, menu 审核督查 → 全县态势): the dashboard's series
(models.dashboard) for county inspectors and admins, readable at 375 px. Units open 任务总览
(/m/overview) filtered to them."""

from flask import g, render_template, url_for

from handlers.dashboard import (categories_chart, chosen_year, colour_counts, grouped,
                                warnings_chart, years)
from handlers.mobile import texts
from handlers.mobile.auth import message_page
from handlers.mobile.workbench import SITUATION_VIEWERS
from models import utcnow
from models.dashboard import RANKING_TOP, series

def situation():
    if g.person.role not in SITUATION_VIEWERS:
        return message_page(texts.SITUATION_REFUSED, 403, title=texts.SITUATION_REFUSED_TITLE)
    now = utcnow()
    year = chosen_year(now)
    data = series(year, now)
    return render_template(
        "mobile/situation.html", data=data, year=year, years=years(now), now=now,
        top=RANKING_TOP,
        groups=grouped([dict(tile, url=_overview(tile)) for tile in data["tiles"]]),
        ranks=grouped(data["ranking"]), colours=colour_counts(data["tiles"]),
        warnings=warnings_chart(data), rates=categories_chart(data))


def _overview(tile: dict) -> str:
    """任务总览 of the unit: its overdue tasks when it has any, else all it still owes."""
    state = "overdue" if tile["overdue"] else "open"
    return url_for("mobile.overview", unit=tile["unit_id"], state=state)
