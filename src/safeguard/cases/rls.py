"""Row-level security: PostgreSQL's second line of defence behind the access policy.

:mod:`safeguard.cases.policy` is the first line: every read of case data starts from
``cases_visible_to`` and every change asks ``may``. On PostgreSQL the database also applies
the same visibility rule to every row of case data (migration ``cases.0003``), so a view or
selector that forgot the policy could still not return a case, or any record of it, that the
acting person may not see.

The database knows who is acting from a setting of the connection,
``safeguard.acting_staff``:

- unset or empty: the system itself (management commands, migrations, the demo's build,
  tests' fixtures, background work), which sees everything;
- a staff id: that person, who sees what :func:`~safeguard.cases.policy.cases_visible_to`
  gives them (and of each case's records, those of the cases they see);
- ``none``: a request by nobody in particular (not signed in, no active staff record, or
  still owing a second factor), which sees no case data at all.

:class:`RowLevelSecurityMiddleware` sets it at the start of every request and always
clears it at the end, so a persistent connection never carries one person's scope into
the next request; the API's token authentication (:mod:`safeguard.api.auth`) sets it again
once it knows who the token's holder is (:func:`act_as`). A second setting,
``safeguard.acting_at``, carries the application's clock, against which break-glass
accesses expire (as ``timezone.now()`` does for the policy).

A service that must, after the policy has allowed the action, touch a row the person does
not (yet) see (a school's referral finding or opening the child's case before its
involvement exists; a break-glass access being recorded) does it within
:func:`system_scope`.

PostgreSQL's superusers (and roles with ``BYPASSRLS``) are never subject to row-level
security: production must connect as an ordinary role. The tables' owner is subject to it,
as every protected table has ``FORCE ROW LEVEL SECURITY``.

On SQLite everything here does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SETTING = "safeguard.acting_staff"
AT_SETTING = "safeguard.acting_at"
#: The scope of the system (sees everything).
SYSTEM = ""
#: The scope of nobody (sees no case data).
NOBODY = "none"

#: The scope requests in this thread (or task) have asked for; re-applied to a connection
#: opened part-way through a request. None: no request scope (the system's).
_requested: ContextVar[tuple[str, str] | None] = ContextVar("safeguard_rls_scope", default=None)


def _connection(using: str = DEFAULT_DB_ALIAS) -> Any:
    return connections[using]


def enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Does the database apply row-level security (PostgreSQL)?"""
    return bool(_connection(using).vendor == "postgresql")


def _apply(connection: Any, staff: str, at: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
                       [SETTING, staff, AT_SETTING, at])


def current_scope(using: str = DEFAULT_DB_ALIAS) -> str:
    """The connection's scope: ``""`` (the system), a staff id, or ``"none"``."""
    if not enabled(using):
        return SYSTEM
    with _connection(using).cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [SETTING])
        return str(cursor.fetchone()[0])


def set_scope(scope: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Act as ``scope`` (a staff id, :data:`NOBODY` or :data:`SYSTEM`) on this connection
    until it is changed or :func:`reset`; the clock is the application's, now."""
    at = "" if scope == SYSTEM else timezone.now().isoformat()
    _requested.set(None if scope == SYSTEM else (scope, at))
    if enabled(using):
        _apply(_connection(using), scope, at)


def scope_for(user: Any, *, by_token: bool = False) -> str:
    """The scope of the acting person: their active staff record's id, else nobody's.
    Someone signed in to a session who still owes their second factor is nobody yet (an
    API token is its own credential: ``by_token``)."""
    from safeguard.cases.policy import staff_of
    from safeguard.web.signin import awaiting_second_factor

    staff = staff_of(user)
    if staff is None or (not by_token and awaiting_second_factor(user)):
        return NOBODY
    return str(staff.pk)


def act_as(user: Any, *, by_token: bool = False, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make the database show case data as ``user`` may see it (see :func:`scope_for`)."""
    if enabled(using):
        set_scope(scope_for(user, by_token=by_token), using=using)


def reset(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Back to the system's scope. If the connection cannot be told (it is broken), it is
    closed, so no later use of it can inherit the scope."""
    _requested.set(None)
    if not enabled(using):
        return
    connection = _connection(using)
    if connection.connection is None:
        return  # closed: a new connection starts in the system's scope
    try:
        _apply(connection, SYSTEM, "")
    except DatabaseError:
        if not connection.in_atomic_block:
            connection.close()
        # Within a transaction (a test's), its rollback undoes the scope with it.


@contextmanager
def system_scope(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within this block the database shows every row, whoever is acting. Only for a
    service that has already asked the policy, and only around the rows it must reach.

    A savepoint holds the change of scope: an error inside rolls the scope back with it."""
    if not enabled(using):
        yield
        return
    connection = _connection(using)
    requested = _requested.get()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(current_setting(%s, true), ''), "
                           "coalesce(current_setting(%s, true), '')", [SETTING, AT_SETTING])
            staff, at = cursor.fetchone()
        _apply(connection, SYSTEM, "")
        _requested.set(None)
        try:
            yield
        finally:
            _requested.set(requested)
        _apply(connection, staff, at)


def _reapply(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A connection opened part-way through a request takes the request's scope."""
    requested = _requested.get()
    if requested is not None and connection.vendor == "postgresql":
        _apply(connection, *requested)


connection_created.connect(_reapply, dispatch_uid="safeguard.cases.rls")


class RowLevelSecurityMiddleware:
    """Sets the database's scope to the signed-in person for the request, and always
    clears it at the end. After authentication (and the second factor's middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        try:
            act_as(getattr(request, "user", None))
            return self.get_response(request)
        finally:
            reset()


def check_role(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    """A system check (``manage migrate``, ``manage check --database default``): warn when
    the database's role passes through row-level security (a superuser, or ``BYPASSRLS``)."""
    from django.core import checks

    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles "
                           "WHERE rolname = current_user")
            row = cursor.fetchone()
        if row and row[0]:
            found.append(checks.Warning(
                "The database role is a superuser or has BYPASSRLS, so PostgreSQL's "
                "row-level security does not apply to it.",
                hint="Connect as an ordinary role that owns the database (README, PostgreSQL).",
                id="safeguard.W001"))
    return found


# ---- the SQL (migration cases.0003 installs it) --------------------------------------------

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
