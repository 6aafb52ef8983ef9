"""The SQL of migration cases.0003, kept as it was when that migration was written.

A migration must do the same thing whenever it runs (a new database runs them all, in
order), so the SQL it installs cannot follow :mod:`safeguard.cases.rls`, which holds the
current rules (installed by cases.0004, which replaces these). Not a migration: Django's
loader skips modules whose name starts with an underscore.
"""

from __future__ import annotations

import re


def _system_lookup(signature: str, query: str) -> str:
    """A function returning the case ids ``query`` finds, read in the system's scope, then
    putting the caller's scope back (an error undoes the change with its transaction or
    savepoint). The rule asks it once per query (``id IN (SELECT ...)``: a hashed subplan),
    not once per row."""
    return f"""CREATE OR REPLACE FUNCTION {signature} RETURNS SETOF bigint
       LANGUAGE plpgsql STABLE ROWS 100 AS $$
       DECLARE
           scope text := coalesce(current_setting('safeguard.acting_staff', true), '');
       BEGIN
           PERFORM set_config('safeguard.acting_staff', '', true);
           RETURN QUERY {query};
           PERFORM set_config('safeguard.acting_staff', scope, true);
           RETURN;
       END $$"""


#: The roles of children's social care (SOCIAL_CARE_ROLES; the module's test keeps them equal).
_SOCIAL_CARE = ("'front_door_worker', 'social_worker', 'team_manager', 'conference_chair', "
                "'designated_officer'")


def _whoami(name: str, column: str, condition: str) -> str:
    """A function giving ``column`` of the acting person's active staff record if
    ``condition`` holds of it (``s``: the record, ``a``: its agency), else NULL."""
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS bigint
       LANGUAGE plpgsql STABLE AS $$
       DECLARE
           answer bigint;
       BEGIN
           SELECT {column} INTO answer
             FROM agencies_staff s JOIN agencies_agency a ON a.id = s.agency_id
             JOIN auth_user u ON u.id = s.user_id
            WHERE s.id = safeguard_rls_staff() AND s.active AND u.is_active AND {condition};
           RETURN answer;
       END $$"""  # noqa: S608 - our own names and conditions, no input


FUNCTIONS = [
    # The scope: the system's (unset or empty), or the acting staff id (NULL for "none").
    """CREATE OR REPLACE FUNCTION safeguard_rls_system() RETURNS boolean
       LANGUAGE sql STABLE AS
       $$ SELECT coalesce(current_setting('safeguard.acting_staff', true), '') = '' $$""",
    """CREATE OR REPLACE FUNCTION safeguard_rls_staff() RETURNS bigint
       LANGUAGE sql STABLE AS
       $$ SELECT CASE WHEN current_setting('safeguard.acting_staff', true) ~ '^[0-9]{1,18}$'
                      THEN current_setting('safeguard.acting_staff', true)::bigint END $$""",
    """CREATE OR REPLACE FUNCTION safeguard_rls_now() RETURNS timestamptz
       LANGUAGE sql STABLE AS
       $$ SELECT coalesce(nullif(current_setting('safeguard.acting_at', true), '')::timestamptz,
                          now()) $$""",
    # Who the acting person is, each worked out once per query (plpgsql: its plan is kept
    # for the session). policy.staff_of: their staff record, if it and its user are active.
    _whoami("safeguard_rls_me", "s.id", "true"),
    # Staff.in_social_care: their local authority, or NULL.
    _whoami("safeguard_rls_social_care_la", "s.agency_id",
            f"a.kind = 'local_authority' AND s.role IN ({_SOCIAL_CARE})"),
    # policy._partner_involvement: a partner agency's staff are involved through their
    # agency; a local authority's staff outside children's social care only where named.
    _whoami("safeguard_rls_partner_agency", "s.agency_id", "a.kind <> 'local_authority'"),
    _whoami("safeguard_rls_partner_staff", "s.id",
            f"a.kind = 'local_authority' AND s.role NOT IN ({_SOCIAL_CARE})"),
    # The cases in which the agency (or the person) has an involvement, and those the
    # person holds a break-glass access to: the lookups the case's rule needs. They read
    # those tables in the system's scope, for the lookup only (their own rows' rule asks for
    # the case's, which would otherwise ask for theirs again). Not a function's SET clause:
    # only a superuser may give one for a setting PostgreSQL does not know.
    _system_lookup("safeguard_rls_involved_cases(p_agency bigint, p_staff bigint)",
                   """SELECT i.case_id FROM cases_involvement i
                      WHERE i.until IS NULL
                        AND (i.agency_id = p_agency OR i.staff_id = p_staff)"""),
    _system_lookup("safeguard_rls_broken_glass_cases(p_staff bigint)",
                   """SELECT b.case_id FROM cases_breakglass b
                      WHERE b.staff_id = p_staff AND b.until > safeguard_rls_now()"""),
]
FUNCTION_NAMES = [
    "safeguard_rls_broken_glass_cases(bigint)", "safeguard_rls_involved_cases(bigint, bigint)",
    "safeguard_rls_partner_staff()", "safeguard_rls_partner_agency()",
    "safeguard_rls_social_care_la()", "safeguard_rls_me()", "safeguard_rls_now()",
    "safeguard_rls_staff()", "safeguard_rls_system()",
]

#: policy.cases_visible_to in SQL, over the row of cases_case. Each ``(SELECT f())`` and
#: ``IN (SELECT f())`` is worked out once per query, and only if a row needs it.
CASE_RULE = """
    safeguard_rls_system()
    OR (
        (local_authority_id = (SELECT safeguard_rls_social_care_la())
         OR ((SELECT safeguard_rls_social_care_la()) IS NULL
             AND (SELECT safeguard_rls_me()) IS NOT NULL
             AND id IN (SELECT safeguard_rls_involved_cases(
                 (SELECT safeguard_rls_partner_agency()), (SELECT safeguard_rls_partner_staff())))))
        AND (NOT restricted
             OR allocated_worker_id = (SELECT safeguard_rls_me())
             OR EXISTS (SELECT 1 FROM agencies_staff w
                        WHERE w.id = allocated_worker_id
                          AND w.manager_id = (SELECT safeguard_rls_me()))
             OR id IN (SELECT safeguard_rls_involved_cases(NULL, (SELECT safeguard_rls_me()))))
    )
    OR id IN (SELECT safeguard_rls_broken_glass_cases((SELECT safeguard_rls_me())))
"""

POLICY = "safeguard_visible"


def _protect(table: str, rule: str) -> list[str]:
    table = _name(table)
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"CREATE POLICY {POLICY} ON {table} FOR ALL USING ({rule}) WITH CHECK ({rule})",
    ]


def _name(identifier: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", identifier):
        raise ValueError(f"not a table or column name: {identifier!r}")
    return identifier


def child_rule(table: str, column: str, parent: str) -> str:
    """A record is seen with the record it belongs to (``parent``, itself protected)."""
    return (f"safeguard_rls_system() OR EXISTS (SELECT 1 FROM {_name(parent)} p "  # noqa: S608
            f"WHERE p.id = {_name(table)}.{_name(column)})")


def install_sql(children: list[tuple[str, str, str]]) -> list[str]:
    """The functions, and the policies of cases_case and of ``children``: (table, column,
    parent table), each parent before its children."""
    statements = list(FUNCTIONS) + _protect("cases_case", CASE_RULE)
    for table, column, parent in children:
        statements += _protect(table, child_rule(table, column, parent))
    return statements


def remove_sql(children: list[tuple[str, str, str]]) -> list[str]:
    statements = []
    for table, _column, _parent in [*reversed(children), ("cases_case", "", "")]:
        statements += [
            f"DROP POLICY IF EXISTS {POLICY} ON {table}",
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ]
    return statements + [f"DROP FUNCTION IF EXISTS {name}" for name in FUNCTION_NAMES]
