"""Signing in: who must give a second factor, the services that record each step, and the
one place that holds back a session until the second factor is given.

After the password, a person in one of :data:`~safeguard.agencies.models.TWO_FACTOR_ROLES`
is signed in only part-way: until they enter a code from their authenticator app (a TOTP
device of django-otp, ``request.user.is_verified()``), :class:`TwoFactorMiddleware` sends
every page to the two-factor step, and the API refuses the session (403,
:func:`safeguard.api.auth.Session`). Personal API tokens are not affected: a token is
issued to a person by an administrator and is its own credential.

Setting up an authenticator app needs a one-time **set-up code** besides the password
(:func:`issue_set_up_code`, by an administrator or a team manager, on the set-up codes page
— :func:`set_up_code_people` lists whom for — or with ``safeguard manage
issue_set_up_code``), so a stolen password alone cannot enrol its thief's phone. Setting up
the app gives 10 single-use **recovery codes**, shown once and kept only as keyed, salted
hashes (:class:`~safeguard.web.models.RecoveryCodeDevice`); one can stand in for the app's
code at sign-in, used up at once and only once, and a new set replaces the old
(:func:`recovery_codes_new`).

Signing in with an organisation's account (:mod:`safeguard.web.oidc`) is recorded the same
way; a privileged role whose identity provider checked a second factor (``amr``: ``mfa``, or
the deployment's Entra authentication context in ``acrs``) counts as having given it
(:func:`identity_provider_device`), otherwise they give the code.

Every step is audited — sign-in, sign-in refused, two-factor set up, code accepted, code
refused, set-up code issued, recovery code used, new recovery codes — with no secret, code
or typed username in the entry.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.agencies.models import TWO_FACTOR_ROLES, Role, Staff, staff_record
from safeguard.core.services import Context, Invalid, NotAllowed, audit, request_context

from .models import (
    IdentityProviderDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    SetUpCode,
    recovery_code_digest,
)

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
        role = staff_record(user).role
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


def record_sign_in(*, user: Any, context: Context, method: str = "password",
                   identity_provider_mfa: bool = False) -> None:
    """Audit a password (or, ``method="organisation"``, an organisation account) accepted;
    the second factor, if due, is recorded on its own — unless the identity provider gave
    it (``identity_provider_mfa``)."""
    second = "due" if needs_second_factor(user) else "not_required"
    if second == "due" and identity_provider_mfa:
        second = "identity_provider"
    detail = {"second_factor": second}
    if method != "password":
        detail = {"method": method, **detail}
    audit(actor=user, action="sign_in", obj=user, context=context, detail=detail)


def record_organisation_sign_in_refused(*, reason: str, user: Any, context: Context) -> None:
    """Audit a refused sign-in with an organisation account: why, and the Safeguard account
    when one was found — never the identity provider's claims (names, addresses)."""
    audit(actor=None, action="sign_in_refused", object_type="auth.user" if user else "",
          object_id=str(user.pk) if user else "",
          detail={"method": "organisation", "reason": reason}, context=context)


def identity_provider_device(user: Any) -> IdentityProviderDevice:
    """The device that stands, in django-otp's session, for a second factor checked by
    ``user``'s identity provider."""
    device: IdentityProviderDevice = IdentityProviderDevice.objects.get_or_create(
        user=user, defaults={"name": "Your organisation's sign-in", "confirmed": True})[0]
    return device


def record_sign_in_refused(*, username: str, locked_out: bool, context: Context) -> None:
    """Audit a refused sign-in. The entry names the account when one has the username,
    never the text typed (a password typed into the username box must not be kept)."""
    pk = (get_user_model().objects.filter(username=username).values_list("pk", flat=True)
          .first() if username else None)
    reason = "locked_out" if locked_out else ("wrong_password" if pk else "unknown_username")
    audit(actor=None, action="sign_in_refused", object_type="auth.user" if pk else "",
          object_id=str(pk or ""), detail={"reason": reason}, context=context)


# ---- set-up codes: what a person needs, besides the password, to set up their app ----------

#: Who may issue a set-up code, besides administrators: team managers, for their agency.
SET_UP_CODE_ISSUERS = frozenset({Role.TEAM_MANAGER})


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """A set-up or recovery code as typed: spaces, hyphens and case do not matter."""
    return "".join(str(code).replace("-", " ").split()).lower()


def may_issue_set_up_code(actor: Any, user: Any) -> bool:
    """Administrators (Django staff), and team managers for staff of their own agency."""
    if actor is None:  # a command run by an operator of the deployment
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser or actor.is_staff:
        return True
    try:
        mine, theirs = actor.staff, user.staff
    except Staff.DoesNotExist:
        return False
    return (mine.active and mine.role in SET_UP_CODE_ISSUERS
            and mine.agency_id == theirs.agency_id and actor.pk != user.pk)


def _administrator(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active
                and (actor.is_superuser or actor.is_staff))


_LOOK_UP: Any = object()


def may_issue_set_up_codes(actor: Any, staff: Staff | None = _LOOK_UP) -> bool:
    """Is ``actor`` someone who issues set-up codes at all (to some people)? The people
    they may issue one to are :func:`set_up_code_people`, each as :func:`may_issue_set_up_code`
    decides. ``staff``: the actor's staff record (or None), when the caller has it."""
    if _administrator(actor):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if staff is _LOOK_UP:
        staff = Staff.objects.filter(user=actor).first()
    return staff is not None and staff.active and staff.role in SET_UP_CODE_ISSUERS


def set_up_code_people(actor: Any) -> QuerySet[Staff]:
    """The people ``actor`` may issue a set-up code for, whose role needs an authenticator
    app (:data:`~safeguard.agencies.models.TWO_FACTOR_ROLES`): for an administrator, every
    active member of staff; for a team manager, those of their own agency, not themselves —
    :func:`may_issue_set_up_code`'s rule, as a query. Raises NotAllowed for anyone else."""
    if not may_issue_set_up_codes(actor):
        raise NotAllowed("Only administrators and team managers can issue set-up codes.")
    people = (Staff.objects.filter(active=True, user__is_active=True,
                                   role__in=TWO_FACTOR_ROLES)
              .exclude(user=actor).select_related("user", "agency", "team")
              .order_by("agency__name", "user__last_name", "user__first_name", "pk"))
    if not _administrator(actor):
        people = people.filter(agency_id=actor.staff.agency_id)
    return people


def set_up_code_person(actor: Any, user_id: int) -> Any:
    """The account ``user_id`` if ``actor`` may issue it a set-up code and it is active;
    otherwise NotAllowed — the same whether or not the account exists."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.is_active or not may_issue_set_up_code(actor, user):
        raise NotAllowed("You cannot issue a set-up code for this person.")
    return user


def set_up_code_unused(user: Any) -> SetUpCode | None:
    """``user``'s set-up code that is still waiting to be used, if any."""
    return (SetUpCode.objects.filter(user=user, used_at__isnull=True,
                                     expires_at__gt=timezone.now())
            .order_by("-issued_at").first())


def set_up_states(user_ids: list[int]) -> tuple[set[int], set[int]]:
    """Of ``user_ids``: who has set up their authenticator app, and who has a set-up code
    waiting to be used."""
    with_app = set(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True)
                   .values_list("user_id", flat=True))
    waiting = set(SetUpCode.objects.filter(user_id__in=user_ids, used_at__isnull=True,
                                           expires_at__gt=timezone.now())
                  .values_list("user_id", flat=True))
    return with_app, waiting


def issue_set_up_code(*, actor: Any, user: Any, hours: int | None = None,
                      context: Context | None = None) -> str:
    """A new one-time set-up code for ``user`` (returned once; only its hash is kept),
    valid for ``hours`` (``SAFEGUARD_SET_UP_CODE_HOURS``, 72, by default). Codes issued
    before and not used stop working."""
    hours = settings.SAFEGUARD_SET_UP_CODE_HOURS if hours is None else hours
    if not 1 <= hours <= 24 * 14:
        raise Invalid({"hours": "A set-up code lasts from 1 hour to 14 days"})
    if not may_issue_set_up_code(actor, user):
        raise NotAllowed()
    if not user.is_active:
        raise Invalid({"user": "The account is not active"})
    code = "-".join(secrets.token_hex(2) for _ in range(4))  # 64 bits, e.g. 3f9a-…
    now = timezone.now()
    with transaction.atomic():
        SetUpCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
        SetUpCode.objects.create(user=user, code_hash=_digest(normalise_code(code)),
                                 issued_by=actor if actor is not None else None,
                                 issued_at=now, expires_at=now + timedelta(hours=hours))
        audit(actor=actor, action="set_up_code_issued", obj=user,
              context=context or Context(source="command"), detail={"hours": hours})
    return code


def set_up_code_check(*, user: Any, code: str, context: Context) -> SetUpCode | None:
    """The unused, unexpired set-up code ``code`` of ``user``, or None (audited)."""
    found = SetUpCode.objects.filter(user=user, code_hash=_digest(normalise_code(code)),
                                     used_at__isnull=True, expires_at__gt=timezone.now()
                                     ).first()
    audit(actor=user, action="set_up_code_accepted" if found else "set_up_code_refused",
          obj=user, context=context)
    return found


def set_up_code_pending(user: Any, code_id: Any) -> SetUpCode | None:
    """The set-up code a session gave earlier, if it may still be used."""
    if not code_id:
        return None
    return SetUpCode.objects.filter(pk=code_id, user=user, used_at__isnull=True,
                                    expires_at__gt=timezone.now()).first()


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

    device: Device | None
    throttled: bool = False


def _check(device: TOTPDevice, code: str) -> CodeCheck:
    allowed, _ = device.verify_is_allowed()
    if allowed and device.verify_token(code):
        return CodeCheck(device)
    return CodeCheck(None, throttled=not allowed)


@dataclass(frozen=True)
class SetUpResult(CodeCheck):
    """A code check at set-up; when it was right, the new recovery codes (shown once)."""

    recovery_codes: tuple[str, ...] = ()


def two_factor_set_up(*, user: Any, device: TOTPDevice, code: str, set_up_code: SetUpCode,
                      context: Context) -> SetUpResult:
    """Confirm ``device`` with a code from the app it was added to, using up the set-up
    code; the person may then sign in with it, and gets a set of recovery codes. Other
    unconfirmed devices of theirs are removed."""
    if (device.user_id != user.pk or device.confirmed or not needs_second_factor(user)
            or set_up_code.user_id != user.pk):
        raise NotAllowed()
    with transaction.atomic():
        result = _check(device, code)
        if result.device is None:
            audit(actor=user, action="two_factor_refused", obj=user, context=context,
                  detail={"step": "set_up", "throttled": result.throttled})
            return SetUpResult(None, result.throttled)
        used = SetUpCode.objects.filter(pk=set_up_code.pk, used_at__isnull=True,
                                        expires_at__gt=timezone.now()
                                        ).update(used_at=timezone.now())
        if used != 1:  # used up meanwhile (another session), or expired
            raise NotAllowed("Your set-up code has expired or has been used.")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        audit(actor=user, action="two_factor_set_up", obj=user, context=context,
              detail={"device": "totp"})
        codes = _new_recovery_codes(user)
        audit(actor=user, action="recovery_codes_issued", obj=user, context=context,
              detail={"count": len(codes)})
    return SetUpResult(result.device, recovery_codes=codes)


# ---- recovery codes ---------------------------------------------------------------------------

RECOVERY_CODES = 10
RECOVERY_DEVICE_NAME = "Recovery codes"


def recovery_device(user: Any) -> RecoveryCodeDevice | None:
    device: RecoveryCodeDevice | None = (RecoveryCodeDevice.objects
                                         .filter(user=user, confirmed=True).order_by("id")
                                         .first())
    return device


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def _new_recovery_code() -> str:
    """8 characters of base 32 (40 random bits), as django-otp's static tokens were."""
    return b32encode(secrets.token_bytes(5)).decode().lower()


def _new_recovery_codes(user: Any) -> tuple[str, ...]:
    """A new set of recovery codes for ``user``: any earlier set stops working. Only each
    code's salt and keyed hash are kept (:func:`~safeguard.web.models.recovery_code_digest`);
    the device stays the same, so a session verified with an earlier code stays verified."""
    device = RecoveryCodeDevice.objects.select_for_update().filter(user=user).order_by(
        "id").first()
    if device is None:
        device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME,
                                                   confirmed=True)
    RecoveryCodeDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    RecoveryCode.objects.filter(device=device).delete()
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    salts = [secrets.token_hex(16) for _ in codes]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, salt=salt, code_hash=recovery_code_digest(salt, code))
        for salt, code in zip(salts, codes, strict=True))
    return tuple(f"{c[:4]}-{c[4:]}" for c in codes)


def recovery_codes_new(*, user: Any, context: Context) -> tuple[str, ...]:
    """Replace ``user``'s recovery codes with a new set (to show once)."""
    if not needs_second_factor(user) or not has_confirmed_device(user):
        raise NotAllowed()
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit(actor=user, action="recovery_codes_issued", obj=user, context=context,
              detail={"count": len(codes), "replaced": True})
    return codes


def recovery_code_verify(*, user: Any, code: str, context: Context) -> CodeCheck:
    """Check a recovery code at sign-in, in place of the app's code; a right one is used
    up, at once and only once (:meth:`RecoveryCodeDevice.verify_token`). Audited, with the
    number of codes left."""
    device = recovery_device(user)
    if device is None:
        raise NotAllowed("You have no recovery codes.")
    with transaction.atomic():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(normalise_code(code)):
            audit(actor=user, action="recovery_code_used", obj=user, context=context,
                  detail={"left": device.codes.count()})
            return CodeCheck(device)
        audit(actor=user, action="two_factor_refused", obj=user, context=context,
              detail={"step": "recovery_code", "throttled": not allowed})
    return CodeCheck(None, throttled=not allowed)


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
                                                "two-factor-recovery-code", "sign-in",
                                                "sign-out"))


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
