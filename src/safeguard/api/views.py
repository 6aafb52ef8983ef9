"""Plain Django views of the API: what ninja does not route, answered as problems."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from safeguard.api.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPES,
    method_not_allowed,
    not_found,
)

View = Callable[..., HttpResponseBase]


@csrf_exempt
def unknown_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any address under /api/v1/ that nothing serves, for any method."""
    return not_found(request.path).response()


@csrf_exempt
def problem_type(request: HttpRequest, slug: str) -> HttpResponse:
    """What a problem ``type`` URI means, for people to read (RFC 9457 section 3.1.1)."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request.method or "", ["GET", "HEAD"]).response()
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        return not_found(request.path).response()
    text = f"{kind.title} ({kind.status})\n\n{kind.description}\n"
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def problem_on_405(view: View) -> View:
    """Turn a bare 405 from ``view`` (ninja's, for an operation) into a problem document."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            PROBLEM_CONTENT_TYPE
        ):
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            return method_not_allowed(request.method or "", allowed).response()
        return response

    return wrapped


def safe_methods_only(view: View) -> View:
    """Answer anything but GET and HEAD with a 405 problem (ninja's document views take all)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed(request.method or "", ["GET", "HEAD"]).response()
        return view(request, *args, **kwargs)

    return wrapped
