"""The "Check a case timeline" page through Django's test client."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguard.statutory import obligations_document

URL = "/check-timeline"

LATE_DECISION = {
    "form": "dates",
    "edition": "by-date",
    "referral-received-day": "28",
    "referral-received-month": "8",
    "referral-received-year": "2026",
    "referral-decision-day": "2",
    "referral-decision-month": "9",
    "referral-decision-year": "2026",
    "referral-decision-outcome": "assessment",
    "as-of-day": "23",
    "as-of-month": "11",
    "as-of-year": "2026",
}
LATE_DECISION_TIMELINE = {
    "events": [
        {"type": "referral_received", "date": "2026-08-28"},
        {"type": "referral_decision", "date": "2026-09-02", "outcome": "assessment"},
    ]
}
FILE_AS_OF = {"file-as-of-day": "23", "file-as-of-month": "11", "file-as-of-year": "2026"}


class _Tables(HTMLParser):
    """The cells' text of each body row of the results table (id="obligations")."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == "obligations":
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._in_table = self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(html)
    return parser.rows


def error_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [(href, " ".join(text.split()))
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, re.S)]


def title(html: str) -> str:
    return " ".join(re.search(r"<title[^>]*>(.*?)</title>", html, re.S).group(1).split())


@pytest.fixture
def client(db, django_user_model) -> Client:
    """A signed-in person's browser: every page asks for sign-in."""
    signed_in = Client(enforce_csrf_checks=False)
    signed_in.force_login(django_user_model.objects.create_user("checker"))
    return signed_in


def test_sign_in_is_needed(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=/check-timeline"


def test_the_url_is_named():
    assert reverse("timeline-check") == URL


def test_get_shows_the_empty_forms(client):
    with time_machine.travel(date(2026, 3, 29), tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert title(html) == "Check a case timeline – Safeguard"
    assert '<h1 class="govuk-heading-xl">Check a case timeline</h1>' in html
    assert "govuk-error-summary" not in html
    assert 'id="obligations"' not in html
    # The as-of date defaults to today in Europe/London.
    assert 'id="as-of-day" name="as-of-day" type="text" value="29"' in html
    assert 'name="as-of-month" type="text" value="3"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # GOV.UK Frontend, started from a module file rather than an inline script.
    assert 'href="/static/govuk-frontend/govuk-frontend.min.css"' in html
    assert '<script type="module" src="/static/safeguard/init-govuk-frontend.mjs">' in html
    assert 'href="/static/safeguard/favicon.svg"' in html
    assert "govuk-service-navigation" in html and "Safeguard" in html
    # Not on GOV.UK: no GOV.UK header, crown or typeface.
    assert "govuk-header" not in html and "govuk-logo" not in html
    assert "govuk-phase-banner" in html and "govuk-footer" in html


def test_today_is_taken_in_london(client):
    # 23:30 UTC on 31 March 2026 is already 1 April in London (BST).
    with time_machine.travel("2026-03-31T23:30:00+00:00", tick=False):
        html = client.get(URL).content.decode()
    assert 'id="as-of-day" name="as-of-day" type="text" value="1"' in html


def test_the_static_assets_are_served(client):
    for path in (
        "/static/govuk-frontend/govuk-frontend.min.css",
        "/static/govuk-frontend/govuk-frontend.min.js",
        "/static/safeguard/favicon.svg",
        "/static/safeguard/init-govuk-frontend.mjs",
        "/static/safeguard/safeguard.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        # Reading the stream to its end lets the test client close the response for us.
        assert b"".join(response.streaming_content), path


def test_key_dates_give_the_duties_with_overdue_first(client):
    response = client.post(URL, LATE_DECISION)
    assert response.status_code == 200
    html = response.content.decode()
    assert title(html) == "Check a case timeline – Safeguard"
    rows = table_rows(html)
    # The engine lists the referral decision first; the overdue assessment comes first here.
    assert rows == [
        [
            "Complete the assessment and decide the next steps Arose on 2 September 2026",
            "2 November 2026",
            "Overdue",
            "Not yet",
            "15",
            rows[0][5],
        ],
        [
            rows[1][0],
            "1 September 2026",
            "Late",
            "2 September 2026",
            "1",
            rows[1][5],
        ],
    ]
    assert rows[0][5].startswith("WT2018 1.75")
    assert rows[1][5].startswith("WT2018 1.71")
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Duties as of 23 November 2026</caption>' in html  # noqa: E501
    assert ">1 overdue, 1 late<" in html
    assert '<strong class="govuk-tag govuk-tag--red">' in html
    assert '<strong class="govuk-tag govuk-tag--orange">' in html
    # The dates typed stay in the form.
    assert 'id="referral-received-day" name="referral-received-day" type="text" value="28"' in html


def test_post_with_bad_dates_shows_the_error_summary_and_keeps_the_input(client):
    data = dict(LATE_DECISION)
    data.update({"referral-received-day": "31", "referral-received-month": "2",
                 "referral-decision-month": "", "referral-decision-outcome": ""})
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert title(html) == "Error: Check a case timeline – Safeguard"
    assert error_links(html) == [
        ("#referral-received-day", "The date the referral was received must be a real date"),
        ("#referral-decision-month", "The date of the referral decision must include a month"),
        ("#referral-decision-outcome", "Select the outcome of the referral decision"),
    ]
    # Inline messages, with the GOV.UK hidden "Error:" prefix.
    assert ('<span class="govuk-visually-hidden">Error:</span> The date the referral was '
            "received must be a real date") in html
    assert "govuk-form-group--error" in html
    assert 'id="obligations"' not in html
    for name, value in (("referral-received-day", "31"), ("referral-received-month", "2"),
                        ("referral-received-year", "2026"), ("referral-decision-day", "2")):
        assert f'name="{name}" type="text" value="{value}"' in html


def test_upload_a_good_timeline_file(client):
    upload = SimpleUploadedFile("timeline.json", json.dumps(LATE_DECISION_TIMELINE).encode(),
                                "application/json")
    response = client.post(URL, {"form": "file", "timeline-file": upload, **FILE_AS_OF})
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert [row[2] for row in rows] == ["Overdue", "Late"]


def test_upload_a_bad_timeline_file(client):
    bad = {"events": [{"type": "referral_decision", "date": "2026-09-02"}]}
    upload = SimpleUploadedFile("timeline.json", json.dumps(bad).encode(), "application/json")
    response = client.post(URL, {"form": "file", "timeline-file": upload, **FILE_AS_OF})
    assert response.status_code == 200
    html = response.content.decode()
    assert title(html).startswith("Error: ")
    [(href, message)] = error_links(html)
    assert href == "#timeline-file"
    assert message.startswith("Event 0 (referral_decision), field &#39;outcome&#39;: is missing")


def test_upload_a_file_that_is_not_json(client):
    upload = SimpleUploadedFile("timeline.json", b"events: []", "application/json")
    response = client.post(URL, {"form": "file", "timeline-file": upload, **FILE_AS_OF})
    [(href, message)] = error_links(response.content.decode())
    assert href == "#timeline-file"
    assert message.startswith("The selected file is not valid JSON")


def test_paste_good_json(client):
    response = client.post(
        URL, {"form": "file", "timeline-json": json.dumps(LATE_DECISION_TIMELINE), **FILE_AS_OF}
    )
    assert [row[2] for row in table_rows(response.content.decode())] == ["Overdue", "Late"]


def test_paste_bad_json_keeps_what_was_pasted(client):
    pasted = '{"events": [{"type": "referral_received", "date": "28/08/2026"}]}'
    response = client.post(URL, {"form": "file", "timeline-json": pasted, **FILE_AS_OF})
    html = response.content.decode()
    [(href, message)] = error_links(html)
    assert href == "#timeline-json"
    assert message.startswith("Event 0 (referral_received), field &#39;date&#39;: must be a date")
    assert "{&#34;events&#34;: [{&#34;type&#34;: &#34;referral_received&#34;" in html


def test_no_duties(client):
    response = client.post(
        URL, {"form": "file", "timeline-json": '{"events": []}', **FILE_AS_OF}
    )
    html = response.content.decode()
    assert "No duties arise from these events" in html
    assert 'id="obligations"' not in html


def test_download_as_json(client):
    html = client.post(URL, LATE_DECISION).content.decode()
    # The results carry a form that posts the timeline back for download.
    download_form = next(
        form for form in re.findall(r"<form.*?</form>", html, re.S)
        if 'name="form" value="download"' in form
    )
    fields = {
        name: unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', download_form
        )
    }
    fields.pop("csrfmiddlewaretoken", None)
    assert json.loads(fields["timeline-json"]) == LATE_DECISION_TIMELINE
    response = client.post(URL, fields)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="obligations-2026-11-23.json"'
    )
    assert json.loads(response.content) == obligations_document(
        LATE_DECISION_TIMELINE, date(2026, 11, 23)
    )


def test_other_methods_are_refused(client):
    assert client.put(URL).status_code == 405


def test_csrf_is_enforced(db, django_user_model):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_user_model.objects.create_user("strict"))
    response = strict.post(URL, LATE_DECISION)
    assert response.status_code == 403


def test_the_stylesheet_uses_arial_not_the_gov_uk_typeface(client):
    response = client.get("/static/govuk-frontend/govuk-frontend.min.css")
    css = b"".join(response.streaming_content).decode()
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "font-family:arial,sans-serif" in css


def test_a_deadline_the_engine_cannot_count_is_shown_on_the_pasted_timeline(client):
    pasted = json.dumps(
        {"events": [{"type": "referral_decision", "date": "2150-11-20", "outcome": "assessment"}]}
    )
    response = client.post(URL, {"form": "file", "timeline-json": pasted, **FILE_AS_OF})
    [(href, message)] = error_links(response.content.decode())
    assert href == "#timeline-json"
    assert message.startswith("Event 0 (referral_decision), field &#39;date&#39;: a deadline")
