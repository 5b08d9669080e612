"""The demo county's political-ecology index (政治生态指数, issue 12): the inspector enters the
manual indicators (信访举报, 问题线索, 巡察发现) for its two most recent ended months, with their
sources, corrects one of them, and computes both months with the default tree."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from models import eco_index, eco_manual
from models.db import session
from models.unit import Person, Role

MONTHS = 2
# (unit name, indicator, value, source): what the county's bureaus reported.
ENTRIES = (("石桥乡", "petitions", 8, "县信访局月度信访件统计"),
           ("石桥乡", "clues", 5, "县纪委信访室问题线索台账"),
           ("城关镇", "petitions", 1, "县信访局月度信访件统计"),
           ("县卫生健康局", "inspection_findings", 8, "县委巡察办巡察反馈意见"),
           ("县卫生健康局", "clues", 3, "县纪委信访室问题线索台账"),
           ("县教育局", "petitions", 2, "县信访局月度信访件统计"))
CORRECTION = ("城关镇", "petitions", 2, "县信访局更正：补报1件")


def seed_index(now: datetime) -> int:
    """Enter the values and compute the months; returns how many months were computed."""
    inspector = session.scalars(sa.select(Person).where(Person.role == Role.INSPECTOR)
                                .order_by(Person.id).limit(1)).one()
    units = {unit.name: unit for unit in eco_index.units()}
    months, instant = [], now
    for _ in range(MONTHS):
        months.insert(0, eco_index.previous_month(instant))
        instant = eco_index.bounds(months[0])[0]
    entered_at = now - timedelta(hours=2)
    for month in months:
        for name, key, value, source in ENTRIES:
            if name in units:
                eco_manual.enter(units[name], month, key, value, source, actor=inspector,
                                 now=entered_at)
    name, key, value, source = CORRECTION
    if name in units:
        eco_manual.enter(units[name], months[-1], key, value, source, actor=inspector,
                         now=entered_at + timedelta(hours=1))
    for month in months:
        eco_index.freeze(month, actor=inspector, now=now)
    session.commit()
    return len(months)
