"""Bulk data for the sweep and fanout benchmarks: COPY on PostgreSQL, and the organisation.

Rows go in by COPY (executemany on the SQLite fallback), never through the ORM; ids are
explicit, so every loaded table's id sequence is moved past them afterwards.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa

from models.unit import Role, UnitKind

TOWNSHIPS = 8
INSPECTORS = 3
DISCIPLINE_PER_BODY = 2
COUNTY = 1  # unit id; townships are 2..9, their 纪委 (supervisors) 10..17


def load(engine: sa.Engine, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples in `columns` order, datetimes naive UTC); returns how many."""
    count = 0
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            cursor = connection.connection.cursor()
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if "id" in columns:  # a table keyed otherwise has no sequence to move
                _move_sequence(connection, table)
        return count
    statement = sa.text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                        f"({', '.join(':' + column for column in columns)})")
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # the unit tree has cycles
        chunk = []
        for row in rows:
            chunk.append(dict(zip(columns, row, strict=True)))
            if len(chunk) == 10_000:
                connection.execute(statement, chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            connection.execute(statement, chunk)
            count += len(chunk)
    return count


def _move_sequence(connection, table: str) -> None:
    connection.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")


def copy_table(source: sa.Engine, target: sa.Engine, table: str, where: str = "") -> int:
    """Copy `table`'s rows (those matching the SQL condition `where`) between databases."""
    with source.connect() as connection:
        result = connection.exec_driver_sql(f"SELECT * FROM {table}"
                                            + (f" WHERE {where}" if where else ""))
        columns = list(result.keys())
        rows = [tuple(row) for row in result]
    return load(target, table, columns, rows)


def seed_organisation(engine: sa.Engine, people: int, templates: int, now: datetime, *,
                      working_days: Callable[[int], bool] = lambda template: False,
                      openid: Callable[[int], str] | None = None) -> dict[int, int]:
    """A county with INSPECTORS inspectors; TOWNSHIPS townships, each with one secretary and
    a supervising 纪委 of DISCIPLINE_PER_BODY; the other people (members) spread over the
    townships, `people` in all, ids 1..people. `templates` duty templates, ids 1..templates.
    With `openid(person_id)` every person is bound to that openid. Returns {person: unit}."""
    naive = now.replace(tzinfo=None)
    townships = range(COUNTY + 1, COUNTY + 1 + TOWNSHIPS)
    units = [(COUNTY, "县纪委监委", UnitKind.COUNTY.value, None, naive)]
    units += [(unit, f"乡镇{unit - COUNTY:02d}", UnitKind.TOWNSHIP.value, COUNTY, naive)
              for unit in townships]
    units += [(unit + TOWNSHIPS, f"乡镇{unit - COUNTY:02d}纪委", UnitKind.DISCIPLINE.value, unit,
               naive) for unit in townships]
    load(engine, "unit", ("id", "name", "kind", "parent_id", "created_at"), units)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE unit SET supervisor_id = id + :n WHERE kind = :kind"),
                           {"n": TOWNSHIPS, "kind": UnitKind.TOWNSHIP.value})
    posts = [(COUNTY, Role.INSPECTOR)] * INSPECTORS
    for unit in townships:
        posts += [(unit, Role.SECRETARY)] + [(unit + TOWNSHIPS, Role.DISCIPLINE)] * DISCIPLINE_PER_BODY
    posts += [(townships[index % TOWNSHIPS], Role.MEMBER) for index in range(people - len(posts))]
    unit_of = {person: unit for person, (unit, _) in enumerate(posts, 1)}
    load(engine, "person", ("id", "name", "unit_id", "role", "title", "phone", "active",
                            "created_at"),
         ((person, f"干部{person:04d}", unit, role.value, "", "", True, naive)
          for person, (unit, role) in enumerate(posts, 1)))
    if openid is not None:
        load(engine, "wechat_binding", ("id", "person_id", "openid", "active", "bound_at"),
             ((person, person, openid(person), True, naive) for person in unit_of))
    load(engine, "duty_category", ("id", "name", "responsibility", "position"),
         [(1, "日常监督", "supervisory", 1)])
    load(engine, "duty_template",
         ("id", "category_id", "title", "description", "kind", "period", "due_rule", "points",
          "requires_summary", "min_photos", "review_levels", "working_days", "active",
          "created_at"),
         ((template, 1, f"任务{template:03d}", "", "common", "yearly", "day:25", 1, False, 0, 2,
           working_days(template), True, naive) for template in range(1, templates + 1)))
    return unit_of


def analyze(engine: sa.Engine) -> None:
    """Fresh planner statistics after a bulk load (what autovacuum would do a little later),
    and a checkpoint, so the load's writes are not flushed to disk during the measured runs."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
            connection.exec_driver_sql("CHECKPOINT")
