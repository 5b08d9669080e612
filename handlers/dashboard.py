"""What the two dashboards (/admin/ and /m/situation) share: the year asked for, and the charts'
words and links around models.dashboard's series, handed to static/dashboard.js as JSON.

A chart names each series by a key (blue, yellow, red, supervision, on_time, completion, score);
its colour is the CSS class `level_<key>` (static/dashboard.css), so the colour table that
styles the pages styles the charts too.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import request, url_for

from handlers.labels import (FLAG_KIND_LABELS, FLAG_STATE_LABELS, KIND_LABELS, OUTCOME_LABELS,
                             UNIT_KIND_LABELS, WARNING_LABELS)
from models import integrity
from models.clock import SHANGHAI
from models.dashboard import OUTCOMES, STATES, TILE_KINDS, WARNING_KINDS, TaskFilter, window
from models.dashboard import tasks as task_page
from models.db import session
from models.duty import DutyCategory
from models.errors import DomainError
from models.scoring import Outcome
from models.unit import Unit

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


TILE_COLOURS = ("supervision", "red", "yellow", "blue", "none")  # a tile's colours, worst first


def colour_counts(tiles: list[dict]) -> list[tuple[str, int]]:
    """How many units show each colour, worst first."""
    return [(key, sum(1 for tile in tiles if tile["colour"] == key)) for key in TILE_COLOURS]


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


# The tasks behind a number (/admin/tasks, /m/situation/tasks): the query string, and in words

TASK_STATES = {"open": "未提交", "overdue": "已逾期未提交", "review": "审核中", "unfinished": "未办结",
               "completed": "已完成", "cancelled": "已撤销", "supervised": "曾被督办",
               "urged": "曾被催办"}
TASK_LEVEL_KEYS = ("warned", "supervision", "red", "yellow", "blue", "reminder", "none")
YEAR_TASKS = "{year}年度任务"
SCORED = "已计分"  # ?outcome=scored: on time, late or not done, every scored task
CURRENT_LEVEL = "（当前）"  # a ?level= without a month: the level reached so far
NO_SUCH_UNIT = "（未找到该单位）"
NO_SUCH_CATEGORY = "（未找到该类别）"


def task_filter() -> TaskFilter:
    """The query string as a TaskFilter; values it does not know are ignored, not errors."""
    args = request.args
    year = args.get("year", type=int)
    return TaskFilter(
        year=year if year and FIRST_YEAR <= year <= LAST_YEAR else None,
        unit_id=args.get("unit", type=int), category_id=args.get("category", type=int),
        state=args.get("state", "") if args.get("state") in STATES else "",
        level=args.get("level", "") if args.get("level") in TASK_LEVEL_KEYS else "",
        month=month if window(month := args.get("month", "").strip()) else "",
        outcome=args.get("outcome", "") if args.get("outcome") in OUTCOMES else "")


def level_words(level: str) -> str:
    """A ?level= in words: 有预警 / 未预警 / the level's own name (looked up when asked)."""
    if level in ("warned", "none"):
        return {"warned": "有预警", "none": "未预警"}[level]
    return WARNING_LABELS[level]


def month_words(month: str) -> str:
    """"2026-11" → 2026年11月内, "2026" → 2026年内 (when the level, 督办 or 催办 happened)."""
    return (f"{month[:4]}年{int(month[5:])}月内" if len(month) == 7 else f"{month}年内")


def described(chosen: TaskFilter) -> list[str]:
    """The filter in words, for the page's heading."""
    words = []
    if chosen.unit_id:
        unit = session.get(Unit, chosen.unit_id)
        words.append(unit.name if unit else NO_SUCH_UNIT)
    if chosen.year:
        words.append(YEAR_TASKS.format(year=chosen.year))
    if chosen.category_id:
        category = session.get(DutyCategory, chosen.category_id)
        words.append(category.name if category else NO_SUCH_CATEGORY)
    if chosen.month:
        words.append(month_words(chosen.month))
    if chosen.level:
        reached = not chosen.month and chosen.level != "none"  # the level reached so far
        words.append(level_words(chosen.level) + (CURRENT_LEVEL if reached else ""))
    if chosen.state:
        words.append(TASK_STATES[chosen.state])
    if chosen.outcome:
        words.append(OUTCOME_LABELS.get(chosen.outcome, SCORED))
    return words


def task_list(per_page: int, now: datetime, row) -> dict:
    """One page (?page=) of the tasks the query string names, each as `row(task, now)` shows
    it (handlers.mobile.workbench.row), with the filter in words and the filter form's
    choices: what a task list page shows."""
    chosen = task_filter()
    number = max(request.args.get("page", 1, type=int), 1)
    found, total = task_page(chosen, now, limit=per_page, offset=(number - 1) * per_page)
    return {"rows": [row(task, now) for task in found], "total": total, "page": number,
            "pages": max(1, -(-total // per_page)), "args": request.args.to_dict(),
            "said": described(chosen), **task_choices()}


def task_choices() -> dict:
    """What a task list's filter form offers: states, levels, units with tiles, categories."""
    return {"states": TASK_STATES,
            "levels": {key: level_words(key) for key in TASK_LEVEL_KEYS},
            "units": session.scalars(sa.select(Unit).where(Unit.kind.in_(TILE_KINDS), Unit.active.is_(True))
                                     .order_by(Unit.id)).all(),
            "categories": session.scalars(sa.select(DutyCategory).order_by(
                DutyCategory.position, DutyCategory.id)).all()}


FLAG_LIMIT = 200


def flag_list() -> dict:
    """材料雷同预警 behind the dashboard's two numbers (?state=open, or all), newest first,
    each row linking to its task."""
    only_open = request.args.get("state", "open") != "all"
    rows = [{"flag": flag, "task": flag.assignment,
             "kind": FLAG_KIND_LABELS[flag.kind], "state": FLAG_STATE_LABELS[flag.state],
             "url": url_for("mobile.assignment", assignment_id=flag.assignment_id)}
            for flag in integrity.listed(only_open=only_open, limit=FLAG_LIMIT)]
    return {"rows": rows, "only_open": only_open, "counts": integrity.counts(),
            "limit": FLAG_LIMIT}
