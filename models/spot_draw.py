"""The spot-check draw (抽查核实, models.spot_check): a pure function of a seed, a population
of assignment ids with their units, and a sample size, meant to be redone by anyone, by hand
or in another language, from what a round records (seed, population, sample size):

1. Population: the scope's assignments that were completed at the draw instant (state
   completed, completed_at <= drawn_at), as sorted ids. Its sha256 is that of the ids written
   in decimal, ascending, joined by commas ("3,5,17"), as ASCII.
2. Keys: HMAC-SHA256 with the seed (its 32 hex characters as ASCII bytes) as the key; a task's
   key is the hex digest of "assignment:<id>", a unit's of "unit:<id>".
3. Size: n = N, or ceil(percent × population / 100); at most the population.
4. Strata are units (a task's unit_id). If n >= the number of units, each unit gets 1 and the
   other n − units are shared out in proportion to (size − 1) by largest remainder (the
   remainders of r × (size − 1) / (population − units) compared exactly; ties to the smaller
   unit id), never more than a unit's size. If n < the number of units, the n units with the
   smallest unit keys get 1 each.
5. Within a unit, the tasks with the smallest keys are drawn.

README.md ("抽查核实") carries the same rules with a worked example.
"""

import hashlib
import hmac
from collections import defaultdict


def key(seed: str, label: str) -> str:
    """HMAC-SHA256(seed, label) in hex: "assignment:<id>" orders tasks, "unit:<id>" units."""
    return hmac.new(seed.encode("ascii"), label.encode("ascii"), hashlib.sha256).hexdigest()


def population_sha256(ids) -> str:
    """sha256 of the ids ascending, in decimal, joined by commas ("3,5,17")."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode("ascii")).hexdigest()


def sample_count(size: int | None, percent: int | None, population: int) -> int:
    """n: the size asked for, or ceil(percent × population / 100); at most the population."""
    wanted = size if size is not None else -(-percent * population // 100)
    return min(wanted, population)


def allocate(seed: str, strata: dict[int, int], n: int) -> dict[int, int]:
    """How many tasks each unit (id → its number of candidates) gives to a sample of `n`."""
    if n < len(strata):
        chosen = sorted(strata, key=lambda uid: (key(seed, f"unit:{uid}"), uid))[:n]
        return {uid: 1 for uid in chosen}
    spare, rest = n - len(strata), sum(strata.values()) - len(strata)
    share = {uid: 1 for uid in strata}
    if spare and rest:
        exact = {uid: spare * (size - 1) for uid, size in strata.items()}
        for uid in strata:
            share[uid] += exact[uid] // rest
        left = spare - sum(exact[uid] // rest for uid in strata)
        for uid in sorted(strata, key=lambda uid: (-(exact[uid] % rest), uid))[:left]:
            share[uid] += 1
    return {uid: min(count, strata[uid]) for uid, count in share.items()}


def draw(seed: str, candidates: list[tuple[int, int]], n: int) -> list[tuple[int, int, str]]:
    """The sample: (assignment id, unit id, key) of `n` of the `candidates` (id, unit id),
    ordered by unit, then key."""
    by_unit: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for aid, unit_id in candidates:
        by_unit[unit_id].append((key(seed, f"assignment:{aid}"), aid))
    shares = allocate(seed, {uid: len(rows) for uid, rows in by_unit.items()}, n)
    return [(aid, uid, digest) for uid in sorted(shares)
            for digest, aid in sorted(by_unit[uid])[:shares[uid]]]


