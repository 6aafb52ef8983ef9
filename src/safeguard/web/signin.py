"""Signing in: who must give a second factor, the services that record each step, and the
one place that holds back a session until the second factor is given.

After the password, a person in one of :data:`~safeguard.agencies.models.TWO_FACTOR_ROLES`
is signed in only part-way: until they enter a code from their authenticator app (a TOTP
device of django-otp, ``request.user.is_verified()``), :class:`TwoFactorMiddleware` sends
every page to the two-factor step, and the API refuses the session (403,
:func:`safeguard.api.auth.Session`). Personal API tokens are not affected: a token is
issued to a person by an administrator and is its own credential.

Every step is audited — sign-in, sign-in refused, two-factor set up, code accepted, code
refused — with no secret, code or typed username in the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.agencies.models import TWO_FACTOR_ROLES, Staff
from safeguard.core.services import Context, NotAllowed, audit, request_context

#: What a person's authenticator app is called in their list of devices.
DEVICE_NAME = "Authenticator app"


def context_of(request: HttpRequest) -> Context:
    return request_context(request)


# ---- who must give a second factor -----------------------------------------------------------


def needs_second_factor(user: Any) -> bool:
    """True if ``user``'s role is one that must give a code after the password."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    try:
        role = user.staff.role
    except Staff.DoesNotExist:
        return False
    return role in TWO_FACTOR_ROLES


def awaiting_second_factor(user: Any) -> bool:
    """True while a signed-in person who must give a second factor has not given it yet."""
    if not needs_second_factor(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def has_confirmed_device(user: Any) -> bool:
    return confirmed_device(user) is not None


# ---- services: each step, recorded -----------------------------------------------------------


def record_sign_in(*, user: Any, context: Context) -> None:
    """Audit a password accepted (the second factor, if due, is recorded on its own)."""
    audit(actor=user, action="sign_in", obj=user, context=context,
          detail={"second_factor": "due" if needs_second_factor(user) else "not_required"})


def record_sign_in_refused(*, username: str, locked_out: bool, context: Context) -> None:
    """Audit a refused sign-in. The entry names the account when one has the username,
    never the text typed (a password typed into the username box must not be kept)."""
    pk = (get_user_model().objects.filter(username=username).values_list("pk", flat=True)
          .first() if username else None)
    reason = "locked_out" if locked_out else ("wrong_password" if pk else "unknown_username")
    audit(actor=None, action="sign_in_refused", object_type="auth.user" if pk else "",
          object_id=str(pk or ""), detail={"reason": reason}, context=context)


def device_to_set_up(user: Any) -> TOTPDevice:
    """The unconfirmed device ``user`` is setting up, made the first time: its secret stays
    the same when the page is shown again, so a code from an app set up earlier works."""
    if not needs_second_factor(user):
        raise NotAllowed()
    if has_confirmed_device(user):
        raise NotAllowed("You have already set up two-factor authentication.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or None; and whether
    the device is refusing codes for now after too many wrong ones."""

    device: TOTPDevice | None
    throttled: bool = False


def _check(device: TOTPDevice, code: str) -> CodeCheck:
    allowed, _ = device.verify_is_allowed()
    if allowed and device.verify_token(code):
        return CodeCheck(device)
    return CodeCheck(None, throttled=not allowed)


def two_factor_set_up(*, user: Any, device: TOTPDevice, code: str,
                      context: Context) -> CodeCheck:
    """Confirm ``device`` with a code from the app it was added to; the person may then
    sign in with it. Other unconfirmed devices of theirs are removed."""
    if device.user_id != user.pk or device.confirmed or not needs_second_factor(user):
        raise NotAllowed()
    with transaction.atomic():
        result = _check(device, code)
        if result.device is None:
            audit(actor=user, action="two_factor_refused", obj=user, context=context,
                  detail={"step": "set_up", "throttled": result.throttled})
            return result
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        audit(actor=user, action="two_factor_set_up", obj=user, context=context,
              detail={"device": "totp"})
    return result


def two_factor_verify(*, user: Any, code: str, context: Context) -> CodeCheck:
    """Check a code from ``user``'s confirmed authenticator app at sign-in."""
    device = confirmed_device(user)
    if device is None:
        raise NotAllowed("Set up two-factor authentication first.")
    with transaction.atomic():
        result = _check(device, code)
        if result.device is None:
            audit(actor=user, action="two_factor_refused", obj=user, context=context,
                  detail={"step": "sign_in", "throttled": result.throttled})
        else:
            audit(actor=user, action="two_factor_verified", obj=user, context=context,
                  detail={"device": "totp"})
    return result


# ---- the one place a session is held back ----------------------------------------------------


def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in ("two-factor", "two-factor-set-up",
                                                "sign-in", "sign-out"))


class TwoFactorMiddleware:
    """Sends a person who still owes their second factor to the two-factor step, from every
    page but the two-factor pages, sign-in and sign-out. Static files never reach it
    (WhiteNoise); the API answers for itself, with a 403 problem document."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (not path.startswith(("/api/", settings.STATIC_URL))
                and awaiting_second_factor(getattr(request, "user", None))):
            if self.open_paths is None:
                self.open_paths = _open_paths()
            if path not in self.open_paths:
                target = reverse("two-factor")
                if request.method in ("GET", "HEAD"):
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)
