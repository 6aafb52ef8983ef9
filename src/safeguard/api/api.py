"""The Safeguard HTTP API, version 1 (mounted at /api/v1/).

``POST /api/v1/obligations`` asks the statutory engine what a timeline gives rise to. Its
OpenAPI document is served at /api/v1/openapi.json and read at /api/v1/docs. Every error
is an RFC 9457 problem document (``safeguard.api.problems``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from safeguard.api.auth import signed_in
from safeguard.api.inputs import date_parameter, json_body, require_json, today_in_london
from safeguard.api.openapi import OBLIGATIONS_OPENAPI
from safeguard.api.problems import (
    install_problem_handlers,
    out_of_calendar_problem,
    timeline_problem,
)
from safeguard.api.schemas import component_schemas
from safeguard.statutory import TimelineError, obligations_document
from safeguard.statutory.calendar import FIRST_DAY, LAST_DAY, CalendarRangeError

DESCRIPTION = """\
England's child safeguarding statutory duties, as an API.

Send a case's **timeline** (its statutory history as dated events) and get back the
**obligations** it gives rise to: each duty triggered, its due date and whether it was met.
The format is the statutory engine's interchange format, the same the `safeguard obligations`
command reads and writes.

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem documents
(`application/problem+json`) naming the event, field or parameter at fault.
"""


class SafeguardAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document also carries the schemas the API writes by hand."""

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {}).update(component_schemas())
        return schema


api = SafeguardAPI(
    title="Safeguard API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_problem_handlers(api)


def _add_routers() -> None:
    """Each app's part of the API, calling the same services as its pages."""
    from safeguard.assessments.api import router as assessments
    from safeguard.cases.api import router as cases
    from safeguard.cases.api import work_router as work
    from safeguard.earlyhelp.api import router as earlyhelp
    from safeguard.people.api import router as people
    from safeguard.protection.api import router as protection
    from safeguard.referrals.api import router as referrals
    from safeguard.sharing.api import router as sharing

    api.add_router("/cases", cases)
    api.add_router("/referrals", referrals)
    api.add_router("/protection", protection)
    api.add_router("/assessments", assessments)
    api.add_router("/early-help", earlyhelp)
    api.add_router("/people", people)
    api.add_router("/work", work)
    api.add_router("/sharing", sharing)


_add_routers()


def json_response(document: dict[str, Any]) -> HttpResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    # Case data: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@api.post(
    "/obligations",
    operation_id="obligations",
    summary="The obligations a timeline gives rise to",
    description=(
        "Computes, with the statutory engine, every duty the timeline's events trigger, its "
        "due date and whether it was met, judged on `as_of`."
    ),
    tags=["obligations"],
    openapi_extra=OBLIGATIONS_OPENAPI,
    auth=signed_in,
)
def obligations(request: HttpRequest) -> HttpResponse:
    require_json(request)
    as_of = date_parameter(
        request, "as_of", default=today_in_london(), earliest=FIRST_DAY, latest=LAST_DAY
    )
    timeline = json_body(request)
    try:
        document = obligations_document(timeline, as_of)
    except TimelineError as err:
        raise timeline_problem(err) from err
    except CalendarRangeError as err:
        raise out_of_calendar_problem(err) from err
    return json_response(document)
