"""The year-end assessment (年度考核结果): a frozen, versioned snapshot of a year's scores.

`snapshot()` turns one computation (models.scoring) into the plain rows every reader shows:
the pages, the API and the xlsx read these rows, live or frozen, so their numbers agree.
Generating stores the snapshot as canonical JSON, its sha256 in the audit chain; generating
again makes the next version, and `changes()` says what moved since the one before.
"""

import hashlib
import json
import zlib
from datetime import datetime
from functools import cached_property
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import audit, spot_check
from models.clock import local_time
from models.db import Base, session
from models.duty import DutyTemplate
from models.errors import Conflict, NotAllowed, NotFound
from models.notification import notify
from models.scoring import PENALTY_LEVELS, Outcome, Score, Scores, compute, current
from models.unit import Person, Role, Unit, UnitKind


class Assessment(Base):
    """One generated version of a year's assessment; its content never changes."""

    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    version: Mapped[int]
    as_of: Mapped[datetime]
    policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scoring_policy.id"))
    policy_version: Mapped[int]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)  # zlib(canonical JSON)
    units: Mapped[int]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[Person | None] = relationship(foreign_keys=[published_by_id])

    def rows(self) -> dict:
        """The frozen content. Its strings repeat (a city's 250,000 lines name 60 tasks, 12
        periods, a handful of reasons): each is kept once, a third less memory."""
        seen: dict[str, str] = {}

        def shared(row: dict) -> dict:
            for key, value in row.items():
                if type(value) is str:
                    row[key] = seen.setdefault(value, value)
            return row

        return json.loads(zlib.decompress(self.content), object_hook=shared)


def may_generate(person: Person | None) -> bool:
    return person is not None and person.role == Role.INSPECTOR


def may_view(person: Person | None) -> bool:
    return person is not None and person.role in (Role.INSPECTOR, Role.ADMIN)


def county_name() -> str:
    """The county (市) the platform serves, from its root unit: "某县纪委监委" → "某县"."""
    root = session.scalar(sa.select(Unit.name).where(Unit.kind == UnitKind.COUNTY)
                          .order_by(Unit.id).limit(1)) or ""
    for tail in ("纪委监委", "纪委", "监委"):
        if root.endswith(tail) and len(root) > len(tail):
            return root[: -len(tail)]
    return root


def title(year: int) -> str:
    return f"{county_name()}{year}年度党风廉政建设责任制考核结果"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _score_row(score: Score) -> dict:
    return {
        "rank": score.rank, "ranked_among": score.ranked_among, "possible": score.possible,
        "earned": _money(score.earned), "deducted": _money(score.deducted),
        "bonus": _money(score.bonus), "score": _money(score.score),
        "on_time_rate": _money(score.on_time_rate),
        "counts": {str(outcome): score.counts[outcome] for outcome in Outcome},
        "warnings": {str(level): score.warnings[level] for level in PENALTY_LEVELS},
    }


def snapshot(scores: Scores) -> dict:
    """The rows every reader shows, as plain JSON values (decimals as "12.50" strings)."""
    names = _Names(scores)
    return {
        "title": title(scores.year), "year": scores.year, "as_of": scores.as_of.isoformat(),
        "rules": scores.rules.as_dict(), "units": unit_rows(scores, names),
        "people": people_rows(scores, names),
        "lines": line_rows(scores, names, scores.lines),
        "deductions": deduction_rows(scores, names, scores.deductions),
        "spot_checks": spot_check.year_rows(scores.year, scores.as_of),
    }


class _Names:
    """The names a snapshot's rows carry, each kind read once when first asked for (the
    dashboard's ranking needs only the units', not every person's)."""

    def __init__(self, scores: Scores):
        self.scores = scores

    @cached_property
    def units(self) -> dict:
        return {u.id: u for u in session.scalars(sa.select(Unit).where(
            Unit.id.in_(list(self.scores.units))))}

    @cached_property
    def people(self) -> dict:
        scores = self.scores
        people = set(scores.people) | {d.person_id for d in scores.deductions if d.person_id}
        return {p.id: p for p in session.scalars(sa.select(Person).where(
            Person.id.in_(list(people))))}

    @cached_property
    def titles(self) -> dict:
        return dict(session.execute(sa.select(DutyTemplate.id, DutyTemplate.title)).all())

    @cached_property
    def recorders(self) -> dict:
        return dict(session.execute(sa.select(Person.id, Person.name).where(
            Person.id.in_({d.recorded_by_id for d in self.scores.deductions
                           if d.recorded_by_id}))).all())

    def person(self, person_id: int | None) -> str | None:
        return self.people[person_id].name if person_id in self.people else None


def unit_rows(scores: Scores, names: _Names | None = None, unit_ids=None) -> list[dict]:
    """Each ranked unit's row, in ranking order within kind."""
    names = names or _Names(scores)
    return [{"unit_id": s.unit_id, "name": names.units[s.unit_id].name,
             "kind": str(names.units[s.unit_id].kind), **_score_row(s)}
            for s in scores.ranking() if unit_ids is None or s.unit_id in unit_ids]


def people_rows(scores: Scores, names: _Names | None = None, unit_ids=None) -> list[dict]:
    names = names or _Names(scores)
    return [{"person_id": s.person_id, "name": names.people[s.person_id].name,
             "unit_id": s.unit_id, "role": str(names.people[s.person_id].role), **_score_row(s)}
            for s in sorted(scores.people.values(), key=lambda s: (s.unit_id, s.rank, s.person_id))
            if unit_ids is None or s.unit_id in unit_ids]


def line_rows(scores: Scores, names: _Names, lines) -> list[dict]:
    return [{"assignment_id": line.assignment_id, "unit_id": line.unit_id,
             "person_id": line.person_id, "person": names.person(line.person_id),
             "task": names.titles.get(line.template_id, ""), "period": line.period,
             "points": line.points, "earned": _money(line.earned), "outcome": str(line.outcome),
             "level": str(line.level), "reason": line.reason}
            for line in sorted(lines, key=lambda x: (x.unit_id, x.period, x.assignment_id))
            if line.unit_id in names.units]


def deduction_rows(scores: Scores, names: _Names, deductions) -> list[dict]:
    return [{"id": d.id, "kind": str(d.kind), "unit_id": d.unit_id, "person_id": d.person_id,
             "person": names.person(d.person_id), "points": _money(d.points),
             "reason": d.reason, "reference": d.reference, "day": d.day.isoformat(),
             "source": d.source, "recorded_by": names.recorders.get(d.recorded_by_id, "")}
            for d in deductions if d.unit_id in names.units]


def unit_detail(scores: Scores, unit_id: int) -> dict:
    """One unit's row, its people's rows, its lines and its deductions (the unit pages, the
    API's unit score)."""
    names = _Names(scores)
    return {"year": scores.year, "as_of": scores.as_of.isoformat(),
            "rules": scores.rules.as_dict(),
            "unit": next(iter(unit_rows(scores, names, {unit_id})), None),
            "people": people_rows(scores, names, {unit_id}),
            "lines": line_rows(scores, names, [x for x in scores.lines if x.unit_id == unit_id]),
            "deductions": deduction_rows(scores, names, [d for d in scores.deductions
                                                         if d.unit_id == unit_id])}


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def generate(year: int, *, actor: Person, now: datetime) -> Assessment:
    """Freeze the year's scores as of now into the next version, audited with its sha256.
    The caller commits."""
    if not may_generate(actor):
        raise NotAllowed("只有县纪委监委审核人员可以生成年度考核。")
    scores = compute(year, now)
    version = (session.scalar(sa.select(sa.func.max(Assessment.version))
                              .where(Assessment.year == year)) or 0) + 1
    content = {**snapshot(scores), "version": version, "generated_at": now.isoformat(),
               "generated_by": actor.name}
    body = canonical(content)
    row = Assessment(year=year, version=version, as_of=now, policy_id=scores.rules.policy_id,
                     policy_version=scores.rules.version, created_at=now, created_by_id=actor.id,
                     sha256=hashlib.sha256(body).hexdigest(), content=zlib.compress(body, 6),
                     units=len(content["units"]))
    session.add(row)
    session.flush()
    audit.record("assessment.generate", f"assessment:{row.id}", now=now, actor=actor, year=year,
                 version=version, sha256=row.sha256, policy_version=row.policy_version,
                 units=row.units)
    return row


def get(assessment_id: int) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFound("未找到该年度考核结果。")
    return row


def of_year(year: int) -> list[Assessment]:
    return list(session.scalars(sa.select(Assessment).where(Assessment.year == year)
                                .order_by(Assessment.version.desc())))


def previous(row: Assessment) -> Assessment | None:
    return session.scalar(sa.select(Assessment).where(
        Assessment.year == row.year, Assessment.version < row.version)
        .order_by(Assessment.version.desc()).limit(1))


def changes(new: dict, old: dict) -> dict:
    """What moved from `old` to `new`: per unit score and rank, per task what it earned, and
    deductions added or gone."""
    old_units = {u["unit_id"]: u for u in old["units"]}
    units = []
    for unit in new["units"]:
        before = old_units.pop(unit["unit_id"], None)
        if before is None or (before["score"], before["rank"]) != (unit["score"], unit["rank"]):
            units.append({"unit_id": unit["unit_id"], "name": unit["name"],
                          "score": [before and before["score"], unit["score"]],
                          "rank": [before and before["rank"], unit["rank"]]})
    units += [{"unit_id": u["unit_id"], "name": u["name"], "score": [u["score"], None],
               "rank": [u["rank"], None]} for u in old_units.values()]
    old_lines = {line["assignment_id"]: line for line in old["lines"]}
    lines = []
    for line in new["lines"]:
        before = old_lines.get(line["assignment_id"])
        if before is None or (before["earned"], before["outcome"]) != (line["earned"],
                                                                      line["outcome"]):
            lines.append({**line, "before": before and {"earned": before["earned"],
                                                        "outcome": before["outcome"]}})
    old_ids = {d["id"] for d in old["deductions"]}
    new_ids = {d["id"] for d in new["deductions"]}
    return {
        "units": units, "lines": lines,
        "deductions_added": [d for d in new["deductions"] if d["id"] not in old_ids],
        "deductions_gone": [d for d in old["deductions"] if d["id"] not in new_ids],
        "rules_changed": old["rules"] != new["rules"],
    }


def publish(row: Assessment, *, actor: Person, now: datetime) -> int:
    """Tell each unit's secretary its score and rank (template message); returns how many
    pushes. Audited; publishing twice is refused. The caller commits."""
    if not may_generate(actor):
        raise NotAllowed("只有县纪委监委审核人员可以发布年度考核结果。")
    if row.published_at is not None:
        raise Conflict(f"该版本已于 {local_time(row.published_at)} 发布。")
    content = row.rows()
    secretaries = {}
    for person in session.scalars(sa.select(Person).where(
            Person.role == Role.SECRETARY, Person.active.is_(True)).order_by(Person.id)):
        secretaries.setdefault(person.unit_id, person)
    pushed = 0
    for unit in content["units"]:
        person = secretaries.get(unit["unit_id"])
        if person is None:
            continue
        notify("assessment", person.id, now=now, step=f"assessment:{row.id}")
        pushed += 1
    row.published_at, row.published_by_id = now, actor.id
    audit.record("assessment.publish", f"assessment:{row.id}", now=now, actor=actor,
                 year=row.year, version=row.version, sha256=row.sha256, pushed=pushed)
    return pushed


def unit_row(content: dict, unit_id: int) -> dict | None:
    return next((u for u in content["units"] if u["unit_id"] == unit_id), None)


def latest(year: int, *, published: bool = False) -> Assessment | None:
    """The year's newest version (or the newest published one)."""
    query = sa.select(Assessment).where(Assessment.year == year)
    if published:
        query = query.where(Assessment.published_at.is_not(None))
    return session.scalar(query.order_by(Assessment.version.desc()).limit(1))


# The snapshot of the last live computation: models.scoring.current hands back the same Scores
# while nothing has changed, and its snapshot is then the same rows (read-only to callers).
_live: dict = {}


def live(year: int, now: datetime) -> dict:
    """snapshot(current(year, now)): the live rows pages show, built once per computation."""
    scores = current(year, now)
    hit = _live.get(year)
    if hit is None or hit[0] is not scores:
        hit = (scores, snapshot(scores))
        _live.clear()
        _live[year] = hit
    return hit[1]

