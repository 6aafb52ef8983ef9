"""URL names: sharing:list (case_id), sharing:new (case_id), sharing:detail (case_id, id)."""

from django.urls import path

from safeguard.sharing import views

app_name = "sharing"
urlpatterns = [
    path("cases/<int:case_id>/", views.decision_list, name="list"),
    path("cases/<int:case_id>/new/", views.decision_new, name="new"),
    path("cases/<int:case_id>/<int:decision_id>/", views.decision_detail, name="detail"),
]
