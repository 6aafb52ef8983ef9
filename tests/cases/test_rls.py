"""PostgreSQL's row-level security, the second line of defence (``safeguard.cases.rls``).

Run on PostgreSQL only (``scripts/test.sh postgres``), whose pass connects as an ordinary
role, so that every PostgreSQL test runs with row-level security in force:

- the database's rule gives every member of staff the cases the access policy gives them;
- a view that forgot the policy, run in a real request, gets only the person's cases and
  their records; the request's scope is gone when it ends, however it ends;
- no table of case data is left without the rule.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date, timedelta
from types import ModuleType

import pytest
from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from safeguard.agencies.models import SOCIAL_CARE_ROLES, Staff
from safeguard.api.auth import BearerToken, issue_token
from safeguard.cases import rls
from safeguard.cases.models import BreakGlass, Case, CaseAlert, Involvement, InvolvementKind
from safeguard.cases.policy import cases_visible_to
from safeguard.cases.services import break_glass
from safeguard.demo.areas import build_area
from safeguard.people.models import Person
from safeguard.referrals.models import Referral
from safeguard.referrals.services import referral_create
from safeguard.testing.pytest_plugin import database_under_test

pytestmark = [
    pytest.mark.django_db, pytest.mark.db,
    pytest.mark.skipif(database_under_test() != "postgres",
                       reason="row-level security is PostgreSQL's (scripts/test.sh postgres)"),
]

#: Tables with a path to a case that are not the case's records, and why.
NOT_CASE_RECORDS = {
    # Early help is not a case of children's social care: its own rule
    # (safeguard.earlyhelp.selectors.early_help_visible_to) decides who sees it, and it
    # only points to the case it stepped down from, or the referral it stepped up to.
    "earlyhelp_earlyhelpassessment",
}


def _visible_ids(scope: str, table: str = "cases_case", column: str = "id") -> set[int]:
    rls.set_scope(scope)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT {column} FROM {table}")
            return {row[0] for row in cursor.fetchall()}
    finally:
        rls.reset()


def _case(area, family_name: str, **fields) -> Case:
    child = Person.objects.create(given_name="Ava", family_name=family_name,
                                  date_of_birth=date(2015, 3, 14))
    return Case.objects.create(reference=f"T-{family_name}", child=child,
                               local_authority=area.la, opened_on=date(2026, 11, 2), **fields)


def _involve(case: Case, agency, staff=None, until=None) -> None:
    Involvement.objects.create(case=case, agency=agency, staff=staff, until=until,
                               kind=InvolvementKind.OTHER, since=date(2026, 11, 2))


def test_the_tests_connect_as_a_role_subject_to_row_level_security() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_the_database_gives_everyone_the_cases_the_policy_gives_them() -> None:
    north = build_area("Northshire", "901", "north")
    south = build_area("Southshire", "902", "south")
    n = north.people
    plain = _case(north, "Plain")
    allocated = _case(north, "Allocated", allocated_worker=n["social_worker"], restricted=True)
    named = _case(north, "Named", restricted=True)
    _involve(named, north.police, n["police"])
    ended = _case(north, "Ended", restricted=True)
    _involve(ended, north.trust, n["health"], until=date(2026, 11, 20))
    _case(north, "Nobody", restricted=True)
    school = _case(north, "School")
    _involve(school, north.schools[0])
    school_ended = _case(north, "SchoolEnded")
    _involve(school_ended, north.schools[0], until=date(2026, 11, 20))
    partnership = _case(north, "Partnership")
    _involve(partnership, north.la, n["partnership"])
    _involve(plain, north.la)  # the authority's own involvement: not the partnership's
    across = _case(south, "Across")
    _involve(across, north.police)
    _case(south, "South")
    now = timezone.now()
    BreakGlass.objects.create(case=named, staff=n["early_help"], reason="in force",
                              opened_at=now, until=now + timedelta(hours=8))
    BreakGlass.objects.create(case=plain, staff=n["health"], reason="over",
                              opened_at=now - timedelta(hours=9), until=now - timedelta(hours=1))
    BreakGlass.objects.create(case=allocated, staff=n["lado"], reason="someone else's",
                              opened_at=now, until=now + timedelta(hours=8))
    Staff.objects.filter(pk=south["social_worker_2"].pk).update(active=False)
    user = south["front_door"].user
    user.is_active = False
    user.save(update_fields=["is_active"])

    everyone = Case.objects.count()
    assert _visible_ids(rls.SYSTEM) == set(Case.objects.values_list("pk", flat=True))
    assert _visible_ids(rls.NOBODY) == set()
    child_tables = {
        ("cases_involvement", "case_id"): set(Involvement.objects.values_list("case_id",
                                                                            flat=True)),
        ("cases_breakglass", "case_id"): set(BreakGlass.objects.values_list("case_id",
                                                                          flat=True)),
    }
    # A break-glass alert on every case, to a manager of the other area: seen with the
    # case, and by its recipient.
    alerted = south["manager"]
    for access in BreakGlass.objects.all():
        CaseAlert.objects.create(case=access.case, recipient=alerted, break_glass=access,
                                 created_at=now)
    seen_some, seen_not_all = 0, 0
    for staff in Staff.objects.select_related("user", "agency").order_by("pk"):
        expected = set(cases_visible_to(staff.user).values_list("pk", flat=True))
        assert _visible_ids(str(staff.pk)) == expected, staff.user.username
        for (table, column), rows in child_tables.items():
            assert _visible_ids(str(staff.pk), table, column) == rows & expected, (
                staff.user.username, table)
        alerts = CaseAlert.objects.filter(pk__in=[
            a.pk for a in CaseAlert.objects.all()
            if a.case_id in expected or a.recipient_id == staff.pk])
        assert _visible_ids(str(staff.pk), "cases_casealert") == set(
            alerts.values_list("pk", flat=True)), staff.user.username
        seen_some += bool(expected)
        seen_not_all += len(expected) < everyone
    assert seen_some >= 10 and seen_not_all >= 20
    assert rls.current_scope() == rls.SYSTEM


def test_the_sql_rule_knows_the_roles_of_childrens_social_care() -> None:
    assert set(re.findall(r"'(\w+)'", rls._SOCIAL_CARE)) == set(SOCIAL_CARE_ROLES)


# ---- a view with a bug, in a real request -------------------------------------------------


@login_not_required
def _forgot_the_policy(request: HttpRequest) -> JsonResponse:
    """A view that reads case data straight from the models: the bug the database stops."""
    if "HTTP_AUTHORIZATION" in request.META:
        BearerToken()(request)  # as the API's routers do
    if request.GET.get("fail"):
        raise RuntimeError("the view failed")
    return JsonResponse({
        "cases": sorted(Case.objects.values_list("pk", flat=True)),
        "referrals": sorted(Referral.objects.values_list("case_id", flat=True)),
        "involvements": sorted(set(Involvement.objects.values_list("case_id", flat=True))),
        "decisions": Referral.objects.filter(decision__isnull=False).count(),
    })


@pytest.fixture
def buggy_urls(settings):
    from safeguard.config import urls

    module = ModuleType("buggy_urls")
    module.urlpatterns = [
        path("bug/", _forgot_the_policy), path("", include(urls))]
    settings.ROOT_URLCONF = module


def test_a_view_that_forgot_the_policy_gets_only_the_persons_cases(buggy_urls) -> None:
    north = build_area("Northshire", "901", "north")
    child = {"family_name": "Turner", "date_of_birth": date(2015, 3, 14)}
    theirs = referral_create(actor=north["school_dsl"].user, concerns="Bruises",
                             child={"given_name": "Ava", **child}).case
    other = referral_create(actor=north["front_door"].user, received_on=date(2026, 11, 23),
                            source="1A", concerns="Neglect",
                            child={"given_name": "Noah", **child}).case
    assert theirs.pk != other.pk

    dsl = Client()
    dsl.force_login(north["school_dsl"].user)
    assert dsl.get("/bug/").json() == {
        "cases": [theirs.pk], "referrals": [theirs.pk], "involvements": [theirs.pk],
        "decisions": 0}
    # The next query on the same connection, outside the request, is the system's again.
    assert rls.current_scope() == rls.SYSTEM
    assert set(Case.objects.values_list("pk", flat=True)) == {theirs.pk, other.pk}

    # Nobody signed in sees nothing; an API token acts as its holder.
    assert Client().get("/bug/").json()["cases"] == []
    token = issue_token(user=north["social_worker"].user, name="t")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/bug/").json()["cases"] == sorted([theirs.pk, other.pk])
    police = Client(headers={"Authorization": "Bearer " + issue_token(
        user=north["police"].user, name="t")})
    assert police.get("/bug/").json()["cases"] == []

    # A request that fails leaves no scope behind either.
    with pytest.raises(RuntimeError):
        dsl.get("/bug/?fail=1")
    assert rls.current_scope() == rls.SYSTEM
    assert Case.objects.count() == 2


def test_the_system_scope_steps_aside_for_its_block_only() -> None:
    north = build_area("Northshire", "901", "north")
    _case(north, "Hidden")
    rls.set_scope(str(north["school_dsl"].pk))
    try:
        assert Case.objects.count() == 0
        with rls.system_scope():
            assert Case.objects.count() == 1
        assert Case.objects.count() == 0
        with pytest.raises(DatabaseError), rls.system_scope():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1/0")
        assert rls.current_scope() == str(north["school_dsl"].pk)
        assert Case.objects.count() == 0
        # The database refuses a change to a case the person does not see, or a new record
        # of it.
        assert Case.objects.update(restricted=True) == 0
        with rls.system_scope():
            hidden = Case.objects.get()
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Referral.objects.create(case=hidden, received_on=date(2026, 11, 2), source="2A",
                                    concerns="Bruises")
    finally:
        rls.reset()


def test_who_the_database_acts_as() -> None:
    north = build_area("Northshire", "901", "north")
    manager = north["manager"].user  # must give a second factor, and has not here
    assert rls.scope_for(manager) == rls.NOBODY
    assert rls.scope_for(manager, by_token=True) == str(north["manager"].pk)
    assert rls.scope_for(north["police"].user) == str(north["police"].pk)
    assert rls.scope_for(None) == rls.NOBODY


# ---- every table of case data --------------------------------------------------------------


def _case_data_tables() -> set[str]:
    """Every table whose rows belong to a case: with a foreign key to the case, or to a
    table that has, and so on."""
    models = apps.get_models(include_auto_created=True)
    pointing: dict[str, set[str]] = {}
    for model in models:
        for field in model._meta.fields:
            if field.is_relation and field.related_model is not None:
                pointing.setdefault(field.related_model._meta.db_table, set()).add(
                    model._meta.db_table)
    found: set[str] = set()
    todo = deque([Case._meta.db_table])
    while todo:
        for table in pointing.get(todo.popleft(), ()):
            if table not in found and table not in NOT_CASE_RECORDS:
                found.add(table)
                todo.append(table)
    return found | {Case._meta.db_table}


def test_every_table_of_case_data_has_row_level_security() -> None:
    tables = _case_data_tables()
    assert {"cases_case", "referrals_referral", "protection_conferenceinvitee",
            "sharing_sharingdecision", "cases_breakglass"} <= tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity "
            "AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policy p "
            "WHERE p.polrelid = c.oid AND p.polname = %s)", [rls.POLICY])
        protected = {name for (name,) in cursor.fetchall()}
    assert tables - protected == set(), "tables of case data without row-level security"


def test_the_role_check_finds_nothing_wrong_with_an_ordinary_role() -> None:
    assert rls.check_role(databases=["default"]) == []


# ---- what the rule reads: the involvements copied onto each case ------------------------


def _copied(case: Case) -> tuple[list[int], list[int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rls_agency_ids, rls_staff_ids FROM cases_case WHERE id = %s",
                       [case.pk])
        agencies, staff = cursor.fetchone()
    return sorted(agencies), sorted(staff)


def test_each_case_carries_its_active_involvements_whoever_changes_them() -> None:
    north = build_area("Northshire", "901", "north")
    n = north.people
    case = _case(north, "Copied", restricted=True)
    assert _copied(case) == ([], [])
    # A partner changes an involvement of a case they may not change (through the system
    # scope, as a service does): the copy follows.
    rls.set_scope(str(n["police"].pk))
    try:
        with rls.system_scope():
            _involve(case, north.police, n["police"])
            _involve(case, north.trust)
    finally:
        rls.reset()
    assert _copied(case) == (sorted([north.police.pk, north.trust.pk]), [n["police"].pk])
    assert case.pk in _visible_ids(str(n["police"].pk))  # named on the restricted case
    Involvement.objects.filter(case=case, agency=north.police).update(until=date(2026, 11, 20))
    assert _copied(case) == ([north.trust.pk], [])
    assert case.pk not in _visible_ids(str(n["police"].pk))
    other = _case(north, "Other")
    Involvement.objects.filter(case=case).update(case=other)
    assert _copied(case) == ([], []) and _copied(other) == ([north.trust.pk], [])
    Involvement.objects.filter(case=other).delete()
    assert _copied(other) == ([], [])


# ---- a break-glass alert reaches its recipient ---------------------------------------------


def test_a_manager_not_named_on_a_restricted_case_sees_its_break_glass_alert() -> None:
    """The case's managers are alerted of a break-glass access; on a restricted case the
    manager alerted may not be named on it, and must still see the alert (only the alert:
    not the case)."""
    north = build_area("Northshire", "901", "north")
    n = north.people
    # Restricted and unallocated: every team manager of the authority is alerted, and none
    # is named on it.
    case = _case(north, "Hidden", restricted=True)
    _involve(case, north.trust)
    access = break_glass(actor=n["health"].user, case_id=case.pk,
                         reason="Seen in the emergency department tonight")
    alert = CaseAlert.objects.get(recipient=n["manager"])
    assert alert.break_glass_id == access.pk

    manager = Client()
    manager.force_login(n["manager"].user)
    home = manager.get("/")
    assert home.status_code == 200
    assert b"opened by break-glass" in home.content and case.reference.encode() in home.content
    assert b"Seen in the emergency department tonight" in home.content
    # The alert only: the case itself stays closed to them.
    assert manager.get(f"/cases/{case.pk}/").status_code == 404
    assert _visible_ids(str(n["manager"].pk)) == set()
    assert _visible_ids(str(n["manager"].pk), "cases_casealert") == {alert.pk}
    assert _visible_ids(str(n["manager"].pk), "cases_breakglass") == set()
    # Marking it seen works, and it leaves the list.
    assert manager.post(f"/cases/alerts/{alert.pk}/seen/").status_code == 302
    alert.refresh_from_db()
    assert alert.seen_at is not None
    assert b"opened by break-glass" not in manager.get("/").content
    # Nobody else sees it, or marks it.
    worker = Client()
    worker.force_login(n["social_worker"].user)
    assert worker.post(f"/cases/alerts/{alert.pk}/seen/").status_code == 404
    assert _visible_ids(str(n["social_worker"].pk), "cases_casealert") == set()
