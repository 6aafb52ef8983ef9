"""Child protection pages, mounted at /protection/ (namespace ``protection``).

URL names for other pages to link to (``url('protection:strategy-new', case.pk)``):

========================== ====================== ==============================================
name                       argument               page
========================== ====================== ==============================================
case                       case id                the case's child protection: discussions,
                                                  enquiries, conferences, plans, duties
immediate-new              case id                record an EPO, police protection (s46) or
                                                  other immediate action
immediate-detail           immediate protection   the action, prompting the strategy discussion
strategy-new               case id                record a strategy discussion (``?after=<id>``
                                                  of the immediate protection it follows)
strategy-detail            strategy discussion    attendees, decisions, actions, its s47 enquiry
s47-outcome                s47 enquiry id         record (or change) the enquiry's outcome
conference-request         s47 enquiry id         a partner agency asks for a conference
conference-requests        —                      requests for the local authority's managers
conference-new             case id                record a conference: ``?kind=initial``
                                                  (default), ``review`` or ``transfer_in``
conference-detail          conference id          the conference and its decisions
plan-detail                plan id                the plan: outcomes, actions, core group,
                                                  meetings, reviews, duties, end notifications
plan-outcomes              plan id                set the plan's outcomes
plan-action-new            plan id                add an action to the plan
plan-action-done           plan id, action id     (POST) mark an action done today
core-group-new             plan id                record a core group meeting
plan-end                   plan id                end the plan (not at a review conference)
moved-in-new               case id                notice that a child on another authority's
                                                  plan moved in (the transfer-in duty)
return-home-new            case id                a child returning home from care
========================== ====================== ==============================================
"""

from django.urls import path

from safeguard.protection import views

app_name = "protection"
urlpatterns = [
    path("cases/<int:case_id>/", views.case_protection, name="case"),
    path("cases/<int:case_id>/immediate-protection/new/", views.immediate_new,
         name="immediate-new"),
    path("immediate-protection/<int:record_id>/", views.immediate_detail,
         name="immediate-detail"),
    path("cases/<int:case_id>/strategy-discussions/new/", views.strategy_new,
         name="strategy-new"),
    path("strategy-discussions/<int:discussion_id>/", views.strategy_detail,
         name="strategy-detail"),
    path("enquiries/<int:enquiry_id>/outcome/", views.s47_outcome, name="s47-outcome"),
    path("enquiries/<int:enquiry_id>/conference-request/", views.conference_request,
         name="conference-request"),
    path("conference-requests/", views.conference_requests, name="conference-requests"),
    path("cases/<int:case_id>/conferences/new/", views.conference_new, name="conference-new"),
    path("conferences/<int:conference_id>/", views.conference_detail,
         name="conference-detail"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:plan_id>/outcomes/", views.plan_outcomes, name="plan-outcomes"),
    path("plans/<int:plan_id>/actions/new/", views.plan_action_new, name="plan-action-new"),
    path("plans/<int:plan_id>/actions/<int:action_id>/done/", views.plan_action_done,
         name="plan-action-done"),
    path("plans/<int:plan_id>/core-group-meetings/new/", views.core_group_new,
         name="core-group-new"),
    path("plans/<int:plan_id>/end/", views.plan_end, name="plan-end"),
    path("cases/<int:case_id>/moved-in/new/", views.moved_in_new, name="moved-in-new"),
    path("cases/<int:case_id>/return-home/new/", views.return_home_new,
         name="return-home-new"),
]
