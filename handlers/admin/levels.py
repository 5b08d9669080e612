"""Admin page 预警等级与颜色 (`/admin/levels`): what the ladder's levels are called and how they
are coloured in every push, chat reply and page (models.level_scheme).

Admins and inspectors see the scheme; only admins change it: pick a preset (蓝黄红, 绿黄橙红,
白黄红), or edit each level's name and colour starting from one, with a live preview
(admin.js). Bad names or colours answer 400 with the reasons beside their fields; nothing is
saved then.
"""

from flask import flash, g, redirect, render_template, request, url_for

from handlers.admin import texts
from handlers.admin.access import editors_only
from models import Person, Role, utcnow
from models import session as db
from models.escalation import replan_default_ladder
from models.ladder import parse_ladder
from models.level_scheme import (HEX_COLOUR, LEVELS, POSITIONS, PRESETS, BadScheme,
                                 LevelScheme, Shade, ladder_names, save_default_ladder,
                                 save_scheme, scheme)


def levels():
    found = scheme()
    return _page({"preset": found.preset, **_fields(found.shades)})


@editors_only
def levels_save():
    """选用预设 (`apply=preset`) stores the chosen preset as it is; 保存 stores the fields."""
    form = request.form
    shades = None if form.get("apply") == "preset" else {
        level: Shade(form.get(f"{level.value}_name", ""), form.get(f"{level.value}_colour", ""))
        for level in LEVELS}
    try:
        saved = save_scheme(preset=form.get("preset", ""), shades=shades, actor=g.person,
                            now=utcnow())
    except BadScheme as bad:
        db.rollback()
        return _page(form.to_dict(), problems=bad.problems, status=400)
    db.commit()
    label = PRESETS[saved.preset].label
    flash((f"已保存预警等级与颜色（在“{label}”基础上修改）。" if saved.customised
           else f"已改用“{label}”的预警等级与颜色。") + texts.LEVELS_IN_USE, "ok")
    return redirect(url_for("admin.levels"))


@editors_only
def levels_ladder():
    """The county's default ladder days (thresholds): saved, and every open task of a template
    without days of its own replanned, in one transaction."""
    try:
        save_default_ladder(request.form.get("ladder_days", ""), actor=g.person, now=utcnow())
    except BadScheme as bad:
        db.rollback()
        return _page({**_fields(scheme().shades), **request.form.to_dict()},
                     problems=bad.problems, status=400)
    replanned = replan_default_ladder(utcnow())
    db.commit()
    flash(texts.LADDER_SAVED.format(days=_ladder_text(scheme()), count=replanned), "ok")
    return redirect(url_for("admin.levels") + "#ladder")


def _ladder_text(found) -> str:
    """The default ladder in words: 预警提醒 截止前3天、蓝色预警 逾期1天…"""
    steps = parse_ladder(found.ladder_days)
    return "、".join(f"{name} {'截止前' if days < 0 else '逾期'}{abs(days)}天" if days else
                     f"{name} 截止当天" for name, (_, days) in zip(ladder_names(), steps))


def _page(values: dict, *, problems: dict | None = None, status: int = 200):
    """The page with the form holding `values` (field name → text, as posted)."""
    row = db.get(LevelScheme, 1)
    editor = db.get(Person, row.updated_by_id) if row and row.updated_by_id else None
    previews = {level: Shade(values.get(f"{level.value}_name", ""), colour)
                if HEX_COLOUR.match(colour := values.get(f"{level.value}_colour", "")) else None
                for level in LEVELS}
    return render_template("admin/levels.html", values=values, problems=problems or {},
                           previews=previews, levels=LEVELS, positions=POSITIONS,
                           presets=PRESETS, preset_fields={key: _fields(preset.shades)
                                                           for key, preset in PRESETS.items()},
                           current=scheme(), row=row, editor=editor,
                           ladder_text=_ladder_text(scheme()),
                           ladder_label=texts.LADDER_FIELD.format(steps="、".join(ladder_names())),
                           can_edit=g.person.role == Role.ADMIN), status


def _fields(shades: dict) -> dict[str, str]:
    """The form's fields for `shades`: blue_name, blue_colour, …"""
    return {f"{level.value}_{part}": getattr(shades[level], part)
            for level in LEVELS for part in ("name", "colour")}
