"""预警等级与颜色: what the ladder's levels are called and how they are coloured, one row an
admin edits, read alike by pushes, chat, pages, the admin and the CLI.

Counties colour their ladders differently (reference/domain.md §0.4): 蓝黄红 (邹城; the default),
绿黄橙红 (常山: green means nothing is overdue, the three overdue levels are 黄, 橙 and 红), 白黄红
(镇坪). The ladder itself (models.ladder.Level, its days and recipients) stays what it is; only
the words and colours change. No row stored means the default preset.

Every process reads the row through `scheme()`, kept in the session while its transaction
lasts: a page render or a push queries once, and a change committed anywhere shows from the
next transaction on (each request and job starts with a fresh session anyway).
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from models import audit
from models.db import Base, session
from models.errors import DomainError
from models.ladder import STEP_NAMES, Level, ladder_problem

# The levels a scheme names and colours, in ladder order: "nothing overdue", then the four
# overdue levels. A task at its reminder is not overdue yet: it is shaded as NONE.
LEVELS = (Level.NONE, Level.BLUE, Level.YELLOW, Level.RED, Level.SUPERVISION)
# What each level is, whatever a county calls it (the admin form's rows, its error messages).
POSITIONS = {Level.NONE: "未逾期", Level.BLUE: "一级预警", Level.YELLOW: "二级预警",
             Level.RED: "三级预警", Level.SUPERVISION: "督办"}
# The reminder's fixed names (push, task badge): no level may take them.
REMINDER_NAMES = (STEP_NAMES[0], "即将到期")
# A warning template's 预警等级 (phrase2) holds at most 5 characters (jobs/message.py PHRASE):
# every overdue level can stand there, a digest's included. "Nothing overdue" is never pushed.
LONGEST_NAME = {Level.NONE: 8, **dict.fromkeys(LEVELS[1:], 5)}
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DARK_INK, LIGHT_INK = "#1a1a1a", "#ffffff"
PALE_LINE = "#8c8c8c"  # the outline of a colour too pale to see on a white page
DEFAULT_PRESET = "blue_yellow_red"


@dataclass(frozen=True)
class Shade:
    """One level's name and fill colour (#rrggbb), and the colours that keep it readable."""

    name: str
    colour: str

    @property
    def ink(self) -> str:
        """Text on the fill: white or near-black, whichever contrasts more (WCAG 2.1)."""
        return LIGHT_INK if contrast(self.colour, LIGHT_INK) >= contrast(self.colour, DARK_INK) \
            else DARK_INK

    @property
    def line(self) -> str:
        """A stripe or outline of this level on a white page: the colour itself, or grey when
        it is too pale to see there (白色预警)."""
        return self.colour if contrast(self.colour, LIGHT_INK) >= 1.5 else PALE_LINE


@dataclass(frozen=True)
class Preset:
    label: str
    shades: dict[Level, Shade]


PRESETS = {
    "blue_yellow_red": Preset("蓝黄红（默认）", {
        Level.NONE: Shade("正常", "#1f7a3d"), Level.BLUE: Shade("蓝色预警", "#1765cc"),
        Level.YELLOW: Shade("黄色预警", "#f5b800"), Level.RED: Shade("红色预警", "#c62828"),
        Level.SUPERVISION: Shade("工作督办", "#7a1010")}),
    "green_yellow_orange_red": Preset("绿黄橙红（常山）", {
        Level.NONE: Shade("绿色", "#1f7a3d"), Level.BLUE: Shade("黄色预警", "#f5b800"),
        Level.YELLOW: Shade("橙色预警", "#ef6c00"), Level.RED: Shade("红色预警", "#c62828"),
        Level.SUPERVISION: Shade("工作督办", "#7a1010")}),
    "white_yellow_red": Preset("白黄红（镇坪）", {
        Level.NONE: Shade("正常", "#1f7a3d"), Level.BLUE: Shade("白色预警", "#ffffff"),
        Level.YELLOW: Shade("黄色预警", "#f5b800"), Level.RED: Shade("红色预警", "#c62828"),
        Level.SUPERVISION: Shade("工作督办", "#7a1010")}),
}


@dataclass(frozen=True)
class Scheme:
    """The names and colours in force, the preset they came from, and the county's default
    ladder days (thresholds; None: DESIGN's, models.ladder.DEFAULT_LADDER)."""

    preset: str
    shades: dict[Level, Shade]
    ladder_days: str | None = None

    def shade(self, level: str) -> Shade:
        """The shade of `level`; below blue (none, reminder) nothing is overdue."""
        level = Level(level)
        return self.shades[level if level in self.shades else Level.NONE]

    def name(self, level: str) -> str:
        return self.shade(level).name

    def colour(self, level: str) -> str:
        return self.shade(level).colour

    @property
    def customised(self) -> bool:
        """True when the names or colours were changed from those of the preset."""
        return self.preset not in PRESETS or self.shades != PRESETS[self.preset].shades

    @property
    def preset_label(self) -> str:
        return PRESETS[self.preset].label if self.preset in PRESETS else self.preset


DEFAULT = Scheme(DEFAULT_PRESET, PRESETS[DEFAULT_PRESET].shades)


class LevelScheme(Base):
    """The one stored scheme (id 1): a name and a colour per level, and its preset."""

    __tablename__ = "level_scheme"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    preset: Mapped[str] = mapped_column(sa.String(40))
    none_name: Mapped[str] = mapped_column(sa.String(8))
    none_colour: Mapped[str] = mapped_column(sa.String(7))
    blue_name: Mapped[str] = mapped_column(sa.String(8))
    blue_colour: Mapped[str] = mapped_column(sa.String(7))
    yellow_name: Mapped[str] = mapped_column(sa.String(8))
    yellow_colour: Mapped[str] = mapped_column(sa.String(7))
    red_name: Mapped[str] = mapped_column(sa.String(8))
    red_colour: Mapped[str] = mapped_column(sa.String(7))
    supervision_name: Mapped[str] = mapped_column(sa.String(8))
    supervision_colour: Mapped[str] = mapped_column(sa.String(7))
    # The ladder's days for templates without their own, "-3,1,3,5,7"; empty: DESIGN's.
    ladder_days: Mapped[str | None] = mapped_column(sa.String(40))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))


_CACHE = "level_scheme"


def scheme() -> Scheme:
    """The scheme in force: the stored row, or the default preset when there is none."""
    found = session.info.get(_CACHE)
    if found is None:
        # Columns, not the entity: a row already in the identity map would keep old values.
        row = session.execute(sa.select(LevelScheme.__table__)).mappings().first()
        found = DEFAULT if row is None else Scheme(row["preset"], {
            level: Shade(row[f"{level.value}_name"], row[f"{level.value}_colour"])
            for level in LEVELS}, row["ladder_days"])
        session.info[_CACHE] = found
    return found


@event.listens_for(session, "after_commit")
@event.listens_for(session, "after_rollback")
def _forget(db_session) -> None:
    """A new transaction may see a scheme another process committed: read it again."""
    db_session.info.pop(_CACHE, None)


def level_name(level: str) -> str:
    """What `level` is called in this county ("blue" → 蓝色预警, or 黄色预警 in 常山)."""
    return scheme().name(level)


def level_colour(level: str) -> str:
    """The fill colour (#rrggbb) of `level` in this county."""
    return scheme().colour(level)


def ladder_names() -> tuple[str, ...]:
    """The ladder's five steps as a person reads them, in order (the template form's words)."""
    return (STEP_NAMES[0], *(level_name(level) for level in LEVELS[1:]))


class BadScheme(DomainError):
    """Names or colours that cannot be saved; `problems` maps each form field to its reason."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("；".join(problems.values()))
        self.problems = problems


def save_scheme(*, preset: str, shades: Mapping[Level, Shade] | None = None, actor,
                now: datetime) -> Scheme:
    """Store `preset`'s names and colours, or `shades` edited from it; checked and audited.
    Raises BadScheme naming every bad field, saving nothing. The caller commits."""
    if preset not in PRESETS:
        raise BadScheme({"preset": "请选择一种预设方案。"})
    chosen = {level: _tidy(shade) for level, shade in (shades or PRESETS[preset].shades).items()}
    problems = scheme_problems(chosen)
    if problems:
        raise BadScheme(problems)
    row = session.get(LevelScheme, 1) or LevelScheme(id=1)
    row.preset, row.updated_at, row.updated_by_id = preset, now, actor.id if actor else None
    for level, shade in chosen.items():
        setattr(row, f"{level.value}_name", shade.name)
        setattr(row, f"{level.value}_colour", shade.colour)
    session.add(row)
    saved = Scheme(preset, {level: chosen[level] for level in LEVELS}, row.ladder_days)
    session.info[_CACHE] = saved  # this transaction reads what it wrote
    audit.record("level_scheme.save", "level_scheme", now=now, actor=actor, preset=preset,
                 levels={level.value: [shade.name, shade.colour] for level, shade in
                         saved.shades.items()})
    return saved


def save_default_ladder(text: str, *, actor, now: datetime) -> Scheme:
    """The county's default ladder days ("" back to DESIGN's), checked and audited; the
    names and colours stay. The caller replans the open tasks (models.escalation) and
    commits."""
    days = "".join((text or "").split()).replace("，", ",") or None
    if days and (problem := ladder_problem(days, ladder_names())):
        raise BadScheme({"ladder_days": problem})
    row = session.get(LevelScheme, 1)
    if row is None:
        row = LevelScheme(id=1, preset=DEFAULT.preset)
        for level, shade in DEFAULT.shades.items():
            setattr(row, f"{level.value}_name", shade.name)
            setattr(row, f"{level.value}_colour", shade.colour)
    row.ladder_days, row.updated_at, row.updated_by_id = days, now, actor.id if actor else None
    session.add(row)
    current = scheme()
    saved = Scheme(current.preset, current.shades, days)
    session.info[_CACHE] = saved
    audit.record("level_scheme.ladder", "level_scheme", now=now, actor=actor, ladder_days=days)
    return saved


def scheme_problems(shades: Mapping[Level, Shade]) -> dict[str, str]:
    """Why `shades` cannot be a scheme, by form field ("blue_name": reason); {} when it can."""
    problems = {}
    for level in LEVELS:
        shade = shades.get(level)
        if shade is None:
            problems[f"{level.value}_name"] = f"缺少{POSITIONS[level]}的名称和颜色。"
            continue
        longest = LONGEST_NAME[level]
        if not CHINESE_NAME.match(shade.name) or len(shade.name) > longest:
            problems[f"{level.value}_name"] = (
                f"{POSITIONS[level]}的名称须为2至{longest}个汉字"
                + ("（微信推送的预警等级一栏最多5个字）。" if level != Level.NONE else "。"))
        elif shade.name in REMINDER_NAMES:
            problems[f"{level.value}_name"] = f"“{shade.name}”是预警提醒的名称，请换一个。"
        if not HEX_COLOUR.match(shade.colour):
            problems[f"{level.value}_colour"] = (
                f"{POSITIONS[level]}的颜色须为#加6位十六进制数，如 #1765cc。")
    problems.update(_repeats(shades, "name", "名称"))
    problems.update(_repeats(shades, "colour", "颜色"))
    return problems


def _repeats(shades: Mapping[Level, Shade], attribute: str, word: str) -> dict[str, str]:
    """A problem for each level whose name (or colour) an earlier level already has."""
    seen, problems = {}, {}
    for level in LEVELS:
        if level not in shades:
            continue
        value = getattr(shades[level], attribute).lower()
        if value in seen:
            problems.setdefault(f"{level.value}_{attribute}",
                                f"{POSITIONS[level]}与{POSITIONS[seen[value]]}的{word}相同，"
                                "各级须能区分。")
        seen.setdefault(value, level)
    return problems


def _tidy(shade: Shade) -> Shade:
    return Shade(shade.name.strip(), shade.colour.strip().lower())


def contrast(one: str, other: str) -> float:
    """The WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


class Labels(Mapping):
    """Display names where the ladder's levels are looked up in the scheme at each read, the
    others fixed: {"blue": Level.BLUE, "urge": "催办"} reads "blue" as this county's name for
    blue. Call sites keep indexing a mapping; a renamed level shows at once."""

    def __init__(self, entries: Mapping):
        self._entries = dict(entries)

    def __getitem__(self, key) -> str:
        value = self._entries[key]
        return level_name(value) if isinstance(value, Level) else value

    def __contains__(self, key) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
