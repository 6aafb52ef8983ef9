"""The assessment pages: a task list per assessment (GOV.UK task list pattern), a page per
task, completion (with the reason when later than the engine's 45 working days), the
manager's authorisation; child in need plans with outcomes and reviews; closing a case after
an assessment. Views stay thin: selectors read from the access policy, forms check what was
typed, services decide and record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguard.assessments import selectors, services
from safeguard.assessments.forms import (
    AssessmentStartForm,
    AuthoriseForm,
    CaseCloseForm,
    ChildSeenForm,
    CinOutcomeForm,
    CinPlanEndForm,
    CinPlanForm,
    CinReviewForm,
    CompleteForm,
    FactorsForm,
    SectionForm,
)
from safeguard.assessments.models import Assessment, AssessmentOutcome, ChildInNeedPlan
from safeguard.assessments.presenters import (
    progress_line,
    summary_rows,
    task_list,
    timescale_line,
)
from safeguard.assessments.web import (
    call_service,
    case_page_url,
    context_of,
    must,
    protected,
    seen,
)
from safeguard.cases.models import Case
from safeguard.cases.policy import may
from safeguard.cases.selectors import case_for
from safeguard.core.dates import format_date, today
from safeguard.core.drafts import FormDrafts

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]

SECTION_HINTS = {
    "wishes_and_feelings": "What the child says and shows about their life, their family and "
                           "the help they want. Every assessment must be informed by the views "
                           "of the child.",
    "developmental_needs": "Health, education, emotional and behavioural development, "
                           "identity, family and social relationships, self-care skills; "
                           "whether the child is suffering or likely to suffer significant "
                           "harm.",
    "parenting_capacity": "Basic care, ensuring safety, emotional warmth, stimulation, "
                          "guidance and boundaries, stability — of parents or carers, resident "
                          "and non-resident, and other adults in the household.",
    "family_and_environment": "Family history and functioning, wider family, housing, "
                              "employment, income, the family's social integration and "
                              "community resources, and risks from outside the family.",
}


def _case(request: HttpRequest, case_id: int, purpose: str = "view") -> Case:
    return seen(request, case_for(request.user, case_id, context=context_of(request),
                                  purpose=purpose))


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = selectors.assessment_for(request.user, assessment_id)
    assessment.case = _case(request, assessment.case_id, "view_assessment")
    return seen(request, assessment)


def _plan(request: HttpRequest, plan_id: int) -> ChildInNeedPlan:
    plan = selectors.cin_plan_for(request.user, plan_id)
    plan.case = _case(request, plan.case_id, "view_cin_plan")
    return seen(request, plan)


def _render(request: HttpRequest, template: str, case: Case, title: str, *,
            form: Any = None, **extra: Any) -> HttpResponse:
    return render(request, f"assessments/{template}", {
        "page_title": title, "has_errors": bool(form is not None and form.errors),
        "form": form, "case": case, "case_url": case_page_url(case),
        "flash": [(m.level_tag, str(m)) for m in messages.get_messages(request)],
        **extra,
    })


def _drafted(request: HttpRequest, drafts: FormDrafts, form_class: type, **kwargs: Any) -> Any:
    if request.method == "POST":
        return form_class(request.POST, **kwargs)
    return drafts.restore(form_class, **kwargs)


# ---- assessments ---------------------------------------------------------------------------


def _referral_label(referral: Any) -> str:
    source = referral.referrer_agency.name if referral.referrer_agency \
        else referral.get_source_display()
    return (f"Received {format_date(referral.received_on)} from {source} – decision: "
            f"{referral.decision.get_outcome_display()}")


@protected
@require_http_methods(GET_POST)
def assessment_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    must(may(request.user, "record_casework", case), "Your role cannot start assessments.")
    referrals = selectors.referrals_leading_to_assessment(case)
    choices = [(str(r.pk), _referral_label(r)) for r in referrals]
    awaiting = selectors.referrals_awaiting_assessment(case)
    initial: dict[str, Any] = {"started_on": today()}
    if len(awaiting) == 1:
        initial["referral"] = str(awaiting[0].pk)
        initial["kind"] = "s47" if awaiting[0].decision.outcome != "assessment" else "s17"
    workers = [(str(s.pk), s.name) for s in selectors.assessors(case)]
    form = AssessmentStartForm(request.POST or None, initial=initial, referrals=choices,
                               workers=workers)
    if request.method == "POST" and form.is_valid():
        assessment = call_service(form, lambda: services.assessment_start(
            actor=request.user, case_id=case.pk, context=context_of(request),
            **form.service_arguments()))
        if assessment is not None:
            messages.success(request, "Assessment started")
            return redirect("assessments:assessment-detail", assessment.pk)
    return _render(request, "assessment_new.html", case, "Start an assessment", form=form,
                   no_referrals=not choices)


@protected
@require_http_methods(GET)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    case = assessment.case
    may_edit = may(request.user, "record_casework", case)
    may_authorise = may(request.user, "authorise_decision", case)
    plans = [p for p in selectors.case_cin_plans(request.user, case)
             if p.assessment_id == assessment.pk]
    return _render(
        request, "assessment_detail.html", case, f"Assessment ({assessment.get_kind_display()})",
        assessment=assessment, timescale=timescale_line(selectors.timescale(assessment)),
        tasks=task_list(assessment, may_edit=may_edit, may_authorise=may_authorise),
        progress=progress_line(assessment), rows=summary_rows(assessment), plans=plans,
        may_start_plan=may_edit and case.is_open and not plans
        and assessment.outcome == AssessmentOutcome.CHILD_IN_NEED_PLAN,
        may_close=may_edit and case.is_open and assessment.is_complete
        and assessment.outcome in (AssessmentOutcome.NO_FURTHER_ACTION,
                                   AssessmentOutcome.EARLY_HELP),
    )


def _edit_task(request: HttpRequest, assessment: Assessment) -> None:
    must(may(request.user, "record_casework", assessment.case),
         "Your role cannot record assessments.")
    if assessment.is_complete:
        raise Http404("This assessment is complete")


@protected
@require_http_methods(GET_POST)
def assessment_child_seen(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    _edit_task(request, assessment)
    drafts = FormDrafts(request, "assessment-child-seen", key=str(assessment.pk))
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    form = _drafted(request, drafts, ChildSeenForm, initial={
        "version": assessment.version, "child_seen_on": assessment.child_seen_on,
        "child_seen_alone": assessment.child_seen_alone})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, lambda: services.assessment_update(
            actor=request.user, assessment_id=assessment.pk,
            version=form.cleaned_data.get("version"), context=context_of(request),
            **form.service_arguments()))
        if done is not None:
            drafts.discard()
            messages.success(request, "Child seen recorded")
            return redirect("assessments:assessment-detail", assessment.pk)
    return _render(request, "task_form.html", assessment.case, "See the child", form=form,
                   assessment=assessment, drafts=drafts)


@protected
@require_http_methods(GET_POST)
def assessment_section(request: HttpRequest, assessment_id: int, section: str) -> HttpResponse:
    if section not in services.SECTIONS:
        raise Http404("No such section")
    assessment = _assessment(request, assessment_id)
    _edit_task(request, assessment)
    if section == "wishes_and_feelings" and assessment.case.child.is_unborn:
        raise Http404("Not for an unborn child")
    title = services.SECTIONS[section]
    drafts = FormDrafts(request, "assessment-section", key=f"{assessment.pk}-{section}")
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    form = _drafted(request, drafts, SectionForm, field_name=section, label=title,
                    hint=SECTION_HINTS[section],
                    initial={"version": assessment.version,
                             "text": getattr(assessment, section)})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, lambda: services.assessment_update(
            actor=request.user, assessment_id=assessment.pk,
            version=form.cleaned_data.get("version"), context=context_of(request),
            **form.service_arguments()))
        if done is not None:
            drafts.discard()
            messages.success(request, f"{title} recorded")
            return redirect("assessments:assessment-detail", assessment.pk)
    return _render(request, "task_form.html", assessment.case, title, form=form,
                   assessment=assessment, drafts=drafts, label_is_heading=True)


@protected
@require_http_methods(GET_POST)
def assessment_factors(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    _edit_task(request, assessment)
    form = FactorsForm(request.POST or None, initial={"version": assessment.version,
                                                      "factors": assessment.factors})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, lambda: services.assessment_update(
            actor=request.user, assessment_id=assessment.pk,
            version=form.cleaned_data.get("version"), context=context_of(request),
            **form.service_arguments()))
        if done is not None:
            messages.success(request, "Factors identified recorded")
            return redirect("assessments:assessment-detail", assessment.pk)
    return _render(request, "task_form.html", assessment.case, "Factors identified", form=form,
                   assessment=assessment)


@protected
@require_http_methods(GET_POST)
def assessment_complete(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    _edit_task(request, assessment)
    drafts = FormDrafts(request, "assessment-complete", key=str(assessment.pk))
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    form = _drafted(request, drafts, CompleteForm,
                    initial={"version": assessment.version, "completed_on": today()})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, lambda: services.assessment_complete(
            actor=request.user, assessment_id=assessment.pk,
            version=form.cleaned_data.get("version"), context=context_of(request),
            **form.service_arguments()))
        if done is not None:
            drafts.discard()
            messages.success(request, "Assessment completed")
            return redirect("assessments:assessment-detail", assessment.pk)
    missing = services.missing_sections(assessment)
    return _render(request, "assessment_complete.html", assessment.case,
                   "Complete the assessment", form=form, assessment=assessment, drafts=drafts,
                   missing=missing,
                   timescale=timescale_line(selectors.timescale(assessment)))


@protected
@require_http_methods(GET_POST)
def assessment_authorise(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    must(may(request.user, "authorise_decision", assessment.case),
         "Only a team manager can authorise an assessment.")
    form = AuthoriseForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, lambda: services.assessment_authorise(
            actor=request.user, assessment_id=assessment.pk,
            version=form.cleaned_data.get("version"), context=context_of(request)))
        if done is not None:
            messages.success(request, "Assessment authorised")
            return redirect("assessments:assessment-detail", assessment.pk)
    return _render(request, "assessment_authorise.html", assessment.case,
                   "Authorise the assessment", form=form, assessment=assessment,
                   rows=summary_rows(assessment),
                   timescale=timescale_line(selectors.timescale(assessment)))


# ---- child in need plans -------------------------------------------------------------------


def _agency_choices(case: Case) -> list[tuple[str, str]]:
    return [(str(a.pk), a.name) for a in selectors.area_agencies(case)]


@protected
@require_http_methods(GET_POST)
def cin_plan_new(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    case = assessment.case
    must(may(request.user, "record_casework", case), "Your role cannot start plans.")
    drafts = FormDrafts(request, "cin-plan", key=str(assessment.pk))
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    form = _drafted(request, drafts, CinPlanForm, agencies=_agency_choices(case),
                    initial={"started_on": today()})
    if request.method == "POST" and form.is_valid():
        plan = call_service(form, lambda: services.cin_plan_start(
            actor=request.user, assessment_id=assessment.pk, context=context_of(request),
            **form.service_arguments()))
        if plan is not None:
            drafts.discard()
            messages.success(request, "Child in need plan started")
            return redirect("assessments:cin-plan-detail", plan.pk)
    return _render(request, "cin_plan_new.html", case, "Start a child in need plan", form=form,
                   assessment=assessment, drafts=drafts)


@protected
@require_http_methods(GET)
def cin_plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    return _render(request, "cin_plan_detail.html", plan.case, "Child in need plan", plan=plan,
                   outcomes=list(plan.outcome_rows.all()), reviews=list(plan.reviews.all()),
                   may_edit=plan.is_open and may(request.user, "record_casework", plan.case))


def _plan_form(request: HttpRequest, plan_id: int, form_class: type, template: str,
               title: str, service: Any, done_message: str, *, with_agencies: bool = False,
               initial: dict[str, Any] | None = None) -> HttpResponse:
    plan = _plan(request, plan_id)
    must(may(request.user, "record_casework", plan.case), "Your role cannot change plans.")
    if not plan.is_open:
        raise Http404("The plan has ended")
    kwargs: dict[str, Any] = {"agencies": _agency_choices(plan.case)} if with_agencies else {}
    form = form_class(request.POST or None, initial={"version": plan.version, **(initial or {})},
                      **kwargs)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, lambda: service(
            actor=request.user, plan_id=plan.pk, version=form.cleaned_data.get("version"),
            context=context_of(request), **form.service_arguments()))
        if done is not None:
            messages.success(request, done_message)
            return redirect("assessments:cin-plan-detail", plan.pk)
    return _render(request, template, plan.case, title, form=form, plan=plan)


@protected
@require_http_methods(GET_POST)
def cin_review_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_form(request, plan_id, CinReviewForm, "plan_form.html",
                      "Review the child in need plan", services.cin_plan_review,
                      "Review recorded", with_agencies=True, initial={"held_on": today()})


@protected
@require_http_methods(GET_POST)
def cin_outcome_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_form(request, plan_id, CinOutcomeForm, "plan_form.html", "Add an outcome",
                      services.cin_plan_add_outcome, "Outcome added", with_agencies=True)


@protected
@require_http_methods(GET_POST)
def cin_plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_form(request, plan_id, CinPlanEndForm, "plan_form.html",
                      "End the child in need plan", services.cin_plan_end, "Plan ended",
                      initial={"ended_on": today()})


# ---- closing the case after an assessment --------------------------------------------------


@protected
@require_http_methods(GET_POST)
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    from safeguard.earlyhelp.selectors import lead_practitioners

    case = _case(request, case_id)
    must(may(request.user, "record_casework", case), "Your role cannot close cases.")
    if not case.is_open:
        raise Http404("The case is closed")
    leads = [(str(s.pk), f"{s.name}, {s.get_role_display()}, {s.agency.name}")
             for s in lead_practitioners(case.local_authority_id)]
    latest = selectors.case_assessments(request.user, case).filter(completed_on__isnull=False)\
        .order_by("-completed_on").first()
    initial: dict[str, Any] = {"version": case.version, "closed_on": today()}
    if latest is not None and latest.outcome == AssessmentOutcome.EARLY_HELP:
        initial["reason"] = "RC9"
    elif latest is not None and latest.outcome == AssessmentOutcome.NO_FURTHER_ACTION:
        initial["reason"] = "RC8"
    form = CaseCloseForm(request.POST or None, initial=initial, leads=leads)
    if request.method == "POST" and form.is_valid():
        closed = call_service(form, lambda: services.case_close_after_assessment(
            actor=request.user, case_id=case.pk, version=form.cleaned_data.get("version"),
            context=context_of(request), **form.service_arguments()))
        if closed is not None:
            early = getattr(closed, "stepped_down_to", None)
            if early is not None:
                messages.success(request, "Case closed, and the early help assessment opened")
                return redirect("earlyhelp:assessment-detail", early.pk)
            messages.success(request, "Case closed")
            page = case_page_url(case)
            return redirect(page) if page else redirect("assessments:case-assessments", case.pk)
    return _render(request, "case_close.html", case, "Close the case after the assessment",
                   form=form, latest=latest)


@protected
@require_http_methods(GET)
def case_assessments(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, "view_assessments")
    return _render(request, "case_assessments.html", case, "Assessments and plans",
                   assessments=[(a, timescale_line(selectors.timescale(a)))
                                for a in selectors.case_assessments(request.user, case)],
                   plans=list(selectors.case_cin_plans(request.user, case)),
                   may_edit=case.is_open and may(request.user, "record_casework", case))
