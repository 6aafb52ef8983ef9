"""The case pages. URL names: cases:list, cases:work, cases:team, cases:detail (case_id),
cases:allocate (case_id), cases:break-glass (case_id),
cases:alert-seen (alert_id), cases:access-history (case_id)."""

from django.urls import path

from safeguard.cases import access_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_page, name="list"),
    path("work/", views.my_work, name="work"),
    path("team/", views.my_team, name="team"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/allocate/", views.allocate, name="allocate"),
    path("<int:case_id>/access/", access_views.case_access_history_page,
         name="access-history"),
    path("<int:case_id>/break-glass/", views.break_glass_open, name="break-glass"),
    path("alerts/<int:alert_id>/seen/", views.alert_seen, name="alert-seen"),
]
