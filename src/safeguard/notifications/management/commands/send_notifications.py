"""``safeguard manage send_notifications``: send the emails that are due through GOV.UK
Notify, and retry those it did not take (with backoff). Run it every few minutes (a
timer or cron job); emails are also sent at once when the action that queues them commits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safeguard.notifications.services import deliver


class Command(BaseCommand):
    help = (
        "Send the emails in the outbox that are due through GOV.UK Notify: new ones, and "
        "those to try again (each failed try waits twice as long as the one before, and an "
        "email is given up on after its last try). Prints what was done; never the emails' "
        "addresses or contents."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = deliver()
        for error in dict.fromkeys(result.errors):
            self.stderr.write(error)
        self.stdout.write(f"Sent {result.sent}; to try again later {result.retrying}; "
                          f"not sent {result.not_sent}")
