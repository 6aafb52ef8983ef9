"""The service's own pages: home, sign-in and sign-out, check a timeline, drafts.

URL names: ``home``, ``sign-in``, ``two-factor``, ``two-factor-set-up``, ``sign-out``,
``timeline-check``, ``draft-save``,
``my-access-history`` (the signed-in person's own access history).
"""

from django.urls import path

from safeguard.cases import access_views
from safeguard.core import views as core_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-in/two-factor", views.two_factor, name="two-factor"),
    path("sign-in/two-factor/set-up", views.two_factor_set_up, name="two-factor-set-up"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("check-timeline", views.timeline_check, name="timeline-check"),
    path("account/access-history/", access_views.my_access_history_page,
         name="my-access-history"),
    path("drafts/<slug:form>/", core_views.draft_save, name="draft-save"),
    path("drafts/<slug:form>/<slug:key>/", core_views.draft_save, name="draft-save"),
]
