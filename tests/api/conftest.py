"""Fixtures for the API's tests: the OpenAPI document and a check against its schemas.

None of these tests needs the database: the API asks the statutory engine only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from .helpers import schema_errors


@pytest.fixture(scope="session")
def openapi_document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="session")
def check_schema(
    openapi_document: dict[str, Any],
) -> Callable[[Any, str], list[str]]:
    """``check_schema(value, "Timeline")``: the value's faults under a component schema."""

    def check(value: Any, component: str) -> list[str]:
        return schema_errors(value, {"$ref": f"#/components/schemas/{component}"}, openapi_document)

    return check
