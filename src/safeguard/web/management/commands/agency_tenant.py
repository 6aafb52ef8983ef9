"""``safeguard manage agency_tenant AGENCY_ID TENANT_ID [--remove]``: the identity-provider
tenant whose accounts may sign in as an agency's staff."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguard.agencies.models import Agency
from safeguard.core.services import Context, audit
from safeguard.web.models import AgencyTenant


class Command(BaseCommand):
    help = (
        "Record TENANT_ID (a Microsoft Entra tenant ID) as a tenant whose accounts may sign "
        "in as the staff of the agency AGENCY_ID; --remove takes it off. A single-tenant "
        "deployment needs none: its own tenant is every agency's unless one is recorded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency_id", type=int)
        parser.add_argument("tenant_id")
        parser.add_argument("--remove", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(pk=options["agency_id"]).first()
        if agency is None:
            raise CommandError(f"There is no agency {options['agency_id']}")
        tenant = options["tenant_id"].strip().lower()
        if options["remove"]:
            AgencyTenant.objects.filter(agency=agency, tenant_id__iexact=tenant).delete()
            action = "agency_tenant_removed"
        else:
            AgencyTenant.objects.get_or_create(agency=agency, tenant_id=tenant)
            action = "agency_tenant_recorded"
        audit(actor=None, action=action, obj=agency, context=Context(source="command"),
              detail={"tenant_id": tenant})
        self.stdout.write("Done")
