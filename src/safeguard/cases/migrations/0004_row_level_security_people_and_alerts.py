"""Row-level security, second version (safeguard.cases.rls): people and households get a rule;
a break-glass alert is seen by its recipient; the case's rule reads only the case's row.

- people_person: seen with the cases and early help records the acting person sees (the
  child, and the child's family as the case's pages show it), or made by them in this
  request; people_household: seen with its members.
- cases_casealert: also seen by its recipient, a manager who may not be named on the
  (restricted) case.
- cases_case: its active involvements are copied onto it (``rls_agency_ids``,
  ``rls_staff_ids``: PostgreSQL only, kept by a trigger on cases_involvement), so the rule no
  longer gathers every case of the person's agency for each statement; who the person is
  is read once per request.

Nothing changes on SQLite, which has no row-level security.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from safeguard.cases.migrations import _rls_0003

#: cases.0003's functions the rules no longer use.
OLD_FUNCTIONS = ["safeguard_rls_involved_cases(bigint, bigint)",
                 "safeguard_rls_broken_glass_cases(bigint)", "safeguard_rls_staff()"]


def _children() -> list[tuple[str, str, str]]:
    """The tables of case data and the table each belongs to, as cases.0003 listed them."""
    from importlib import import_module

    children: list[tuple[str, str, str]] = import_module(
        "safeguard.cases.migrations.0003_row_level_security").CHILDREN
    return children


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from safeguard.cases import rls

    _run(schema_editor, rls.install_sql(_children())
         + [f"DROP FUNCTION IF EXISTS {name}" for name in OLD_FUNCTIONS])


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from safeguard.cases import rls

    _run(schema_editor, rls.remove_sql(_children(), _rls_0003))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_row_level_security"),
        ("people", "0001_initial"),
        ("earlyhelp", "0002_consent_area_plan_closure"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
