"""The case pages: the list of cases, one case, its allocation, and the work lists (my work,
my team).

Reads go through the selectors (each starting from the access policy, and ``case_for``
auditing the read); writes through the services. A case the person may not see is "not
found", whether or not it exists.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguard.agencies.models import Role
from safeguard.cases.forms import AllocationForm, BreakGlassForm
from safeguard.cases.policy import (
    BREAK_GLASS_HOURS,
    case_parts,
    cases_visible_to,
    may,
    staff_of,
)
from safeguard.cases.selectors import (
    TEAM_PAGE_ROWS,
    CaseRecords,
    allocatable_workers,
    case_for,
    case_obligations,
    case_page_reads,
    case_referrals,
    chronology,
    family_of,
    involvements_of,
    local_authority_teams,
    my_case_alerts,
    open_plans,
    work_groups,
)
from safeguard.cases.services import break_glass, case_alert_seen, case_allocate
from safeguard.core.compiled import reading_ahead
from safeguard.core.dates import today
from safeguard.core.services import (
    Context,
    EditConflict,
    Invalid,
    NotAllowed,
    request_context,
)
from safeguard.people.identifiers import format_nhs_number
from safeguard.web.navigation import optional_url
from safeguard.web.presenters import STATUSES, obligation_rows, summary_line

PAGE_SIZE = 50


def context_of(request: HttpRequest) -> Context:
    return request_context(request)


def _case(request: HttpRequest, case_id: int, purpose: str = "view") -> Any:
    try:
        return case_for(request.user, case_id, context=context_of(request), purpose=purpose)
    except NotAllowed:
        raise Http404("No such case") from None


def _no_store(response: HttpResponse) -> HttpResponse:
    """Case data: never kept by a browser or proxy cache (every page of case data)."""
    response["Cache-Control"] = "no-store"
    return response


# ---- the list of cases ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def case_list_page(request: HttpRequest) -> HttpResponse:
    """Every case the person may see, most recently opened first, 50 a page."""
    cases = cases_visible_to(request.user).select_related(
        "child", "team", "allocated_worker__user").order_by("-opened_on", "-id")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return _no_store(render(request, "cases/list.html", {
        "page_title": "Cases", "page": page,
    }))


# ---- one case ------------------------------------------------------------------------------

#: Actions on a case other pages offer: (text, URL name, the action the policy must allow, or
#: None for reading). A link whose page is not registered yet is left out.
CASE_ACTIONS: list[tuple[str, str, str | None]] = [
    ("Record immediate protection", "protection:immediate-new", "record_casework"),
    ("Record a strategy discussion", "protection:strategy-new", "record_casework"),
    ("Start an assessment", "assessments:assessment-new", "record_casework"),
    ("Record a child protection conference", "protection:conference-new", "record_conference"),
    ("Record that the child moved in on another area’s plan", "protection:moved-in-new",
     "record_casework"),
    ("Record a return home from care", "protection:return-home-new", "record_casework"),
    ("Close the case", "assessments:case-close", "record_casework"),
    ("Child protection records", "protection:case", None),
    ("Assessments and child in need plans", "assessments:case-assessments", None),
    ("Information sharing", "sharing:list", None),
    ("Who has looked at this case", "cases:access-history", "view_access_history"),
]


def case_actions(request: HttpRequest, case: Any) -> list[dict[str, str]]:
    allowed: dict[str, bool] = {}
    actions = []
    for text, name, action in CASE_ACTIONS:
        href = optional_url(name, case.pk)
        if href is None:
            continue
        if action is not None:
            if action not in allowed:
                allowed[action] = may(request.user, action, case)
            if not allowed[action]:
                continue
        actions.append({"text": text, "href": href})
    return actions


@require_http_methods(["GET", "HEAD"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page: the child, family, agencies, plans, allocation, chronology and the
    statutory duties (as the engine computed and stored them, current today). A case the
    person may not see is "not found", with the way to open it by break-glass."""
    try:
        case = case_for(request.user, case_id, context=context_of(request))
    except NotAllowed:
        return _no_access(request, case_id, BreakGlassForm())
    return _case_page(request, case)


def _no_access(request: HttpRequest, case_id: int, form: BreakGlassForm,
               refused: str = "") -> HttpResponse:
    """The same page whether the case does not exist or the person may not see it."""
    response = render(request, "cases/no_access.html", {
        "page_title": ("Error: " if form.errors or refused else "") + "Case not found",
        "case_id": case_id, "form": form, "refused": refused,
        "may_ask": staff_of(request.user) is not None, "hours": BREAK_GLASS_HOURS,
    }, status=404)
    return _no_store(response)


@require_http_methods(["POST"])
def break_glass_open(request: HttpRequest, case_id: int) -> HttpResponse:
    """Open the case by break-glass (``break_glass``): the reason is recorded and the case's
    managers are alerted."""
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            break_glass(actor=request.user, case_id=case_id, reason=form.cleaned_data["reason"],
                        context=context_of(request))
        except Invalid as error:
            form.add_service_errors(error)
        except NotAllowed as error:
            return _no_access(request, case_id, form, refused=str(error))
        else:
            return redirect("cases:detail", case_id)
    return _no_access(request, case_id, form)


@require_http_methods(["POST"])
def alert_seen(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The manager marks a break-glass alert as seen."""
    try:
        case_alert_seen(actor=request.user, alert_id=alert_id, context=context_of(request))
    except NotAllowed:
        raise Http404("No such alert") from None
    return redirect("home")


def _case_page(request: HttpRequest, case: Any) -> HttpResponse:
    now = timezone.now()
    with reading_ahead(case_page_reads(request.user, case, now)):  # one statement (ADR-009)
        return _case_page_made(request, case, now)


def _case_page_made(request: HttpRequest, case: Any, now: Any) -> HttpResponse:
    obligations = case_obligations(case)
    staff = staff_of(request.user)
    child = case.child
    records = CaseRecords(case)  # referrals and plans, read once for the sections below
    return _no_store(render(request, "cases/detail.html", {
        "page_title": f"{child.full_name}, case {case.reference}",
        "case": case, "child": child,
        "age": child.age_on(today()) if child.date_of_birth else None,
        "nhs_number": format_nhs_number(child.nhs_number) if child.nhs_number else "",
        "family": family_of(request.user, case, now=now),
        "involvements": involvements_of(case),
        "plans": [{"plan": p, "href": optional_url(p.url_name, p.url_arg)}
                  for p in open_plans(case, records, parts=case_parts(request.user, case))],
        "referrals": case_referrals(case, records),
        "chronology": chronology(case, records),
        # Stored obligations have the engine's attributes: the same presenters show them.
        "rows": obligation_rows(obligations),  # type: ignore[arg-type]
        "summary": summary_line(obligations),  # type: ignore[arg-type]
        "actions": case_actions(request, case),
        "may_allocate": may(request.user, "allocate", case),
        "social_care": staff is not None and staff.in_social_care,
        "allocated": request.GET.get("allocated") == "1",
        "via_break_glass": getattr(case, "via_break_glass", None),
    }))


@require_http_methods(["GET", "HEAD", "POST"])
def allocate(request: HttpRequest, case_id: int) -> HttpResponse:
    """A team manager allocates the case (``case_allocate``), against the version shown."""
    case = _case(request, case_id)
    if not may(request.user, "allocate", case):
        raise Http404("No such case")
    workers = [(str(s.pk), f"{s.name} ({s.get_role_display().lower()}"
                + (f", {s.team.name})" if s.team else ")"))
               for s in allocatable_workers(case)]
    teams = [(str(t.pk), t.name) for t in local_authority_teams(case)]
    conflict = False
    status = 200
    if request.method == "POST":
        form = AllocationForm(request.POST, workers=workers, teams=teams)
        if form.is_valid():
            try:
                case_allocate(actor=request.user, case_id=case.pk, context=context_of(request),
                              **form.service_arguments())
            except EditConflict as exc:
                form.add_service_errors(exc)
                form.data = data = request.POST.copy()
                data["version"] = str(exc.current_version)
                case = _case(request, case_id)  # the allocation as it is now
                conflict, status = True, 409
            except Invalid as exc:
                form.add_service_errors(exc)
            else:
                return redirect(reverse("cases:detail", args=[case.pk]) + "?allocated=1")
    else:
        form = AllocationForm(initial={
            "worker": str(case.allocated_worker_id or ""), "team": str(case.team_id or ""),
            "version": case.version}, workers=workers, teams=teams)
    return _no_store(render(request, "cases/allocate.html", {
        "page_title": "Allocate the case", "case": case, "form": form, "conflict": conflict,
        "has_errors": bool(form.is_bound and form.errors),
    }, status=status))


# ---- my work and my team -------------------------------------------------------------------


def work_page(request: HttpRequest, *, scope: str, title: str, home: bool = False
              ) -> HttpResponse:
    """Duties overdue, due today and due this week on the person's (or team's) cases. The
    team's page shows the most urgent of each (``TEAM_PAGE_ROWS``) and every worker's count;
    ``?worker=ID`` shows all of one worker's."""
    worker = request.GET.get("worker", "")
    worker_id = int(worker) if worker.isdigit() and len(worker) < 12 else None
    try:
        groups = work_groups(request.user, scope=scope, worker_id=worker_id,
                             limit=TEAM_PAGE_ROWS if scope == "team" else None)
    except NotAllowed:
        raise Http404("My work is for children's social care, my team for its managers"
                      ) from None
    staff = staff_of(request.user)
    queue_count = None
    if home and staff is not None and staff.role in (Role.FRONT_DOOR_WORKER,
                                                     Role.TEAM_MANAGER):
        from safeguard.referrals.selectors import front_door_queue_count

        queue_count = front_door_queue_count(request.user)
    return _no_store(render(request, "cases/work.html", {
        "page_title": title, "groups": groups, "scope": scope, "statuses": STATUSES,
        "staff": staff, "queue_count": queue_count, "home": home,
        "alerts": my_case_alerts(request.user) if scope == "mine" else [],
        "team_name": staff.team.name if staff is not None and staff.team else "",
    }))


@require_http_methods(["GET", "HEAD"])
def my_work(request: HttpRequest) -> HttpResponse:
    return work_page(request, scope="mine", title="My work")


@require_http_methods(["GET", "HEAD"])
def my_team(request: HttpRequest) -> HttpResponse:
    return work_page(request, scope="team", title="My team")
