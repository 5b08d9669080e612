"""抽查核实 (issue 11): a round's draw from its recorded seed, redone by `flask spot-check
verify` and by an independent implementation of the rules README.md publishes; the sample
stratified by unit; a round drawn once."""

import hashlib
import hmac
import json
import math
from datetime import UTC
from fractions import Fraction

import pytest
import sqlalchemy as sa
from conftest import at

from models import AuditEvent, SpotCheckItem, SpotCheckRound, session
from models.errors import Conflict, NotAllowed
from models.spot_check import Scope, draw_sample, open_round


# The draw as README.md ("抽查核实") words it, written again from the text alone.

def _hmac(seed: str, text: str) -> str:
    return hmac.new(seed.encode(), text.encode(), hashlib.sha256).hexdigest()


def readme_draw(seed: str, population: dict[int, int], size=None, percent=None) -> set[int]:
    """`population`: assignment id → unit id. Returns the drawn assignment ids."""
    n = size if size is not None else math.ceil(Fraction(percent * len(population), 100))
    n = min(n, len(population))
    units: dict[int, list[int]] = {}
    for aid, uid in population.items():
        units.setdefault(uid, []).append(aid)
    if n < len(units):
        chosen = sorted(units, key=lambda uid: _hmac(seed, f"unit:{uid}"))[:n]
        share = {uid: 1 for uid in chosen}
    else:
        rest = n - len(units)
        spare = sum(len(ids) - 1 for ids in units.values())
        quota = {uid: Fraction(rest * (len(ids) - 1), spare) if spare else Fraction(0)
                 for uid, ids in units.items()}
        share = {uid: 1 + math.floor(q) for uid, q in quota.items()}
        left = n - sum(share.values())
        for uid in sorted(units, key=lambda uid: (-(quota[uid] - math.floor(quota[uid])), uid)):
            if left == 0:
                break
            if share[uid] < len(units[uid]):
                share[uid] += 1
                left -= 1
    drawn = set()
    for uid, count in share.items():
        drawn |= set(sorted(units[uid], key=lambda aid: _hmac(seed, f"assignment:{aid}"))[:count])
    return drawn


def test_the_readme_example_draws_as_written():
    from models.spot_draw import draw, population_sha256

    seed = "00112233445566778899aabbccddeeff"
    population = {3: 10, 5: 10, 8: 10, 13: 10, 4: 11, 6: 12, 9: 12}
    assert population_sha256(population).startswith("a0468a79")
    for n, sample in ((4, {4, 5, 6, 13}), (2, {4, 6})):
        assert {aid for aid, _, _ in draw(seed, list(population.items()), n)} == sample
        assert readme_draw(seed, population, size=n) == sample


def completed(c) -> dict[int, int]:
    return {t.id: t.unit_id for t in c["tasks"].values() if t.state == "completed"}


@pytest.fixture
def round_of(assessed_county, now):
    """`round_of(size=…, percent=…)`: a round opened by the county's inspector, committed."""
    def make(**sample):
        row = open_round(Scope(2026), size=sample.get("size"), percent=sample.get("percent"),
                         actor=assessed_county["zhao"], now=at(2, 10, month=12).astimezone(UTC))
        session.commit()
        return row

    return make


def test_the_verify_command_redraws_the_round_from_its_seed(assessed_county, round_of, runner):
    row = round_of(percent=50)
    population = completed(assessed_county)
    assert sorted(row.population) == sorted(population)
    drawn = {item.assignment_id for item in row.items}
    assert drawn == readme_draw(row.seed, population, percent=50)
    assert len(drawn) == math.ceil(len(population) / 2)

    result = runner.invoke(args=["spot-check", "verify", str(row.id)])
    assert result.exit_code == 0, result.output
    assert "结论：一致" in result.output
    assert row.seed in result.output and row.population_sha256 in result.output
    assert "、".join(map(str, sorted(drawn))) in result.output
    assert "与总体名单相同" in result.output


def test_the_draw_is_audited_with_seed_scope_population_and_drawn_ids(round_of):
    row = round_of(size=3)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "spot_check.draw"))
    data = json.loads(event.data)
    ids = ",".join(map(str, sorted(row.population)))
    assert data["seed"] == row.seed and len(row.seed) == 32
    assert data["population_sha256"] == hashlib.sha256(ids.encode()).hexdigest()
    assert sorted(data["drawn"]) == sorted(item.assignment_id for item in row.items)
    assert data["scope"] == {"year": 2026, "periods": [], "category_ids": [], "unit_kinds": []}


def test_every_unit_is_drawn_when_the_sample_allows(assessed_county, round_of):
    units = set(completed(assessed_county).values())
    row = round_of(size=len(units))  # 青山镇 has six completed tasks, the others one each
    assert {item.unit_id for item in row.items} == units
    bigger = round_of(size=len(units) + 2)
    assert {item.unit_id for item in bigger.items} == units
    per_unit = [item.unit_id for item in bigger.items]
    assert per_unit.count(assessed_county["qingshan"].id) == 3


def test_a_smaller_sample_draws_the_units_with_the_smallest_keys(assessed_county, round_of):
    row = round_of(size=2)
    population = completed(assessed_county)
    assert {item.assignment_id for item in row.items} == readme_draw(row.seed, population,
                                                                     size=2)
    assert len({item.unit_id for item in row.items}) == 2


def test_a_round_is_never_drawn_twice(assessed_county, round_of, now, runner):
    row = round_of(size=3)
    before = sorted(item.assignment_id for item in row.items)
    with pytest.raises(Conflict, match="不能重抽"):
        draw_sample(row, [(aid, 1) for aid in row.population], 3,
                    actor=assessed_county["zhao"], now=now)
    session.rollback()
    assert sorted(session.scalars(sa.select(SpotCheckItem.assignment_id).where(
        SpotCheckItem.round_id == row.id))) == before
    assert runner.invoke(args=["spot-check", "verify", str(row.id)]).exit_code == 0


def test_a_tampered_sample_fails_the_verify_command(assessed_county, round_of, runner):
    row = round_of(size=2)
    other = next(aid for aid in row.population
                 if aid not in {item.assignment_id for item in row.items})
    row.items[0].assignment_id = other  # someone swaps a drawn task in the database
    session.commit()
    result = runner.invoke(args=["spot-check", "verify", str(row.id)])
    assert result.exit_code == 1
    assert "结论：不一致" in result.output and "保存的样本" in result.output


def test_a_tampered_population_fails_the_verify_command(round_of, runner):
    row = round_of(size=2)
    row.population = sorted(row.population)[1:]
    session.commit()
    result = runner.invoke(args=["spot-check", "verify", str(row.id)])
    assert result.exit_code == 1
    assert "总体名单" in result.output


def test_an_unknown_round_is_a_polite_error(app, runner):
    result = runner.invoke(args=["spot-check", "verify", "999"])
    assert result.exit_code == 1
    assert "未找到该抽查轮次" in result.output


def test_only_inspectors_open_a_round(assessed_county, now):
    with pytest.raises(NotAllowed):
        open_round(Scope(2026), size=3, percent=None, actor=assessed_county["zhang"], now=now)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(SpotCheckRound.id))) == 0
