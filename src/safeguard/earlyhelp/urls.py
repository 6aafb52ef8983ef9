"""URL names (app ``earlyhelp``, under /early-help/):

- ``earlyhelp:assessment-list``: the early help records the person may see
- ``earlyhelp:assessment-new``: start an early help assessment (consent first)
- ``earlyhelp:assessment-detail`` (assessment_id)
- ``earlyhelp:plan-new`` (assessment_id): agree the plan
- ``earlyhelp:plan-review-new`` (assessment_id): review the plan
- ``earlyhelp:step-up`` (assessment_id): refer the child to children's social care
- ``earlyhelp:close`` (assessment_id): end early help

A step-down from children's social care is ``assessments:case-close`` with RC9.
"""

from django.urls import path

from safeguard.earlyhelp import views

app_name = "earlyhelp"
urlpatterns = [
    path("", views.assessment_list, name="assessment-list"),
    path("new/", views.assessment_new, name="assessment-new"),
    path("<int:assessment_id>/", views.assessment_detail, name="assessment-detail"),
    path("<int:assessment_id>/plan/", views.plan_new, name="plan-new"),
    path("<int:assessment_id>/reviews/new/", views.plan_review_new, name="plan-review-new"),
    path("<int:assessment_id>/step-up/", views.step_up, name="step-up"),
    path("<int:assessment_id>/close/", views.close, name="close"),
]
