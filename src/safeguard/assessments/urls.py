"""URL names (app ``assessments``, under /assessments/):

- ``assessments:case-assessments`` (case_id): the case's assessments and child in need plans
- ``assessments:assessment-new`` (case_id): start an assessment
- ``assessments:assessment-detail`` (assessment_id): the assessment's task list and timescale
- ``assessments:assessment-child-seen`` (assessment_id)
- ``assessments:assessment-section`` (assessment_id, section): ``wishes_and_feelings``,
  ``developmental_needs``, ``parenting_capacity``, ``family_and_environment``
- ``assessments:assessment-factors`` (assessment_id)
- ``assessments:assessment-complete`` (assessment_id)
- ``assessments:assessment-authorise`` (assessment_id)
- ``assessments:cin-plan-new`` (assessment_id): start a child in need plan after it
- ``assessments:cin-plan-detail`` (plan_id)
- ``assessments:cin-review-new`` (plan_id)
- ``assessments:cin-outcome-new`` (plan_id)
- ``assessments:cin-plan-end`` (plan_id)
- ``assessments:case-close`` (case_id): close the case after an assessment (RC8, or RC9 with
  the early help assessment it steps down to)
"""

from django.urls import path

from safeguard.assessments import views

app_name = "assessments"
urlpatterns = [
    path("cases/<int:case_id>/", views.case_assessments, name="case-assessments"),
    path("cases/<int:case_id>/new/", views.assessment_new, name="assessment-new"),
    path("cases/<int:case_id>/close/", views.case_close, name="case-close"),
    path("<int:assessment_id>/", views.assessment_detail, name="assessment-detail"),
    path("<int:assessment_id>/child-seen/", views.assessment_child_seen,
         name="assessment-child-seen"),
    path("<int:assessment_id>/sections/<slug:section>/", views.assessment_section,
         name="assessment-section"),
    path("<int:assessment_id>/factors/", views.assessment_factors, name="assessment-factors"),
    path("<int:assessment_id>/complete/", views.assessment_complete,
         name="assessment-complete"),
    path("<int:assessment_id>/authorise/", views.assessment_authorise,
         name="assessment-authorise"),
    path("<int:assessment_id>/child-in-need-plan/", views.cin_plan_new, name="cin-plan-new"),
    path("child-in-need-plans/<int:plan_id>/", views.cin_plan_detail, name="cin-plan-detail"),
    path("child-in-need-plans/<int:plan_id>/reviews/new/", views.cin_review_new,
         name="cin-review-new"),
    path("child-in-need-plans/<int:plan_id>/outcomes/new/", views.cin_outcome_new,
         name="cin-outcome-new"),
    path("child-in-need-plans/<int:plan_id>/end/", views.cin_plan_end, name="cin-plan-end"),
]
