"""The API over real HTTP: a live server, urllib, no mocks."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from .helpers import EXAMPLES, PROBLEM_JSON, load_example, without_source


def _post(url: str, body: bytes, content_type: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type, **headers}
    )
    return urllib.request.urlopen(request, timeout=30)


def test_obligations_over_http(live_server: Any, api_headers: dict[str, str]) -> None:
    example = load_example(EXAMPLES[0])
    url = f"{live_server.url}/api/v1/obligations?as_of={example['as_of']}"
    with _post(url, json.dumps(example["timeline"]).encode(), "application/json",
               api_headers) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        body = json.loads(response.read())
    assert without_source(body) == example["expected"]


def test_a_problem_over_http(live_server: Any, api_headers: dict[str, str]) -> None:
    url = f"{live_server.url}/api/v1/obligations"
    body = json.dumps({"events": [{"type": "referral_received", "date": "2025-02-30"}]})
    try:
        _post(url, body.encode(), "application/json", api_headers)
    except urllib.error.HTTPError as err:
        assert err.code == 400
        assert err.headers["Content-Type"] == PROBLEM_JSON
        problem = json.loads(err.read())
        err.close()
    else:
        raise AssertionError("a bad date was accepted")
    assert problem["pointer"] == "/events/0/date"
    assert problem["field"] == "date"


def test_the_openapi_document_over_http(live_server: Any) -> None:
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json", timeout=30) as response:
        document = json.loads(response.read())
    assert "/api/v1/obligations" in document["paths"]
