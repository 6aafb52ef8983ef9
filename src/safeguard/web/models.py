"""What signing in keeps beyond Django's accounts (ADR-006).

- :class:`AgencyTenant`: the identity-provider tenant (Microsoft Entra ID directory) whose
  accounts may sign in as an agency's staff.
- :class:`OrganisationAccount`: an organisation account (Entra's ``tid`` and ``oid``)
  recorded on a Safeguard account by an administrator. Signing in with an organisation
  account never makes a Safeguard account: an identity that is not recorded here is refused.
- :class:`IdentityProviderDevice`: the second factor a person gave at their identity
  provider (Entra's ``amr`` claim says ``mfa``), as django-otp sees it; it never accepts a
  code of its own.
- :class:`SetUpCode`: a one-time code, issued by an administrator or a team manager, that a
  person needs to set up their authenticator app; only its hash is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_otp.models import Device


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
