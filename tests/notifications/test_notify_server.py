"""The test GOV.UK Notify (safeguard.testing.notify_server) against the official client: it
takes what Notify takes and refuses what Notify refuses, with Notify's answers."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from safeguard.testing.notify_server import FROM_EMAIL, NotifyServer, running_notify_server

SUBJECT = "A report has been shared with ((agency_name))"
BODY = "Shared on ((shared_on)). Sign in to read it: ((link))"
VALUES = {"agency_name": "Northshire Police", "shared_on": "24 November 2026",
          "link": "https://safeguard.example.gov.uk/protection/conferences/7/"}


@pytest.fixture
def server():
    with running_notify_server() as notify:
        notify.template_id = notify.add_template(SUBJECT, BODY)
        yield notify


def client(server: NotifyServer, api_key: str | None = None) -> NotificationsAPIClient:
    return NotificationsAPIClient(api_key or server.api_key, base_url=server.base_url)


def problem(caught: pytest.ExceptionInfo[HTTPError]) -> tuple[int, list[dict[str, str]]]:
    return caught.value.status_code, caught.value.message


def test_an_email_is_taken_with_notifys_documented_answer(server):
    answer = client(server).send_email_notification(
        email_address="someone@northshire-police.example.org", template_id=server.template_id,
        personalisation=VALUES, reference="safeguard-email-1")
    assert set(answer) == {"id", "reference", "content", "uri", "template", "scheduled_for"}
    assert answer["reference"] == "safeguard-email-1"
    assert answer["content"] == {
        "subject": "A report has been shared with Northshire Police",
        "body": "Shared on 24 November 2026. Sign in to read it: "
                "https://safeguard.example.gov.uk/protection/conferences/7/",
        "from_email": FROM_EMAIL, "one_click_unsubscribe_url": None}
    assert answer["uri"] == f"{server.base_url}/v2/notifications/{answer['id']}"
    assert answer["template"] == {"id": server.template_id, "version": 1,
                                  "uri": f"{server.base_url}/v2/template/{server.template_id}"}
    (received,) = server.emails
    assert (received.method, received.path) == ("POST", "/v2/notifications/email")
    assert received.body == {"email_address": "someone@northshire-police.example.org",
                             "template_id": server.template_id, "personalisation": VALUES,
                             "reference": "safeguard-email-1"}
    token = received.headers["authorization"].removeprefix("Bearer ")
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert jwt.decode(token, server.secret_key, algorithms=["HS256"])["iss"] == server.service_id


@pytest.mark.parametrize(("change", "message"), [
    ({"secret_key": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"},
     "Invalid token: signature, api token is not valid"),
    ({"service_id": "11111111-2222-4333-8444-555555555555"}, "Invalid token: service not found"),
])
def test_a_token_not_made_with_the_key_is_refused(server, change, message):
    key = {"service_id": server.service_id, "secret_key": server.secret_key, **change}
    with pytest.raises(HTTPError) as caught:
        client(server, f"other-{key['service_id']}-{key['secret_key']}").send_email_notification(
            email_address="someone@example.org", template_id=server.template_id,
            personalisation=VALUES)
    assert problem(caught) == (403, [{"error": "AuthError", "message": message}])
    assert server.emails == []


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512's
def test_no_token_an_old_token_or_another_algorithm_is_refused(server):
    url = f"{server.base_url}/v2/notifications/email"
    body = {"email_address": "someone@example.org", "template_id": server.template_id}
    answer = requests.post(url, json=body, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["error"] == "AuthError"
    old = jwt.encode({"iss": server.service_id, "iat": int(time.time()) - 60},
                     server.secret_key, algorithm="HS256")
    answer = requests.post(url, json=body, headers={"Authorization": f"Bearer {old}"}, timeout=5)
    assert answer.status_code == 403
    assert "clock" in answer.json()["errors"][0]["message"]
    other = jwt.encode({"iss": server.service_id, "iat": int(time.time())},
                       server.secret_key, algorithm="HS512")
    answer = requests.post(url, json=body, headers={"Authorization": f"Bearer {other}"},
                           timeout=5)
    assert (answer.status_code, answer.json()["errors"][0]["message"]) == (
        403, "Invalid token: algorithm used is not HS256")
    assert server.emails == []


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"email_address": "not an address"}, "ValidationError",
     "email_address Not a valid email address"),
    ({"template_id": "7"}, "ValidationError", "template_id is not a valid UUID"),
    ({"template_id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"}, "BadRequestError",
     "Template not found"),
    ({"personalisation": {"agency_name": "Northshire Police"}}, "BadRequestError",
     "Missing personalisation: shared_on, link"),
])
def test_a_bad_body_is_refused_as_notify_refuses_it(server, arguments, error, message):
    with pytest.raises(HTTPError) as caught:
        client(server).send_email_notification(**{
            "email_address": "someone@example.org", "template_id": server.template_id,
            "personalisation": VALUES, **arguments})
    assert problem(caught) == (400, [{"error": error, "message": message}])
    assert server.emails == []


def test_a_failure_asked_for_is_answered_once(server):
    server.fail_next = [500]
    send = client(server).send_email_notification
    with pytest.raises(HTTPError) as caught:
        send(email_address="someone@example.org", template_id=server.template_id,
             personalisation=VALUES)
    assert problem(caught) == (500, [{"error": "Exception", "message": "Internal server error"}])
    assert send(email_address="someone@example.org", template_id=server.template_id,
                personalisation=VALUES)["id"]
    assert [r.status for r in server.received] == [500, 201]
