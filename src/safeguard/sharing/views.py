"""Pages for sharing information from a case: decisions recorded by hand, a conference's
report sent to the agencies invited to it, and a case record exported for a named
recipient. Each action that shares makes its sharing record in the same service call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safeguard.cases.policy import may
from safeguard.cases.selectors import case_for
from safeguard.cases.views import _no_store
from safeguard.core.services import Context, Invalid, NotAllowed
from safeguard.protection.presenters import case_heading
from safeguard.protection.selectors import conference_for
from safeguard.sharing.forms import CaseExportForm, ConferenceReportForm, ExportFormat, SharingForm
from safeguard.sharing.models import ACTION_LABELS
from safeguard.sharing.selectors import (
    EXPORT_SECTIONS,
    SECTION_NAMES,
    agencies_to_share_with,
    conference_report,
    decision_for,
    export_recipients,
    invited_agencies,
    report_rows,
    reports_sent,
    shareable_items,
    sharing_decisions,
)
from safeguard.sharing.services import case_export, conference_report_send, sharing_record


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
        "decisions": list(sharing_decisions(request.user, case)), "actions": ACTION_LABELS,
        "may_export": may(request.user, "record_casework", case),
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
    record = decision_for(request.user, case, decision_id)
    if record is None:
        raise Http404("No such decision")
    return render(request, "sharing/detail.html", {
        "page_title": "Information sharing decision", "case": case, "record": record,
        "actions": ACTION_LABELS,
    })


# ---- sending a conference's report ---------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def report_send(request: HttpRequest, conference_id: int) -> HttpResponse:
    """Send the conference's report to some or all of the agencies invited to it."""
    try:
        conference = conference_for(request.user, conference_id, context=_context(request))
    except NotAllowed:
        raise Http404("No such conference") from None
    case = conference.case
    if not may(request.user, "record_conference", case):
        raise PermissionDenied("Your role cannot send the conference’s report.")
    invited = invited_agencies(conference)
    choices = [(str(i.agency.pk), f"{i.agency.name} ({'; '.join(i.names)})")
               for i in invited if i.available]
    form = ConferenceReportForm(request.POST or None, recipients=choices)
    if request.method == "POST" and form.is_valid():
        try:
            sent = conference_report_send(actor=request.user, conference_id=conference.pk,
                                          context=_context(request), **form.service_arguments())
        except Invalid as exc:
            form.add_service_errors(exc)
        else:
            count = sent.recipients.count()
            messages.success(request, f"Report sent to {count} "
                             f"agenc{'y' if count == 1 else 'ies'}, with a sharing record "
                             "for each")
            return redirect("protection:conference-detail", conference.pk)
    return _no_store(render(request, "sharing/report_send.html", {
        "page_title": "Send the conference’s report", "has_errors": bool(form.errors),
        "form": form, "case": case, "heading": case_heading(case), "conference": conference,
        "report": report_rows(conference_report(conference)),
        "unavailable": [i for i in invited if not i.available],
        "sent": reports_sent(request.user, conference),
    }))


# ---- exporting a case record ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def export_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Say who the export is for and why; the answer to a complete form is the export
    itself (a page to print, or a JSON file), made with its sharing record."""
    case = _case(request, case_id)
    if not may(request.user, "record_casework", case):
        raise PermissionDenied("Your role cannot export the case record.")
    agencies = [(str(a.pk), a.name) for a in export_recipients(case)]
    form = CaseExportForm(request.POST or None, agencies=agencies, sections=EXPORT_SECTIONS)
    if request.method == "POST" and form.is_valid():
        try:
            result = case_export(actor=request.user, case_id=case.pk,
                                 context=_context(request), **form.service_arguments())
        except Invalid as exc:
            form.add_service_errors(exc)
        else:
            if form.cleaned_data["format"] == ExportFormat.JSON:
                return _no_store(export_json(result.document))
            return _no_store(render(request, "sharing/export.html", {
                "page_title": f"Case record {case.reference}", "case": case,
                "doc": result.document, "record": result.decision,
                "section_names": SECTION_NAMES,
            }))
    return _no_store(render(request, "sharing/export_new.html", {
        "page_title": "Export the case record", "case": case, "form": form,
        "has_errors": bool(form.errors),
    }))


def export_json(document: dict[str, Any]) -> JsonResponse:
    """The export as a JSON file to download, named by the sharing record's id only."""
    response = JsonResponse(document, encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="case-export-{document["sharing_decision_id"]}.json"')
    return response
