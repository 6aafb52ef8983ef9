"""The pages that share: sending a conference's report and exporting a case record. Bad
input shows the GOV.UK error summary naming the field and changes nothing; a person who
cannot see the case gets "not found"; one who sees it without the right, "forbidden"."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from safeguard.core.models import AuditEntry
from safeguard.sharing.models import ConferenceReportSent, SharingDecision

pytestmark = [pytest.mark.django_db]

CONSENTED = {"purpose": "So each agency knows the plan", "consent_sought": "yes",
             "consent_given": "yes", "person_told": "yes"}
NO_CONSENT = {"purpose": "The child has moved to Southshire", "consent_sought": "no",
              "consent_not_sought_reason": "Would alert the alleged abuser",
              "article_6_basis": "6(1)(e)", "paragraph_18_reason": "would_prejudice",
              "person_told": "no", "person_not_told_reason": "Police investigation"}


def signed_in(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_send_the_report_from_the_conference_page(north, conference):
    chair = signed_in(north["chair"])
    page = chair.get(f"/protection/conferences/{conference.pk}/").content.decode()
    assert f"/sharing/conferences/{conference.pk}/send-report/" in page
    url = f"/sharing/conferences/{conference.pk}/send-report/"
    form = chair.get(url)
    html = form.content.decode()
    assert form.status_code == 200 and form["Cache-Control"] == "no-store"
    assert north.police.name in html and north.gp.name in html
    assert f'value="{north.la.pk}"' not in html  # the authority's own record
    assert "Physical abuse" in html and "Next review conference due" in html
    response = chair.post(url, {**CONSENTED, "recipients": [north.police.pk, north.gp.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"/protection/conferences/{conference.pk}/"
    assert SharingDecision.objects.filter(action="conference_report").count() == 2
    page = chair.get(response["Location"]).content.decode()
    assert "Report sent to 2 agencies" in page and 'id="reports-sent"' in page
    police = signed_in(north["police"]).get(f"/protection/conferences/{conference.pk}/")
    seen = police.content.decode()
    assert 'id="reports-sent"' in seen and north.police.name in seen
    assert "send-report-link" not in seen
    assert seen.count("Decision ") == 1  # its own record, not the GP's
    again = chair.get(url).content.decode()
    assert "Already sent to" in again and north.gp.name in again


def test_bad_input_shows_the_error_summary_and_sends_nothing(north, conference):
    chair = signed_in(north["chair"])
    url = f"/sharing/conferences/{conference.pk}/send-report/"
    response = chair.post(url, {**NO_CONSENT, "article_6_basis": "",
                                "purpose": "As typed, kept"})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert "govuk-error-summary" in html
    assert "Select the agencies to send the report to" in html
    assert 'href="#id_recipients"' in html
    response = chair.post(url, {**NO_CONSENT, "article_6_basis": "",
                                "recipients": [north.police.pk]})
    html = response.content.decode()
    assert "Select the lawful basis under Article 6" in html
    assert 'href="#id_article_6_basis"' in html
    assert not ConferenceReportSent.objects.exists() and not SharingDecision.objects.exists()


def test_who_cannot_send_the_report(north, south, conference):
    url = f"/sharing/conferences/{conference.pk}/send-report/"
    body = {**CONSENTED, "recipients": [north.police.pk]}
    assert signed_in(south["social_worker"]).get(url).status_code == 404
    assert signed_in(south["chair"]).post(url, body).status_code == 404
    assert signed_in(north["early_help"]).post(url, body).status_code == 404
    assert signed_in(north["police"]).get(url).status_code == 403
    assert signed_in(north["police"]).post(url, body).status_code == 403
    assert not SharingDecision.objects.exists()


def test_export_a_case_record_to_print(north, south, conference):
    case = conference.case
    worker = signed_in(north["social_worker"])
    assert 'id="export-link"' in worker.get(f"/sharing/cases/{case.pk}/").content.decode()
    url = f"/sharing/cases/{case.pk}/export/"
    assert worker.get(url).status_code == 200
    response = worker.post(url, {**NO_CONSENT, "with_agency": south.la.pk,
                                 "sections": ["chronology", "family"], "format": "html"})
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    record = SharingDecision.objects.get()
    assert "Case record of Mia Clarke" in html and 'id="export-chronology"' in html
    assert 'id="export-child-protection"' not in html
    assert f"/sharing/cases/{case.pk}/{record.pk}/" in html
    assert record.with_agency == south.la and record.action == "case_export"


def test_export_a_case_record_as_a_file(north, conference):
    case = conference.case
    response = signed_in(north["manager"]).post(
        f"/sharing/cases/{case.pk}/export/",
        {**CONSENTED, "with_whom": "Family court, Leeds", "sections": ["child_protection"],
         "format": "json"})
    record = SharingDecision.objects.get()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="case-export-{record.pk}.json"')
    document = json.loads(response.content)
    assert document["sharing_decision_id"] == record.pk
    assert document["for"] == {"agency": None, "person": "Family court, Leeds"}
    assert document["child_protection"]["conferences"][0]["held_on"] == "2026-11-17"


def test_bad_export_input_shows_the_error_summary_and_exports_nothing(north, conference):
    worker = signed_in(north["social_worker"])
    response = worker.post(f"/sharing/cases/{conference.case.pk}/export/",
                           {**NO_CONSENT, "format": "html", "sections": ["chronology"],
                            "person_not_told_reason": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert "Choose the agency, or enter who, the record is for" in html
    assert "Enter why the child or family was not told" in html
    assert not SharingDecision.objects.exists()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_who_cannot_export(north, south, conference):
    url = f"/sharing/cases/{conference.case.pk}/export/"
    body = {**CONSENTED, "with_whom": "Court", "sections": ["chronology"], "format": "json"}
    assert signed_in(south["social_worker"]).get(url).status_code == 404
    assert signed_in(south["manager"]).post(url, body).status_code == 404
    assert signed_in(north["school_dsl"]).get(url).status_code == 403
    assert signed_in(north["chair"]).post(url, body).status_code == 403
    assert not SharingDecision.objects.exists()


def test_a_partner_sees_only_the_decisions_of_their_own_agency(north, conference) -> None:
    """Need to know: the school sees its own decisions and those made with it, not the
    social worker's decision to share with the police."""
    from safeguard.sharing.services import sharing_record

    case = conference.case
    sw = north["social_worker"].user
    police = sharing_record(
        actor=sw, case_id=case.pk, decision="share", what="The assessment summary",
        purpose="A joint visit", consent_sought=True, consent_given=True, person_told=True,
        with_agency_id=north.police.pk)
    school = sharing_record(
        actor=sw, case_id=case.pk, decision="share", what="The plan's actions for school",
        purpose="Support at school", consent_sought=True, consent_given=True, person_told=True,
        with_agency_id=north.schools[0].pk)
    client = Client()
    client.force_login(north["school_dsl"].user)
    listed = client.get(f"/sharing/cases/{case.pk}/").content.decode()
    assert f"/sharing/cases/{case.pk}/{school.pk}/" in listed
    assert f"/sharing/cases/{case.pk}/{police.pk}/" not in listed
    assert client.get(f"/sharing/cases/{case.pk}/{police.pk}/").status_code == 404
    api = client.get(f"/api/v1/sharing/cases/{case.pk}/decisions").json()
    assert [d["id"] for d in api] == [school.pk]
    assert client.get(f"/api/v1/sharing/cases/{case.pk}/decisions/{police.pk}").status_code == 404
    social_care = Client()
    social_care.force_login(sw)
    assert {d["id"] for d in social_care.get(
        f"/api/v1/sharing/cases/{case.pk}/decisions").json()} == {police.pk, school.pk}
