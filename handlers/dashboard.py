"""What the two dashboards (/admin/ and /m/situation) share: the year asked for, and the charts'
words and links around models.dashboard's series, handed to static/dashboard.js as JSON.

A chart names each series by a key (blue, yellow, red, supervision, on_time, completion, score);
its colour is the CSS class `level_<key>` (static/dashboard.css), so the colour table that
styles the pages styles the charts too.
"""

from datetime import datetime

from flask import request

from handlers.labels import KIND_LABELS, OUTCOME_LABELS, UNIT_KIND_LABELS
from models.clock import SHANGHAI
from models.dashboard import TILE_KINDS, WARNING_KINDS
from models.errors import DomainError
from models.scoring import Outcome

MONTHS = [f"{month}月" for month in range(1, 13)]
FIRST_YEAR, LAST_YEAR = 2000, 2100


def chosen_year(now) -> int:
    """?year=, by default the current year in Shanghai."""
    text = request.args.get("year", "").strip()
    if not text:
        return now.astimezone(SHANGHAI).year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise DomainError(f"年度请填写{FIRST_YEAR}到{LAST_YEAR}之间的年份，如 2026。")
    return int(text)


def years(now) -> list[int]:
    """The years a dashboard offers: this one and the four before it."""
    this = now.astimezone(SHANGHAI).year
    return list(range(this, this - 5, -1))


def grouped(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Tiles (or ranking rows) under their unit kind's name, in TILE_KINDS order."""
    return [(UNIT_KIND_LABELS[kind], [row for row in rows if row["kind"] == kind])
            for kind in TILE_KINDS if any(row["kind"] == kind for row in rows)]


def colour_counts(tiles: list[dict]) -> list[tuple[str, int]]:
    """How many units show each colour, worst first."""
    return [(key, sum(1 for tile in tiles if tile["colour"] == key))
            for key in ("supervision", "red", "yellow", "blue", "none")]


def warnings_chart(data: dict, link=None) -> dict:
    """Stacked bars: the tasks reaching each warning step per month; `link(kind, month)` gives
    each bar's task list (none on pages that have no such list)."""
    year = data["year"]
    return {"kind": "stack", "x": MONTHS, "series": [
        {"key": str(kind), "name": KIND_LABELS[kind], "data": data["warnings"][str(kind)],
         "links": [link(str(kind), f"{year}-{month:02d}") for month in range(1, 13)]
         if link else None}
        for kind in WARNING_KINDS]}


def categories_chart(data: dict, link=None) -> dict:
    """Bars per duty category: on-time rate and completion rate, in percent; `link(outcome,
    category_id)` gives the tasks behind a bar."""
    rows = data["categories"]
    return {"kind": "rates", "y": [row["name"] for row in rows], "series": [
        {"key": key, "name": name, "data": [row[field] for row in rows],
         "links": [link(outcome, row["category_id"]) for row in rows] if link else None}
        for key, name, field, outcome in (
            ("on_time", "按时完成率", "on_time_rate", str(Outcome.ON_TIME)),
            ("completion", "完成率", "completion_rate", "scored"))]}


def trend_chart(points: list[dict]) -> dict:
    """A unit's score at each month's end (models.dashboard.trend), and now."""
    months = [datetime.fromisoformat(point["as_of"]).astimezone(SHANGHAI).month
              for point in points[:-1]]
    return {"kind": "line", "x": [*(f"{month}月末" for month in months), "当前"], "series": [
        {"key": "score", "name": "得分", "links": None, "data": [
            None if point["score"] is None else float(point["score"]) for point in points]}]}


OUTCOME_COLUMNS = [(str(outcome), OUTCOME_LABELS[outcome])
                   for outcome in (Outcome.ON_TIME, Outcome.LATE, Outcome.UNFINISHED)]
