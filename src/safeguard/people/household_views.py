"""The household pages of a case: who the child lives with, their family and siblings
(WT2018 1.53), and adding people and relationships (children's social care)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguard.assessments.web import (
    call_service,
    case_page_url,
    context_of,
    must,
    protected,
    seen,
)
from safeguard.cases.models import Case
from safeguard.cases.policy import may
from safeguard.cases.selectors import case_for
from safeguard.people import household_services as services
from safeguard.people.household_forms import (
    HouseholdMemberForm,
    MemberLeaveForm,
    RelationshipForm,
)
from safeguard.people.household_selectors import family_network, household_of

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]


def _case(request: HttpRequest, case_id: int, purpose: str = "view_household") -> Case:
    return seen(request, case_for(request.user, case_id, context=context_of(request),
                                  purpose=purpose))


def _render(request: HttpRequest, template: str, case: Case, title: str, *,
            form: Any = None, **extra: Any) -> HttpResponse:
    return render(request, f"people/{template}", {
        "page_title": title, "has_errors": bool(form is not None and form.errors),
        "form": form, "case": case, "case_url": case_page_url(case),
        "flash": [(m.level_tag, str(m)) for m in messages.get_messages(request)],
        **extra,
    })


def _people(actor: Any, case: Case) -> list[tuple[str, str]]:
    def label(p: Any) -> str:
        born = f", born {p.date_of_birth:%d/%m/%Y}" if p.date_of_birth else ""
        return f"{p.full_name}{born}"

    return [(str(p.pk), label(p)) for p in family_network(actor, case.child)]


@protected
@require_http_methods(GET)
def household(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    view = household_of(request.user, case)
    return _render(request, "household.html", case, "Household and family", view=view,
                   may_edit=may(request.user, "record_casework", case))


def _add(request: HttpRequest, case_id: int, form_class: type, title: str, service: Any,
         done: str) -> HttpResponse:
    case = _case(request, case_id)
    must(may(request.user, "record_casework", case),
         "Only children’s social care can change the household.")
    form = form_class(request.POST or None, people=_people(request.user, case))
    if request.method == "POST" and form.is_valid():
        result = call_service(form, lambda: service(
            actor=request.user, case_id=case.pk, context=context_of(request),
            **form.service_arguments()))
        if result is not None:
            messages.success(request, done)
            return redirect("people:household", case.pk)
    return _render(request, "household_form.html", case, title, form=form)


@protected
@require_http_methods(GET_POST)
def member_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _add(request, case_id, HouseholdMemberForm, "Add someone who lives with the child",
                services.household_member_add, "Person added to the household")


@protected
@require_http_methods(GET_POST)
def relationship_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _add(request, case_id, RelationshipForm, "Add a relationship to the child",
                services.relationship_add, "Relationship added")


@protected
@require_http_methods(GET_POST)
def member_leave(request: HttpRequest, case_id: int, member_id: int) -> HttpResponse:
    case = _case(request, case_id)
    must(may(request.user, "record_casework", case),
         "Only children’s social care can change the household.")
    view = household_of(request.user, case)
    member = next((m for m in view.living_with_child if m.member_id == member_id), None)
    if member is None or view.household is None:
        raise Http404("No such member of the household")
    form = MemberLeaveForm(request.POST or None, initial={"version": view.household.version})
    if request.method == "POST" and form.is_valid():
        result = call_service(form, lambda: services.household_member_leave(
            actor=request.user, case_id=case.pk, member_id=member_id,
            until=form.cleaned_data["until"], version=form.cleaned_data.get("version"),
            context=context_of(request)))
        if result is not None:
            messages.success(request, f"{member.person.full_name} no longer lives with the child")
            return redirect("people:household", case.pk)
    return _render(request, "household_form.html", case,
                   f"{member.person.full_name} has moved out", form=form)
