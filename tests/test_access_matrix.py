"""The access matrix: every URL the app serves × every role × the kinds of case it may touch.

Each URL pattern (web pages from the resolver, and the API's operations from its OpenAPI
document) has a row in :data:`PAGES` or :data:`API`, saying for each method which rule
decides who may use it. A new URL without a row, or a row for a URL that no longer exists,
fails :func:`test_every_url_is_in_the_matrix`: nobody adds an endpoint without deciding its
access.

The rules (:data:`RULES`) are written from the access policy's documented rules
(``safeguard.cases.policy``'s docstring, ``ACTIONS``/``PARTNER_ACTIONS``, the early help
rule in ``safeguard.earlyhelp.selectors``) and each view's purpose — not by recording what
the code does. They are predicates of (persona, object category); the categories are seen
from the point of view of the personas of Northshire:

- ``own_team``: a north case allocated to the north social worker (the assessment team);
- ``own_la``: a north case, unallocated, that only a GP practice (no persona) is involved in;
- ``other_la``: a Southshire case (Southshire's agencies are involved in it);
- ``involved``: a north case every north partner agency with a persona is involved in;
- ``not_involved``: a north case whose partner involvements have all ended;
- ``restricted``: a north case with ``restricted=True``, its partner agencies involved, but
  nobody of the personas named on it (a worker and chair who are not personas).

A person (``person``, the set-up code pages' account) is ``own_la``: the north LADO, of the
north council; or ``other_la``: the south LADO.

Every request runs inside a savepoint rolled back afterwards, so the fixtures stay the same
for every request. A refused request must answer 401/403/404 (or the sign-in page) and must
write nothing: no SQL ``INSERT``/``UPDATE``/``DELETE`` other than to the session and audit
tables, and no audit entry other than a read or a refusal. An allowed one answers 200, 201,
204, 302, 400, 409 or 422 (a 4xx from bad input counts as allowed-but-invalid).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from safeguard.agencies.models import Role, Staff
from safeguard.cases.models import BreakGlass, Case, CaseAlert, Involvement
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import Area, build_area

pytestmark = [pytest.mark.django_db, pytest.mark.db]

NOW = "2026-11-24 10:00:00+00:00"
CATEGORIES = ("own_team", "own_la", "other_la", "involved", "not_involved", "restricted")
NORTH_OPEN = frozenset({"own_team", "own_la", "involved", "not_involved"})

# ---- the personas and the rules ------------------------------------------------------------

#: The north personas, one per role (``build_area``'s keys).
PERSONAS = ("front_door", "social_worker", "manager", "chair", "lado", "police", "health",
            "school_dsl", "early_help", "partnership")
SOCIAL_CARE = frozenset({"front_door", "social_worker", "manager", "chair", "lado"})
PARTNERS = frozenset({"police", "health", "school_dsl", "early_help"})
CASEWORKERS = frozenset({"social_worker", "manager"})


def sees(p: str, c: str | None) -> bool:
    """The policy: children's social care of the responsible LA see its cases (a restricted
    one only if named on it); partner agencies only the cases they are involved in. The
    partnership officer works for the LA but not in its children's social care: a partner
    like any other, named on none of these cases — the LA's own involvement (its allocated
    worker) is not an involvement of the partnership officer's."""
    return (p in SOCIAL_CARE and c in NORTH_OPEN) or (p in PARTNERS and c == "involved")


def eh_sees(p: str, c: str | None) -> bool:
    """Early help records (earlyhelp.selectors): the lead practitioner and their agency, the
    contributing agencies, and children's social care of the area. ``involved``: led by the
    north early help practitioner, with the north school contributing; ``not_involved``: led
    by a GP (no persona); ``other_la``: a Southshire record."""
    return ((p in SOCIAL_CARE and c in ("involved", "not_involved"))
            or (p in ("early_help", "school_dsl") and c == "involved"))


def eh_change(p: str, c: str | None) -> bool:
    """The lead practitioner, early help roles of the lead agency, and children's social care
    (front door, social workers, managers) of the area change an early help record."""
    return ((p in {"front_door", "social_worker", "manager"} and c in ("involved",
                                                                        "not_involved"))
            or (p == "early_help" and c == "involved"))


def sees_part(*agencies: str) -> Callable[[str, str | None], bool]:
    """Parts of a case by need to know (``policy.case_parts``): social care who see the case
    see the record; of the partners, only ``agencies``, those that took part in it on the
    involved case — its strategy discussion had the police and health, not the school; its
    initial conference invited the police, health and the school, and its plan's core
    group is health and the school; its immediate protection was the authority's own; its
    decision to share was the social worker's, with the police."""
    return lambda p, c: (p in SOCIAL_CARE and c in NORTH_OPEN) or (p in agencies
                                                                 and c == "involved")


RULES: dict[str, Callable[[str, str | None], bool]] = {
    "everyone": lambda p, c: True,
    "nobody": lambda p, c: False,
    "social_care": lambda p, c: p in SOCIAL_CARE,
    "team_manager": lambda p, c: p == "manager",
    # make_referral: the front door, social workers and managers (who record referrals), and
    # partner roles that refer.
    "referrer": lambda p, c: p in {"front_door", "social_worker", "manager"} | PARTNERS,
    # may_start_early_help: front door, social workers, managers; lead practitioner roles.
    "start_early_help": lambda p, c: p in {"front_door", "social_worker", "manager",
                                           "early_help", "school_dsl", "health"},
    "sees": sees,
    "sees_discussion": sees_part("police", "health"),
    "sees_immediate": sees_part(),
    "sees_conference": sees_part("police", "health", "school_dsl"),
    "sees_plan": sees_part("police", "health", "school_dsl"),
    # A decision to share: the social worker's, with the police.
    "sees_sharing": sees_part("police"),
    # Referrals: the school made the involved case's; assessments are social care's own.
    "sees_referral": sees_part("school_dsl"),
    "sees_assessment": sees_part(),
    # The involved case's child in need plan has the school taking part.
    "sees_cin_plan": sees_part("school_dsl"),
    "casework": lambda p, c: p in CASEWORKERS and sees(p, c),
    "decide": lambda p, c: p in {"front_door", "social_worker", "manager"} and sees(p, c),
    "authorise": lambda p, c: p == "manager" and sees(p, c),
    "conference": lambda p, c: p in {"chair", "social_worker", "manager"} and sees(p, c),
    "allocate": lambda p, c: p == "manager" and sees(p, c),
    # Social workers and managers, or a member of the plan's core group (the NHS trust and the
    # school on the involved case's plan).
    "core_group": lambda p, c: (p in CASEWORKERS and sees(p, c))
    or (p in {"health", "school_dsl"} and c == "involved"),
    # Social workers and managers, or the core group agency that owns the action (the school).
    "action_done": lambda p, c: (p in CASEWORKERS and sees(p, c))
    or (p == "school_dsl" and c == "involved"),
    # PARTNER_ACTIONS: police, health and schools may ask for a conference.
    "request_conference": lambda p, c: p in {"police", "health", "school_dsl"}
    and c == "involved",
    # Who looked at a case: its managers (the team manager), by their own rights.
    "access_history": lambda p, c: p == "manager" and c in NORTH_OPEN,
    # Staff of an agency in the case's area who cannot see it by their own rights.
    "break_glass": lambda p, c: c in NORTH_OPEN | {"restricted"} and not sees(p, c),
    # A break-glass alert is for the case's managers (the north manager's alert: own_team).
    "alert_recipient": lambda p, c: p == "manager" and c == "own_team",
    "eh_sees": eh_sees,
    "eh_change": eh_change,
    # A step-up is a referral from the record: whoever sees it and may make referrals.
    "eh_step_up": lambda p, c: eh_sees(p, c) and RULES["referrer"](p, c),
    # Set-up codes (web.signin.may_issue_set_up_code): administrators (no persona), and team
    # managers for the staff of their own agency.
    "set_up_code": lambda p, c: p == "manager" and c == "own_la",
}

# ---- the matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One URL pattern: the object its arguments name (None: no object), and for each
    method the rule that decides who may use it. ``body``: what a POST sends (a web form's
    fields; the API's bodies are made from its OpenAPI document)."""

    obj: str | None
    methods: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # other URL arguments


def r(obj: str | None = None, **methods: str) -> Row:
    return Row(obj, methods)


REASON = {"reason": "The child is in A&E out of hours and I need to know if they are on a plan"}

#: Web pages: the route as the resolver writes it → who may use it.
PAGES: dict[str, Row] = {
    # the service's own pages
    "": r(GET="everyone"),
    "sign-in": r(GET="everyone"),  # a signed-in person is sent on; nothing to refuse
    "sign-in/two-factor": r(GET="everyone"),
    "sign-in/two-factor/set-up": r(GET="everyone"),
    "sign-in/two-factor/recovery-code": r(GET="everyone"),  # signed in already: sent on
    # signing in with an organisation's account (OpenID Connect): the signed-in are sent on
    "sign-in/organisation": r(GET="everyone"),
    "sign-in/organisation/callback": r(GET="everyone"),
    "sign-in/organisation/problem": r(GET="everyone"),
    "account/two-factor/recovery-codes": r(GET="everyone", POST="everyone"),  # one's own
    "sign-out": r(POST="everyone"),
    "signed-out": r(GET="everyone"),  # back from signing out at the identity provider
    # set-up codes for authenticator apps: administrators and team managers
    "account/set-up-codes/": r(GET="team_manager"),
    "account/set-up-codes/<int:user_id>/": Row("person", {"GET": "set_up_code",
                                                          "POST": "set_up_code"},
                                               body={"hours": "72"}),
    "check-timeline": r(GET="everyone", POST="everyone"),  # no case data: the engine alone
    "account/access-history/": r(GET="everyone"),  # one's own reads
    "drafts/<slug:form>/": Row(None, {"POST": "everyone"}, extra={"form": "referral"}),
    "drafts/<slug:form>/<slug:key>/": Row(None, {"POST": "everyone"},
                                          extra={"form": "referral", "key": "x"}),
    # cases
    "cases/": r(GET="everyone"),  # filtered by the policy
    "cases/work/": r(GET="social_care"),
    "cases/team/": r(GET="team_manager"),
    "cases/<int:case_id>/": r("case", GET="sees"),
    "cases/<int:case_id>/allocate/": r("case", GET="allocate", POST="allocate"),
    "cases/<int:case_id>/access/": r("case", GET="access_history"),
    "cases/<int:case_id>/break-glass/": Row("case", {"POST": "break_glass"}, body=REASON),
    "cases/alerts/<int:alert_id>/seen/": r("alert", POST="alert_recipient"),
    # the front door
    "referrals/new/": r(GET="referrer", POST="referrer"),
    "referrals/queue/": r(GET="social_care"),
    "referrals/<int:referral_id>/": r("referral", GET="sees_referral"),
    "referrals/<int:referral_id>/decision/": r("referral", GET="decide", POST="decide"),
    "referrals/<int:referral_id>/decision/check/": r("referral", GET="decide", POST="decide"),
    "referrals/<int:referral_id>/authorise/": r("referral", POST="authorise"),
    # child protection
    "protection/cases/<int:case_id>/": r("case", GET="sees"),
    "protection/cases/<int:case_id>/immediate-protection/new/":
        r("case", GET="casework", POST="casework"),
    "protection/immediate-protection/<int:record_id>/": r("immediate", GET="sees_immediate"),
    "protection/cases/<int:case_id>/strategy-discussions/new/":
        r("case", GET="casework", POST="casework"),
    "protection/strategy-discussions/<int:discussion_id>/": r("discussion", GET="sees_discussion"),
    "protection/enquiries/<int:enquiry_id>/outcome/":
        r("enquiry", GET="casework", POST="casework"),
    "protection/enquiries/<int:enquiry_id>/conference-request/":
        r("enquiry", GET="request_conference", POST="request_conference"),
    "protection/conference-requests/": r(GET="everyone"),  # filtered: LA managers' list
    "protection/cases/<int:case_id>/conferences/new/":
        r("case", GET="conference", POST="conference"),
    "protection/conferences/<int:conference_id>/": r("conference", GET="sees_conference"),
    "protection/plans/<int:plan_id>/": r("plan", GET="sees_plan"),
    "protection/plans/<int:plan_id>/outcomes/": r("plan", GET="casework", POST="casework"),
    "protection/plans/<int:plan_id>/actions/new/": r("plan", GET="casework", POST="casework"),
    "protection/plans/<int:plan_id>/actions/<int:action_id>/done/":
        r("plan_action", POST="action_done"),
    "protection/plans/<int:plan_id>/core-group-meetings/new/":
        r("plan", GET="core_group", POST="core_group"),
    "protection/plans/<int:plan_id>/end/": r("plan", GET="casework", POST="casework"),
    "protection/cases/<int:case_id>/moved-in/new/": r("case", GET="casework", POST="casework"),
    "protection/cases/<int:case_id>/return-home/new/":
        r("case", GET="casework", POST="casework"),
    # assessments and child in need plans
    "assessments/cases/<int:case_id>/": r("case", GET="sees"),
    "assessments/cases/<int:case_id>/new/": r("case", GET="casework", POST="casework"),
    "assessments/cases/<int:case_id>/close/": r("case", GET="casework", POST="casework"),
    "assessments/<int:assessment_id>/": r("assessment", GET="sees_assessment"),
    # (an assessment in progress; authorising and planning follow a completed one)
    "assessments/<int:assessment_id>/child-seen/":
        r("assessment_open", GET="casework", POST="casework"),
    "assessments/<int:assessment_id>/sections/<slug:section>/":
        Row("assessment_open", {"GET": "casework", "POST": "casework"},
            extra={"section": "wishes_and_feelings"}),
    "assessments/<int:assessment_id>/factors/":
        r("assessment_open", GET="casework", POST="casework"),
    "assessments/<int:assessment_id>/complete/":
        r("assessment_open", GET="casework", POST="casework"),
    "assessments/<int:assessment_id>/authorise/": r("assessment", POST="authorise"),
    "assessments/<int:assessment_id>/child-in-need-plan/":
        r("assessment", GET="casework", POST="casework"),
    "assessments/child-in-need-plans/<int:plan_id>/": r("cin_plan", GET="sees_cin_plan"),
    "assessments/child-in-need-plans/<int:plan_id>/reviews/new/":
        r("cin_plan", GET="casework", POST="casework"),
    "assessments/child-in-need-plans/<int:plan_id>/outcomes/new/":
        r("cin_plan", GET="casework", POST="casework"),
    "assessments/child-in-need-plans/<int:plan_id>/end/":
        r("cin_plan", GET="casework", POST="casework"),
    # early help
    "early-help/": r(GET="everyone"),  # filtered by the early help rule
    "early-help/new/": r(GET="start_early_help", POST="start_early_help"),
    "early-help/<int:assessment_id>/": r("early_help", GET="eh_sees"),
    "early-help/<int:assessment_id>/plan/": r("early_help", GET="eh_change", POST="eh_change"),
    "early-help/<int:assessment_id>/reviews/new/":
        r("early_help_planned", GET="eh_change", POST="eh_change"),
    "early-help/<int:assessment_id>/step-up/":
        r("early_help", GET="eh_step_up", POST="eh_step_up"),
    "early-help/<int:assessment_id>/close/": r("early_help", GET="eh_change", POST="eh_change"),
    # people and households
    "people/search/": r(GET="everyone"),  # finds only children the person may see
    "people/cases/<int:case_id>/household/": r("case", GET="sees"),
    "people/cases/<int:case_id>/household/members/new/":
        r("case", GET="casework", POST="casework"),
    "people/cases/<int:case_id>/household/members/<int:member_id>/moved-out/":
        r("member", GET="casework", POST="casework"),
    "people/cases/<int:case_id>/household/relationships/new/":
        r("case", GET="casework", POST="casework"),
    # information sharing: anyone who sees the case records their own agency's decisions
    "sharing/cases/<int:case_id>/": r("case", GET="sees"),
    "sharing/cases/<int:case_id>/new/": r("case", GET="sees", POST="sees"),
    "sharing/cases/<int:case_id>/<int:decision_id>/": r("sharing", GET="sees_sharing"),
    # sharing out of Safeguard: a conference's report (those who record conferences), a
    # case record exported (social workers and managers)
    "sharing/conferences/<int:conference_id>/send-report/":
        r("conference", GET="conference", POST="conference"),
    "sharing/cases/<int:case_id>/export/": r("case", GET="casework", POST="casework"),
}

#: The API's own plumbing, served by the resolver outside the OpenAPI document.
API_PLUMBING: dict[str, Row] = {
    "api/v1/openapi.json": r(GET="everyone"),
    "api/v1/docs": r(GET="everyone"),
    "api/v1/": r(GET="nobody"),  # a 404 problem for everyone
    "api/v1/problems/<slug:slug>": Row(None, {"GET": "everyone"}, extra={"slug": "not-found"}),
    "api/v1/^": r(GET="nobody"),  # every other address: a 404 problem
}

#: The API's operations: the path as the OpenAPI document writes it → method → rule.
API: dict[str, Row] = {
    "/api/v1/obligations": r(POST="everyone"),  # no case data: the engine alone
    "/api/v1/cases": r(GET="everyone"),
    "/api/v1/cases/{case_id}": r("case", GET="sees"),
    "/api/v1/cases/{case_id}/timeline": r("case", GET="sees"),
    "/api/v1/cases/{case_id}/allocation": r("case", POST="allocate"),
    "/api/v1/cases/{case_id}/break-glass": Row("case", {"POST": "break_glass"}, body=REASON),
    # The front door's queue and the work lists answer an empty list to anyone outside
    # children's social care (front_door_queue, work_items): no case data to refuse.
    "/api/v1/referrals/queue": r(GET="social_care"),
    "/api/v1/referrals": r(POST="referrer"),
    "/api/v1/referrals/{referral_id}": r("referral", GET="sees_referral"),
    "/api/v1/referrals/{referral_id}/decision": r("referral", POST="decide"),
    "/api/v1/referrals/{referral_id}/authorisation": r("referral", POST="authorise"),
    "/api/v1/protection/cases/{case_id}": r("case", GET="sees"),
    "/api/v1/protection/cases/{case_id}/immediate-protection": r("case", POST="casework"),
    "/api/v1/protection/cases/{case_id}/strategy-discussions": r("case", POST="casework"),
    "/api/v1/protection/strategy-discussions/{discussion_id}": r("discussion", GET="sees_discussion"),
    "/api/v1/protection/enquiries/{enquiry_id}/outcome": r("enquiry", POST="casework"),
    "/api/v1/protection/enquiries/{enquiry_id}/conference-request":
        r("enquiry", POST="request_conference"),
    "/api/v1/protection/cases/{case_id}/conferences": r("case", POST="conference"),
    "/api/v1/protection/conferences/{conference_id}": r("conference", GET="sees_conference"),
    "/api/v1/protection/plans/{plan_id}": r("plan", GET="sees_plan"),
    "/api/v1/protection/plans/{plan_id}/outcomes": r("plan", PUT="casework"),
    "/api/v1/protection/plans/{plan_id}/actions": r("plan", POST="casework"),
    "/api/v1/protection/plans/{plan_id}/actions/{action_id}/done":
        r("plan_action", POST="action_done"),
    "/api/v1/protection/plans/{plan_id}/core-group-meetings": r("plan", POST="core_group"),
    "/api/v1/protection/plans/{plan_id}/end": r("plan", POST="casework"),
    "/api/v1/protection/cases/{case_id}/moved-in-notices": r("case", POST="casework"),
    "/api/v1/protection/cases/{case_id}/returns-home": r("case", POST="casework"),
    "/api/v1/assessments/cases/{case_id}": r("case", GET="sees"),
    "/api/v1/assessments": r("case", POST="casework"),  # the case is in the body
    "/api/v1/assessments/{assessment_id}": r("assessment_open", GET="sees_assessment",
                                             PATCH="casework"),
    "/api/v1/assessments/{assessment_id}/completion": r("assessment_open", POST="casework"),
    "/api/v1/assessments/{assessment_id}/authorisation": r("assessment", POST="authorise"),
    "/api/v1/assessments/{assessment_id}/child-in-need-plan": r("assessment", POST="casework"),
    "/api/v1/assessments/child-in-need-plans/{plan_id}": r("cin_plan", GET="sees_cin_plan"),
    "/api/v1/assessments/child-in-need-plans/{plan_id}/outcomes": r("cin_plan", POST="casework"),
    "/api/v1/assessments/child-in-need-plans/{plan_id}/reviews": r("cin_plan", POST="casework"),
    "/api/v1/assessments/child-in-need-plans/{plan_id}/end": r("cin_plan", POST="casework"),
    "/api/v1/assessments/cases/{case_id}/closure": r("case", POST="casework"),
    "/api/v1/early-help": r(GET="everyone", POST="start_early_help"),
    "/api/v1/early-help/{assessment_id}": r("early_help", GET="eh_sees"),
    "/api/v1/early-help/{assessment_id}/plan": r("early_help", POST="eh_change"),
    "/api/v1/early-help/{assessment_id}/reviews": r("early_help_planned", POST="eh_change"),
    "/api/v1/early-help/{assessment_id}/closure": r("early_help", POST="eh_change"),
    "/api/v1/early-help/{assessment_id}/step-up": r("early_help", POST="eh_step_up"),
    "/api/v1/people/search": r(GET="everyone"),
    "/api/v1/work": r(GET="social_care"),
    "/api/v1/sharing/cases/{case_id}/decisions": r("case", GET="sees", POST="sees"),
    "/api/v1/sharing/cases/{case_id}/decisions/{decision_id}": r("sharing",
                                                                  GET="sees_sharing"),
    "/api/v1/sharing/conferences/{conference_id}/reports":
        r("conference", GET="sees_conference", POST="conference"),
    "/api/v1/sharing/cases/{case_id}/exports": r("case", POST="casework"),
}


# ---- the URLs the app serves ---------------------------------------------------------------


def served_routes() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern the root URLconf serves, API included."""
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                found.append((prefix + str(pattern.pattern), pattern.name or ""))

    walk(get_resolver(), "")
    return found


def api_operations() -> dict[str, set[str]]:
    """The API's operations from its OpenAPI document: path → methods."""
    from safeguard.api.api import api

    paths = api.get_openapi_schema()["paths"]
    return {path: {m.upper() for m in ops} for path, ops in paths.items()}


def _api_route(path: str) -> str:
    """``/api/v1/cases/{case_id}`` as the resolver writes it, less the converters."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + path)


def test_every_url_is_in_the_matrix() -> None:
    operations = api_operations()
    served_pages: set[str] = set()
    served_api: set[str] = set()
    for route, _name in served_routes():
        if route.startswith("api/v1/") and _api_route(route) in operations:
            served_api.add(_api_route(route))
        else:
            served_pages.add(route)
    tabled_pages = set(PAGES) | set(API_PLUMBING)
    problems = [f"served but not in the matrix: {route!r}"
                for route in sorted(served_pages - tabled_pages)]
    problems += [f"in the matrix but not served: {route!r}"
                 for route in sorted(tabled_pages - served_pages)]
    problems += [f"API operation not in the matrix: {path!r}"
                 for path in sorted(set(operations) - set(API))]
    problems += [f"API path in the matrix but not served: {path!r}"
                 for path in sorted(set(API) - set(operations))]
    assert served_api == set(operations), "the resolver and the OpenAPI document differ"
    for path, methods in operations.items():
        row = API.get(path)
        if row is not None and set(row.methods) != methods:
            problems.append(f"{path}: the matrix has {sorted(row.methods)}, the API serves "
                            f"{sorted(methods)}")
    for route, row in {**PAGES, **API, **API_PLUMBING}.items():
        problems += [f"{route}: unknown rule {rule!r}" for rule in row.methods.values()
                     if rule not in RULES]
    assert not problems, "\n".join(problems)


# ---- the fixtures: each category's case and its records, through the services --------------


def _new_staff(area: Area, key: str, role: str, *, agency: Any = None, team: str | None = None
               ) -> Staff:
    """A member of staff who is not one of the personas (so named on no persona's behalf)."""
    user = get_user_model().objects.create(username=f"matrix-{key}", first_name="Not",
                                           last_name=f"Apersona {key}")
    return Staff.objects.create(user=user, agency=agency or area.la, role=role,
                                team=area.teams[team] if team else None)


def _child(n: int) -> dict[str, Any]:
    return {"given_name": f"Child{chr(65 + n)}", "family_name": f"Matrix{chr(65 + n)}",
            "date_of_birth": date(2014, 1 + n % 12, 9)}


@dataclass
class CaseSpec:
    category: str
    area: Area
    referrer: Staff
    referrer_agency: Any = None
    worker: Staff | None = None  # allocated worker (None: unallocated)
    lead: Staff | None = None  # who records the casework
    chair: Staff | None = None
    named_partners: bool = False  # partner personas named on it (staff ids)
    end_partner_involvements: bool = False


def _build_case(spec: CaseSpec, n: int) -> dict[str, int]:
    from safeguard.assessments.services import (
        assessment_complete,
        assessment_start,
        assessment_update,
        cin_plan_start,
    )
    from safeguard.cases.services import case_allocate
    from safeguard.people.household_services import household_member_add
    from safeguard.protection.models import PlanAction, Section47Enquiry
    from safeguard.protection.services import (
        conference_record,
        immediate_protection_record,
        plan_action_add,
        s47_outcome_record,
        strategy_discussion_record,
    )
    from safeguard.referrals.services import referral_create, referral_decide
    from safeguard.sharing.services import sharing_record

    area, lead = spec.area, spec.lead or spec.area["social_worker"]
    sw = lead.user
    child = _child(n)
    ids: dict[str, int] = {}
    received = date(2026, 8, 28)
    with time_machine.travel("2026-08-28 12:00:00+01:00", tick=False):
        first = referral_create(
            actor=spec.referrer.user, received_on=received, source="2A",
            concerns="Bruising seen on arms", child=child,
            referrer_agency_id=spec.referrer_agency.pk if spec.referrer_agency else None)
    case = first.case
    ids["case"] = case.pk
    ids["referral"] = first.pk
    if spec.worker is not None:
        case_allocate(actor=area["manager"].user, case_id=case.pk, worker_id=spec.worker.pk)
    referral_decide(actor=sw, referral_id=first.pk, decided_on=received, outcome="assessment",
                    reasons="Needs assessment", feedback_to_referrer="An assessment will start",
                    family_informed=True)
    assessment = assessment_start(actor=sw, case_id=case.pk, referral_id=first.pk, kind="s17",
                                  started_on=received)
    assessment = assessment_update(
        actor=sw, assessment_id=assessment.pk, child_seen_on=date(2026, 9, 3),
        child_seen_alone=True, wishes_and_feelings="Wants to stay at home",
        developmental_needs="Healthy", parenting_capacity="Struggling",
        family_and_environment="Overcrowded flat", factors=["4B"])
    assessment = assessment_complete(actor=sw, assessment_id=assessment.pk,
                                     completed_on=date(2026, 10, 20),
                                     outcome="child_in_need_plan")
    cin = cin_plan_start(
        actor=sw, assessment_id=assessment.pk, started_on=date(2026, 10, 22),
        summary="Family support", next_review_on=date(2026, 12, 3),
        outcomes=[{"outcome": "Attends school", "measure": "Attendance above 95%",
                   "agency_id": area.schools[0].pk, "target_on": date(2027, 1, 31)}],
        agency_ids=[area.schools[0].pk])
    ids["assessment"] = assessment.pk
    ids["cin_plan"] = cin.pk
    # A second referral for the same child: the same case, decided for a strategy discussion.
    with time_machine.travel("2026-11-02 12:00:00+00:00", tick=False):
        second = referral_create(
            actor=spec.referrer.user, received_on=date(2026, 11, 2), source="2A",
            concerns="Injuries seen", child=child,
            referrer_agency_id=spec.referrer_agency.pk if spec.referrer_agency else None)
        assert second.case_id == case.pk
        referral_decide(actor=sw, referral_id=second.pk, decided_on=date(2026, 11, 2),
                        outcome="strategy_discussion", reasons="Significant harm",
                        feedback_to_referrer="A strategy discussion will be held")
        immediate = immediate_protection_record(
            actor=sw, case_id=case.pk, kind="other", taken_on=date(2026, 11, 2),
            acting_agency_id=area.la.pk, acted_by=lead.name, details="Safety plan agreed")
    ids["immediate"] = immediate.pk
    ids["assessment_open"] = assessment_start(
        actor=sw, case_id=case.pk, referral_id=second.pk, kind="s47",
        started_on=date(2026, 11, 3)).pk

    def person(agency: Any, persona: str, label: str) -> dict[str, Any]:
        row: dict[str, Any] = {"agency_id": agency.pk, "name": label, "role": label}
        if spec.named_partners:
            row["staff_id"] = area[persona].pk
        return row

    discussion = strategy_discussion_record(
        actor=sw, case_id=case.pk, held_on=date(2026, 11, 3),
        attendees=[{"agency_id": area.la.pk, "staff_id": lead.pk},
                   person(area.police, "police", "Detective sergeant"),
                   person(area.trust, "health", "Named doctor")],
        s47_initiated=True, criminal_investigation=True,
        decisions="Section 47 enquiries; joint visit with the police (investigative notes)",
        actions=[{"action": "Joint visit", "owner_agency_id": area.police.pk,
                  "owner": "DS", "due_on": date(2026, 11, 3)}])
    enquiry = Section47Enquiry.objects.get(strategy_discussion=discussion)
    ids["discussion"] = discussion.pk
    ids["enquiry"] = enquiry.pk
    s47_outcome_record(actor=sw, enquiry_id=enquiry.pk, outcome_on=date(2026, 11, 12),
                       substantiated=True, conference=True)
    chair = spec.chair or area["chair"]
    school = {"agency_id": area.schools[0].pk, "name": "DSL", "role": "DSL"}
    if spec.named_partners:
        school["staff_id"] = area["school_dsl"].pk
    conference = conference_record(
        actor=chair.user, case_id=case.pk, kind="initial", held_on=date(2026, 11, 17),
        chair_id=chair.pk, plan_decision=True, category="PHY", lead_social_worker_id=lead.pk,
        invitees=[{"agency_id": area.la.pk, "staff_id": lead.pk, "attended": True,
                   "report_submitted": True},
                  {**person(area.police, "police", "DS"), "attended": True,
                   "report_submitted": True},
                  {**person(area.trust, "health", "Doctor"), "attended": True,
                   "report_submitted": True},
                  {**school, "attended": True, "report_submitted": True}],
        core_group=[person(area.trust, "health", "Doctor"),
                    {k: v for k, v in school.items() if k in ("agency_id", "name", "staff_id")}])
    ids["conference"] = conference.pk
    plan = conference.plan_started
    ids["plan"] = plan.pk
    plan_action_add(actor=sw, plan_id=plan.pk, action="Attendance checked daily",
                    owner_agency_id=area.schools[0].pk, due_on=date(2026, 12, 1))
    ids["plan_action"] = PlanAction.objects.filter(plan=plan).latest("pk").pk
    ids["sharing"] = sharing_record(
        actor=sw, case_id=case.pk, decision="share", what="The assessment summary",
        purpose="To plan support", consent_sought=True, consent_given=True, person_told=True,
        with_agency_id=area.police.pk).pk
    member = household_member_add(
        actor=sw, case_id=case.pk, relationship="mother", parental_responsibility=True,
        person={"given_name": "Mum", "family_name": child["family_name"], "is_child": False})
    ids["member"] = member.pk
    if spec.end_partner_involvements:
        Involvement.objects.filter(case=case, until__isnull=True).exclude(
            agency=area.la).exclude(agency=spec.referrer_agency).update(until=date(2026, 11, 20))
    return ids


@dataclass
class World:
    north: Area
    south: Area
    objects: dict[str, dict[str, int]]  # object kind → category → id
    case_of: dict[str, int]  # category → case id


def build_world() -> World:
    from safeguard.cases.services import break_glass, involve
    from safeguard.earlyhelp.services import early_help_plan_record, early_help_start

    north = build_area("Northshire", "901", "north")
    south = build_area("Southshire", "902", "south")
    r_worker = _new_staff(north, "restricted-worker", Role.SOCIAL_WORKER,
                          team="safeguarding_unit")
    r_chair = _new_staff(north, "restricted-chair", Role.CONFERENCE_CHAIR,
                         team="safeguarding_unit")
    gp_doctor = _new_staff(north, "gp-doctor", Role.HEALTH_PRACTITIONER, agency=north.gp)
    specs = [
        CaseSpec("own_team", north, north["front_door"], worker=north["social_worker"],
                 end_partner_involvements=True),
        CaseSpec("own_la", north, north["front_door"], referrer_agency=north.gp,
                 lead=north["social_worker_2"], end_partner_involvements=True),
        CaseSpec("other_la", south, south["school_dsl"], worker=south["social_worker_2"],
                 named_partners=True),
        CaseSpec("involved", north, north["school_dsl"], worker=north["social_worker_2"],
                 lead=north["social_worker_2"], named_partners=True),
        CaseSpec("not_involved", north, north["front_door"], worker=north["social_worker_2"],
                 lead=north["social_worker_2"], end_partner_involvements=True),
        CaseSpec("restricted", north, north["front_door"], worker=r_worker, lead=r_worker,
                 chair=r_chair),
    ]
    objects: dict[str, dict[str, int]] = {}
    case_of: dict[str, int] = {}
    for n, spec in enumerate(specs):
        ids = _build_case(spec, n)
        case_of[spec.category] = ids["case"]
        for kind, pk in ids.items():
            objects.setdefault(kind, {})[spec.category] = pk
    involved = Case.objects.get(pk=case_of["involved"])
    involve(case=involved, agency=north.early_years, kind="other", since=date(2026, 11, 4))
    Case.objects.filter(pk=case_of["restricted"]).update(restricted=True)

    # Early help records: led by the north early help practitioner with the school
    # contributing; led by a GP; a Southshire one.
    def start(actor: Staff, n: int, agency_ids: tuple[int, ...] = (), *, plan: bool = False
              ) -> int:
        record = early_help_start(
            actor=actor.user, started_on=date(2026, 11, 10), consent_given=True,
            consent_from="child_and_parents", consent_given_by="Mother",
            consent_recorded_on=date(2026, 11, 10), needs="Support with routines",
            child=_child(n), agency_ids=agency_ids)
        if plan:
            early_help_plan_record(actor=actor.user, assessment_id=record.pk,
                                   started_on=date(2026, 11, 12), outcomes="Routines kept",
                                   next_review_on=date(2027, 1, 12))
        return record.pk
    for kind, plan in (("early_help", False), ("early_help_planned", True)):
        objects[kind] = {
            "involved": start(north["early_help"], 10 + plan * 3, (north.schools[0].pk,),
                              plan=plan),
            "not_involved": start(gp_doctor, 11 + plan * 3, plan=plan),
            "other_la": start(south["early_help"], 12 + plan * 3, plan=plan),
        }

    # Break-glass alerts (the accesses themselves over): the north manager's, on the own
    # team's case; a Southshire manager's.
    break_glass(actor=north["police"].user, case_id=case_of["own_team"],
                reason=REASON["reason"])
    south_case = Case.objects.get(pk=case_of["other_la"])
    Involvement.objects.filter(case=south_case, agency=south.early_years).delete()
    break_glass(actor=south["early_help"].user, case_id=south_case.pk, reason=REASON["reason"])
    BreakGlass.objects.update(until=timezone.now() - timedelta(hours=1))
    north_alert = CaseAlert.objects.filter(case_id=case_of["own_team"],
                                           recipient=north["manager"]).get()
    south_alert = CaseAlert.objects.filter(case_id=case_of["other_la"]).first()
    assert south_alert is not None
    objects["alert"] = {"own_team": north_alert.pk, "other_la": south_alert.pk}
    objects["person"] = {"own_la": north["lado"].user_id, "other_la": south["lado"].user_id}
    return World(north, south, objects, case_of)


# ---- issuing a request and judging the answer ----------------------------------------------

ALLOWED = frozenset({200, 201, 204, 302, 400, 409, 422})
REFUSED = frozenset({401, 403, 404})
#: Audit actions a refused request may leave: reads and refusals.
READ_ACTIONS = frozenset({"view", "read", "search", "refused", "not_allowed", "denied"})
#: Tables a refused request may write to.
BOOKKEEPING_TABLES = ("django_session", AuditEntry._meta.db_table)
WRITE_SQL = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)


def _refused_response(response: Any) -> bool:
    if response.status_code in REFUSED:
        return True
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(settings.LOGIN_URL)


@dataclass
class Outcome:
    status: int
    refused: bool
    writes: list[str]
    audited: list[str]


def issue(client: Client, method: str, url: str, body: Any, *, api: bool) -> Outcome:
    """The request, inside a savepoint rolled back afterwards: what it answered and wrote."""
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # Django keeps the last 9,000 queries only: once that log is full, a capture's slice of
    # it is empty, and "refused requests write nothing" would pass unseen. Start each empty.
    connection.queries_log.clear()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            if api:
                import json

                response = client.generic(method, url, data=json.dumps(body) if body is not
                                          None else "", content_type="application/json")
            elif method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data=body or {})
        assert queries.captured_queries, f"no queries captured for {method} {url}"
        writes = sorted({m.group(2) for q in queries.captured_queries
                         if (m := WRITE_SQL.match(q["sql"]))
                         and m.group(2) not in BOOKKEEPING_TABLES})
        audited = list(AuditEntry.objects.filter(pk__gt=last_audit)
                       .values_list("action", flat=True))
        transaction.set_rollback(True)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key  # sign-out ends nothing here
    return Outcome(response.status_code, _refused_response(response), writes, audited)


# ---- API bodies, made from the OpenAPI document --------------------------------------------


def _example(schema: dict[str, Any], components: dict[str, Any], name: str = "") -> Any:
    if "$ref" in schema:
        return _example(components[schema["$ref"].split("/")[-1]], components, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(options[0], components, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _example(v, components, k) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return 1 if name == "version" else 0
    if kind == "number":
        return 0
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-11-20"
    return "x"


def api_bodies() -> dict[tuple[str, str], Any]:
    """(path, method) → a body its schema accepts (required fields only)."""
    from safeguard.api.api import api

    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    bodies: dict[tuple[str, str], Any] = {}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            schema = next(iter(content.values()), {}).get("schema")
            bodies[path, method.upper()] = (_example(schema, components) if schema
                                            else {"events": []})
    return bodies


# ---- the matrix test -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    route: str
    method: str
    persona: str
    category: str | None
    expected: bool


def _url_for_page(route: str, row: Row, ids: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in row.extra:
            return row.extra[name]
        return str(ids[name])
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _url_for_api(path: str, row: Row, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: row.extra.get(m.group(1)) or str(ids[m.group(1)]),
                  path)


#: URL argument → the object kind whose id it takes.
ARGUMENT_KIND = {
    "case_id": "case", "referral_id": "referral", "assessment_id": "assessment",
    "plan_id": "plan", "record_id": "immediate", "discussion_id": "discussion",
    "enquiry_id": "enquiry", "conference_id": "conference", "decision_id": "sharing",
    "member_id": "member", "action_id": "plan_action", "alert_id": "alert",
    "user_id": "person",
}


def _ids(world: World, row: Row, category: str) -> dict[str, int] | None:
    """The URL arguments for the row's object in the category, or None if it has none."""
    if row.obj is None:
        return {}
    if category not in world.objects.get(row.obj, {}):
        return None
    ids = {arg: world.objects[kind][category] for arg, kind in ARGUMENT_KIND.items()
           if category in world.objects.get(kind, {})}
    if row.obj == "cin_plan":
        ids["plan_id"] = world.objects["cin_plan"][category]
    if row.obj in ("early_help", "early_help_planned", "assessment_open"):
        ids["assessment_id"] = world.objects[row.obj][category]
    return ids


def _cells(table: dict[str, Row], world: World) -> Iterator[tuple[Cell, Row, dict[str, int]]]:
    for route, row in table.items():
        categories: tuple[str | None, ...] = CATEGORIES if row.obj else (None,)
        for method, rule in row.methods.items():
            for category in categories:
                ids = _ids(world, row, category) if category else {}
                if ids is None:
                    continue
                for persona in PERSONAS:
                    yield (Cell(route, method, persona, category,
                                RULES[rule](persona, category)), row, ids)


def _judge(cell: Cell, outcome: Outcome) -> str | None:
    where = f"{cell.method} {cell.route} as {cell.persona} on {cell.category or '-'}"
    if cell.expected:
        if outcome.status not in ALLOWED or outcome.refused:
            return f"unexpected denial: {where} answered {outcome.status}"
        return None
    if not outcome.refused:
        return f"UNEXPECTED ALLOW: {where} answered {outcome.status}"
    bad_audit = [a for a in outcome.audited
                 if a not in READ_ACTIONS and not a.startswith("view")]
    if cell.method != "GET" and (outcome.writes or bad_audit):
        return (f"refused but changed something: {where} wrote {outcome.writes} "
                f"audited {bad_audit}")
    return None


# The policy's rules are the database's same on both: the 7,000-request walk runs on SQLite
# (the whole suite), not again in the PostgreSQL pass (``-m db``), to keep CI short.
@pytest.mark.sqlite_only
def test_every_role_on_every_endpoint_and_object() -> None:
    started = time.perf_counter()
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        built = time.perf_counter() - started
        clients: dict[str, Client] = {}
        for persona in PERSONAS:
            client = Client()
            client.force_login(world.north[persona].user)
            clients[persona] = client
        bodies = api_bodies()
        mismatches: list[str] = []
        count = 0
        for cell, row, ids in _cells(PAGES, world):
            url = _url_for_page(cell.route, row, ids)
            body = row.body if cell.method != "GET" else None
            outcome = issue(clients[cell.persona], cell.method, url, body, api=False)
            count += 1
            if (problem := _judge(cell, outcome)) is not None:
                mismatches.append(f"{problem}  [{url}]")
        for cell, row, ids in _cells(API, world):
            url = _url_for_api(cell.route, row, ids)
            body = None
            if cell.method != "GET":
                body = dict(bodies[cell.route, cell.method])
                body.update(row.body)
                if cell.route == "/api/v1/assessments":  # the case is in the body
                    body.update(case_id=ids["case_id"], referral_id=ids["referral_id"])
            outcome = issue(clients[cell.persona], cell.method, url, body, api=True)
            count += 1
            if (problem := _judge(cell, outcome)) is not None:
                mismatches.append(f"{problem}  [{url}]")
        for route, row in API_PLUMBING.items():
            for persona in PERSONAS:
                url = _url_for_page(route, row, {}).replace("/^", "/no-such-thing")
                cell = Cell(route, "GET", persona, None, RULES[row.methods["GET"]](persona, None))
                outcome = issue(clients[persona], "GET", url, None, api=False)
                count += 1
                if (problem := _judge(cell, outcome)) is not None:
                    mismatches.append(problem)
    elapsed = time.perf_counter() - started
    print(f"access matrix: {count} requests, fixtures {built:.1f} s, total {elapsed:.1f} s")
    assert not mismatches, f"{len(mismatches)} of {count} cells differ:\n" + "\n".join(
        mismatches)


# ---- access changes take effect at once ----------------------------------------------------


@pytest.fixture
def at_once():
    """North and south, and a north case allocated to the north social worker that a
    school referred (so the school is involved), the clock frozen."""
    from safeguard.cases.services import case_allocate
    from safeguard.referrals.services import referral_create

    with time_machine.travel(NOW, tick=False):
        north = build_area("Northshire", "901", "north")
        south = build_area("Southshire", "902", "south")
        case = referral_create(actor=north["school_dsl"].user, received_on=date(2026, 11, 23),
                               source="2A", concerns="Bruises", child=_child(0)).case
        case_allocate(actor=north["manager"].user, case_id=case.pk,
                      worker_id=north["social_worker"].pk)
        yield north, south, case


def _session(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _token(staff: Staff) -> Client:
    from safeguard.api.auth import issue_token

    return Client(headers={"Authorization": f"Bearer {issue_token(user=staff.user, name='t')}"})


@pytest.mark.parametrize("switch_off", ["staff", "user"])
def test_deactivating_refuses_the_very_next_request(at_once, switch_off) -> None:
    north, _south, case = at_once
    worker = north["social_worker"]
    page, token = _session(worker), _token(worker)
    assert page.get(f"/cases/{case.pk}/").status_code == 200
    assert token.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert page.get("/cases/").status_code == 200
    if switch_off == "staff":
        Staff.objects.filter(pk=worker.pk).update(active=False)
    else:
        get_user_model().objects.filter(pk=worker.user_id).update(is_active=False)
    # The open session and the token, mid-use: refused on the very next request.
    assert page.get(f"/cases/{case.pk}/").status_code in REFUSED | {302}
    assert token.get(f"/api/v1/cases/{case.pk}").status_code in REFUSED
    assert token.get("/api/v1/cases").json().get("items", []) == []
    response = page.get("/cases/")
    assert response.status_code != 200 or case.reference not in response.content.decode()


def test_ending_an_involvement_removes_the_partners_access_at_once(at_once) -> None:
    north, _south, case = at_once
    dsl = north["school_dsl"]
    page, token = _session(dsl), _token(dsl)
    assert page.get(f"/cases/{case.pk}/").status_code == 200
    assert token.get(f"/api/v1/cases/{case.pk}").status_code == 200
    Involvement.objects.filter(case=case, agency=north.schools[0]).update(
        until=date(2026, 11, 24))
    assert page.get(f"/cases/{case.pk}/").status_code == 404
    assert token.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert page.get(f"/referrals/{case.referrals.get().pk}/").status_code == 404


def test_moving_a_social_worker_to_another_authority_removes_access(at_once) -> None:
    north, south, case = at_once
    worker = north["social_worker"]
    page, token = _session(worker), _token(worker)
    assert page.get(f"/cases/{case.pk}/").status_code == 200
    Staff.objects.filter(pk=worker.pk).update(agency=south.la,
                                              team=south.teams["assessment"])
    # Even their own allocated case: it belongs to Northshire, and they now work for
    # Southshire.
    assert page.get(f"/cases/{case.pk}/").status_code == 404
    assert token.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert page.get(f"/protection/cases/{case.pk}/").status_code == 404
