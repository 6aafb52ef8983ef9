"""URL names: people:search.

Households (the block at the end): people:household (case_id),
people:household-member-new (case_id), people:relationship-new (case_id),
people:household-member-leave (case_id, member_id).
"""

from django.urls import path

from safeguard.people import views

app_name = "people"
urlpatterns = [
    path("search/", views.search, name="search"),
]

# ---- households and relationships (people.household_views) ----------------------------------
# people:household (case_id), people:household-member-new (case_id),
# people:relationship-new (case_id), people:household-member-leave (case_id, member_id)
from safeguard.people import household_views  # noqa: E402

urlpatterns += [
    path("cases/<int:case_id>/household/", household_views.household, name="household"),
    path("cases/<int:case_id>/household/members/new/", household_views.member_new,
         name="household-member-new"),
    path("cases/<int:case_id>/household/members/<int:member_id>/moved-out/",
         household_views.member_leave, name="household-member-leave"),
    path("cases/<int:case_id>/household/relationships/new/", household_views.relationship_new,
         name="relationship-new"),
]
