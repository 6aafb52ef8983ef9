"""URLs of the API, mounted at /api/v1/ by the root URLconf.

Ninja's operations answer a wrong method with a bare 405 and its root with Django's HTML
404; here both become problem documents, and every other address under /api/v1/ is a 404
problem rather than the site's HTML page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path, re_path

from safeguard.api.api import api
from safeguard.api.views import problem_on_405, problem_type, safe_methods_only, unknown_route


def _ninja_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app, namespace = api.urls
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            continue
        if pattern.name == "api-root":
            pattern.callback = unknown_route
        elif pattern.name in ("openapi-json", "openapi-view"):
            pattern.callback = safe_methods_only(pattern.callback)
        else:
            pattern.callback = problem_on_405(pattern.callback)
        # The API checks sign-in itself (``auth=signed_in`` on each router and operation)
        # and answers a 401 problem document, never the sign-in page's redirect.
        pattern.callback = login_not_required(pattern.callback)
    return patterns


urlpatterns = [
    path("", (_ninja_patterns(), "ninja", api.urls_namespace)),
    path("problems/<slug:slug>", login_not_required(problem_type), name="api-problem-type"),
    re_path(r"^", login_not_required(unknown_route), name="api-unknown-route"),
]
