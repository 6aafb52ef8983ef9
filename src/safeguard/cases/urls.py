"""The case pages. URL names: cases:list, cases:work, cases:team, cases:detail (case_id),
cases:allocate (case_id)."""

from django.urls import path

from safeguard.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_page, name="list"),
    path("work/", views.my_work, name="work"),
    path("team/", views.my_team, name="team"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/allocate/", views.allocate, name="allocate"),
]
