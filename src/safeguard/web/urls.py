"""The service's own pages: home, sign-in and sign-out, check a timeline, drafts.

URL names: ``home``, ``sign-in``, ``two-factor``, ``two-factor-set-up``, ``sign-out``,
``timeline-check``, ``draft-save``, the organisation sign-in and recovery code pages (see
:mod:`safeguard.web.account_views`),
``my-access-history`` (the signed-in person's own access history), ``signed-out`` (back
from signing out at the identity provider), ``set-up-codes`` and ``set-up-code-issue``
(issuing set-up codes for authenticator apps).
"""

from django.urls import path

from safeguard.cases import access_views
from safeguard.core import views as core_views

from . import account_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-in/two-factor", views.two_factor, name="two-factor"),
    path("sign-in/two-factor/set-up", views.two_factor_set_up, name="two-factor-set-up"),
    path("sign-in/two-factor/recovery-code", account_views.two_factor_recovery_code,
         name="two-factor-recovery-code"),
    path("sign-in/organisation", account_views.organisation_sign_in,
         name="sign-in-organisation"),
    path("sign-in/organisation/callback", account_views.organisation_callback,
         name="sign-in-organisation-callback"),
    path("sign-in/organisation/problem", account_views.organisation_problem,
         name="sign-in-organisation-problem"),
    path("account/two-factor/recovery-codes", account_views.recovery_codes,
         name="recovery-codes"),
    path("account/set-up-codes/", account_views.set_up_codes, name="set-up-codes"),
    path("account/set-up-codes/<int:user_id>/", account_views.set_up_code_issue,
         name="set-up-code-issue"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("signed-out", account_views.signed_out, name="signed-out"),
    path("check-timeline", views.timeline_check, name="timeline-check"),
    path("account/access-history/", access_views.my_access_history_page,
         name="my-access-history"),
    path("drafts/<slug:form>/", core_views.draft_save, name="draft-save"),
    path("drafts/<slug:form>/<slug:key>/", core_views.draft_save, name="draft-save"),
]
