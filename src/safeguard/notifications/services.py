"""Queueing emails with an action, and delivering them through GOV.UK Notify.

:func:`report_shared_queue` is called by ``sharing.services.conference_report_send`` inside
its transaction. :func:`deliver` sends what is due; it runs after the commit and from
``safeguard manage send_notifications``. Each email is claimed before it is sent (a
conditional update, so two deliveries at once never send it twice) and its outcome written
after. Delivery is at least once: if the process stops between Notify taking an email and
the outcome being written, the email is tried again when its claim lapses.

Nothing here logs, or stores as an error, personal data: logs name the email by its id and
the HTTP status only; the stored error is Notify's own message with the address taken out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from safeguard.core.dates import format_date
from safeguard.notifications.models import Email, Purpose, Status
from safeguard.sharing.models import ConferenceReportSent

logger = logging.getLogger(__name__)

#: Tries before an email that GOV.UK Notify keeps failing to take is given up on.
MAX_ATTEMPTS = 10
#: The wait after the first failed try; it doubles with each try, up to ``MAX_BACKOFF``
#: (1, 2, 4 … minutes, then every 2 hours: about 6 hours in all before the last try).
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=2)
#: How long a claimed email is left to its delivery before another may try it.
CLAIM = timedelta(minutes=5)

#: Which setting holds each purpose's GOV.UK Notify template id.
TEMPLATE_SETTINGS = {Purpose.REPORT_SHARED: "NOTIFY_TEMPLATE_REPORT_SHARED"}

# A GOV.UK Notify API key: {key name}-{service id}-{secret key}, both ids UUIDs.
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_API_KEY = re.compile(rf".+-{_UUID}-{_UUID}")


def not_configured_because(purpose: str = Purpose.REPORT_SHARED) -> str:
    """Why GOV.UK Notify cannot be used for ``purpose`` ("" when it can): for operators, it
    names the missing setting."""
    key = getattr(settings, "NOTIFY_API_KEY", "")
    if not key:
        return "NOTIFY_API_KEY is not set"
    if not _API_KEY.fullmatch(key):
        return "NOTIFY_API_KEY is not a GOV.UK Notify API key"
    name = TEMPLATE_SETTINGS[Purpose(purpose)]
    if not getattr(settings, name, ""):
        return f"{name} is not set"
    if not getattr(settings, "NOTIFY_SAFEGUARD_URL", ""):
        return "NOTIFY_SAFEGUARD_URL is not set"
    return ""


# ---- queueing ------------------------------------------------------------------------------


def report_shared_queue(*, sent: ConferenceReportSent) -> list[Email]:
    """Queue the emails telling each agency a conference report was sent to that it has been
    shared with it: to each of the agency's staff invited to the conference (attended or
    not) who is active and has an email address; if none has, to the agency's safeguarding
    email address; if it has none either, a record that nobody could be emailed. Call inside
    the sending's transaction; delivery starts once it commits."""
    now = timezone.now()
    why_not = not_configured_because(Purpose.REPORT_SHARED)
    path = reverse("protection:conference-detail", args=[sent.conference_id])
    link = settings.NOTIFY_SAFEGUARD_URL.rstrip("/") + path
    invitees = list(sent.conference.invitees.select_related("staff__user"))
    emails = []
    for recipient in sent.recipients.select_related("agency"):
        agency = recipient.agency
        personalisation = {"agency_name": agency.name, "shared_on": format_date(sent.sent_at),
                           "link": link}
        people: dict[str, Any] = {}
        for invitee in invitees:
            staff = invitee.staff
            if (invitee.agency_id == agency.pk and staff is not None and staff.active
                    and staff.agency_id == agency.pk and staff.email):
                people.setdefault(staff.email.strip().lower(), staff)
        to: list[tuple[Any, str]] = [(s, s.email.strip()) for s in people.values()]
        if not to and agency.safeguarding_email:
            to = [(None, agency.safeguarding_email.strip())]
        if not to:
            to = [(None, "")]
        for staff, address in to:
            status = (Status.NO_ADDRESS if not address
                      else Status.NOT_CONFIGURED if why_not else Status.PENDING)
            emails.append(Email(
                purpose=Purpose.REPORT_SHARED, recipient=recipient, staff=staff,
                email_address=address, personalisation=personalisation, status=status,
                created_at=now, next_attempt_at=now if status == Status.PENDING else None,
                error=f"GOV.UK Notify is not configured: {why_not}"
                if status == Status.NOT_CONFIGURED else ""))
    Email.objects.bulk_create(emails)
    due = [e.pk for e in emails if e.status == Status.PENDING]
    if due:
        transaction.on_commit(partial(deliver, ids=due), robust=True)
    return emails


# ---- delivery ------------------------------------------------------------------------------


@dataclass
class Delivered:
    """What one delivery did: counts of emails sent, left to try again, and not sent."""

    sent: int = 0
    retrying: int = 0
    not_sent: int = 0
    errors: list[str] = field(default_factory=list)


def _client() -> Any:
    from notifications_python_client.notifications import NotificationsAPIClient

    options: dict[str, Any] = {"timeout": settings.NOTIFY_TIMEOUT}
    if settings.NOTIFY_BASE_URL:
        options["base_url"] = settings.NOTIFY_BASE_URL
    client: Any = NotificationsAPIClient  # the client has no type hints
    return client(settings.NOTIFY_API_KEY, **options)


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: 1, 2, 4 … minutes, at most ``MAX_BACKOFF``."""
    wait: timedelta = FIRST_BACKOFF * (1 << min(max(attempts - 1, 0), 20))
    return min(wait, MAX_BACKOFF)


def _error_text(exc: Exception, address: str) -> tuple[int | None, str]:
    """(HTTP status, or None if Notify was never reached; the error, without the address)."""
    from notifications_python_client.errors import APIError

    if isinstance(exc, APIError):
        status: int | None = exc.status_code
        message = exc.message
        if isinstance(message, list):
            message = "; ".join(f"{m.get('error', '')}: {m.get('message', '')}"
                                if isinstance(m, dict) else str(m) for m in message)
        if exc.response is None:
            status = None
            cause = exc.__cause__
            message = f"no answer from GOV.UK Notify ({type(cause).__name__ if cause else ''})"
        text = f"{status}: {message}" if status else str(message)
    else:
        status, text = None, f"Safeguard could not send it ({type(exc).__name__})"
    if address:
        text = re.sub(re.escape(address), "[email address]", text, flags=re.IGNORECASE)
    return status, text[:500]


def _retryable(status: int | None) -> bool:
    """Worth trying again: Notify not reached, rate-limited (429) or failing (5xx). Any other
    4xx is Notify refusing this request, and would refuse it again."""
    return status is None or status == 429 or status >= 500


def _send_one(email: Email, client: Any, template_id: str, now: datetime,
              result: Delivered) -> None:
    claimed = Email.objects.filter(
        pk=email.pk, status=Status.PENDING, attempts=email.attempts,
        next_attempt_at__lte=now).update(attempts=F("attempts") + 1, last_attempt_at=now,
                                         next_attempt_at=now + CLAIM)
    if not claimed:
        return  # another delivery has it
    attempts = email.attempts + 1
    try:
        response = client.send_email_notification(
            email_address=email.email_address, template_id=template_id,
            personalisation=email.personalisation, reference=email.reference)
        notify_id = str(response["id"]) if isinstance(response, dict) else ""
        if not notify_id:
            raise ValueError("GOV.UK Notify's answer has no id")
    except Exception as exc:  # any failure is recorded, never raised
        status, text = _error_text(exc, email.email_address)
        if _retryable(status) and attempts < MAX_ATTEMPTS:
            changes: dict[str, Any] = {"status": Status.PENDING,
                                       "next_attempt_at": now + backoff(attempts)}
            result.retrying += 1
        else:
            changes = {"status": Status.GAVE_UP if _retryable(status) else Status.FAILED,
                       "next_attempt_at": None}
            result.not_sent += 1
        Email.objects.filter(pk=email.pk).update(error=text, **changes)
        result.errors.append(f"email {email.pk}: {text}")
        logger.warning("GOV.UK Notify did not take email %s (attempt %s, HTTP status %s)",
                       email.pk, attempts, status or "none")
        return
    Email.objects.filter(pk=email.pk).update(
        status=Status.SENT, notify_id=notify_id[:36], sent_at=timezone.now(),
        next_attempt_at=None, error="")
    result.sent += 1


def deliver(*, ids: Iterable[int] | None = None) -> Delivered:
    """Send the emails that are due (of ``ids``, if given) through GOV.UK Notify. Each is
    recorded as sent (with Notify's id), to try again later (with backoff, up to
    ``MAX_ATTEMPTS`` tries), or not sent (Notify refused it, or never took it); without
    Notify's settings, as not sent because it is not configured. Never raises for an email
    that fails."""
    now = timezone.now()
    result = Delivered()
    due = Email.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    emails = list(due.order_by("id"))
    by_purpose: dict[str, list[Email]] = {}
    for email in emails:
        by_purpose.setdefault(email.purpose, []).append(email)
    for purpose, group in by_purpose.items():
        why_not = not_configured_because(purpose)
        if why_not:
            result.not_sent += Email.objects.filter(
                pk__in=[e.pk for e in group], status=Status.PENDING).update(
                status=Status.NOT_CONFIGURED, next_attempt_at=None,
                error=f"GOV.UK Notify is not configured: {why_not}")
            result.errors.append(f"GOV.UK Notify is not configured: {why_not}")
            continue
        client = _client()
        template_id = getattr(settings, TEMPLATE_SETTINGS[Purpose(purpose)])
        for email in group:
            _send_one(email, client, template_id, now, result)
    return result
