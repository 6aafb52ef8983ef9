"""``safeguard manage issue_set_up_code USERNAME``: a one-time code to set up an
authenticator app with, shown once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguard.core.services import Context, Invalid, NotAllowed
from safeguard.web.signin import issue_set_up_code, needs_second_factor


class Command(BaseCommand):
    help = (
        "Issue a one-time set-up code for USERNAME and print it (shown only this once; only "
        "its hash is kept). The person enters it, with their password, to set up their "
        "authenticator app. It works once, for --hours (72 unless told); a new code stops an "
        "earlier unused one working. --by names the administrator or team manager issuing it "
        "(for the audit trail)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--hours", type=int, default=None)
        parser.add_argument("--by", default=None, help="who issues it (a username)")

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        user = users.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user called {options['username']!r}")
        actor = None
        if options["by"]:
            actor = users.filter(username=options["by"]).first()
            if actor is None:
                raise CommandError(f"There is no user called {options['by']!r}")
        if not needs_second_factor(user):
            self.stderr.write("Note: this person's role does not use two-factor sign-in.")
        try:
            code = issue_set_up_code(actor=actor, user=user, hours=options["hours"],
                                     context=Context(source="command"))
        except Invalid as exc:
            raise CommandError("; ".join(exc.errors.values())) from None
        except NotAllowed:
            raise CommandError(f"{options['by']!r} may not issue set-up codes for "
                               f"{options['username']!r}") from None
        self.stdout.write(code)
