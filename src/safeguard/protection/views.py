"""The child protection pages. Views stay thin: selectors read (from the access policy),
forms check what was typed, services decide and record; nothing here queries case data or
computes a deadline."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.cases.models import Case
from safeguard.core.dates import today
from safeguard.core.services import Context, EditConflict, Invalid, NotAllowed
from safeguard.protection import selectors, services
from safeguard.protection.forms import (
    KIND_TITLES,
    ConferenceForm,
    ConferenceRequestForm,
    CoreGroupMeetingForm,
    ImmediateProtectionForm,
    MovedInForm,
    PlanActionForm,
    PlanEndForm,
    PlanOutcomesForm,
    ReturnHomeForm,
    S47OutcomeForm,
    StrategyDiscussionForm,
)
from safeguard.protection.models import ConferenceKind
from safeguard.protection.presenters import case_heading, obligation_rows

View = Callable[..., HttpResponseBase]


def protected(view: View) -> View:
    """Signed in; a record the person may not see is "not found" (so nobody learns it
    exists), and an action they may not take is "forbidden"."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            if getattr(request, "_case_visible", False):
                raise PermissionDenied(str(exc)) from exc
            raise Http404(str(exc)) from exc

    return wrapped


def _context(request: HttpRequest) -> Context:
    return Context(source="web", remote_addr=request.META.get("REMOTE_ADDR", ""))


def _case(request: HttpRequest, case_id: int) -> Case:
    case = selectors.protection_case(request.user, case_id, context=_context(request))
    request._case_visible = True  # type: ignore[attr-defined]
    return case


def _seen(request: HttpRequest, record: Any) -> Any:
    request._case_visible = True  # type: ignore[attr-defined]
    return record


def _must(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed("Your role cannot record this on the case.")


def case_page_url(case: Case) -> str:
    """The case page, once the case page exists; until then this app's protection page."""
    path = f"/cases/{case.pk}/"
    try:
        resolve(path)
    except Resolver404:
        return reverse("protection:case", args=[case.pk])
    return path


def _render(request: HttpRequest, template: str, case: Case, title: str,
            form: Any = None, **extra: Any) -> HttpResponse:
    context = {
        "page_title": title, "has_errors": bool(form is not None and form.errors),
        "form": form, "case": case, "heading": case_heading(case),
        "case_url": case_page_url(case),
        "protection_url": reverse("protection:case", args=[case.pk]),
        "flash": [(m.level_tag, str(m)) for m in messages.get_messages(request)],
        **extra,
    }
    return render(request, f"protection/{template}", context)


def _save(form: Any, call: Callable[[], Any]) -> Any:
    """Call the service; put its verdict on the form. The record, or None."""
    try:
        return call()
    except (Invalid, EditConflict) as exc:
        form.add_service_errors(exc)
        return None


# ---- the case's protection page ------------------------------------------------------------


@protected
@require_http_methods(["GET", "HEAD"])
def case_protection(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    summary = selectors.protection_summary(case, selectors.case_parts(request.user, case))
    return _render(request, "case.html", case, "Child protection", summary=summary,
                   may=selectors.permissions(request.user, case, summary.open_plan),
                   obligations=obligation_rows(summary.obligations))


@protected
@require_http_methods(["GET", "HEAD"])
def conference_requests(request: HttpRequest) -> HttpResponse:
    requests = selectors.conference_requests(request.user)
    return render(request, "protection/conference_requests.html", {
        "page_title": "Requests for a child protection conference", "has_errors": False,
        "requests": requests,
    })


# ---- immediate protection ------------------------------------------------------------------


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def immediate_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    _must(selectors.permissions(request.user, case).casework)
    form = ImmediateProtectionForm(request.POST or None, agencies=selectors.agency_choices(case))
    if request.method == "POST" and form.is_valid():
        record = _save(form, lambda: services.immediate_protection_record(
            actor=request.user, case_id=case.pk, context=_context(request),
            **form.service_values()))
        if record is not None:
            return redirect("protection:immediate-detail", record.pk)
    return _render(request, "immediate_new.html", case, "Record immediate protection", form)


@protected
@require_http_methods(["GET", "HEAD"])
def immediate_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _seen(request, selectors.immediate_protection_for(
        request.user, record_id, context=_context(request)))
    return _render(request, "immediate_detail.html", record.case, record.get_kind_display(),
                   record=record, discussions=list(record.strategy_discussions.all()),
                   may=selectors.permissions(request.user, record.case))


# ---- strategy discussions and section 47 enquiries -----------------------------------------


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def strategy_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    _must(selectors.permissions(request.user, case).casework)
    agencies = selectors.agency_choices(case)
    initial = {}
    after = request.GET.get("after", "")
    if after.isdigit():
        initial["immediate_protection"] = int(after)
    form = StrategyDiscussionForm(
        request.POST or None, initial=initial, la=case.local_authority,
        la_staff=selectors.social_care_staff(case),
        partners=[a for a in agencies if a.pk != case.local_authority_id], agencies=agencies)
    if request.method == "POST" and form.is_valid():
        discussion = _save(form, lambda: services.strategy_discussion_record(
            actor=request.user, case_id=case.pk, context=_context(request),
            **form.service_values()))
        if discussion is not None:
            messages.success(request, "Strategy discussion recorded")
            return redirect("protection:strategy-detail", discussion.pk)
    return _render(request, "strategy_new.html", case, "Record a strategy discussion", form)


@protected
@require_http_methods(["GET", "HEAD"])
def strategy_detail(request: HttpRequest, discussion_id: int) -> HttpResponse:
    discussion = _seen(request, selectors.strategy_discussion_for(
        request.user, discussion_id, context=_context(request)))
    case = discussion.case
    enquiry = getattr(discussion, "enquiry", None) if discussion.s47_initiated else None
    summary_obligations = [o for o in selectors.protection_obligations(case)
                           if o.duty == "icpc.hold"]
    return _render(request, "strategy_detail.html", case, "Strategy discussion",
                   discussion=discussion, enquiry=enquiry,
                   may=selectors.permissions(request.user, case),
                   obligations=obligation_rows(summary_obligations))


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def s47_outcome(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _seen(request, selectors.enquiry_for(request.user, enquiry_id,
                                                   context=_context(request)))
    case = enquiry.case
    _must(selectors.permissions(request.user, case).casework)
    initial: dict[str, Any] = {"version": enquiry.version}
    if enquiry.outcome_on:
        initial.update(outcome_on=enquiry.outcome_on, substantiated=enquiry.substantiated,
                       conference=enquiry.conference_decision, notes=enquiry.outcome_notes)
    form = S47OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.s47_outcome_record(
            actor=request.user, enquiry_id=enquiry.pk, context=_context(request),
            **form.service_values()))
        if saved is not None:
            messages.success(request, "Outcome of the section 47 enquiries recorded")
            return redirect("protection:strategy-detail", enquiry.strategy_discussion_id)
    return _render(request, "s47_outcome.html", case,
                   "Outcome of the section 47 enquiries", form, enquiry=enquiry)


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def conference_request(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _seen(request, selectors.enquiry_for(request.user, enquiry_id,
                                                   context=_context(request)))
    case = enquiry.case
    _must(selectors.permissions(request.user, case).request_conference)
    form = ConferenceRequestForm(request.POST or None, initial={
        "version": enquiry.version, "reasons": enquiry.conference_request_reason})
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.conference_request_record(
            actor=request.user, enquiry_id=enquiry.pk, reasons=form.cleaned_data["reasons"],
            version=form.cleaned_data.get("version"), context=_context(request)))
        if saved is not None:
            messages.success(request, "Your request for a conference has been sent to the "
                                      "local authority")
            return redirect("protection:strategy-detail", enquiry.strategy_discussion_id)
    return _render(request, "conference_request.html", case, "Ask for a child protection "
                   "conference", form, enquiry=enquiry)


# ---- conferences ---------------------------------------------------------------------------


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def conference_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    _must(selectors.permissions(request.user, case).conference)
    kind = request.GET.get("kind", ConferenceKind.INITIAL)
    if kind not in ConferenceKind.values:
        raise Http404("No such kind of conference")
    plan = selectors.open_plan(case)
    form = ConferenceForm(request.POST or None, kind=kind,
                          agencies=selectors.agency_choices(case),
                          chairs=selectors.chair_choices(case),
                          leads=selectors.lead_social_worker_choices(case))
    if request.method == "POST" and form.is_valid():
        conference = _save(form, lambda: services.conference_record(
            actor=request.user, case_id=case.pk, context=_context(request),
            **form.service_values()))
        if conference is not None:
            messages.success(request, f"{conference.get_kind_display()} recorded")
            return redirect("protection:conference-detail", conference.pk)
    return _render(request, "conference_new.html", case, KIND_TITLES[kind], form, kind=kind,
                   plan=plan, enquiry=selectors.open_enquiry(case))


@protected
@require_http_methods(["GET", "HEAD"])
def conference_detail(request: HttpRequest, conference_id: int) -> HttpResponse:
    conference = _seen(request, selectors.conference_for(request.user, conference_id,
                                                         context=_context(request)))
    case = conference.case
    started = getattr(conference, "plan_started", None)
    ended = getattr(conference, "plan_ended", None)
    from safeguard.sharing.selectors import reports_sent

    return _render(request, "conference_detail.html", case, conference.get_kind_display(),
                   conference=conference, started=started, ended=ended,
                   obligations=obligation_rows(selectors.protection_obligations(case)),
                   reports_sent=reports_sent(request.user, conference),
                   may_send_report=selectors.permissions(request.user, case).conference)


# ---- plans ---------------------------------------------------------------------------------


@protected
@require_http_methods(["GET", "HEAD"])
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _seen(request, selectors.plan_for(request.user, plan_id, context=_context(request)))
    case = plan.case
    obligations = selectors.protection_obligations(case) if plan.is_active else []
    return _render(request, "plan_detail.html", case, "Child protection plan", plan=plan,
                   may=selectors.permissions(request.user, case, plan),
                   obligations=obligation_rows(
                       [o for o in obligations if o.duty.startswith("cpp.")]))


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def plan_outcomes(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _seen(request, selectors.plan_for(request.user, plan_id, context=_context(request)))
    _must(selectors.permissions(request.user, plan.case).casework)
    form = PlanOutcomesForm(request.POST or None, initial={"version": plan.version,
                                                           "outcomes": plan.outcomes})
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.plan_outcomes_update(
            actor=request.user, plan_id=plan.pk, outcomes=form.cleaned_data["outcomes"],
            version=form.cleaned_data.get("version"), context=_context(request)))
        if saved is not None:
            messages.success(request, "Outcomes of the plan saved")
            return redirect("protection:plan-detail", plan.pk)
    return _render(request, "plan_outcomes.html", plan.case, "Outcomes of the plan", form,
                   plan=plan)


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def plan_action_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _seen(request, selectors.plan_for(request.user, plan_id, context=_context(request)))
    _must(selectors.permissions(request.user, plan.case).casework)
    form = PlanActionForm(request.POST or None, initial={"version": plan.version},
                          agencies=selectors.agency_choices(plan.case))
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.plan_action_add(
            actor=request.user, plan_id=plan.pk, context=_context(request),
            **form.service_values()))
        if saved is not None:
            messages.success(request, "Action added to the plan")
            return redirect("protection:plan-detail", plan.pk)
    return _render(request, "plan_action_new.html", plan.case, "Add an action to the plan",
                   form, plan=plan)


@protected
@require_POST
def plan_action_done(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    plan = _seen(request, selectors.plan_for(request.user, plan_id, context=_context(request)))
    version = request.POST.get("version", "").strip()
    if version and not version.isdigit():  # not a version: the page was tampered with
        messages.error(request, "This page was out of date or has been changed. Open it "
                                "again and make your changes again")
        return redirect("protection:plan-detail", plan.pk)
    try:
        services.plan_action_complete(
            actor=request.user, plan_id=plan.pk, action_id=action_id, done_on=today(),
            version=int(version) if version.isdigit() else None, context=_context(request))
    except (Invalid, EditConflict) as exc:
        messages.error(request, str(exc) if isinstance(exc, EditConflict)
                       else "; ".join(exc.errors.values()))
    else:
        messages.success(request, "Action marked as done")
    return redirect("protection:plan-detail", plan.pk)


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def core_group_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _seen(request, selectors.plan_for(request.user, plan_id, context=_context(request)))
    _must(selectors.permissions(request.user, plan.case, plan).core_group)
    form = CoreGroupMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.core_group_meeting_record(
            actor=request.user, plan_id=plan.pk, held_on=form.cleaned_data["held_on"],
            notes=form.cleaned_data["notes"], context=_context(request)))
        if saved is not None:
            messages.success(request, "Core group meeting recorded")
            return redirect("protection:plan-detail", plan.pk)
    return _render(request, "core_group_new.html", plan.case, "Record a core group meeting",
                   form, plan=plan)


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _seen(request, selectors.plan_for(request.user, plan_id, context=_context(request)))
    _must(selectors.permissions(request.user, plan.case).casework)
    form = PlanEndForm(request.POST or None, initial={
        "version": plan.version, "receiving_conference_on": plan.receiving_conference_on})
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.plan_end(
            actor=request.user, plan_id=plan.pk, context=_context(request),
            **form.service_values()))
        if saved is not None:
            messages.success(request, "Child protection plan ended")
            return redirect("protection:plan-detail", plan.pk)
    invited = sorted({i.agency.name for i in plan.started_by.invitees.all()})
    return _render(request, "plan_end.html", plan.case, "End the child protection plan", form,
                   plan=plan, invited=invited)


# ---- moves and returns home ----------------------------------------------------------------


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def moved_in_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    _must(selectors.permissions(request.user, case).casework)
    form = MovedInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.moved_in_notice_record(
            actor=request.user, case_id=case.pk, context=_context(request),
            **form.cleaned_data))
        if saved is not None:
            messages.success(request, "Notice of the move recorded. Convene a transfer-in "
                                      "conference within 15 working days of the notice.")
            return redirect("protection:case", case.pk)
    return _render(request, "moved_in_new.html", case,
                   "Record that a child on another authority’s plan moved in", form)


@protected
@require_http_methods(["GET", "HEAD", "POST"])
def return_home_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    _must(selectors.permissions(request.user, case).casework)
    form = ReturnHomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.return_home_record(
            actor=request.user, case_id=case.pk, context=_context(request),
            **form.cleaned_data))
        if saved is not None:
            messages.success(request, "Return home recorded")
            return redirect("protection:case", case.pk)
    return _render(request, "return_home_new.html", case,
                   "Record a child returning home from care", form)
