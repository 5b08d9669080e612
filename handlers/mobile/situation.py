"""全县态势 on the phone (/m/situation, menu 审核督查 → 全县态势): the dashboard's series
(models.dashboard) for county inspectors and admins, readable at 375 px. Units open 任务总览
(/m/overview) filtered to them; every other number, and each chart's bar, opens the tasks it
counts (/m/situation/tasks, the filter /admin/tasks reads)."""

from flask import g, render_template, request, url_for

from handlers.dashboard import (TILE_COLOURS, categories_chart, chosen_year, colour_counts,
                                flag_list, grouped, task_list, warnings_chart, years)
from handlers.mobile import texts
from handlers.mobile.auth import message_page
from handlers.mobile.workbench import SITUATION_VIEWERS, row
from models import utcnow
from models.dashboard import RANKING_TOP, series

PER_PAGE = 30


def situation():
    if g.person.role not in SITUATION_VIEWERS:
        return message_page(texts.SITUATION_REFUSED, 403, title=texts.SITUATION_REFUSED_TITLE)
    now = utcnow()
    year = chosen_year(now)
    data = series(year, now)
    colour = request.args.get("colour", "")  # only the units of that colour (a count's link)
    colour = colour if colour in TILE_COLOURS else ""
    return render_template(
        "mobile/situation.html", data=data, year=year, years=years(now), now=now,
        top=RANKING_TOP, colour=colour,
        groups=grouped([dict(tile, url=_overview(tile)) for tile in data["tiles"]
                        if not colour or tile["colour"] == colour]),
        ranks=grouped(data["ranking"]), colours=colour_counts(data["tiles"]),
        warnings=warnings_chart(data, lambda kind, month: url_for(
            "mobile.situation_tasks", level=kind, month=month)),
        rates=categories_chart(data, lambda outcome, category: url_for(
            "mobile.situation_tasks", year=year, category=category, outcome=outcome)))


def situation_tasks():
    """The tasks one of 全县态势's numbers counts, a page of them at a time."""
    if g.person.role not in SITUATION_VIEWERS:
        return message_page(texts.SITUATION_REFUSED, 403, title=texts.SITUATION_REFUSED_TITLE)
    return render_template("mobile/situation_tasks.html", **task_list(PER_PAGE, utcnow(), row))


def situation_flags():
    """材料雷同预警 behind 全县态势's two numbers (?state=open or all), each opening its task."""
    if g.person.role not in SITUATION_VIEWERS:
        return message_page(texts.SITUATION_REFUSED, 403, title=texts.SITUATION_REFUSED_TITLE)
    return render_template("mobile/integrity_flags.html", **flag_list())


def _overview(tile: dict) -> str:
    """任务总览 of the unit: its overdue tasks when it has any, else all it still owes."""
    state = "overdue" if tile["overdue"] else "open"
    return url_for("mobile.overview", unit=tile["unit_id"], state=state)
