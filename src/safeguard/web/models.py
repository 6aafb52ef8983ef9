"""What signing in keeps beyond Django's accounts (ADR-006).

- :class:`AgencyTenant`: the identity-provider tenant (Microsoft Entra ID directory) whose
  accounts may sign in as an agency's staff.
- :class:`OrganisationAccount`: an organisation account (Entra's ``tid`` and ``oid``)
  recorded on a Safeguard account by an administrator. Signing in with an organisation
  account never makes a Safeguard account: an identity that is not recorded here is refused.
- :class:`IdentityProviderDevice`: the second factor a person gave at their identity
  provider (Entra's ``amr`` claim says ``mfa``, or ``acrs`` has the deployment's
  authentication context), as django-otp sees it; it never accepts a code of its own.
- :class:`SetUpCode`: a one-time code, issued by an administrator or a team manager, that a
  person needs to set up their authenticator app; only its hash is kept.
- :class:`RecoveryCodeDevice` and :class:`RecoveryCode`: a person's single-use recovery
  codes, as one django-otp device (so a session signed in with one is verified like any
  other), each code kept only as a keyed, salted hash (:func:`recovery_code_digest`).
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class AgencyTenant(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE,
                               related_name="identity_tenants")
    tenant_id = models.CharField(
        "tenant ID", max_length=64,
        help_text="The Microsoft Entra tenant (directory) ID of the agency's accounts")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "tenant_id"],
                                               name="unique_agency_tenant")]

    def __str__(self) -> str:
        return f"{self.agency} – {self.tenant_id}"


class OrganisationAccount(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="organisation_accounts")
    tenant_id = models.CharField("tenant ID (tid)", max_length=64)
    object_id = models.CharField("object ID (oid)", max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "object_id"],
                                               name="unique_organisation_account")]


class IdentityProviderDevice(Device):  # type: ignore[misc]
    """Stands for the identity provider's own multi-factor check in django-otp's session
    (``request.user.is_verified()``). Made when first needed; it verifies no codes."""

    def verify_token(self, token: object) -> bool:
        return False


class SetUpCode(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="set_up_codes")
    #: SHA-256 of the code (hex): the code itself is shown once, to whoever issued it.
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


# ---- recovery codes ----------------------------------------------------------------------

#: The HMAC's key salt: the key is derived from the deployment's SECRET_KEY and this.
RECOVERY_CODE_KEY_SALT = "safeguard.web.RecoveryCode"


def recovery_code_digest(salt: str, code: str, secret: str | None = None) -> str:
    """HMAC-SHA256 of ``salt:code``, keyed with a key derived from ``secret`` (the
    deployment's SECRET_KEY unless told): what is kept of a recovery code. ``code`` is
    normalised (8 lower-case characters of base 32, no hyphen)."""
    return salted_hmac(RECOVERY_CODE_KEY_SALT, f"{salt}:{code}", secret=secret,
                       algorithm="sha256").hexdigest()


def _secrets() -> list[str]:
    """SECRET_KEY, then any SECRET_KEY_FALLBACKS: codes made before a key was rotated still
    work while the old key is a fallback."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """A person's set of recovery codes in django-otp's terms: one device per person,
    throttled after wrong codes like the app. :meth:`verify_token` uses a code up."""

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        """True, once, for each of the person's codes: the device's row is locked and the
        code's row deleted by a conditional DELETE, so two sign-ins racing with one code
        cannot both succeed. Every code is compared (in constant time), right or not."""
        code = "".join(str(token).replace("-", " ").split()).lower()
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            allowed, _ = locked.verify_is_allowed()
            if not allowed:
                return False
            keys = _secrets()
            matched = [c.pk for c in locked.codes.all()
                       if any([c.matches(code, secret) for secret in keys])]
            used = matched and RecoveryCode.objects.filter(pk=matched[0], device=locked
                                                           ).delete()[0] == 1
            if used:
                locked.throttle_reset(commit=False)
                locked.set_last_used_timestamp(commit=False)
                locked.save()
            else:
                locked.throttle_increment()
        self.refresh_from_db()
        return bool(used)


class RecoveryCode(models.Model):
    """One recovery code, unused: deleted when used. Only ``salt`` and the HMAC are kept."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE,
                               related_name="codes")
    salt = models.CharField(max_length=32)
    #: recovery_code_digest(salt, code), hex.
    code_hash = models.CharField(max_length=64)

    def matches(self, code: str, secret: str | None = None) -> bool:
        return hmac.compare_digest(recovery_code_digest(self.salt, code, secret),
                                   self.code_hash)
