"""Pages for recording and reading sharing decisions on a case."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from safeguard.cases.selectors import case_for
from safeguard.core.services import Context, Invalid, NotAllowed
from safeguard.sharing.forms import SharingForm
from safeguard.sharing.selectors import (
    agencies_to_share_with,
    decision_for,
    shareable_items,
    sharing_decisions,
)
from safeguard.sharing.services import sharing_record


def _context(request: HttpRequest) -> Context:
    return Context(source="web", remote_addr=request.META.get("REMOTE_ADDR", ""))


def _case(request: HttpRequest, case_id: int, purpose: str = "view"):  # type: ignore[no-untyped-def]
    try:
        return case_for(request.user, case_id, context=_context(request), purpose=purpose)
    except NotAllowed:
        raise Http404("No such case") from None


def decision_list(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, "view_sharing")
    return render(request, "sharing/list.html", {
        "page_title": "Information sharing", "case": case,
        "decisions": list(sharing_decisions(case)),
    })


def decision_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    agencies = [(str(a.pk), a.name) for a in agencies_to_share_with(case)]
    items = shareable_items(case)
    form = SharingForm(request.POST or None, agencies=agencies, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            record = sharing_record(actor=request.user, case_id=case.pk,
                                    context=_context(request), **form.service_arguments())
        except Invalid as exc:
            form.add_service_errors(exc)
        else:
            return redirect(reverse("sharing:detail", args=[case.pk, record.pk]))
    return render(request, "sharing/new.html", {
        "page_title": "Record a decision to share information", "case": case, "form": form,
        "has_errors": bool(form.errors),
    })


def decision_detail(request: HttpRequest, case_id: int, decision_id: int) -> HttpResponse:
    case = _case(request, case_id, "view_sharing")
    record = decision_for(case, decision_id)
    if record is None:
        raise Http404("No such decision")
    return render(request, "sharing/detail.html", {
        "page_title": "Information sharing decision", "case": case, "record": record,
    })
