"""The database planner's statistics after a bulk load.

PostgreSQL chooses each query's plan from statistics of each table (how many rows, how
many distinct values), which autovacuum refreshes only after rows are committed. Rows
written in one long transaction, as the demo data is (one per area), are planned for as if
the tables held what they held before: for the people rules of row-level security
(``safeguard.cases.rls``) that means whole-table joins where a few index lookups would do,
a second or more a query. PostgreSQL's documentation says to run ``ANALYZE`` after loading
data in bulk; it may run inside a transaction, and counts that transaction's own rows.
"""

from __future__ import annotations

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections


def safeguard_tables() -> list[str]:
    """Every table of Safeguard's models (and their many-to-many tables), sorted."""
    return sorted({model._meta.db_table
                   for model in apps.get_models(include_auto_created=True)
                   if model._meta.managed and not model._meta.proxy})


def refresh_planner_statistics(using: str = DEFAULT_DB_ALIAS) -> bool:
    """``ANALYZE`` Safeguard's tables on PostgreSQL (True); nothing elsewhere (False)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    names = ", ".join(connection.ops.quote_name(table) for table in safeguard_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
    return True
