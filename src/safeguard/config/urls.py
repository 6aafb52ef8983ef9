from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("safeguard.api.urls")),
    path("", include("safeguard.web.urls")),
]
