"""The front door's pages: make a referral, the queue, a referral, the decision on next
steps (with check answers) and its authorisation.

Views stay thin: forms check what was typed, services decide and record, selectors read
(each from the access policy). A case or referral the person may not see is "not found",
whether or not it exists.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.cases.policy import may, staff_of
from safeguard.core.drafts import FormDrafts, as_querydict
from safeguard.core.services import (
    Context,
    EditConflict,
    Invalid,
    NotAllowed,
    request_context,
)
from safeguard.referrals.forms import OUTCOME_HINTS, AuthoriseForm, DecisionForm, ReferralForm
from safeguard.referrals.selectors import (
    decision_obligation,
    front_door_queue_page,
    referral_for,
    referrer_agencies,
)
from safeguard.referrals.services import decision_authorise, referral_create, referral_decide
from safeguard.web.presenters import STATUSES


def context_of(request: HttpRequest) -> Context:
    return request_context(request)


def _referral(request: HttpRequest, referral_id: int, purpose: str = "view") -> Any:
    try:
        return referral_for(request.user, referral_id, context=context_of(request),
                            purpose=purpose)
    except NotAllowed:
        raise Http404("No such referral") from None


# ---- making a referral ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    """Make a referral (partner agencies), or record one received (front door staff)."""
    if not may(request.user, "make_referral"):
        return render(request, "referrals/cannot_refer.html",
                      {"page_title": "You cannot make referrals"}, status=403)
    staff = staff_of(request.user)
    assert staff is not None
    recording = staff.in_social_care
    agencies = [(str(a.pk), a.name) for a in referrer_agencies(request.user)]
    drafts = FormDrafts(request, "referral-new")
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    if request.method == "POST":
        form = ReferralForm(request.POST, recording=recording, agencies=agencies)
        if form.is_valid():
            try:
                referral = referral_create(actor=request.user, context=context_of(request),
                                           **form.service_arguments())
            except Invalid as exc:
                form.add_service_errors(exc)
            else:
                drafts.discard()
                return redirect(reverse("referrals:detail", args=[referral.pk]) + "?sent=1")
    else:
        form = drafts.restore(ReferralForm, recording=recording, agencies=agencies)
    return render(request, "referrals/new.html", {
        "page_title": "Record a referral" if recording else "Make a referral",
        "form": form, "recording": recording, "drafts": drafts,
        "has_errors": bool(form.is_bound and form.errors),
    })


# ---- the front door queue -----------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def queue(request: HttpRequest) -> HttpResponse:
    """Referrals awaiting a decision, most urgent first, with the 1 working day due date."""
    try:
        queue = front_door_queue_page(request.user, request.GET.get("page"))
    except NotAllowed:
        raise Http404("The front door is for children's social care") from None
    page = queue.page
    return render(request, "referrals/queue.html", {
        "page_title": "Front door" if page.paginator.num_pages == 1
        else f"Front door (page {page.number} of {page.paginator.num_pages})",
        "rows": [{"item": i, "status": STATUSES[i.status]} for i in page.object_list],
        "queue": queue, "page": page, "overdue": queue.overdue,
    })


# ---- one referral ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    return _detail_page(request, referral)


def _detail_page(request: HttpRequest, referral: Any, *, authorise_form: Any = None,
                 conflict: bool = False, status: int = 200) -> HttpResponse:
    staff = staff_of(request.user)
    social_care = staff is not None and staff.in_social_care
    decision = referral.decision_or_none
    obligation = decision_obligation(referral)
    form = authorise_form or (AuthoriseForm(initial={"version": decision.version})
                              if decision else None)
    response = render(request, "referrals/detail.html", {
        "page_title": f"Referral for {referral.case.child.full_name}",
        "referral": referral, "decision": decision, "social_care": social_care,
        "obligation": obligation,
        "status": STATUSES.get(obligation.status) if obligation else None,
        "may_decide": may(request.user, "decide_referral", referral.case),
        "may_authorise": may(request.user, "authorise_decision", referral.case),
        "authorise_form": form, "conflict": conflict,
        "has_errors": bool(authorise_form is not None and authorise_form.errors),
        "sent": request.GET.get("sent") == "1",
        "decided": request.GET.get("decided") == "1",
        "authorised": request.GET.get("authorised") == "1",
    }, status=status)
    response["Cache-Control"] = "no-store"
    return response


# ---- the decision on next steps ----------------------------------------------------------


def _decision_drafts(request: HttpRequest, referral: Any) -> FormDrafts:
    return FormDrafts(request, "referral-decision", key=str(referral.pk))


def _decision_page(request: HttpRequest, referral: Any, form: DecisionForm, drafts: FormDrafts,
                   *, conflict: bool = False, status: int = 200) -> HttpResponse:
    items = govuk_outcome_items(form)
    return render(request, "referrals/decide.html", {
        "page_title": "Decide on next steps", "referral": referral, "form": form,
        "decision": referral.decision_or_none, "drafts": drafts, "outcome_items": items,
        "conflict": conflict, "has_errors": bool(form.is_bound and form.errors),
    }, status=status)


def govuk_outcome_items(form: DecisionForm) -> dict[str, str]:
    return {str(k): v for k, v in OUTCOME_HINTS.items()}


@require_http_methods(["GET", "HEAD", "POST"])
def decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The decision on next steps: the form. A valid form goes on to check answers; the
    answers wait there as the person's draft."""
    referral = _referral(request, referral_id, purpose="view")
    if not may(request.user, "decide_referral", referral.case):
        raise Http404("No such referral")
    drafts = _decision_drafts(request, referral)
    if drafts.saving:
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            drafts.save(request.POST)
            return redirect("referrals:decide-check", referral.pk)
        return _decision_page(request, referral, form, drafts)
    decision = referral.decision_or_none
    initial = DecisionForm.initial_from(decision) if decision else {"version": 0}
    form = drafts.restore(DecisionForm, initial=initial)
    return _decision_page(request, referral, form, drafts)


@require_http_methods(["GET", "HEAD", "POST"])
def decide_check(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Check your answers, then record the decision (``referral_decide``)."""
    referral = _referral(request, referral_id, purpose="view")
    if not may(request.user, "decide_referral", referral.case):
        raise Http404("No such referral")
    drafts = _decision_drafts(request, referral)
    draft = drafts.load()
    if draft is None:
        return redirect("referrals:decide", referral.pk)
    form = DecisionForm(as_querydict(draft.data))
    if not form.is_valid():
        return redirect("referrals:decide", referral.pk)
    if request.method == "POST":
        try:
            referral_decide(actor=request.user, referral_id=referral.pk,
                            context=context_of(request), **form.service_arguments())
        except EditConflict as exc:
            # Keep the person's answers; show the record as it is now; the next submit is
            # made against the current version, knowingly.
            form.add_service_errors(exc)
            fresh = _referral(request, referral.pk, purpose="view")
            answers = as_querydict(draft.data)
            answers["version"] = str(exc.current_version)
            form.data = answers
            drafts.save(answers)
            return _decision_page(request, fresh, form, drafts, conflict=True, status=409)
        except Invalid as exc:
            form.add_service_errors(exc)
            return _decision_page(request, referral, form, drafts)
        drafts.discard()
        return redirect(reverse("referrals:detail", args=[referral.pk]) + "?decided=1")
    return render(request, "referrals/decide_check.html", {
        "page_title": "Check your answers before recording the decision",
        "referral": referral, "answers": form.cleaned_data,
        "outcome_label": dict(form.fields["outcome"].choices).get(  # type: ignore[attr-defined]
            form.cleaned_data["outcome"], ""),
    })


@require_POST
def authorise(request: HttpRequest, referral_id: int) -> HttpResponse:
    """A manager authorises the decision."""
    referral = _referral(request, referral_id, purpose="view")
    form = AuthoriseForm(request.POST)
    if not form.is_valid():  # a version that is not a number: the page was tampered with
        return _detail_page(request, referral, authorise_form=form, status=400)
    try:
        decision_authorise(actor=request.user, referral_id=referral.pk,
                           version=form.cleaned_data.get("version"),
                           context=context_of(request))
    except NotAllowed:
        raise Http404("No such referral") from None
    except EditConflict as exc:
        fresh = _referral(request, referral.pk)
        form = AuthoriseForm({"version": str(exc.current_version)})
        form.is_valid()
        form.add_service_errors(exc)
        return _detail_page(request, fresh, authorise_form=form, conflict=True, status=409)
    except Invalid as exc:
        form.add_service_errors(exc)
        return _detail_page(request, referral, authorise_form=form, status=400)
    return redirect(reverse("referrals:detail", args=[referral.pk]) + "?authorised=1")
