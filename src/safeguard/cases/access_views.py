"""The access-history pages: who has looked at a case (its managers only), and a person's
own access history. URL names: ``cases:access-history`` (case_id), ``my-access-history``.

Reads go through :mod:`safeguard.cases.access_selectors`, which asks the access policy; a
case whose history the person may not see is "not found", like a case they cannot see.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from safeguard.cases.access_selectors import case_access_history, my_access_history
from safeguard.cases.views import _no_store, context_of
from safeguard.core.services import NotAllowed


@require_http_methods(["GET", "HEAD"])
def case_access_history_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """Who has looked at the case, and what they did, newest first, 50 a page."""
    try:
        history = case_access_history(request.user, case_id, page=request.GET.get("page"),
                                      context=context_of(request))
    except NotAllowed:
        raise Http404("No such case") from None
    return _no_store(render(request, "cases/access_history.html", {
        "page_title": f"Who has looked at case {history.case.reference}",
        "case": history.case, "page": history.page,
    }))


@require_http_methods(["GET", "HEAD"])
def my_access_history_page(request: HttpRequest) -> HttpResponse:
    """Everything the signed-in person has looked at or done, newest first, 50 a page."""
    try:
        page = my_access_history(request.user, page=request.GET.get("page"))
    except NotAllowed:
        raise Http404("No access history") from None
    return _no_store(render(request, "cases/my_access_history.html", {
        "page_title": "Your access history", "page": page,
    }))
