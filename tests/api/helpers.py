"""Helpers for the API's tests: the worked examples, posting a timeline, a schema check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.test import Client

EXAMPLES_DIR = Path(__file__).parents[1] / "fixtures" / "timeline-examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
PROBLEM_JSON = "application/problem+json"


def load_example(path: Path) -> dict[str, Any]:
    example: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return example


def without_source(document: dict[str, Any]) -> dict[str, Any]:
    """The output document with each obligation's free-worded ``source`` left out."""
    return {
        **document,
        "obligations": [
            {k: v for k, v in ob.items() if k != "source"} for ob in document["obligations"]
        ],
    }


def post_timeline(
    client: Client,
    body: Any,
    *,
    query: str = "",
    content_type: str = "application/json",
) -> Any:
    """POST a timeline (a JSON value, or raw bytes/str sent as they are)."""
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    # CONTENT_TYPE is set even for an empty body, which the test client would send without.
    return client.post(
        f"/api/v1/obligations{query}",
        data=data,
        content_type=content_type,
        CONTENT_TYPE=content_type,
    )


# ---- a small JSON Schema (2020-12 subset) check --------------------------------------------
# openapi-spec-validator and jsonschema are not installed; this covers the keywords the
# API's document uses, and fails loudly on any other so a new keyword is never ignored.

_KNOWN = {
    "$ref", "type", "enum", "const", "properties", "required", "items", "oneOf",
    "discriminator", "format", "pattern", "minimum", "maximum", "additionalProperties",
    "title", "description", "examples", "example",
}  # fmt: skip
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(
    value: Any, schema: dict[str, Any], document: dict[str, Any], where: str = ""
) -> list[str]:
    """What is wrong with ``value`` under ``schema`` (refs resolved in ``document``)."""
    unknown = set(schema) - _KNOWN
    assert not unknown, f"schema keyword(s) the test's checker does not know: {unknown}"
    if "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return schema_errors(value, target, document, where)
    errors: list[str] = []
    at = where or "/"
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_JSON_TYPES[t](value) for t in types):
            return [f"{at}: {value!r} is not of type {types}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{at}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                errors.append(f"{at}: {value!r} is not a date")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{at}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{at}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{at}: '{name}' is required")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], document, f"{where}/{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{at}: '{name}' is not allowed")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], document, f"{where}/{i}")
    if "oneOf" in schema:
        matches = [s for s in schema["oneOf"] if not schema_errors(value, s, document, where)]
        if len(matches) != 1:
            errors.append(f"{at}: matches {len(matches)} of oneOf, not exactly 1")
    return errors
