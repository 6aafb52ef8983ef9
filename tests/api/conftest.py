"""Fixtures for the API's tests: the OpenAPI document, a check against its schemas, and a
signed-in caller (every operation asks for sign-in: a personal API token here).
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


@pytest.fixture
def api_headers(db: None) -> dict[str, str]:
    """``Authorization: Bearer <token>`` of a signed-in person (a user with no case access)."""
    from django.contrib.auth import get_user_model

    from safeguard.api.auth import issue_token

    user = get_user_model().objects.create_user("api-tester", password=None)
    return {"Authorization": f"Bearer {issue_token(user=user, name='tests')}"}


@pytest.fixture
def signed_client(api_headers: dict[str, str]) -> Client:
    return Client(headers=api_headers)


@pytest.fixture(scope="session")
def check_schema(
    openapi_document: dict[str, Any],
) -> Callable[[Any, str], list[str]]:
    """``check_schema(value, "Timeline")``: the value's faults under a component schema."""

    def check(value: Any, component: str) -> list[str]:
        return schema_errors(value, {"$ref": f"#/components/schemas/{component}"}, openapi_document)

    return check
