"""URL names: sharing:list (case_id), sharing:new (case_id), sharing:detail (case_id, id),
sharing:export (case_id): export the case record for a named recipient, and
sharing:report-send (conference_id): send a conference's report to the agencies invited."""

from django.urls import path

from safeguard.sharing import views

app_name = "sharing"
urlpatterns = [
    path("cases/<int:case_id>/", views.decision_list, name="list"),
    path("cases/<int:case_id>/new/", views.decision_new, name="new"),
    path("cases/<int:case_id>/<int:decision_id>/", views.decision_detail, name="detail"),
    path("cases/<int:case_id>/export/", views.export_new, name="export"),
    path("conferences/<int:conference_id>/send-report/", views.report_send,
         name="report-send"),
]
