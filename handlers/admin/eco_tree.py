"""指标体系 (`/admin/eco-index/tree`): the year's indicator tree with each indicator's formula
and rule, its versions, and a form that saves the next version (models.eco_tree validates it;
a refused form saves nothing and keeps what was typed)."""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.admin.scoring import year_arg
from models import Person, session, utcnow
from models import eco_tree
from models.eco_indicator import INDICATORS, PER_ITEM, rule_text
from models.eco_tree import COLOUR_LABELS, COLOURS, LEVEL_LABELS
from models.errors import DomainError

BLANK_ROWS = 4  # empty rows under the tree, for new indicators


def rows_of(nodes: list) -> list[dict]:
    """The tree as the form's rows, one per node, in order."""
    rows = []
    for first in nodes:
        rows.append({"level": 1, "name": first["name"], "weight": first["weight"]})
        for second in first["children"]:
            rows.append({"level": 2, "name": second["name"], "weight": second["weight"]})
            rows += [{"level": 3, **leaf} for leaf in second["children"]]
    return rows


def posted_rows(form) -> list[dict]:
    columns = zip(form.getlist("level"), form.getlist("name"), form.getlist("weight"),
                  form.getlist("indicator"), form.getlist("step"), strict=False)
    return [{"level": int(level) if level in ("1", "2", "3") else 3, "name": name,
             "weight": weight, "indicator": indicator, "step": step}
            for level, name, weight, indicator, step in columns]


def nodes_of(rows: list[dict]) -> list:
    """The form's rows as a tree: a row belongs under the nearest row above it one level up;
    rows left without a name are dropped."""
    nodes = []
    for number, row in enumerate(rows, 1):
        if not str(row["name"]).strip():
            continue
        node = {"name": row["name"], "weight": row["weight"]}
        if row["level"] == 1:
            nodes.append({**node, "children": []})
        elif row["level"] == 2:
            if not nodes:
                raise DomainError(f"第{number}行的二级指标上面须有一级指标。")
            nodes[-1]["children"].append({**node, "children": []})
        else:
            if not nodes or not nodes[-1]["children"]:
                raise DomainError(f"第{number}行的三级指标上面须有二级指标。")
            nodes[-1]["children"][-1]["children"].append(
                {**node, "indicator": row["indicator"], "step": row["step"]})
    return nodes


def tree():
    posted = request.method == "POST"
    year = year_arg(request.form if posted else None)
    error, rows, limits = None, None, None
    if posted:
        rows = posted_rows(request.form)
        limits = {colour: request.form.get(f"threshold_{colour}", "") for colour in COLOURS[:3]}
        try:
            saved = eco_tree.save_tree(year, nodes_of(rows), limits, actor=g.person,
                                       now=utcnow(), note=request.form.get("note", ""))
        except DomainError as refusal:
            session.rollback()
            error = refusal.message
        else:
            session.commit()
            flash(texts.ECO_TREE_SAVED.format(year=year, version=saved.version), "ok")
            return redirect(url_for("admin.eco_tree", year=year), 303)
    current = eco_tree.tree_for(year)
    rows = rows if rows is not None else rows_of(current.nodes)
    versions = eco_tree.versions(year)
    authors = dict(session.execute(sa.select(Person.id, Person.name).where(
        Person.id.in_({row.created_by_id for row in versions}))).all())
    return render_template(
        "admin/eco_tree.html", year=year, tree=current, leaves=current.leaves(),
        rows=rows + [{"level": 3, "name": "", "weight": "", "indicator": "", "step": ""}
                     for _ in range(BLANK_ROWS)],
        limits=limits or current.thresholds, error=error, versions=versions, authors=authors,
        indicators=INDICATORS, per_item=PER_ITEM, rule_text=rule_text,
        colour_labels=COLOUR_LABELS, colours=COLOURS, level_labels=LEVEL_LABELS,
        can_edit=eco_tree.may_edit(g.person)), 400 if error else 200
