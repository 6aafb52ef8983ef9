"""Search for a person (``people:search``): only people on cases the person may see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from safeguard.core.services import Context, Invalid
from safeguard.people.forms import SearchForm
from safeguard.people.identifiers import format_nhs_number
from safeguard.people.selectors import people_search


@require_http_methods(["GET", "HEAD"])
def search(request: HttpRequest) -> HttpResponse:
    """GET with the search terms in the query string, so a search can be bookmarked or
    repeated with the back button (the page itself is never cached)."""
    asked = any(k in request.GET for k in ("name", "nhs_number", "upn", "date_of_birth-day"))
    form = SearchForm(request.GET if asked else None)
    results = None
    if asked and form.is_valid():
        d = form.cleaned_data
        try:
            results = people_search(
                request.user, name=d["name"], date_of_birth=d["date_of_birth"],
                nhs_number=d["nhs_number"], upn=d["upn"],
                context=Context(source="web", remote_addr=request.META.get("REMOTE_ADDR", "")))
        except Invalid as exc:
            form.add_service_errors(exc)
    response = render(request, "people/search.html", {
        "page_title": "Search for a person", "form": form, "results": results,
        "has_errors": bool(form.is_bound and form.errors),
        "format_nhs_number": format_nhs_number,
    })
    response["Cache-Control"] = "no-store"
    return response
