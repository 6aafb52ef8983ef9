"""URLs for benchmarks/pages.py only: every real URL of Safeguard, plus ``/bench/minimal``, a
minimal Django view returning "ok" through the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal", minimal, name="bench-minimal"),
    path("", include("safeguard.config.urls")),
]
