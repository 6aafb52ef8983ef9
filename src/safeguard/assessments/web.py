"""What the pages of assessments, early help and households share: sign-in and access
(a record the person may not see is "not found"; an action on a record they may see but not
change is "forbidden"), the request's context for the audit trail, and the case page's
address."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve

from safeguard.cases.models import Case
from safeguard.core.services import (
    Context,
    EditConflict,
    Invalid,
    NotAllowed,
    request_context,
)

View = Callable[..., HttpResponseBase]


def protected(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            if getattr(request, "_record_visible", False):
                raise PermissionDenied(str(exc)) from exc
            raise Http404(str(exc)) from exc

    return wrapped


def seen(request: HttpRequest, record: Any) -> Any:
    """Note that the person may see the record (a refusal from here on is a 403)."""
    request._record_visible = True  # type: ignore[attr-defined]
    return record


def must(allowed: bool, message: str = "Your role cannot record this.") -> None:
    if not allowed:
        raise NotAllowed(message)


def context_of(request: HttpRequest) -> Context:
    return request_context(request)


def case_page_url(case: Case) -> str | None:
    """The case page, once it exists (another part of issue 3 builds it)."""
    path = f"/cases/{case.pk}/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def call_service(form: Any, call: Callable[[], Any]) -> Any:
    """Call the service; put its verdict on the form. The result, or None."""
    try:
        return call()
    except (Invalid, EditConflict) as exc:
        form.add_service_errors(exc)
        return None
