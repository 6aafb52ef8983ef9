"""POST /api/v1/obligations: the engine's output document, as the contract gives it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from safeguard.statutory import obligations_document

from .helpers import EXAMPLES, load_example, post_timeline, without_source


@pytest.fixture
def client(signed_client: Client) -> Client:
    return signed_client


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_worked_examples_give_the_expected_obligations(client: Client, path: Path) -> None:
    example = load_example(path)
    response = post_timeline(client, example["timeline"], query=f"?as_of={example['as_of']}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert without_source(response.json()) == example["expected"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_body_is_the_engines_document_exactly(client: Client, path: Path) -> None:
    example = load_example(path)
    as_of = date.fromisoformat(example["as_of"])
    response = post_timeline(client, example["timeline"], query=f"?as_of={as_of}")
    assert response.json() == obligations_document(example["timeline"], as_of)


def test_every_obligation_cites_its_source(client: Client) -> None:
    example = load_example(EXAMPLES[0])
    response = post_timeline(client, example["timeline"], query=f"?as_of={example['as_of']}")
    obligations = response.json()["obligations"]
    assert obligations
    assert all(isinstance(ob["source"], str) and ob["source"] for ob in obligations)


# A referral on Friday 27 June 2025 is due a decision on Monday 30 June.
REFERRAL = {"events": [{"type": "referral_received", "date": "2025-06-27"}]}


@pytest.mark.parametrize(
    ("as_of", "status", "late"),
    [("2025-06-30", "due", 0), ("2025-07-01", "overdue", 1), ("2025-07-07", "overdue", 5)],
)
def test_as_of_decides_whether_an_open_duty_is_due_or_overdue(
    client: Client, as_of: str, status: str, late: int
) -> None:
    response = post_timeline(client, REFERRAL, query=f"?as_of={as_of}")
    [obligation] = response.json()["obligations"]
    assert (obligation["status"], obligation["working_days_late"]) == (status, late)


def test_as_of_defaults_to_today_in_london_not_utc(client: Client) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    with time_machine.travel(datetime(2025, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        response = post_timeline(client, REFERRAL)
    [obligation] = response.json()["obligations"]
    assert obligation["status"] == "overdue"
    assert obligation["working_days_late"] == 1


def test_warnings_from_the_engine_are_passed_on(client: Client) -> None:
    timeline = {"events": [{"type": "referral_received", "date": "2014-06-02"}]}
    response = post_timeline(client, timeline, query="?as_of=2014-06-10")
    assert response.status_code == 200
    body = response.json()
    assert body == obligations_document(timeline, date(2014, 6, 10))
    assert body["warnings"]


def test_members_the_format_does_not_define_are_ignored(client: Client) -> None:
    timeline = {
        "case_id": "C-123",
        "events": [{"type": "referral_received", "date": "2025-06-27", "id": "e1"}],
    }
    response = post_timeline(client, timeline, query="?as_of=2025-06-30")
    assert response.status_code == 200
    assert response.json()["obligations"][0]["duty"] == "referral.decision"


def test_an_empty_timeline_has_no_obligations(client: Client) -> None:
    response = post_timeline(client, {"events": []}, query="?as_of=2025-06-30")
    assert response.status_code == 200
    assert response.json() == {"obligations": []}


def test_a_json_content_type_with_utf8_charset_is_accepted(client: Client) -> None:
    response = post_timeline(
        client, REFERRAL, query="?as_of=2025-06-30", content_type="application/json; charset=UTF-8"
    )
    assert response.status_code == 200


def test_case_data_is_never_cached(client: Client) -> None:
    response = post_timeline(client, REFERRAL, query="?as_of=2025-06-30")
    assert response["Cache-Control"] == "no-store"


def test_no_csrf_token_is_needed(api_headers: dict[str, str]) -> None:
    strict = Client(enforce_csrf_checks=True, headers=api_headers)
    response = post_timeline(strict, REFERRAL, query="?as_of=2025-06-30")
    assert response.status_code == 200


def test_sign_in_is_needed() -> None:
    response = post_timeline(Client(), REFERRAL, query="?as_of=2025-06-30")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/api/v1/problems/sign-in-required"


def test_a_revoked_or_unknown_token_is_refused(signed_client: Client) -> None:
    unknown = Client(headers={"Authorization": "Bearer sg_not-a-token"})
    assert post_timeline(unknown, REFERRAL).status_code == 401


def test_a_signed_in_browser_session_needs_its_csrf_token(db: None) -> None:
    from django.contrib.auth import get_user_model

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.create_user("browser-user"))
    assert post_timeline(browser, REFERRAL).status_code == 403
    browser.get("/check-timeline")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/obligations", data='{"events": []}',
                            content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200
