"""Safeguard's pages. Views stay thin: forms check input, the statutory engine answers,
presenters shape the answer for people."""

from __future__ import annotations

import base64
import io
import json
from base64 import b32encode
from urllib.parse import urlencode

from django.contrib.auth import login
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
from django_otp import login as otp_login

from safeguard.cases.policy import may, staff_of
from safeguard.cases.selectors import case_list
from safeguard.demo import progress
from safeguard.referrals.selectors import referrals_made_by_my_agency

from . import oidc, signin
from .accounts import CodeForm, SetUpCodeForm, SignInForm
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
    """Sign in with a local account; then on to the page asked for (``next``), or home —
    by way of the two-factor step for the roles that must give a code."""
    next_url = _next_url(request)
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_url or "home")
    form = SignInForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        signin.record_sign_in(user=form.user, context=signin.context_of(request))
        if signin.needs_second_factor(form.user):
            return redirect(_with_next(reverse("two-factor"), next_url))
        return redirect(next_url or "home")
    if form.refused:
        signin.record_sign_in_refused(username=form.username_tried,
                                      locked_out=form.refused == "locked_out",
                                      context=signin.context_of(request))
    return render(request, "web/sign_in.html", {
        "page_title": "Sign in", "form": form, "has_errors": bool(form.errors),
        "next": next_url, "signed_out": request.GET.get("signed-out") == "1",
        "demo_building": progress.building(), "organisation_sign_in": oidc.enabled(),
    }, status=429 if form.refused == "locked_out" else 200)


def _next_url(request: HttpRequest) -> str:
    """The page asked for (``next``), if it is on this site; otherwise ""."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    return next_url


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _second_factor_given(request: HttpRequest, device: object, next_url: str) -> HttpResponse:
    """The code was right: the session is now fully signed in, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()
    return redirect(next_url or "home")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """After the password: "Enter the code from your authenticator app"."""
    next_url = _next_url(request)
    user = request.user
    if not signin.awaiting_second_factor(user):
        return redirect(next_url or "home")
    if not signin.has_confirmed_device(user):
        return redirect(_with_next(reverse("two-factor-set-up"), next_url))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = signin.two_factor_verify(user=user, code=form.cleaned_data["code"],
                                          context=signin.context_of(request))
        if result.device is not None:
            return _second_factor_given(request, result.device, next_url)
        form.refuse(throttled=result.throttled)
    return render(request, "web/two_factor.html", {
        "page_title": "Enter the code from your authenticator app", "form": form,
        "has_errors": bool(form.errors), "next": next_url,
    })


#: The session's accepted set-up code (its id), until the app is set up with it.
SET_UP_CODE_SESSION_KEY = "safeguard_set_up_code"
#: New recovery codes, kept only until the page that shows them once.
NEW_RECOVERY_CODES_SESSION_KEY = "safeguard_new_recovery_codes"


@sensitive_post_parameters("code", "set_up_code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """The first sign-in of a privileged role: the set-up code they were given, then add
    Safeguard to an authenticator app (QR code, or the key typed in) and confirm it with a
    code from the app; then their recovery codes, shown once."""
    next_url = _next_url(request)
    user = request.user
    if not signin.awaiting_second_factor(user):
        return redirect(next_url or "home")
    if signin.has_confirmed_device(user):
        return redirect(_with_next(reverse("two-factor"), next_url))
    set_up_code = signin.set_up_code_pending(user, request.session.get(SET_UP_CODE_SESSION_KEY))
    if set_up_code is None:
        return _set_up_code_step(request, next_url)
    device = signin.device_to_set_up(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = signin.two_factor_set_up(user=user, device=device,
                                          code=form.cleaned_data["code"],
                                          set_up_code=set_up_code,
                                          context=signin.context_of(request))
        if result.device is not None:
            request.session.pop(SET_UP_CODE_SESSION_KEY, None)
            _second_factor_given(request, result.device, next_url)
            request.session[NEW_RECOVERY_CODES_SESSION_KEY] = list(result.recovery_codes)
            return redirect(_with_next(reverse("recovery-codes"), next_url))
        form.refuse(throttled=result.throttled)
    secret = b32encode(device.bin_key).decode()
    return render(request, "web/two_factor_set_up.html", {
        "page_title": "Set up two-factor authentication", "form": form,
        "has_errors": bool(form.errors), "next": next_url,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "qr_code": _qr_code_data_uri(device.config_url),
    })


def _set_up_code_step(request: HttpRequest, next_url: str) -> HttpResponse:
    """"Enter your set-up code": a stolen password alone cannot set up its thief's app."""
    form = SetUpCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        found = signin.set_up_code_check(user=request.user,
                                         code=form.cleaned_data["set_up_code"],
                                         context=signin.context_of(request))
        if found is not None:
            request.session[SET_UP_CODE_SESSION_KEY] = found.pk
            return redirect(_with_next(reverse("two-factor-set-up"), next_url))
        form.refuse()
    return render(request, "web/two_factor_set_up_code.html", {
        "page_title": "Enter your set-up code", "form": form,
        "has_errors": bool(form.errors), "next": next_url,
    })


def _qr_code_data_uri(text: str) -> str:
    """``text`` as a QR code: an SVG image in a ``data:`` URI (the CSP allows data: images)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    out = io.BytesIO()
    qrcode.make(text, image_factory=SvgPathImage, border=4).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (a link never signs anyone out); POST signs out — and, for a
    session that signed in with an organisation account, on to the identity provider to
    sign out there too (:class:`oidc.SignOut`)."""
    if request.method == "POST":
        response: HttpResponse = oidc.SignOut.as_view()(request)
        return response
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
