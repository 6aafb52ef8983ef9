"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every error the API returns is a problem document: ``type`` (a URI, relative to the API,
that names the kind of problem and serves a page describing it), ``title`` (the same for
every problem of the type), ``status``, ``detail`` (this occurrence, in a sentence) and
extension members saying where the fault lies: ``pointer`` (a JSON pointer into the request
body), ``event_index``, ``event_type`` and ``field`` for a bad timeline, ``parameter`` for a
bad query parameter, ``line`` and ``column`` for a body that is not JSON.

A problem never carries a traceback, a setting or anything from the server's internals.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from safeguard.core.services import EditConflict, Invalid, NotAllowed, ServiceError
from safeguard.statutory import TimelineError
from safeguard.statutory.calendar import CalendarRangeError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE: Final = "application/problem+json"
PROBLEMS_PATH: Final = "/api/v1/problems/"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """A kind of problem: its URI slug, status, title and what it means."""

    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        return PROBLEMS_PATH + self.slug


INVALID_JSON: Final = ProblemType(
    "invalid-json",
    400,
    "The request body is not JSON",
    "The body could not be read as a JSON document in UTF-8. `line` and `column` say "
    "where reading stopped, when that is known.",
)
INVALID_TIMELINE: Final = ProblemType(
    "invalid-timeline",
    400,
    "The timeline is not valid",
    "The body is JSON but not a timeline of the format the statutory engine reads: not an "
    "object, an unknown event type, a missing or malformed date, or a missing or wrongly "
    "typed field. `pointer` is a JSON pointer to the value at fault; `event_index`, "
    "`event_type` and `field` name the event and field when the fault is in an event.",
)
INVALID_PARAMETER: Final = ProblemType(
    "invalid-parameter",
    400,
    "A query parameter is not valid",
    "A query parameter is malformed or given more than once. `parameter` names it.",
)
INVALID_REQUEST: Final = ProblemType(
    "invalid-request",
    400,
    "The request is not valid",
    "Part of the request failed validation. `errors` lists each fault with a `pointer` "
    "(for the body) or `parameter` (for the query string or path) and a `detail`.",
)
NOT_FOUND: Final = ProblemType(
    "not-found",
    404,
    "Not found",
    "Nothing is served at this address. The API's operations are listed in its OpenAPI "
    "document at /api/v1/openapi.json.",
)
METHOD_NOT_ALLOWED: Final = ProblemType(
    "method-not-allowed",
    405,
    "Method not allowed",
    "The address does not accept this HTTP method. The `Allow` header lists those it accepts.",
)
CONTENT_TOO_LARGE: Final = ProblemType(
    "content-too-large",
    413,
    "The request body is too large",
    "The body is larger than the API accepts. `max_bytes` gives the limit.",
)
UNSUPPORTED_MEDIA_TYPE: Final = ProblemType(
    "unsupported-media-type",
    415,
    "Unsupported media type",
    "The body must be sent as `application/json` (UTF-8).",
)
SIGN_IN_REQUIRED: Final = ProblemType(
    "sign-in-required",
    401,
    "Sign in required",
    "The API answers only people who are signed in: send a personal API token as "
    "`Authorization: Bearer <token>`, or call it from a signed-in browser session (with "
    "the CSRF token for changes).",
)
FORBIDDEN: Final = ProblemType(
    "forbidden",
    403,
    "Not allowed",
    "The signed-in person's role does not allow this operation.",
)
INVALID_FIELDS: Final = ProblemType(
    "invalid-fields",
    400,
    "Some answers are not valid",
    "The request was read, but some of its values break the rules of the record. `errors` "
    "maps each field at fault, named as the request's body names it (dotted for a nested "
    "field, e.g. `child.nhs_number` or `attendees.0.agency_id`), to what is wrong with it. "
    "Nothing was changed.",
)
EDIT_CONFLICT: Final = ProblemType(
    "edit-conflict",
    409,
    "Someone else changed this record",
    "The change was made against an older version of the record (`version`): someone else "
    "changed it since. Nothing was changed. Read the record again (`current_version` is the "
    "version now) and make the change again if it is still needed.",
)
SERVER_ERROR: Final = ProblemType(
    "server-error",
    500,
    "Internal server error",
    "Something went wrong on the server. It has been logged; the request can be tried "
    "again, and if it fails again, reported to the service's administrators.",
)

PROBLEM_TYPES: Final[dict[str, ProblemType]] = {
    p.slug: p
    for p in (
        INVALID_JSON,
        INVALID_TIMELINE,
        INVALID_PARAMETER,
        INVALID_REQUEST,
        INVALID_FIELDS,
        SIGN_IN_REQUIRED,
        FORBIDDEN,
        NOT_FOUND,
        EDIT_CONFLICT,
        METHOD_NOT_ALLOWED,
        CONTENT_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        SERVER_ERROR,
    )
}


# The kind a bare status stands for, when ninja raises an error with no kind of ours.
_TYPE_BY_STATUS: Final[dict[int, ProblemType]] = {
    p.status: p
    for p in (
        INVALID_REQUEST,
        SIGN_IN_REQUIRED,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        CONTENT_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        SERVER_ERROR,
    )
}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class Problem(Exception):  # noqa: N818 - it is the problem, as RFC 9457 names it
    """An error the API answers with a problem document.

    ``extensions`` are the extra members (``pointer``, ``parameter`` …); ``headers`` are
    sent with the response (``Allow`` for a 405, say).
    """

    def __init__(
        self,
        problem_type: ProblemType,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.problem_type = problem_type
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.problem_type.uri,
            "title": self.problem_type.title,
            "status": self.problem_type.status,
            "detail": self.detail,
            **self.extensions,
        }

    def response(self) -> HttpResponse:
        return problem_response(self.as_dict(), headers=self.headers)


def problem_response(
    document: dict[str, Any], *, headers: dict[str, str] | None = None
) -> HttpResponse:
    """An ``application/problem+json`` response for ``document`` (its ``status`` is used)."""
    response = JsonResponse(
        document,
        status=int(document["status"]),
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def method_not_allowed(method: str, allowed: list[str]) -> Problem:
    allow = ", ".join(sorted(allowed))
    return Problem(
        METHOD_NOT_ALLOWED,
        f"{method} is not allowed here; use {allow}.",
        headers={"Allow": allow},
        method=method,
    )


def not_found(path: str) -> Problem:
    return Problem(NOT_FOUND, f"There is nothing at {path} in the Safeguard API.")


def server_error() -> Problem:
    return Problem(SERVER_ERROR, "Something went wrong on the server. It has been logged.")


def service_problem(err: ServiceError, *, forbidden: bool = False) -> Problem:
    """A service's error as a problem document.

    :class:`Invalid` is a 400 whose ``errors`` maps each field to its message;
    :class:`EditConflict` a 409 with the record's ``current_version``; :class:`NotAllowed`
    and :class:`NotFound` a 404 with the same words whether or not the record exists, so
    nobody learns of a case they may not see (``forbidden=True`` makes it a 403, for an
    operation that names no record, such as making a referral).
    """
    if isinstance(err, Invalid):
        errors = dict(err.errors)
        first = next(iter(errors.items()), ("", "is not valid"))
        return Problem(INVALID_FIELDS, _sentence(f"{first[1]} ({first[0]})"), errors=errors)
    if isinstance(err, EditConflict):
        return Problem(EDIT_CONFLICT, str(err), current_version=err.current_version)
    if isinstance(err, NotAllowed) and forbidden:
        return Problem(FORBIDDEN, _sentence(str(err)))
    return Problem(NOT_FOUND, _sentence(str(err) or "Not found"))


def timeline_problem(err: TimelineError) -> Problem:
    """The engine's complaint about a timeline, with where it lies."""
    return Problem(
        INVALID_TIMELINE,
        str(err),
        pointer=err.pointer,
        event_index=err.event_index,
        event_type=err.event_type,
        field=err.field,
    )


def out_of_calendar_problem(err: CalendarRangeError) -> Problem:
    """A count of working days that runs past the calendar, from an event near its end."""
    return Problem(
        INVALID_TIMELINE,
        f"A deadline cannot be counted: {err}.",
        pointer=None,
        event_index=None,
        event_type=None,
        field=None,
    )


def engine_problem(err: Exception) -> Problem:
    """A service's values the statutory engine cannot count with: a date outside its
    working-day calendar, or a deadline that would fall past its end. ``errors`` has it
    under ``dates``."""
    if isinstance(err, CalendarRangeError):
        detail = f"A deadline cannot be counted from these dates: {err}."
    else:
        detail = _sentence(f"A date cannot be used: {err}")
    return Problem(INVALID_FIELDS, detail, errors={"dates": detail})


def _sent_name(node: Any, name: str) -> str:
    """The name of a service's field in the request body: a service names the record
    (``acting_agency``, ``agencies``), the body its id (``acting_agency_id``,
    ``agency_ids``)."""
    if not isinstance(node, dict) or name in node:
        return name
    stem = name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")
    for candidate in (f"{name}_id", f"{name}_ids", f"{stem}_ids"):
        if candidate in node:
            return candidate
    return name


def as_sent(errors: dict[str, str], body: bytes) -> dict[str, str]:
    """``errors`` (field → message) with each field named as the request's body names it
    (dotted for a nested field), so a client sees which of its fields is at fault."""
    try:
        document = json.loads(body or b"null")
    except (ValueError, RecursionError):
        return errors
    renamed: dict[str, str] = {}
    for key, message in errors.items():
        node, parts = document, []
        for part in key.split("."):
            if isinstance(node, list) and part.isdigit():
                node = node[int(part)] if int(part) < len(node) else None
                parts.append(part)
                continue
            part = _sent_name(node, part)
            parts.append(part)
            node = node.get(part) if isinstance(node, dict) else None
        renamed.setdefault(".".join(parts), message)
    return renamed


def _named_as_sent(problem: Problem, request: HttpRequest) -> Problem:
    errors = problem.extensions.get("errors")
    if problem.problem_type is INVALID_FIELDS and isinstance(errors, dict):
        try:
            body = request.body
        except RequestDataTooBig:  # pragma: no cover - the body was read before
            return problem
        problem.extensions["errors"] = as_sent(errors, body)
    return problem


def _json_pointer(parts: tuple[Any, ...] | list[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's (pydantic's) error list as problem members: where, and what is wrong."""
    result: list[dict[str, Any]] = []
    for error in errors:
        location = list(error.get("loc", ()))
        source = location.pop(0) if location else "body"
        item: dict[str, Any] = {"detail": str(error.get("msg", "is not valid"))}
        if source in ("body", "form", "file"):
            # Ninja names the body parameter first ("payload"); the body is that value.
            item["pointer"] = _json_pointer(location[1:] if len(location) > 1 else location)
        else:
            item["parameter"] = ".".join(str(p) for p in location)
            item["in"] = source
        result.append(item)
    return result


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error ``api`` raises — ours and ninja's own — a problem document."""

    @api.exception_handler(Problem)
    def on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return _named_as_sent(exc, request).response()

    @api.exception_handler(ServiceError)
    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return _named_as_sent(service_problem(exc), request).response()

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _validation_errors(list(exc.errors))
        first = errors[0] if errors else {"detail": "is not valid"}
        if "pointer" in first:
            where = f"The body at {first['pointer'] or '/'}"
        elif "parameter" in first:
            where = f"The {first.get('in', 'query')} parameter {first['parameter']}"
        else:
            where = "The request"
        what = _sentence(first["detail"])
        return Problem(
            INVALID_REQUEST, f"{where}: {what[:1].lower()}{what[1:]}", errors=errors
        ).response()

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja's own errors (a body it cannot parse, authentication, throttling...) carry a
        # status and a message; a status of our own kinds takes that kind's type.
        kind = _TYPE_BY_STATUS.get(exc.status_code)
        document: dict[str, Any] = {
            "type": kind.uri if kind else "about:blank",
            "title": kind.title if kind else HttpResponse(status=exc.status_code).reason_phrase,
            "status": exc.status_code,
            "detail": _sentence(exc.message),
        }
        headers = {}
        if exc.status_code == 401:
            document["detail"] = (
                "Sign in to use the API: send a personal API token as 'Authorization: "
                "Bearer <token>', or call it from a signed-in browser session."
            )
            headers["WWW-Authenticate"] = 'Bearer realm="Safeguard API"'
        return problem_response(document, headers=headers)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return not_found(request.path).response()

    @api.exception_handler(RequestDataTooBig)
    def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large().response()

    @api.exception_handler(TimelineError)
    @api.exception_handler(CalendarRangeError)
    def on_engine_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A service's dates that the statutory engine cannot count with: the service's
        # transaction is rolled back, so nothing was changed.
        return engine_problem(exc).response()

    @api.exception_handler(OverflowError)
    def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # A whole number larger than the database can hold (SQLite refuses to bind it).
        return Problem(INVALID_REQUEST, "A number in the request is larger than Safeguard "
                                        "can store, so it names no record.",
                       errors=[{"detail": "Number too large"}]).response()

    @api.exception_handler(Exception)
    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback for the operators; the client learns nothing of it.
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return server_error().response()


def too_large() -> Problem:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:  # no limit is set, yet the body was refused as too large
        return Problem(CONTENT_TOO_LARGE, "The request body is larger than the API accepts.")
    return Problem(
        CONTENT_TOO_LARGE,
        f"The request body is larger than the {limit:,} bytes the API accepts.",
        max_bytes=int(limit),
    )
