"""Forms of the case pages."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.core.forms import GovukForm


class AllocationForm(GovukForm):
    """A team manager allocates the case to a worker (and team). Versioned: a change made
    against an older allocation is refused, never silently overwriting it."""

    versioned = True
    worker = forms.ChoiceField(label="Allocated worker",
                               error_messages={"required": "Choose the worker to allocate"})
    team = forms.ChoiceField(label="Team (optional)", required=False,
                             help_text="Leave blank to use the worker’s own team")
    service_fields = {"worker": "worker", "team": "team"}

    def __init__(self, *args: Any, workers: list[tuple[str, str]],
                 teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Choose a worker"), *workers]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", "The worker’s team"), *teams]  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"worker_id": int(d["worker"]), "team_id": int(d["team"]) if d.get("team") else None,
                "version": d.get("version")}


class BreakGlassForm(GovukForm):
    """Why a person needs to open a case they cannot otherwise see (the service checks the
    length and says what is wrong)."""

    reason = forms.CharField(
        label="Why do you need to see this case now?", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the child has arrived at A&E out of hours and you need to know "
                  "whether they are on a child protection plan",
        error_messages={"required": "Enter why you need to see this case"})
    service_fields = {"reason": "reason"}
