"""Loading many rows into nearly empty tables: secondary indexes and constraints set aside, then rebuilt.

PostgreSQL builds a B-tree from sorted input many times faster than it maintains one row by row (each
insert into a random place of an index that no longer fits in memory is a page read), and checks a
foreign key for a whole table with one join instead of a trigger per row at commit. So when a run
adds more than the tables hold, ``indexes_set_aside`` drops the loaded tables' indexes (all but the
primary keys), unique constraints and foreign keys, and creates them again afterwards from their
stored definitions (``pg_get_indexdef``, ``pg_get_constraintdef``), two at a time so that both cores
work. Nothing is lost: a unique index or foreign key that the new rows break fails to build, loudly,
and the definitions are the ones the migrations made (names included), so later migrations find them.

Only for a database nobody else writes to while it loads (the benchmark databases): meanwhile the
tables have no uniqueness or foreign-key checks, and the app's queries have no indexes. If the run
dies half-way, ``restore`` is called on the way out; a killed process leaves the statements in
``eloket_scale_deferred`` (a small table), which the next run applies first.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, connections
from tqdm import tqdm

logger = logging.getLogger(__name__)

PENDING_TABLE = "eloket_scale_deferred"
MAINTENANCE_WORK_MEM = "512MB"


@contextmanager
def indexes_set_aside(tables: list[str], *, progress: bool = True):
    """Drop the tables' secondary indexes, unique constraints and foreign keys; rebuild them on exit."""
    restore_pending(progress=progress)
    statements = _drop(tables)
    try:
        yield
    finally:
        _rebuild(statements, progress=progress)


def restore_pending(*, progress: bool = True) -> int:
    """Rebuild what an interrupted run left set aside; the number of statements it ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [PENDING_TABLE])
        if cursor.fetchone()[0] is None:
            return 0
        cursor.execute(f"SELECT statements FROM {PENDING_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    statements = [json.loads(row[0]) for row in rows]
    merged = {"indexes": [], "constraints": [], "foreign_keys": []}
    for s in statements:
        for key in merged:
            merged[key] += s[key]
    _rebuild(merged, progress=progress)
    return sum(len(v) for v in merged.values())


def _drop(tables: list[str]) -> dict:
    """The statements that rebuild what is dropped, saved in PENDING_TABLE before anything is dropped."""
    with connection.cursor() as cursor:
        cursor.execute(
            # Foreign keys from the loaded tables (to any table).
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            # Unique constraints no foreign key depends on, as their index and the constraint over it.
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_indexdef(c.conindid) FROM pg_constraint c"
            " WHERE c.contype = 'u' AND c.conrelid = ANY(%s::regclass[])"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint f"
            " WHERE f.contype = 'f' AND f.conindid = c.conindid)"
            " ORDER BY c.conrelid, c.conname",
            [tables],
        )
        uniques = cursor.fetchall()
        cursor.execute(
            # Every other index but the primary key, unique or not, that no constraint owns.
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY 1, 2",
            [tables],
        )
        indexes = cursor.fetchall()
    quote = connection.ops.quote_name
    statements = {
        "indexes": [sql for _t, _n, sql in indexes] + [sql for _t, _n, sql in uniques],
        "constraints": [
            f"ALTER TABLE {quote(t)} ADD CONSTRAINT {quote(n)} UNIQUE USING INDEX {quote(n)}"
            for t, n, _sql in uniques
        ],
        "foreign_keys": [(t, n, definition) for t, n, definition in foreign_keys],
    }
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (statements text NOT NULL)")
        cursor.execute(f"INSERT INTO {PENDING_TABLE} VALUES (%s)", [json.dumps(statements)])  # noqa: S608
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for table, name, _sql in uniques:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for _table, name, _sql in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    logger.info(
        "scale_indexes_set_aside indexes=%s unique=%s foreign_keys=%s",
        len(indexes),
        len(uniques),
        len(foreign_keys),
    )
    return statements


def _rebuild(statements: dict, *, progress: bool) -> None:
    """Indexes two at a time, then the unique constraints over them, then the foreign keys: added
    without a check (instant), then validated table by table, two tables at a time."""
    quote = connection.ops.quote_name
    total = sum(len(v) for v in statements.values())
    if not total:
        return
    with tqdm(total=total, desc="indexes", unit=" steps", disable=not progress) as bar:
        _run_two_at_a_time([[sql] for sql in statements["indexes"]], bar)
        with connection.cursor() as cursor:
            for sql in statements["constraints"]:
                cursor.execute(sql)
                bar.update(1)
            by_table: dict[str, list[str]] = {}
            for table, name, definition in statements["foreign_keys"]:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition} NOT VALID"
                )
                by_table.setdefault(table, []).append(
                    f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}"
                )
        # Validating takes a lock that two validations of the same table would wait on: one table each.
        _run_two_at_a_time(sorted(by_table.values(), key=len, reverse=True), bar)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
    logger.info("scale_indexes_rebuilt statements=%s", total)


def _run_two_at_a_time(groups: list[list[str]], bar) -> None:
    """Each group's statements in order on one of two connections of their own."""

    def run(group: list[str]) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
                cursor.execute("SET max_parallel_maintenance_workers = 0")  # the two threads use both cores
                for sql in group:
                    cursor.execute(sql)
                    bar.update(1)
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, groups))
