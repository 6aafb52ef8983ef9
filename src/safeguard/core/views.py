"""The drafts endpoint: ``POST /drafts/<form>/[<key>/]`` keeps a form's answers as typed.

Called by the static module ``safeguard/drafts.mjs`` (see :mod:`safeguard.core.drafts`). It
answers JSON: ``{"saved_at": "10:42"}``, or 401 when the session has ended (the module then
stops and the draft saved last is what the person gets back after signing in again).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from safeguard.core.drafts import save_draft, saved_at_text


@login_not_required  # answers 401 JSON itself rather than the sign-in page's redirect
@require_POST
def draft_save(request: HttpRequest, form: str, key: str = "") -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Sign in again to keep saving drafts."}, status=401)
    if len(form) > 80 or len(key) > 80:
        return JsonResponse({"detail": "The form's name is too long."}, status=400)
    draft = save_draft(owner=request.user, form=form, key=key, data=request.POST)
    response = JsonResponse({"saved_at": saved_at_text(draft)})
    response["Cache-Control"] = "no-store"
    return response
