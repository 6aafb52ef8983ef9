"""Every error is an RFC 9457 problem document naming what is wrong and where."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

import safeguard.api.api
from safeguard.api.problems import PROBLEM_TYPES, install_problem_handlers

from .helpers import PROBLEM_JSON, post_timeline

Check = Callable[[Any, str], list[str]]
VALID: dict[str, Any] = {"events": [{"type": "referral_received", "date": "2025-06-27"}]}


@pytest.fixture
def client(signed_client: Client) -> Client:
    return signed_client


def problem(response: Any, status: int, slug: str, check_schema: Check) -> dict[str, Any]:
    """The response's problem document, checked for status, type and the Problem schema."""
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM_JSON
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"] == f"/api/v1/problems/{slug}"
    assert body["status"] == status
    assert body["title"] == PROBLEM_TYPES[slug].title
    assert isinstance(body["detail"], str) and body["detail"]
    assert check_schema(body, "Problem") == []
    return body


# ---- the body is not JSON ------------------------------------------------------------------


def test_a_body_that_is_not_json_says_where_reading_stopped(
    client: Client, check_schema: Check
) -> None:
    response = post_timeline(client, '{"events": [\n  {"type": }]}')
    body = problem(response, 400, "invalid-json", check_schema)
    assert (body["line"], body["column"]) == (2, 12)
    assert "line 2, column 12" in body["detail"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"events": [], "x": "\xff"}', "UTF-8"),
        (b'{"events": [], "x": NaN}', "NaN"),
        (b'{"events": [], "x": -Infinity}', "Infinity"),
        (b"[" * 200_000 + b"]" * 200_000, "nests too deeply"),
    ],
    ids=["empty", "blank", "not-utf8", "nan", "infinity", "too-deep"],
)
def test_bodies_that_are_not_json(
    client: Client, check_schema: Check, raw: bytes, words: str
) -> None:
    body = problem(post_timeline(client, raw), 400, "invalid-json", check_schema)
    assert words in body["detail"]


def test_a_byte_order_mark_is_tolerated(client: Client) -> None:
    response = post_timeline(client, b"\xef\xbb\xbf" + json.dumps(VALID).encode())
    assert response.status_code == 200


# ---- the body is JSON but not a timeline: the engine's TimelineError -----------------------


def test_json_that_is_not_an_object(client: Client, check_schema: Check) -> None:
    body = problem(post_timeline(client, [1, 2]), 400, "invalid-timeline", check_schema)
    assert body["pointer"] == ""
    assert body["event_index"] is None
    assert body["field"] is None
    assert "object" in body["detail"]


EVENTS: list[dict[str, Any]] = [
    {"type": "referral_received", "date": "2025-12-19"},
    {"type": "referral_decision", "date": "2025-12-22", "outcome": "strategy_discussion"},
    {"type": "strategy_discussion", "date": "2025-12-23", "s47": True},
    {"type": "s47_outcome", "date": "2026-01-09", "substantiated": True},
]


def with_event(index: int, **changes: Any) -> dict[str, Any]:
    """The timeline above with event ``index`` changed (a value of None removes the field)."""
    events = [dict(e) for e in EVENTS]
    for name, value in changes.items():
        if value is None:
            events[index].pop(name)
        else:
            events[index][name] = value
    return {"events": events}


@pytest.mark.parametrize(
    ("timeline", "pointer", "event_index", "event_type", "field"),
    [
        (with_event(3, date="2026-01-32"), "/events/3/date", 3, "s47_outcome", "date"),
        (with_event(3, date="09/01/2026"), "/events/3/date", 3, "s47_outcome", "date"),
        (with_event(0, date=None), "/events/0/date", 0, "referral_received", "date"),
        (with_event(3, substantiated="yes"), "/events/3/substantiated", 3, "s47_outcome",
         "substantiated"),
        (with_event(2, s47=None), "/events/2/s47", 2, "strategy_discussion", "s47"),
        (with_event(1, outcome="maybe"), "/events/1/outcome", 1, "referral_decision", "outcome"),
        (with_event(1, type="referral_made"), "/events/1/type", 1, None, "type"),
        (with_event(1, type=None), "/events/1/type", 1, None, "type"),
        ({"events": [*EVENTS, "a referral"]}, "/events/4", 4, None, None),
        ({"events": {}}, "/events", None, None, "events"),
        ({}, "/events", None, None, "events"),
        ({"edition": "2023", "events": []}, "/edition", None, None, "edition"),
        ({"child": {"date_of_birth": "30 April 2012"}, "events": []}, "/child/date_of_birth",
         None, None, "child.date_of_birth"),
    ],
    ids=[
        "bad-date", "date-not-iso", "missing-date", "bool-as-string", "missing-bool",
        "bad-enum", "unknown-type", "missing-type", "event-not-object", "events-not-array",
        "no-events", "bad-edition", "bad-date-of-birth",
    ],
)  # fmt: skip
def test_the_engines_complaint_names_the_event_and_field(
    client: Client,
    check_schema: Check,
    timeline: dict[str, Any],
    pointer: str,
    event_index: int | None,
    event_type: str | None,
    field: str | None,
) -> None:
    body = problem(post_timeline(client, timeline), 400, "invalid-timeline", check_schema)
    assert body["pointer"] == pointer
    assert body["event_index"] == event_index
    assert body["event_type"] == event_type
    assert body["field"] == field
    if event_index is not None:
        assert f"event {event_index}" in body["detail"]
    if field is not None:
        assert field in body["detail"]


def test_a_deadline_past_the_calendar_is_a_bad_timeline_not_a_crash(
    client: Client, check_schema: Check
) -> None:
    timeline = {"events": [{"type": "strategy_discussion", "date": "2150-12-30", "s47": True}]}
    response = post_timeline(client, timeline, query="?as_of=2150-12-31")
    body = problem(response, 400, "invalid-timeline", check_schema)
    assert "calendar" in body["detail"]


# ---- the as_of parameter -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?as_of=23/11/2026",
        "?as_of=2026-02-30",
        "?as_of=20261123",
        "?as_of=2026-11-23T00:00",
        "?as_of=",
        "?as_of=2151-01-01",
        "?as_of=1949-12-31",
        "?as_of=2026-11-23&as_of=2026-11-24",
    ],
    ids=["uk-style", "no-such-day", "basic-iso", "datetime", "empty", "after", "before", "twice"],
)
def test_a_bad_as_of_names_the_parameter(client: Client, check_schema: Check, query: str) -> None:
    body = problem(
        post_timeline(client, VALID, query=query), 400, "invalid-parameter", check_schema
    )
    assert body["parameter"] == "as_of"
    assert "as_of" in body["detail"]


# ---- content type and size -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "",
        "application/json; charset=latin-1",
    ],
)
def test_a_body_not_sent_as_json_is_unsupported(
    client: Client, check_schema: Check, content_type: str
) -> None:
    response = post_timeline(client, json.dumps(VALID), content_type=content_type)
    problem(response, 415, "unsupported-media-type", check_schema)
    assert response["Accept-Post"] == "application/json"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_is_refused(client: Client, check_schema: Check) -> None:
    timeline = {"events": [{"type": "referral_received", "date": "2025-06-27"}] * 50}
    body = problem(post_timeline(client, timeline), 413, "content-too-large", check_schema)
    assert body["max_bytes"] == 1000


# ---- routes and methods --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing", "/api/v1/obligations/extra"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_route_is_a_404_problem(check_schema: Check, path: str, method: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path)
    body = problem(response, 404, "not-found", check_schema)
    assert path in body["detail"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options"])
def test_a_wrong_method_is_a_405_problem(client: Client, check_schema: Check, method: str) -> None:
    response = getattr(client, method)("/api/v1/obligations")
    problem(response, 405, "method-not-allowed", check_schema)
    assert response["Allow"] == "POST"


def test_the_openapi_document_takes_no_post(client: Client, check_schema: Check) -> None:
    response = client.post("/api/v1/openapi.json")
    problem(response, 405, "method-not-allowed", check_schema)
    assert response["Allow"] == "GET, HEAD"


# ---- the server fails ----------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_tells_nothing_of_the_internals(
    client: Client, check_schema: Check, monkeypatch: pytest.MonkeyPatch, debug: bool
) -> None:
    def broken(data: object, as_of: object) -> dict[str, Any]:
        raise RuntimeError("Jane Smith, 12 Acacia Avenue: secret internals")

    monkeypatch.setattr(safeguard.api.api, "obligations_document", broken)
    with override_settings(DEBUG=debug):
        response = post_timeline(client, VALID)
    body = problem(response, 500, "server-error", check_schema)
    text = response.content.decode()
    for leak in ("Jane", "Acacia", "secret", "RuntimeError", "Traceback", "safeguard"):
        assert leak not in text.replace("/api/v1/problems/server-error", "")
    assert set(body) == {"type", "title", "status", "detail"}


# ---- ninja's own errors --------------------------------------------------------------------


class Payload(Schema):
    name: str
    items: list[int]


def _throwaway_api() -> NinjaAPI:
    """An API whose parameters ninja validates itself, with the same problem handlers."""
    api = NinjaAPI(urls_namespace="problems-test")
    install_problem_handlers(api)

    @api.post("/things")
    def things(request: HttpRequest, payload: Payload, n: int = 0) -> dict[str, str]:
        return {}

    @api.get("/teapot")
    def teapot(request: HttpRequest) -> dict[str, str]:
        raise HttpError(418, "I'm a teapot")

    return api


def _open_to_all(urls: Any) -> Any:
    """The throwaway API's patterns, each exempt from sign-in (it has no auth of its own)."""
    patterns, app, namespace = urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)
    return patterns, app, namespace


class ThrowawayUrls:
    urlpatterns = [path("t/", _open_to_all(_throwaway_api().urls))]


@pytest.fixture
def ninja_client() -> Iterator[Client]:
    with override_settings(ROOT_URLCONF=ThrowawayUrls):
        yield Client()


def test_ninjas_validation_errors_are_problems(ninja_client: Client) -> None:
    response = ninja_client.post(
        "/t/things?n=x", {"name": 1, "items": [1, "a"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == "/api/v1/problems/invalid-request"
    assert body["detail"].startswith("The body at /name: ")
    assert [e.get("pointer") or e.get("parameter") for e in body["errors"]] == [
        "/name",
        "/items/1",
        "n",
    ]
    assert body["errors"][2]["in"] == "query"


def test_ninjas_unparsable_body_is_a_problem(ninja_client: Client) -> None:
    response = ninja_client.post("/t/things", "{", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["type"] == "/api/v1/problems/invalid-request"


def test_ninjas_http_errors_are_problems(ninja_client: Client) -> None:
    response = ninja_client.get("/t/teapot")
    assert response.status_code == 418
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "I'm a Teapot",
        "status": 418,
        "detail": "I'm a teapot.",
    }


# ---- the problem types themselves ----------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_each_problem_type_uri_describes_it(client: Client, slug: str) -> None:
    response = client.get(f"/api/v1/problems/{slug}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert PROBLEM_TYPES[slug].title in response.content.decode()


def test_an_unknown_problem_type_is_not_found(client: Client, check_schema: Check) -> None:
    problem(client.get("/api/v1/problems/no-such-thing"), 404, "not-found", check_schema)
