"""The service's own pages: home, sign-in and sign-out, check a timeline, drafts.

URL names: ``home``, ``sign-in``, ``sign-out``, ``timeline-check``, ``draft-save``.
"""

from django.urls import path

from safeguard.core import views as core_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("check-timeline", views.timeline_check, name="timeline-check"),
    path("drafts/<slug:form>/", core_views.draft_save, name="draft-save"),
    path("drafts/<slug:form>/<slug:key>/", core_views.draft_save, name="draft-save"),
]
