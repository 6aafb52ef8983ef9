"""Telling the agencies a conference report was sent to: each agency's people invited to the
conference are emailed through GOV.UK Notify (here a real HTTP server speaking Notify's API,
safeguard.testing.notify_server, reached by the official client), after the sending commits
and again by ``safeguard manage send_notifications``; what became of each email is on the
sent-report page. No email carries personal data, and no failure to email undoes the
sending."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from safeguard.agencies.models import Role, Staff
from safeguard.notifications import services
from safeguard.notifications.models import Email, Status
from safeguard.protection.models import ConferenceInvitee
from safeguard.sharing.models import ConferenceReportSent, SharingDecision
from safeguard.sharing.services import conference_report_send
from safeguard.testing.notify_server import running_notify_server

from .conftest import WITH_CONSENT

pytestmark = [pytest.mark.django_db, pytest.mark.db]

SITE = "https://safeguard.example.gov.uk"
SUBJECT = "A child protection conference report has been shared with ((agency_name))"
BODY = ("A child protection conference report has been shared with ((agency_name)) on "
        "((shared_on)).\n\nSign in to Safeguard to read it: ((link))")
PAGE_ANSWERS = {"purpose": "So each agency knows the plan", "consent_sought": "yes",
                "consent_given": "yes", "person_told": "yes"}


@pytest.fixture
def notify(settings):
    """GOV.UK Notify, configured as production configures it (from the environment)."""
    with running_notify_server() as server:
        settings.NOTIFY_API_KEY = server.api_key
        settings.NOTIFY_BASE_URL = server.base_url
        settings.NOTIFY_SAFEGUARD_URL = SITE
        settings.NOTIFY_TEMPLATE_REPORT_SHARED = server.add_template(SUBJECT, BODY)
        yield server


@pytest.fixture
def no_notify(settings):
    """The demo and local development: no key (Notify's other settings as they may be)."""
    with running_notify_server() as server:
        settings.NOTIFY_API_KEY = ""
        settings.NOTIFY_BASE_URL = server.base_url
        settings.NOTIFY_SAFEGUARD_URL = SITE
        settings.NOTIFY_TEMPLATE_REPORT_SHARED = server.add_template(SUBJECT, BODY)
        yield server


def send(area, conference, agencies, commits):
    """Send the report as the chair; the callbacks run as when the transaction commits."""
    with commits(execute=True):
        return conference_report_send(actor=area["chair"].user, conference_id=conference.pk,
                                      agency_ids=[a.pk for a in agencies], **WITH_CONSENT)


def colleague(agency, username, email, *, active=True) -> Staff:
    user = get_user_model().objects.create(username=username, first_name="Ola",
                                           last_name="Nowak")
    return Staff.objects.create(user=user, agency=agency, role=Role.POLICE_OFFICER,
                                email=email, active=active)


def signed_in(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_each_agencys_invited_people_are_emailed_and_notifys_ids_kept(
        north, conference, notify, django_capture_on_commit_callbacks):
    # The police: the invited officer and a colleague invited too (once, though invited
    # twice); not one who has left, nor one with no email address.
    second = colleague(north.police, "north-police-2", "o.nowak@northshire-police.example.org")
    left = colleague(north.police, "north-police-3", "left@example.org", active=False)
    no_email = colleague(north.police, "north-police-4", "")
    for staff in (second, second, left, no_email):
        ConferenceInvitee.objects.create(conference=conference, agency=north.police,
                                         staff=staff, name=staff.name)
    # The GP practice: Dr Patel has no account, so its safeguarding email address.
    north.gp.safeguarding_email = "safeguarding@northshire-road-surgery.example.org"
    north.gp.save()
    sent = send(north, conference, [north.police, north.trust, north.gp],
                django_capture_on_commit_callbacks)
    emails = {e.email_address: e for e in Email.objects.filter(recipient__sent=sent)}
    assert set(emails) == {north["police"].email, second.email, north["health"].email,
                           "safeguarding@northshire-road-surgery.example.org"}
    assert emails[second.email].staff == second
    assert emails["safeguarding@northshire-road-surgery.example.org"].staff is None
    by_address = {r.body["email_address"]: r for r in notify.emails}
    assert set(by_address) == set(emails) and len(notify.received) == 4
    link = f"{SITE}/protection/conferences/{conference.pk}/"
    for address, email in emails.items():
        received = by_address[address]
        assert email.status == Status.SENT and email.attempts == 1 and email.error == ""
        assert email.notify_id == received.answer["id"] and email.sent_at is not None
        agency = email.recipient.agency
        assert received.body == {
            "email_address": address,
            "template_id": notify.templates[received.body["template_id"]].id,
            "personalisation": {"agency_name": agency.name, "shared_on": "24 November 2026",
                                "link": link},
            "reference": f"safeguard-email-{email.pk}"}
        assert received.answer["content"]["body"] == (
            f"A child protection conference report has been shared with {agency.name} on "
            f"24 November 2026.\n\nSign in to Safeguard to read it: {link}")
    # The link opens the report's conference for the agency's own people.
    police_page = signed_in(north["police"]).get(link.removeprefix(SITE))
    assert police_page.status_code == 200 and 'id="reports-sent"' in police_page.content.decode()


def test_no_personal_data_goes_to_notify_or_into_the_logs(
        north, conference, notify, django_capture_on_commit_callbacks, caplog):
    case = conference.case
    notify.fail_next = [500]  # a failure too: its record and log lines
    with caplog.at_level(logging.DEBUG):
        send(north, conference, [north.police, north.trust], django_capture_on_commit_callbacks)
    assert len(notify.received) == 2
    secret = [case.child.given_name, case.child.family_name, case.reference,
              str(case.child.date_of_birth), "Bruising", "Physical abuse"]
    for received in notify.received:
        seen = received.raw + received.path + repr(received.headers)
        for word in secret:
            assert word not in seen
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for word in [*secret, north["police"].email, north["health"].email]:
        assert word not in logged
    for email in Email.objects.all():
        assert email.email_address not in email.error
        for word in secret:
            assert word not in email.error and word not in repr(email.personalisation)


def test_a_notify_failure_is_retried_by_the_command_with_backoff(
        north, conference, notify, django_capture_on_commit_callbacks):
    notify.fail_next = [500]
    send(north, conference, [north.police], django_capture_on_commit_callbacks)
    email = Email.objects.get()
    now = timezone.now()
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.error == "500: Exception: Internal server error"
    assert email.next_attempt_at == now + timedelta(minutes=1)
    assert email.outcome == ("Not sent yet: GOV.UK Notify did not take it (1 try). Safeguard "
                             "will try again")
    out = StringIO()
    call_command("send_notifications", stdout=out)  # not due yet
    assert out.getvalue().strip() == "Sent 0; to try again later 0; not sent 0"
    assert len(notify.received) == 1
    notify.fail_next = [503]
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        call_command("send_notifications", stdout=StringIO(), stderr=StringIO())
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 2)
    assert email.next_attempt_at == now + timedelta(minutes=3)  # then 2 minutes
    with time_machine.travel(now + timedelta(minutes=3), tick=False):
        out = StringIO()
        call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "Sent 1; to try again later 0; not sent 0"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (Status.SENT, 3, "")
    assert email.notify_id == notify.emails[0].answer["id"]
    assert [r.status for r in notify.received] == [500, 503, 201]
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        call_command("send_notifications", stdout=StringIO())
    assert len(notify.received) == 3  # sent once only


def test_an_email_notify_never_takes_is_given_up_on(north, conference, notify,
                                                     django_capture_on_commit_callbacks):
    notify.fail_next = [503] * services.MAX_ATTEMPTS
    send(north, conference, [north.police], django_capture_on_commit_callbacks)
    moment = timezone.now()
    for _ in range(services.MAX_ATTEMPTS - 1):
        moment = Email.objects.get().next_attempt_at
        with time_machine.travel(moment, tick=False):
            call_command("send_notifications", stdout=StringIO(), stderr=StringIO())
    email = Email.objects.get()
    assert (email.status, email.attempts) == (Status.GAVE_UP, services.MAX_ATTEMPTS)
    assert moment - timezone.now() > timedelta(hours=5)  # the waits doubled, then 2 hours
    assert email.outcome.startswith("Not sent: GOV.UK Notify did not take it after 10 tries")
    assert ConferenceReportSent.objects.count() == 1


def test_a_request_notify_refuses_is_not_retried(north, conference, notify, settings,
                                                  django_capture_on_commit_callbacks):
    settings.NOTIFY_TEMPLATE_REPORT_SHARED = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    send(north, conference, [north.police], django_capture_on_commit_callbacks)
    email = Email.objects.get()
    assert (email.status, email.error) == (Status.FAILED, "400: BadRequestError: Template not "
                                                          "found")
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        call_command("send_notifications", stdout=StringIO())
    assert len(notify.received) == 1 and notify.emails == []


def test_when_notify_cannot_be_reached_the_report_is_still_sent(
        north, conference, notify, settings, django_capture_on_commit_callbacks):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"  # nothing listens there
    chair = signed_in(north["chair"])
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(f"/sharing/conferences/{conference.pk}/send-report/",
                              {**PAGE_ANSWERS, "recipients": [north.police.pk]})
    assert response.status_code == 302
    assert ConferenceReportSent.objects.count() == 1 and SharingDecision.objects.count() == 1
    email = Email.objects.get()
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.error == "no answer from GOV.UK Notify (ConnectionError)"


def test_the_sent_report_page_says_who_was_emailed_and_who_was_not(
        north, conference, notify, django_capture_on_commit_callbacks):
    # The school: its invitee has no account, and it has no safeguarding email address.
    url = f"/sharing/conferences/{conference.pk}/send-report/"
    chair = signed_in(north["chair"])
    with django_capture_on_commit_callbacks(execute=True):
        chair.post(url, {**PAGE_ANSWERS, "recipients": [north.police.pk, north.schools[0].pk]})
    school = Email.objects.get(recipient__agency=north.schools[0])
    assert (school.status, school.email_address) == (Status.NO_ADDRESS, "")
    page = chair.get(url).content.decode()
    assert 'id="emails"' in page and "Emails to the agencies" in page
    assert north["police"].name in page and "Sent 24 November 2026 at midday" in page
    assert ("Not sent: nobody invited from the agency has an email address in Safeguard, and "
            "the agency has no safeguarding email address") in page
    assert north["police"].email not in page  # who, not their address
    assert len(notify.emails) == 1


def test_without_a_key_nothing_is_sent_and_the_page_says_so(
        north, conference, no_notify, django_capture_on_commit_callbacks):
    url = f"/sharing/conferences/{conference.pk}/send-report/"
    chair = signed_in(north["chair"])
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(url, {**PAGE_ANSWERS, "recipients": [north.police.pk,
                                                                  north.trust.pk]})
    assert response.status_code == 302
    emails = list(Email.objects.all())
    assert [e.status for e in emails] == [Status.NOT_CONFIGURED] * 2
    assert {e.error for e in emails} == {"GOV.UK Notify is not configured: NOTIFY_API_KEY is "
                                         "not set"}
    page = chair.get(url).content.decode()
    assert page.count("Not sent: GOV.UK Notify is not configured") == 2
    assert "Sent 24 November" not in page
    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "Sent 0; to try again later 0; not sent 0"
    assert no_notify.received == []


def test_a_delivery_without_the_settings_records_the_emails_as_not_sent(
        north, conference, notify, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # queued; not yet delivered
        conference_report_send(actor=north["chair"].user, conference_id=conference.pk,
                               agency_ids=[north.police.pk], **WITH_CONSENT)
    settings.NOTIFY_SAFEGUARD_URL = ""  # the command's environment lacks a setting
    err = StringIO()
    call_command("send_notifications", stdout=StringIO(), stderr=err)
    assert "NOTIFY_SAFEGUARD_URL is not set" in err.getvalue()
    assert Email.objects.get().status == Status.NOT_CONFIGURED
    assert notify.received == []


def test_an_email_claimed_by_another_delivery_is_not_sent_twice(
        north, conference, notify, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        conference_report_send(actor=north["chair"].user, conference_id=conference.pk,
                               agency_ids=[north.police.pk], **WITH_CONSENT)
    stale = Email.objects.get()  # as a second delivery read it, before the first sent it
    assert services.deliver().sent == 1
    result = services.Delivered()
    services._send_one(stale, services._client(), "unused", timezone.now(), result)
    assert result == services.Delivered() and len(notify.received) == 1
