"""The early help pages: the records a person may see, starting an assessment (consent
first), the plan, reviews, closing, and stepping up to children's social care."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguard.assessments.web import (
    call_service,
    case_page_url,
    context_of,
    must,
    protected,
    seen,
)
from safeguard.cases.policy import may, staff_of
from safeguard.core.dates import today
from safeguard.core.drafts import FormDrafts
from safeguard.earlyhelp import selectors, services
from safeguard.earlyhelp.forms import (
    CloseForm,
    EarlyHelpStartForm,
    PlanForm,
    ReviewForm,
    StepUpForm,
)
from safeguard.earlyhelp.models import EarlyHelpAssessment

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]


def _record(request: HttpRequest, assessment_id: int) -> EarlyHelpAssessment:
    record = selectors.early_help_read(request.user, assessment_id, context=context_of(request))
    return seen(request, record)


def _render(request: HttpRequest, template: str, title: str, *, form: Any = None,
            **extra: Any) -> HttpResponse:
    return render(request, f"earlyhelp/{template}", {
        "page_title": title, "has_errors": bool(form is not None and form.errors),
        "form": form,
        "flash": [(m.level_tag, str(m)) for m in messages.get_messages(request)],
        **extra,
    })


@protected
@require_http_methods(GET)
def assessment_list(request: HttpRequest) -> HttpResponse:
    return _render(request, "list.html", "Early help", records=list(
        selectors.early_help_list(request.user)[:200]),
        may_start=selectors.may_start_early_help(staff_of(request.user)))


@protected
@require_http_methods(GET_POST)
def assessment_new(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    must(selectors.may_start_early_help(staff), "Your role cannot start early help assessments.")
    assert staff is not None
    la_id = staff.local_authority_id
    if la_id is None:
        raise Http404("Your agency is not linked to a local authority area")
    leads = [(str(s.pk), f"{s.name}, {s.get_role_display()}, {s.agency.name}")
             for s in selectors.lead_practitioners(la_id)]
    agencies = [(str(a.pk), a.name) for a in selectors.area_agencies(la_id)]
    drafts = FormDrafts(request, "early-help-new")
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    initial = {"started_on": today()}
    if any(pk == str(staff.pk) for pk, _ in leads):
        initial["lead_practitioner"] = str(staff.pk)
    if request.method == "POST":
        form = EarlyHelpStartForm(request.POST, leads=leads, agencies=agencies)
    else:
        form = drafts.restore(EarlyHelpStartForm, leads=leads, agencies=agencies,
                              initial=initial)
    if request.method == "POST" and form.is_valid():
        record = call_service(form, lambda: services.early_help_start(
            actor=request.user, context=context_of(request), **form.service_arguments()))
        if record is not None:
            drafts.discard()
            messages.success(request, "Early help assessment started")
            return redirect("earlyhelp:assessment-detail", record.pk)
    return _render(request, "new.html", "Start an early help assessment", form=form,
                   drafts=drafts)


@protected
@require_http_methods(GET)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    record = _record(request, assessment_id)
    staff = staff_of(request.user)
    plan = selectors.plan_of(record)
    may_change = record.is_open and selectors.may_change(staff, record)
    step_down_case = record.stepped_down_from
    referral = record.stepped_up_to
    return _render(
        request, "detail.html", "Early help assessment", record=record, plan=plan,
        reviews=list(plan.reviews.all()) if plan else [], may_change=may_change,
        may_step_up=record.is_open and referral is None and may(request.user, "make_referral"),
        # A linked case is named (and linked) only to those who may see it.
        step_down_url=case_page_url(step_down_case) if step_down_case
        and record.step_down_case_id else None,  # type: ignore[attr-defined]
        referral_url=case_page_url(referral.case) if referral
        and record.step_up_case_id else None,  # type: ignore[attr-defined]
    )


def _change(request: HttpRequest, assessment_id: int) -> EarlyHelpAssessment:
    record = _record(request, assessment_id)
    must(selectors.may_change(staff_of(request.user), record),
         "Only the lead practitioner, their agency or children’s social care of the area can "
         "change this early help record.")
    if not record.is_open:
        raise Http404("This early help record is closed")
    return record


def _simple(request: HttpRequest, record: EarlyHelpAssessment, form: Any, title: str,
            service: Any, done: str, *, intro: str = "") -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        result = call_service(form, lambda: service(
            actor=request.user, assessment_id=record.pk,
            version=form.cleaned_data.get("version"), context=context_of(request),
            **form.service_arguments()))
        if result is not None:
            messages.success(request, done)
            return redirect("earlyhelp:assessment-detail", record.pk)
    return _render(request, "form.html", title, form=form, record=record, intro=intro)


@protected
@require_http_methods(GET_POST)
def plan_new(request: HttpRequest, assessment_id: int) -> HttpResponse:
    record = _change(request, assessment_id)
    if selectors.plan_of(record) is not None:
        raise Http404("The plan is already agreed")
    form = PlanForm(request.POST or None, initial={"version": record.version,
                                                   "started_on": today()})
    return _simple(request, record, form, "Agree the early help plan",
                   services.early_help_plan_record, "Early help plan agreed",
                   intro="Services should be evidence-based, with regular review to make sure "
                         "real progress is being made (Working Together 2018, 1.12).")


@protected
@require_http_methods(GET_POST)
def plan_review_new(request: HttpRequest, assessment_id: int) -> HttpResponse:
    record = _change(request, assessment_id)
    if selectors.plan_of(record) is None:
        raise Http404("There is no plan to review yet")
    form = ReviewForm(request.POST or None, initial={"version": record.version,
                                                     "held_on": today()})
    return _simple(request, record, form, "Review the early help plan",
                   services.early_help_review, "Review recorded")


@protected
@require_http_methods(GET_POST)
def close(request: HttpRequest, assessment_id: int) -> HttpResponse:
    record = _change(request, assessment_id)
    form = CloseForm(request.POST or None, initial={"version": record.version,
                                                    "closed_on": today()})
    return _simple(request, record, form, "End early help", services.early_help_close,
                   "Early help ended")


@protected
@require_http_methods(GET_POST)
def step_up(request: HttpRequest, assessment_id: int) -> HttpResponse:
    record = _record(request, assessment_id)
    must(may(request.user, "make_referral"), "Your role cannot make referrals.")
    if not record.is_open or record.stepped_up_to_id is not None:
        raise Http404("This record cannot be stepped up")
    form = StepUpForm(request.POST or None, initial={"version": record.version,
                                                     "concerns": record.needs})
    if request.method == "POST" and form.is_valid():
        referral = call_service(form, lambda: services.early_help_step_up(
            actor=request.user, assessment_id=record.pk,
            version=form.cleaned_data.get("version"), context=context_of(request),
            **form.service_arguments()))
        if referral is not None:
            messages.success(request, "Referral made to children’s social care")
            return redirect("earlyhelp:assessment-detail", record.pk)
    return _render(request, "step_up.html", "Refer to children’s social care", form=form,
                   record=record)
