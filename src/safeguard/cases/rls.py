"""Row-level security: PostgreSQL's second line of defence behind the access policy.

:mod:`safeguard.cases.policy` is the first line: every read of case data starts from
``cases_visible_to`` and every change asks ``may``. On PostgreSQL the database also applies
the same visibility rule to every row of case data (migrations ``cases.0003`` and
``cases.0004``), so a view or selector that forgot the policy could still not return a case,
or any record of it, that the acting person may not see. People (``people_person``: names,
dates of birth, NHS numbers, UPNs, addresses) and households (their addresses) have a rule of
the same kind: a person is seen by whoever the selectors that read people let see them (see
PERSON_RULE below). The tables that only link people (``people_relationship``,
``people_householdmember``: ids, kinds and dates) have none, as the person's rule reads them.

The database knows who is acting from a setting of the connection,
``safeguard.acting_staff``:

- unset or empty: the system itself (management commands, migrations, the demo's build,
  tests' fixtures, background work), which sees everything;
- a staff id: that person, who sees what :func:`~safeguard.cases.policy.cases_visible_to`
  gives them (and of each case's records, those of the cases they see, and the break-glass
  alerts sent to them); of people, the children of those cases and their families, and
  the children of the early help records they see;
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
involvement exists; a referral or early help finding the child already known, or adding
them; a person or household added to a child's family before they are linked; a
break-glass access being recorded; a manager's own alerts naming cases they do not see)
does it within :func:`system_scope`.

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
#: The database's note of who the scope's person is (safeguard_rls_who), kept per scope.
WHO_SETTING = "safeguard.acting_who"
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
    """Set the scope and the clock, and forget who the last scope was (WHO_SETTING)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false), set_config(%s, %s, false), "
                       "set_config(%s, '', false)", [SETTING, staff, AT_SETTING, at, WHO_SETTING])


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
    """Every new PostgreSQL connection compiles no query to machine code (JIT): the rules
    add to each query's estimated cost, so that many pass ``jit_above_cost``, and compiling
    one takes PostgreSQL hundreds of milliseconds where running it takes a few. A
    connection opened part-way through a request takes the request's scope."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    requested = _requested.get()
    if requested is not None:
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


# ---- the SQL (migration cases.0004 installs it; cases.0003 keeps its own) -------------------
#
# A migration must do the same thing whenever it runs, so one that changes what is here
# first freezes the previous migration's SQL in a module of its own (as cases.0004 did for
# cases.0003: migrations/_rls_0003.py), and then installs this.
#
# Cost: every rule is worked out for each row a statement reads, so each must be cheap for
# one row and for many. The acting person's staff record is read once per request (and
# kept in the connection's setting ``safeguard.acting_who``, cleared whenever the scope is
# set); a case's active involvements are copied onto the case (its ``rls_agency_ids`` and
# ``rls_staff_ids``, kept by a trigger on cases_involvement), so the case's rule reads only
# its own row: nothing the rule asks grows with the agency's caseload.


#: The roles of children's social care (SOCIAL_CARE_ROLES; the module's test keeps them equal).
_SOCIAL_CARE = ("'front_door_worker', 'social_worker', 'team_manager', 'conference_chair', "
                "'designated_officer'")

#: What ``safeguard_rls_who()`` gives, in order: each is NULL when it does not apply.
WHO = (
    # policy.staff_of: their staff record, if it and its user are active.
    ("safeguard_rls_me", "s.id"),
    ("safeguard_rls_agency", "s.agency_id"),
    ("safeguard_rls_user", "s.user_id"),
    # Staff.in_social_care: their local authority.
    ("safeguard_rls_social_care_la",
     f"CASE WHEN a.kind = 'local_authority' AND s.role IN ({_SOCIAL_CARE}) THEN s.agency_id END"),
    # policy._partner_involvement: a partner agency's staff are involved through their
    # agency; a local authority's staff outside children's social care only where named.
    ("safeguard_rls_partner_agency", "CASE WHEN a.kind <> 'local_authority' THEN s.agency_id END"),
    ("safeguard_rls_partner_staff",
     f"CASE WHEN a.kind = 'local_authority' AND s.role NOT IN ({_SOCIAL_CARE}) THEN s.id END"),
)

FUNCTIONS = [
    # The scope: the system's (unset or empty)?
    """CREATE OR REPLACE FUNCTION safeguard_rls_system() RETURNS boolean
       LANGUAGE sql STABLE AS
       $$ SELECT coalesce(current_setting('safeguard.acting_staff', true), '') = '' $$""",
    """CREATE OR REPLACE FUNCTION safeguard_rls_now() RETURNS timestamptz
       LANGUAGE sql STABLE AS
       $$ SELECT coalesce(nullif(current_setting('safeguard.acting_at', true), '')::timestamptz,
                          now()) $$""",
    # Who the acting person is (WHO), read from their staff record once for the scope and
    # kept, with the scope it is for, in ``safeguard.acting_who`` (set_scope clears it).
    f"""CREATE OR REPLACE FUNCTION safeguard_rls_who() RETURNS bigint[]
       LANGUAGE plpgsql STABLE AS $$
       DECLARE
           scope text := coalesce(current_setting('safeguard.acting_staff', true), '');
           kept text := coalesce(current_setting('safeguard.acting_who', true), '');
           answer bigint[];
           staff bigint;
       BEGIN
           IF kept <> '' AND split_part(kept, '=', 1) = scope THEN
               RETURN split_part(kept, '=', 2)::bigint[];
           END IF;
           IF scope ~ '^[0-9]{{1,18}}$' THEN
               staff := scope::bigint;
               SELECT ARRAY[{", ".join(column for _name, column in WHO)}] INTO answer
                 FROM agencies_staff s JOIN agencies_agency a ON a.id = s.agency_id
                 JOIN auth_user u ON u.id = s.user_id
                WHERE s.id = staff AND s.active AND u.is_active;
           END IF;
           answer := coalesce(answer, array_fill(NULL::bigint, ARRAY[{len(WHO)}]));
           PERFORM set_config('safeguard.acting_who', scope || '=' || answer::text, false);
           RETURN answer;
       END $$""",  # noqa: S608 - our own columns, no input
    *(f"""CREATE OR REPLACE FUNCTION {name}() RETURNS bigint
       LANGUAGE sql STABLE AS $$ SELECT (safeguard_rls_who())[{i}] $$"""
      for i, (name, _column) in enumerate(WHO, start=1)),
    # The cases the person holds a break-glass access to, read in the system's scope, then
    # putting the caller's scope back (the access's own rule asks for its case's, which
    # would otherwise ask for it again; an error undoes the change with its transaction or
    # savepoint). Not a function's SET clause: only a superuser may give one for a setting
    # PostgreSQL does not know.
    """CREATE OR REPLACE FUNCTION safeguard_rls_broken_glass_cases() RETURNS bigint[]
       LANGUAGE plpgsql STABLE AS $$
       DECLARE
           scope text := coalesce(current_setting('safeguard.acting_staff', true), '');
           me bigint := safeguard_rls_me();
           answer bigint[];
       BEGIN
           IF me IS NULL THEN
               RETURN '{}';
           END IF;
           PERFORM set_config('safeguard.acting_staff', '', true);
           SELECT coalesce(array_agg(b.case_id), '{}') INTO answer FROM cases_breakglass b
            WHERE b.staff_id = me AND b.until > safeguard_rls_now();
           PERFORM set_config('safeguard.acting_staff', scope, true);
           RETURN answer;
       END $$""",
    # The staff the person manages (agencies_staff has no rule of its own).
    """CREATE OR REPLACE FUNCTION safeguard_rls_managed_staff() RETURNS bigint[]
       LANGUAGE sql STABLE AS
       $$ SELECT coalesce(array_agg(w.id), '{}') FROM agencies_staff w
           WHERE w.manager_id = safeguard_rls_me() $$""",
    # A case's active involvements, copied onto it: the agencies and the named staff.
    """CREATE OR REPLACE FUNCTION safeguard_rls_case_involved(p_case bigint) RETURNS void
       LANGUAGE plpgsql AS $$
       BEGIN
           UPDATE cases_case c
              SET rls_agency_ids = x.agencies, rls_staff_ids = x.staff
             FROM (SELECT coalesce(array_agg(DISTINCT i.agency_id ORDER BY i.agency_id),
                                   '{}') AS agencies,
                          coalesce(array_agg(DISTINCT i.staff_id ORDER BY i.staff_id)
                                   FILTER (WHERE i.staff_id IS NOT NULL), '{}') AS staff
                     FROM cases_involvement i
                    WHERE i.case_id = p_case AND i.until IS NULL) x
            WHERE c.id = p_case
              AND (c.rls_agency_ids, c.rls_staff_ids) IS DISTINCT FROM (x.agencies, x.staff);
       END $$""",
    # The trigger keeping them, in the system's scope (the person adding an involvement
    # may not otherwise change the case: a school at a core group).
    """CREATE OR REPLACE FUNCTION safeguard_rls_involvement_changed() RETURNS trigger
       LANGUAGE plpgsql AS $$
       DECLARE
           scope text := coalesce(current_setting('safeguard.acting_staff', true), '');
       BEGIN
           PERFORM set_config('safeguard.acting_staff', '', true);
           IF TG_OP = 'TRUNCATE' THEN
               UPDATE cases_case SET rls_agency_ids = '{}', rls_staff_ids = '{}'
                WHERE rls_agency_ids <> '{}' OR rls_staff_ids <> '{}';
           ELSE
               IF TG_OP <> 'INSERT' THEN
                   PERFORM safeguard_rls_case_involved(OLD.case_id);
               END IF;
               IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id <> OLD.case_id) THEN
                   PERFORM safeguard_rls_case_involved(NEW.case_id);
               END IF;
           END IF;
           PERFORM set_config('safeguard.acting_staff', scope, true);
           RETURN NULL;
       END $$""",
]
FUNCTION_NAMES = [
    "safeguard_rls_involvement_changed()", "safeguard_rls_case_involved(bigint)",
    "safeguard_rls_managed_staff()", "safeguard_rls_broken_glass_cases()",
    *(f"{name}()" for name, _column in WHO), "safeguard_rls_who()",
    "safeguard_rls_now()", "safeguard_rls_system()",
]

#: Each case's active involvements copied onto it, for every case at once: as the trigger
#: keeps them, for rows written without it (the migration's existing rows, a bulk load).
INVOLVEMENT_FILL = """UPDATE cases_case c SET rls_agency_ids = x.agencies, rls_staff_ids = x.staff
         FROM (SELECT i.case_id,
                      array_agg(DISTINCT i.agency_id ORDER BY i.agency_id) AS agencies,
                      coalesce(array_agg(DISTINCT i.staff_id ORDER BY i.staff_id)
                               FILTER (WHERE i.staff_id IS NOT NULL), '{}') AS staff
                 FROM cases_involvement i WHERE i.until IS NULL GROUP BY i.case_id) x
        WHERE c.id = x.case_id"""

#: The involvements copied onto each case (the columns exist on PostgreSQL only; the
#: models know nothing of them).
INVOLVEMENT_COPY = [
    "ALTER TABLE cases_case ADD COLUMN IF NOT EXISTS rls_agency_ids bigint[] NOT NULL "
    "DEFAULT '{}'",
    "ALTER TABLE cases_case ADD COLUMN IF NOT EXISTS rls_staff_ids bigint[] NOT NULL "
    "DEFAULT '{}'",
    INVOLVEMENT_FILL,
    "DROP TRIGGER IF EXISTS safeguard_rls_involvement ON cases_involvement",
    "CREATE TRIGGER safeguard_rls_involvement AFTER INSERT OR UPDATE OR DELETE "
    "ON cases_involvement FOR EACH ROW EXECUTE FUNCTION safeguard_rls_involvement_changed()",
    "DROP TRIGGER IF EXISTS safeguard_rls_involvement_truncate ON cases_involvement",
    "CREATE TRIGGER safeguard_rls_involvement_truncate AFTER TRUNCATE ON cases_involvement "
    "FOR EACH STATEMENT EXECUTE FUNCTION safeguard_rls_involvement_changed()",
]
INVOLVEMENT_COPY_REMOVE = [
    "DROP TRIGGER IF EXISTS safeguard_rls_involvement_truncate ON cases_involvement",
    "DROP TRIGGER IF EXISTS safeguard_rls_involvement ON cases_involvement",
    "ALTER TABLE cases_case DROP COLUMN IF EXISTS rls_staff_ids",
    "ALTER TABLE cases_case DROP COLUMN IF EXISTS rls_agency_ids",
]

#: policy.cases_visible_to in SQL, over the row of cases_case: its own columns, and
#: ``(SELECT f())`` worked out once per query. Only a restricted case asks who the person
#: manages, and only a case not seen otherwise asks for the person's break-glass accesses.
CASE_RULE = """
    (SELECT safeguard_rls_system())
    OR (
        (local_authority_id = (SELECT safeguard_rls_social_care_la())
         OR (SELECT safeguard_rls_partner_agency()) = ANY (rls_agency_ids)
         OR (SELECT safeguard_rls_partner_staff()) = ANY (rls_staff_ids))
        AND (NOT restricted
             OR allocated_worker_id = (SELECT safeguard_rls_me())
             OR (SELECT safeguard_rls_me()) = ANY (rls_staff_ids)
             OR allocated_worker_id = ANY ((SELECT safeguard_rls_managed_staff())::bigint[]))
    )
    OR id = ANY ((SELECT safeguard_rls_broken_glass_cases())::bigint[])
"""

#: Who is linked to whom through a child's family, as the case's pages show it
#: (``people_visible_to``, ``visible_people``, ``household_of``, ``family_of``): a person
#: (``person_id``) and a child (``child_id``) when either is the other's relative, recorded
#: either way round; when they share a household (now or before); and when the person is
#: another child of the child's mother or father.
FAMILY_LINKS = """
    SELECT r.person_id AS person_id, r.child_id AS child_id FROM people_relationship r
    UNION ALL SELECT r.child_id, r.person_id FROM people_relationship r
    UNION ALL SELECT m.person_id, o.person_id FROM people_householdmember m
                JOIN people_householdmember o ON o.household_id = m.household_id
    UNION ALL SELECT r.child_id, o.child_id FROM people_relationship r
                JOIN people_relationship o ON o.person_id = r.person_id AND o.kind = r.kind
               WHERE r.kind IN ('mother', 'father')
"""

#: A person (people_person) is seen by whoever may see them through the selectors that read
#: people: the child of a case they see (``cases_visible_to``), and that child's family
#: (FAMILY_LINKS); the child of an early help record they see (``early_help_visible_to``,
#: ``children_visible_to``). A person just made is seen once linked to those (the services
#: that make one do it in the system's scope). Each ``EXISTS`` is a few
#: index lookups for one row, or (for many rows) a set PostgreSQL makes once per query; the
#: case's rule applies to each ``cases_case`` read here.
PERSON_RULE = f"""
    (SELECT safeguard_rls_system())
    OR EXISTS (SELECT 1 FROM cases_case c WHERE c.child_id = people_person.id)
    OR EXISTS (SELECT 1 FROM ({FAMILY_LINKS}) f JOIN cases_case c ON c.child_id = f.child_id
               WHERE f.person_id = people_person.id)
    OR EXISTS (SELECT 1 FROM earlyhelp_earlyhelpassessment e
               WHERE e.child_id = people_person.id
                 AND (e.lead_practitioner_id = (SELECT safeguard_rls_me())
                      OR e.agency_id = (SELECT safeguard_rls_agency())
                      OR e.local_authority_id = (SELECT safeguard_rls_social_care_la())
                      OR e.id IN (SELECT x.earlyhelpassessment_id
                                    FROM earlyhelp_earlyhelpassessment_contributing_agencies x
                                   WHERE x.agency_id = (SELECT safeguard_rls_agency()))))
"""  # noqa: S608 - our own SQL, no input

#: A household (its address) is seen with any of its members the person sees.
HOUSEHOLD_RULE = """
    (SELECT safeguard_rls_system())
    OR EXISTS (SELECT 1 FROM people_householdmember m JOIN people_person p ON p.id = m.person_id
               WHERE m.household_id = people_household.id)
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


def _unprotect(table: str) -> list[str]:
    table = _name(table)
    return [
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def _name(identifier: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", identifier):
        raise ValueError(f"not a table or column name: {identifier!r}")
    return identifier


def child_rule(table: str, column: str, parent: str) -> str:
    """A record is seen with the record it belongs to (``parent``, itself protected)."""
    return (f"(SELECT safeguard_rls_system()) OR EXISTS (SELECT 1 FROM {_name(parent)} p "  # noqa: S608
            f"WHERE p.id = {_name(table)}.{_name(column)})")


#: Rules other than their parent's: a break-glass alert is also seen by its recipient (a
#: case's manager, who may not be named on a restricted case), and only the alert.
EXTRA_RULES = {
    "cases_casealert": "recipient_id = (SELECT safeguard_rls_me())",
}

#: The tables of people, and their rules. people_relationship and people_householdmember
#: (ids, kinds and dates: no names, identifiers or addresses) have none: the person's rule
#: reads them, and PostgreSQL refuses a rule that would read, through another's, itself.
PEOPLE = [
    ("people_person", PERSON_RULE),
    ("people_household", HOUSEHOLD_RULE),
]


def install_sql(children: list[tuple[str, str, str]]) -> list[str]:
    """The functions, the involvements copied onto cases, and the policies of cases_case,
    of ``children``: (table, column, parent table), each parent before its children, and
    of the people's tables."""
    statements = FUNCTIONS + INVOLVEMENT_COPY + _protect("cases_case", CASE_RULE)
    for table, column, parent in children:
        rule = child_rule(table, column, parent)
        if table in EXTRA_RULES:
            rule = f"{rule} OR {EXTRA_RULES[table]}"
        statements += _protect(table, rule)
    for table, rule in PEOPLE:
        statements += _protect(table, rule)
    return statements


def remove_sql(children: list[tuple[str, str, str]], previous: Any) -> list[str]:
    """Undo :func:`install_sql`, back to ``previous`` (the module holding the previous
    migration's SQL: its ``install_sql`` puts back its rules and functions, in place of
    these; other apps' rules keep the functions both have)."""
    statements = []
    for table, _rule in reversed(PEOPLE):
        statements += _unprotect(table)
    statements += previous.install_sql(children) + INVOLVEMENT_COPY_REMOVE
    return statements + [f"DROP FUNCTION IF EXISTS {name}" for name in FUNCTION_NAMES
                         if name not in previous.FUNCTION_NAMES]
