"""Drafts: a form never loses a person's work on a time-out.

A draft is the form's answers, kept per person, form and key (``core.Draft``: one per
``owner`` + ``form`` + ``key``; the key names the record, e.g. a referral's id). Drafts are
saved in two ways:

- **as the person types** (progressive enhancement): the static module
  ``safeguard/drafts.mjs`` finds every ``<form data-draft-url="…">`` and posts its fields to
  that address (``POST /drafts/<form>/<key>/``, view :func:`safeguard.core.views.draft_save`)
  on every change and every 15 seconds while something changed. Password fields and the
  CSRF token are never sent, nor kept;
- **"Save as draft"**, a secondary button that works without JavaScript: the form posts to
  its own page with ``save-draft`` set, and the view keeps the answers and shows the form
  again.

When the form is opened again and a draft is there, the answers are put back and a
notification banner says so ("We restored answers you had not submitted, saved at 10:42").
After a successful submit the view discards the draft.

How a form opts in (three lines in the view, two in the template)::

    # the view
    drafts = FormDrafts(request, "referral-decision", key=str(referral.pk))
    if drafts.saving:                          # "Save as draft" was pressed
        drafts.save(request.POST)
        return redirect(drafts.saved_redirect_url())   # the form again, restored
    form = drafts.restore(DecisionForm, ...) if request.method == "GET" else DecisionForm(
        request.POST, ...)
    ...on success: drafts.discard()
    render(..., {"drafts": drafts, ...})

    {# the template #}
    {% from "core/drafts.html" import draft_banner, draft_form_attributes, save_draft_button %}
    {{ draft_banner(drafts) }}
    <form method="post" novalidate {{ draft_form_attributes(drafts) }}>
      ... {{ govukButton({"text": "Continue"}) }} {{ save_draft_button() }}
    </form>

:meth:`FormDrafts.restore` gives a form bound to the draft's answers with its errors
cleared, so the fields show what was typed without shouting errors about fields not yet
filled in; such a form is for showing, never for ``is_valid()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from django import forms
from django.forms.utils import ErrorDict
from django.http import HttpRequest, QueryDict
from django.urls import reverse

from safeguard.core.dates import LONDON
from safeguard.core.models import Draft

#: The name of the "Save as draft" button.
SAVE_DRAFT = "save-draft"
#: Fields never kept in a draft.
NEVER_KEPT = frozenset({"csrfmiddlewaretoken", SAVE_DRAFT})
MAX_FIELDS = 200
MAX_VALUE_CHARS = 20_000

F = TypeVar("F", bound=forms.Form)


def _kept(name: str) -> bool:
    return name not in NEVER_KEPT and "password" not in name.lower()


def clean_data(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The answers worth keeping: every field but passwords and the CSRF token, as lists of
    strings (a field may have several values, like checkboxes)."""
    out: dict[str, list[str]] = {}
    items = data.lists() if isinstance(data, QueryDict) else (
        (k, v if isinstance(v, list) else [v]) for k, v in data.items())
    for name, values in items:
        if not isinstance(name, str) or not _kept(name) or len(out) >= MAX_FIELDS:
            continue
        out[name[:200]] = [str(v)[:MAX_VALUE_CHARS] for v in values]
    return out


def save_draft(*, owner: Any, form: str, key: str = "", data: Mapping[str, Any]) -> Draft:
    """Keep (or replace) the person's draft of ``form`` for ``key``."""
    draft, _ = Draft.objects.update_or_create(
        owner=owner, form=form, key=key, defaults={"data": clean_data(data)})
    return draft


def load_draft(*, owner: Any, form: str, key: str = "") -> Draft | None:
    if owner is None or not getattr(owner, "is_authenticated", False):
        return None
    return Draft.objects.filter(owner=owner, form=form, key=key).first()


def discard_draft(*, owner: Any, form: str, key: str = "") -> None:
    if owner is not None and getattr(owner, "is_authenticated", False):
        Draft.objects.filter(owner=owner, form=form, key=key).delete()


def as_querydict(data: Mapping[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, list(values))
    return query


def saved_at_text(draft: Draft) -> str:
    """"10:42", or "10:42 on 23 November 2026" for an older draft (in England's time)."""
    at = draft.saved_at.astimezone(LONDON)
    now = datetime.now(LONDON)
    time = at.strftime("%H:%M")
    return time if at.date() == now.date() else f"{time} on {at.day} {at:%B %Y}"


class FormDrafts:
    """One form's drafts for the signed-in person: see the module's docstring."""

    def __init__(self, request: HttpRequest, form: str, key: str = "") -> None:
        self.request = request
        self.form = form
        self.key = key
        self.restored: Draft | None = None
        self.saved_now = False

    @property
    def url(self) -> str:
        args = [self.form, self.key] if self.key else [self.form]
        return reverse("draft-save", args=args)

    @property
    def saving(self) -> bool:
        """Was "Save as draft" pressed?"""
        return self.request.method == "POST" and SAVE_DRAFT in self.request.POST

    def save(self, data: Mapping[str, Any]) -> Draft:
        draft = save_draft(owner=self.request.user, form=self.form, key=self.key, data=data)
        self.saved_now = True
        return draft

    def load(self) -> Draft | None:
        return load_draft(owner=self.request.user, form=self.form, key=self.key)

    def discard(self) -> None:
        discard_draft(owner=self.request.user, form=self.form, key=self.key)

    def restore(self, form_class: type[F], *args: Any, **kwargs: Any) -> F:
        """The form with the draft's answers put back (errors cleared), or empty."""
        draft = self.load()
        if draft is None:
            return form_class(None, *args, **kwargs)
        self.restored = draft
        restored = form_class(as_querydict(draft.data), *args, **kwargs)
        # For showing what was typed, never for is_valid().
        restored._errors = ErrorDict()  # type: ignore[attr-defined]
        return restored

    def saved_redirect_url(self) -> str:
        """Where "Save as draft" leads: the form again, saying the answers were saved."""
        return f"{self.request.path}?draft=saved"

    @property
    def banner(self) -> str:
        """The notification banner's words, when answers were put back."""
        if self.restored is None:
            return ""
        at = saved_at_text(self.restored)
        if self.request.GET.get("draft") == "saved":
            return (f"Your answers were saved as a draft at {at}. They will be here when you "
                    "come back to this page.")
        return f"We restored answers you had not submitted, saved at {at}."
