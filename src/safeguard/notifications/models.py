"""The outbox: each email Safeguard means to send, and what became of it.

A row is written in the same transaction as the action it tells of, and changed only by
delivery (:mod:`safeguard.notifications.services`). It keeps who it was for, what was sent
(the template's personalisation: never personal data about a child or family), the number
of attempts, GOV.UK Notify's id for the email once Notify took it, and the last error
(status and Notify's own message, never the recipient's address).
"""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Staff
from safeguard.core.dates import format_date, format_time
from safeguard.sharing.models import ConferenceReportRecipient


class Purpose(models.TextChoices):
    REPORT_SHARED = "report_shared", "A conference report has been shared with the agency"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent: GOV.UK Notify refused it"
    GAVE_UP = "gave_up", "Not sent: GOV.UK Notify did not take it"
    NOT_CONFIGURED = "not_configured", "Not sent: GOV.UK Notify is not configured"
    NO_ADDRESS = "no_address", "Not sent: no email address"


class Email(models.Model):
    """One email to one address (or, ``NO_ADDRESS``, the record that there was nobody to
    email)."""

    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    recipient = models.ForeignKey(ConferenceReportRecipient, on_delete=models.PROTECT,
                                  related_name="emails",
                                  help_text="The agency the report was sent to")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+",
                              help_text="The person emailed; empty for the agency's "
                                        "safeguarding email address")
    email_address = models.EmailField(blank=True)
    personalisation = models.JSONField(default=dict, blank=True,
                                       help_text="The template's placeholders, as sent")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    notify_id = models.CharField("GOV.UK Notify's id", max_length=36, blank=True)
    error = models.CharField(max_length=500, blank=True,
                             help_text="The last failure (no personal data)")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]

    @property
    def reference(self) -> str:
        """What GOV.UK Notify is told the email is (its ``reference``: no personal data)."""
        return f"safeguard-email-{self.pk}"

    @property
    def to(self) -> str:
        """Who it was for, as the sent-report page says it."""
        if self.status == Status.NO_ADDRESS:
            return "Nobody"
        if self.staff is not None:
            return self.staff.name
        return "The agency’s safeguarding email address"

    @property
    def outcome(self) -> str:
        """What became of it, as the sent-report page says it."""
        if self.status == Status.SENT and self.sent_at is not None:
            return f"Sent {format_date(self.sent_at)} at {format_time(self.sent_at)}"
        if self.status == Status.PENDING:
            if self.attempts == 0:
                return "Waiting to be sent"
            tries = "1 try" if self.attempts == 1 else f"{self.attempts} tries"
            return (f"Not sent yet: GOV.UK Notify did not take it ({tries}). Safeguard will "
                    "try again")
        if self.status == Status.GAVE_UP:
            return (f"Not sent: GOV.UK Notify did not take it after {self.attempts} tries. "
                    "Tell the agency yourself")
        if self.status == Status.NO_ADDRESS:
            return ("Not sent: nobody invited from the agency has an email address in "
                    "Safeguard, and the agency has no safeguarding email address")
        return str(Status(self.status).label)
