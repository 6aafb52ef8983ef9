"""The OpenAPI document: complete, and true to what the API and the engine do.

openapi-spec-validator is not installed, so the document's structure is asserted here and
values are checked against its schemas with the small checker in ``helpers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from safeguard.api.schemas import event_schema_name
from safeguard.statutory import DUTIES, EVENT_TYPES, TimelineError, parse_timeline
from safeguard.statutory.timeline import EDITION_IDS

from .helpers import EXAMPLES, PROBLEM_JSON, load_example, post_timeline

Check = Callable[[Any, str], list[str]]
PATH = "/api/v1/obligations"


@pytest.fixture(scope="module")
def operation(openapi_document: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = openapi_document["paths"][PATH]["post"]
    return op


@pytest.fixture(scope="module")
def schemas(openapi_document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = openapi_document["components"]["schemas"]
    return found


def test_the_document_is_openapi_3_and_names_the_api(openapi_document: dict[str, Any]) -> None:
    assert openapi_document["openapi"].startswith("3.")
    assert openapi_document["info"]["title"] == "Safeguard API"
    assert openapi_document["info"]["version"] == "1"
    assert PATH in openapi_document["paths"]
    assert set(openapi_document["paths"][PATH]) == {"post"}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_resolves(openapi_document: dict[str, Any]) -> None:
    refs = set(_refs(openapi_document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in openapi_document["components"]["schemas"], ref


def test_operation_ids_are_unique_and_named(operation: dict[str, Any]) -> None:
    assert operation["operationId"] == "obligations"
    assert operation["summary"]


def test_as_of_is_an_optional_date_in_the_query(operation: dict[str, Any]) -> None:
    [parameter] = operation["parameters"]
    assert parameter["name"] == "as_of"
    assert parameter["in"] == "query"
    assert parameter["required"] is False
    assert parameter["schema"]["type"] == "string"
    assert parameter["schema"]["format"] == "date"
    assert "Europe/London" in parameter["description"]


def test_the_request_body_is_a_timeline(operation: dict[str, Any]) -> None:
    body = operation["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"application/json"}
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Timeline"
    }


def test_the_timeline_schema(schemas: dict[str, Any]) -> None:
    timeline = schemas["Timeline"]
    assert timeline["type"] == "object"
    assert timeline["required"] == ["events"]
    assert timeline["properties"]["edition"]["enum"] == [*EDITION_IDS, None]
    assert timeline["properties"]["events"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Event"},
    }
    assert timeline["properties"]["child"] == {"$ref": "#/components/schemas/Child"}
    assert schemas["Child"]["properties"]["date_of_birth"]["format"] == "date"


def test_events_are_one_of_the_engines_event_types(schemas: dict[str, Any]) -> None:
    event = schemas["Event"]
    names = [event_schema_name(t) for t in EVENT_TYPES]
    assert event["oneOf"] == [{"$ref": f"#/components/schemas/{n}"} for n in names]
    assert event["discriminator"]["propertyName"] == "type"
    assert event["discriminator"]["mapping"] == {
        t: f"#/components/schemas/{event_schema_name(t)}" for t in EVENT_TYPES
    }


@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_each_event_schema_has_the_engines_fields(schemas: dict[str, Any], event_type: str) -> None:
    schema = schemas[event_schema_name(event_type)]
    specs = EVENT_TYPES[event_type]
    assert schema["properties"]["type"]["const"] == event_type
    assert schema["properties"]["date"]["format"] == "date"
    assert set(schema["properties"]) == {"type", "date", *specs}
    assert schema["required"] == ["type", "date", *(n for n, s in specs.items() if s.required)]
    assert schema["description"]
    expected = {"bool": "boolean", "enum": "string", "text": "string"}
    for name, spec in specs.items():
        field = schema["properties"][name]
        assert field["type"] == expected[spec.kind]
        if spec.kind == "enum":
            assert field["enum"] == list(spec.choices)
        assert field["description"] == spec.description


def test_the_success_response_is_the_obligations_document(operation: dict[str, Any]) -> None:
    ok = operation["responses"]["200"]
    assert ok["description"]
    assert set(ok["content"]) == {"application/json"}
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ObligationsDocument"
    }


def test_the_obligation_schema(schemas: dict[str, Any]) -> None:
    obligation = schemas["Obligation"]
    fields = ["duty", "arose", "due", "status", "met_on", "working_days_late", "source"]
    assert obligation["required"] == fields
    assert set(obligation["properties"]) == set(fields)
    properties = obligation["properties"]
    assert properties["status"]["enum"] == ["met", "late", "due", "overdue", "withdrawn", "missed"]
    assert properties["duty"]["enum"] == list(DUTIES)
    assert properties["due"]["type"] == ["string", "null"]
    assert properties["met_on"]["type"] == ["string", "null"]
    assert properties["arose"]["type"] == "string"
    assert properties["working_days_late"] == {"type": "integer", "minimum": 0}
    document = schemas["ObligationsDocument"]
    assert document["required"] == ["obligations"]
    assert document["properties"]["warnings"]["items"] == {"type": "string"}


@pytest.mark.parametrize("status", ["400", "413", "415", "500"])
def test_error_responses_are_problem_documents(operation: dict[str, Any], status: str) -> None:
    response = operation["responses"][status]
    assert response["description"]
    assert set(response["content"]) == {PROBLEM_JSON}
    assert response["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_problem_schema(schemas: dict[str, Any]) -> None:
    problem = schemas["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    for member in ("pointer", "event_index", "event_type", "field", "parameter"):
        assert member in problem["properties"]


def test_the_documents_own_examples_follow_its_schemas(
    operation: dict[str, Any], check_schema: Check
) -> None:
    body = operation["requestBody"]["content"]["application/json"]["example"]
    assert check_schema(body, "Timeline") == []
    parse_timeline(body)
    ok = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert check_schema(ok, "ObligationsDocument") == []
    for status in ("400", "413", "415"):
        examples = operation["responses"][status]["content"][PROBLEM_JSON]["examples"]
        for example in examples.values():
            assert check_schema(example["value"], "Problem") == []
            assert example["value"]["status"] == int(status)


# ---- the schemas against what the engine and the API really do -----------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_worked_examples_follow_the_schemas(
    check_schema: Check, path: Path, signed_client: Client
) -> None:
    example = load_example(path)
    assert check_schema(example["timeline"], "Timeline") == []
    response = post_timeline(signed_client, example["timeline"], query=f"?as_of={example['as_of']}")
    assert check_schema(response.json(), "ObligationsDocument") == []


def test_a_response_with_warnings_follows_the_schema(
    check_schema: Check, signed_client: Client
) -> None:
    timeline = {"events": [{"type": "referral_received", "date": "2014-06-02"}]}
    body = post_timeline(signed_client, timeline, query="?as_of=2030-01-01").json()
    assert body["warnings"]
    assert check_schema(body, "ObligationsDocument") == []


def _minimal_event(event_type: str) -> dict[str, Any]:
    event: dict[str, Any] = {"type": event_type, "date": "2025-06-27"}
    for name, spec in EVENT_TYPES[event_type].items():
        if spec.kind == "bool":
            event[name] = True
        elif spec.kind == "enum":
            event[name] = spec.choices[0]
        else:
            event[name] = "text"
    return event


def test_every_event_the_schema_allows_the_engine_accepts(
    check_schema: Check, signed_client: Client
) -> None:
    timeline = {
        "edition": "2018",
        "child": {"date_of_birth": "2012-04-30"},
        "events": [_minimal_event(t) for t in EVENT_TYPES],
    }
    assert check_schema(timeline, "Timeline") == []
    parse_timeline(timeline)
    body = post_timeline(signed_client, timeline, query="?as_of=2025-07-01").json()
    assert check_schema(body, "ObligationsDocument") == []


@pytest.mark.parametrize(
    "timeline",
    [
        [],
        {},
        {"events": {}},
        {"edition": "2023", "events": []},
        {"child": "Jo", "events": []},
        {"child": {"date_of_birth": "30/04/2012"}, "events": []},
        {"events": ["referral"]},
        {"events": [{"type": "referral_made", "date": "2025-06-27"}]},
        {"events": [{"date": "2025-06-27"}]},
        {"events": [{"type": "referral_received"}]},
        {"events": [{"type": "referral_received", "date": "2025-06-31"}]},
        {"events": [{"type": "referral_received", "date": "27/06/2025"}]},
        {"events": [{"type": "referral_decision", "date": "2025-06-27", "outcome": "nfa"}]},
        {"events": [{"type": "referral_decision", "date": "2025-06-27"}]},
        {"events": [{"type": "strategy_discussion", "date": "2025-06-27", "s47": "true"}]},
        {"events": [{"type": "plan_ended", "date": "2025-06-27", "reason": 7}]},
    ],
)
def test_what_the_engine_refuses_the_schema_refuses(check_schema: Check, timeline: Any) -> None:
    with pytest.raises(TimelineError):
        parse_timeline(timeline)
    assert check_schema(timeline, "Timeline") != []


def test_the_default_as_of_is_documented_as_london_today(operation: dict[str, Any]) -> None:
    # The behaviour itself is tested in test_api_obligations; this keeps the words honest.
    assert "today in Europe/London" in operation["parameters"][0]["description"]


def test_the_docs_page_reads_the_document_from_our_own_static_files() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_the_document_is_the_same_each_time_it_is_served(openapi_document: dict[str, Any]) -> None:
    assert Client().get("/api/v1/openapi.json").json() == openapi_document
