"""A copy of a benchmark's SQLite database in PostgreSQL, for ``pages.py --postgres``.

Building the demo ×10 straight into PostgreSQL would take hours; copying the SQLite
database that ``multiply.py`` made takes half a minute (2.4 million rows):

1. ``safeguard manage migrate`` makes the schema in the (empty) PostgreSQL database as
   the application's own role, exactly as production's is made: row-level security, its
   functions and the triggers included;
2. as the cluster's superuser, in one transaction with triggers and foreign-key checks
   switched off (``session_replication_role = replica``), every table but
   ``django_migrations`` is emptied (what ``migrate`` wrote itself: content types,
   permissions) and filled from SQLite with ``COPY``, column by column by name;
3. what the triggers would have kept is made as their migration makes it (each case's
   active involvements, ``rls.INVOLVEMENT_FILL``), every id sequence is moved past its
   table's largest id, and every table is vacuumed and analysed (as autovacuum would have,
   which the throwaway server does not run).

Values go across as SQLite holds them: PostgreSQL reads SQLite's 0 and 1 as booleans,
Django's UTC date-times (the session is in UTC), and JSON text as ``jsonb``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SKIPPED = {"django_migrations", "sqlite_sequence"}


def migrate(env: dict[str, str]) -> None:
    """The schema, made by Safeguard's migrations with ``env`` (its DATABASE_URL)."""
    subprocess.run([sys.executable, "-m", "safeguard.cli", "manage", "migrate", "--no-input"],
                   env=env, check=True, stdout=subprocess.DEVNULL)


def copy(sqlite_path: Path, superuser_url: str) -> int:
    """Every row of ``sqlite_path`` into the migrated PostgreSQL database; the rows copied."""
    import psycopg

    from safeguard.cases import rls

    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    tables = [name for (name,) in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if name not in SKIPPED]
    started = time.perf_counter()
    total = 0
    with psycopg.connect(superuser_url) as pg:
        pg.execute("SET session_replication_role = replica")
        pg.execute("SET TIME ZONE 'UTC'")
        pg_columns: dict[str, set[str]] = {}
        counted: set[str] = set()  # the tables with an integer id (and so its sequence)
        for table, column, kind in pg.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public'"):
            pg_columns.setdefault(table, set()).add(column)
            if column == "id" and kind in ("integer", "bigint", "smallint"):
                counted.add(table)
        missing = [t for t in tables if t not in pg_columns]
        if missing:
            raise SystemExit(f"PostgreSQL has no table {', '.join(missing)}: is it migrated?")
        emptied = sorted(t for t in pg_columns if t not in SKIPPED)
        pg.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in emptied))
        for table in tables:
            columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
            unknown = [c for c in columns if c not in pg_columns[table]]
            if unknown:
                raise SystemExit(f"{table} has columns PostgreSQL lacks: {', '.join(unknown)}")
            names = ", ".join(f'"{c}"' for c in columns)
            with pg.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as out:
                for row in source.execute(f'SELECT {names} FROM "{table}"'):  # noqa: S608
                    out.write_row(row)
                    total += 1
        pg.execute("SET session_replication_role = origin")
        pg.execute(rls.INVOLVEMENT_FILL)  # what the trigger would have kept
        for table in tables:
            if table in counted:
                pg.execute(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                             (SELECT max(id) FROM "{table}"))
                               WHERE pg_get_serial_sequence('"{table}"', 'id') IS NOT NULL
                                 AND EXISTS (SELECT 1 FROM "{table}")""")  # noqa: S608
    with psycopg.connect(superuser_url, autocommit=True) as pg:
        pg.execute("VACUUM (ANALYZE)")  # statistics, and the visibility map, as autovacuum
    print(f"… {total:,} rows of {len(tables)} tables copied into PostgreSQL in "
          f"{time.perf_counter() - started:.0f} s.", flush=True)
    return total
