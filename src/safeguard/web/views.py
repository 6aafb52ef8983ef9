"""Safeguard's pages. Views stay thin: forms check input, the statutory engine answers,
presenters shape the answer for people."""

from __future__ import annotations

import json

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from safeguard.cases.policy import may, staff_of
from safeguard.cases.selectors import case_list
from safeguard.demo import progress
from safeguard.referrals.selectors import referrals_made_by_my_agency

from .accounts import SignInForm
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


# ---- signing in and out, and the home page ---------------------------------------------------


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with a local account; then on to the page asked for (``next``), or home."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_url or "home")
    form = SignInForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(next_url or "home")
    return render(request, "web/sign_in.html", {
        "page_title": "Sign in", "form": form, "has_errors": bool(form.errors),
        "next": next_url, "signed_out": request.GET.get("signed-out") == "1",
        "demo_building": progress.building(),
    })


@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (a link never signs anyone out); POST signs out."""
    if request.method == "POST":
        logout(request)
        return redirect(reverse("sign-in") + "?signed-out=1")
    return render(request, "web/sign_out.html", {"page_title": "Sign out"})


@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in home: "My work" for children's social care; for partner agencies, the
    cases they are involved in, their referrals and "Make a referral"."""
    staff = staff_of(request.user)
    if staff is not None and staff.in_social_care:
        from safeguard.cases.views import work_page

        return work_page(request, scope="mine", title="My work", home=True)
    context: dict[str, object] = {"page_title": "Home", "staff": staff}
    if staff is not None:
        context.update({
            "may_refer": may(request.user, "make_referral"),
            "referrals": referrals_made_by_my_agency(request.user),
            "cases": case_list(request.user, limit=50),
        })
    return render(request, "web/home.html", context)
