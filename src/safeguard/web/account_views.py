"""Signing in with an organisation's account (OpenID Connect, :mod:`safeguard.web.oidc`),
and recovery codes for two-factor authentication (:mod:`safeguard.web.signin`).

URL names: ``sign-in-organisation`` (off to the identity provider),
``sign-in-organisation-callback`` (back from it), ``sign-in-organisation-problem`` (why it
did not work, with nothing personal in the address or the page),
``two-factor-recovery-code`` (a recovery code in place of the app's code),
``recovery-codes`` (new recovery codes, shown once), ``signed-out`` (where the identity
provider sends a person back after signing them out), and ``set-up-codes`` /
``set-up-code-issue`` (an administrator or team manager finds a person and issues them a
set-up code, shown once).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from safeguard.agencies.models import Staff
from safeguard.cases.views import _no_store  # never kept by a cache, as the case pages
from safeguard.core.services import Invalid, NotAllowed

from . import oidc, signin
from .accounts import RecoveryCodeForm, SetUpCodeIssueForm, lifetime_label
from .views import NEW_RECOVERY_CODES_SESSION_KEY, _next_url, _second_factor_given, _with_next

PROBLEM_SESSION_KEY = "safeguard_organisation_problem"
#: What each refusal says (the page's heading and paragraphs): one reason a page, no names.
PROBLEMS: dict[str, str] = {
    "unknown_identity": "unknown", "inactive": "unknown", "wrong_tenant": "wrong_tenant",
}


# ---- signing in with an organisation's account ---------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def organisation_sign_in(request: HttpRequest) -> HttpResponse:
    """"Sign in with your organisation's account": off to the identity provider, with the
    state, the nonce and the PKCE challenge kept in the session."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    if not oidc.enabled():
        raise Http404
    try:
        response: HttpResponse = oidc.OrganisationSignInStart.as_view()(request)
    except Exception:  # noqa: BLE001 - the provider unreachable or its document wrong
        return _problem(request, "provider_unavailable", None)
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def organisation_callback(request: HttpRequest) -> HttpResponse:
    """Back from the identity provider: the state checked (and used up), the code exchanged
    and the ID token verified, then signed in as the account the identity is recorded on —
    by way of the two-factor step when the role needs it and the provider did not check
    a second factor."""
    if request.user.is_authenticated:
        return redirect("home")
    if not oidc.enabled():
        raise Http404
    states: dict[str, Any] = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    entry = states.pop(state, None) if state else None
    if entry is not None:
        request.session["oidc_states"] = states
    if request.GET.get("error"):
        return _problem(request, "provider_error", None)
    if entry is None or not request.GET.get("code"):
        return _problem(request, "state_mismatch", None)
    next_url = request.session.pop("oidc_login_next", None) or ""
    try:
        identity = oidc.OrganisationBackend().identify(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier"))
    except oidc.Refused as refused:
        return _problem(request, refused.reason, refused.user)
    user = identity.user
    login(request, user, backend=oidc.BACKEND)
    request.session.pop(PROBLEM_SESSION_KEY, None)
    oidc.remember_id_token(request, identity)  # for signing out at the provider, later
    mfa = identity.mfa and signin.needs_second_factor(user)
    if mfa:
        otp_login(request, signin.identity_provider_device(user))
    signin.record_sign_in(user=user, context=signin.context_of(request),
                          method="organisation", identity_provider_mfa=mfa)
    if signin.needs_second_factor(user) and not mfa:
        return redirect(_with_next(reverse("two-factor"), next_url))
    return redirect(next_url or "home")


def _problem(request: HttpRequest, reason: str, user: Any) -> HttpResponse:
    signin.record_organisation_sign_in_refused(reason=reason, user=user,
                                               context=signin.context_of(request))
    request.session[PROBLEM_SESSION_KEY] = PROBLEMS.get(reason, "technical")
    return redirect("sign-in-organisation-problem")


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def organisation_problem(request: HttpRequest) -> HttpResponse:
    """Why signing in with the organisation's account did not work."""
    if request.user.is_authenticated:
        return redirect("home")
    problem = request.session.get(PROBLEM_SESSION_KEY, "technical")
    titles = {
        "unknown": "Your organisation’s account is not set up for Safeguard",
        "wrong_tenant": "You cannot use that organisation’s account for Safeguard",
        "technical": "Sorry, there is a problem signing you in with your organisation’s "
                     "account",
    }
    return render(request, "web/sign_in_organisation_problem.html", {
        "page_title": titles.get(problem, titles["technical"]), "problem": problem,
        "password_sign_in": reverse("sign-in"),
    })


# ---- recovery codes ------------------------------------------------------------------------


@sensitive_post_parameters("recovery_code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_recovery_code(request: HttpRequest) -> HttpResponse:
    """"Use a recovery code" at the two-factor step: one of the person's codes, used up."""
    next_url = _next_url(request)
    user = request.user
    if not signin.awaiting_second_factor(user):
        return redirect(next_url or "home")
    left = signin.recovery_codes_left(user)
    form = RecoveryCodeForm(request.POST if request.method == "POST" and left else None)
    if left and request.method == "POST" and form.is_valid():
        result = signin.recovery_code_verify(user=user, code=form.cleaned_data["recovery_code"],
                                             context=signin.context_of(request))
        if result.device is not None:
            return _second_factor_given(request, result.device, next_url)
        form.refuse(throttled=result.throttled)
    return render(request, "web/two_factor_recovery_code.html", {
        "page_title": "Enter a recovery code", "form": form, "has_errors": bool(form.errors),
        "next": next_url, "left": left,
    })


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The person's recovery codes: the new set, shown once (after setting up the app, or
    when they ask for a new set, which stops the old codes working)."""
    user = request.user
    next_url = _next_url(request)
    if not signin.needs_second_factor(user) or not signin.has_confirmed_device(user):
        return redirect(next_url or "home")
    codes: list[str] = request.session.pop(NEW_RECOVERY_CODES_SESSION_KEY, None) or []
    if request.method == "POST":
        codes = list(signin.recovery_codes_new(user=user, context=signin.context_of(request)))
    return render(request, "web/recovery_codes.html", {
        "page_title": "Your recovery codes" if codes else "Recovery codes",
        "codes": codes, "left": signin.recovery_codes_left(user), "next": next_url,
    })


# ---- signed out at the identity provider --------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where the identity provider sends a person back after signing them out there (the
    ``post_logout_redirect_uri`` registered with it): on to "You have signed out"."""
    return redirect(reverse("sign-in") + "?signed-out=1")


# ---- set-up codes: issued by an administrator or a team manager ---------------------------

PEOPLE_PAGE_SIZE = 50


@never_cache
@require_http_methods(["GET", "HEAD"])
def set_up_codes(request: HttpRequest) -> HttpResponse:
    """"Set-up codes for authenticator apps": the people the administrator or team manager
    may issue a code for (:func:`signin.set_up_code_people`), 50 a page."""
    try:
        people = signin.set_up_code_people(request.user)
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    page = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    staff = list(page.object_list)
    with_app, waiting = signin.set_up_states([s.user_id for s in staff])
    rows = [{"staff": s, "app_set_up": s.user_id in with_app,
             "code_waiting": s.user_id in waiting} for s in staff]
    return _no_store(render(request, "web/set_up_codes.html", {
        "page_title": "Set-up codes for authenticator apps", "page": page, "rows": rows,
        "administrator": request.user.is_staff or request.user.is_superuser,
    }))


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def set_up_code_issue(request: HttpRequest, user_id: int) -> HttpResponse:
    """Issue a set-up code for one person (:func:`signin.issue_set_up_code`, which checks
    the issuer may and audits it): how long it lasts, then the code, shown once on this
    page's answer and kept nowhere but as its hash."""
    try:
        person = signin.set_up_code_person(request.user, user_id)
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    default_hours = settings.SAFEGUARD_SET_UP_CODE_HOURS
    form = SetUpCodeIssueForm(request.POST if request.method == "POST" else None,
                              default_hours=default_hours)
    if request.method == "POST" and form.is_valid():
        hours = form.cleaned_data["hours"]
        try:
            code = signin.issue_set_up_code(actor=request.user, user=person, hours=hours,
                                            context=signin.context_of(request))
        except NotAllowed as refused:
            raise PermissionDenied(str(refused)) from None
        except Invalid as error:
            form.add_service_errors(error)
        else:
            issued = signin.set_up_code_unused(person)
            return _no_store(render(request, "web/set_up_code_issued.html", {
                "page_title": "Set-up code issued", "person": _person(person), "code": code,
                "expires_at": issued.expires_at if issued else None,
                "lasts": lifetime_label(hours),
            }))
    return _no_store(render(request, "web/set_up_code_issue.html", {
        "page_title": "Issue a set-up code", "form": form, "has_errors": bool(form.errors),
        "person": _person(person),
        "app_set_up": signin.has_confirmed_device(person),
        "code_waiting": signin.set_up_code_unused(person),
        "needs_app": signin.needs_second_factor(person),
    }))


def _person(user: Any) -> dict[str, Any]:
    """Who the code is for, as the pages name them."""
    staff = Staff.objects.filter(user=user).select_related("agency", "team").first()
    return {
        "id": user.pk, "name": user.get_full_name() or user.get_username(),
        "role": staff.get_role_display() if staff else "",
        "agency": staff.agency.name if staff else "",
        "team": staff.team.name if staff and staff.team else "",
    }
