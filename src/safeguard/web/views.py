"""Safeguard's pages. Views stay thin: forms check input, the statutory engine answers,
presenters shape the answer for people."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .components import GovukFields
from .forms import KeyDatesForm, TimelineFileForm, TimelineForm, date_values
from .presenters import present_results

FORM_DATES = KeyDatesForm.form_id
FORM_FILE = TimelineFileForm.form_id
FORM_DOWNLOAD = "download"


@require_http_methods(["GET", "HEAD", "POST"])
def timeline_check(request: HttpRequest) -> HttpResponse:
    """Check a case timeline: key dates typed in, or a timeline file, against the duties."""
    today = timezone.localdate()
    dates_form = KeyDatesForm(today=today)
    file_form = TimelineFileForm(today=today)
    submitted: TimelineForm | None = None
    check = None

    if request.method == "POST":
        which = request.POST.get("form")
        if which in (FORM_FILE, FORM_DOWNLOAD):
            file_form = TimelineFileForm(request.POST, request.FILES, today=today)
            submitted = file_form
        else:
            dates_form = KeyDatesForm(request.POST, today=today)
            submitted = dates_form
        if submitted.is_valid():
            check = submitted.check()
        if check is not None and which == FORM_DOWNLOAD:
            return _download(check.document, check.as_of.isoformat())

    context = {
        "page_title": "Check a case timeline",
        "has_errors": bool(submitted and submitted.errors),
        "error_summary": GovukFields(submitted).error_summary() if submitted else None,
        "dates_form": dates_form,
        "dates": GovukFields(dates_form),
        "file_form": file_form,
        "file": GovukFields(file_form),
        "results": None,
    }
    if check is not None:
        context["results"] = present_results(
            check.obligations, check.as_of, check.document.get("warnings", [])
        )
        context["download"] = {
            "timeline_json": json.dumps(check.timeline_data, ensure_ascii=False),
            "as_of": date_values(TimelineFileForm.AS_OF, check.as_of),
        }
    return render(request, "web/timeline_check.html", context)


def _download(document: dict[str, object], as_of: str) -> JsonResponse:
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="obligations-{as_of}.json"'
    return response
