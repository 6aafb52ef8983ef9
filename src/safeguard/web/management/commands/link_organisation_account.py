"""``safeguard manage link_organisation_account USERNAME TENANT_ID OBJECT_ID``: record an
organisation account (Microsoft Entra's tenant ID and object ID) on a Safeguard account, so
its owner can sign in with it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguard.core.services import Context, audit
from safeguard.web.models import OrganisationAccount


class Command(BaseCommand):
    help = (
        "Record the organisation account TENANT_ID/OBJECT_ID (in Microsoft Entra: the "
        "tenant ID and the user's object ID) on USERNAME's Safeguard account; --remove takes "
        "it off. Nobody can sign in with an organisation account that is not recorded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("tenant_id")
        parser.add_argument("object_id")
        parser.add_argument("--remove", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user called {options['username']!r}")
        tenant, oid = options["tenant_id"].strip().lower(), options["object_id"].strip().lower()
        found = OrganisationAccount.objects.filter(tenant_id__iexact=tenant,
                                                   object_id__iexact=oid)
        if options["remove"]:
            count, _ = found.filter(user=user).delete()
            audit(actor=None, action="organisation_account_removed", obj=user,
                  context=Context(source="command"))
            self.stdout.write(f"Removed {count}")
            return
        if found.exclude(user=user).exists():
            raise CommandError("That organisation account is recorded on another account")
        OrganisationAccount.objects.get_or_create(user=user, tenant_id=tenant, object_id=oid)
        audit(actor=None, action="organisation_account_linked", obj=user,
              context=Context(source="command"))
        self.stdout.write("Linked")
