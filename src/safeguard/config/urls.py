from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("safeguard.api.urls")),
    path("cases/", include("safeguard.cases.urls")),
    path("referrals/", include("safeguard.referrals.urls")),
    path("protection/", include("safeguard.protection.urls")),
    path("assessments/", include("safeguard.assessments.urls")),
    path("early-help/", include("safeguard.earlyhelp.urls")),
    path("people/", include("safeguard.people.urls")),
    path("sharing/", include("safeguard.sharing.urls")),
    path("", include("safeguard.web.urls")),
]
