"""``safeguard manage issue_token USERNAME NAME``: a personal API token, shown once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguard.api.auth import issue_token, revoke_tokens
from safeguard.core.services import Invalid


class Command(BaseCommand):
    help = (
        "Issue a personal API token for USERNAME, called NAME, and print it (it is shown only "
        "this once; only its hash is kept). Send it as 'Authorization: Bearer <token>'. "
        "--revoke revokes the user's tokens of that name instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'case system import'")
        parser.add_argument("--expires-in-days", type=int, default=None)
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user called {options['username']!r}")
        if options["revoke"]:
            count = revoke_tokens(user=user, name=options["name"])
            self.stdout.write(f"Revoked {count} token{'s' if count != 1 else ''}")
            return
        if not user.is_active:
            raise CommandError(f"The user {options['username']!r} is not active")
        try:
            secret = issue_token(user=user, name=options["name"],
                                 expires_in_days=options["expires_in_days"])
        except Invalid as exc:
            raise CommandError("; ".join(exc.errors.values())) from None
        self.stdout.write(secret)
