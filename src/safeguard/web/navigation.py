"""The service navigation: the links a signed-in person sees, by their role.

- Home, Cases, Search, Check a timeline: everyone signed in.
- Front door and My work: children's social care staff.
- My team: team managers.
- Make a referral: anyone whose role may make one (social care, and the police, health,
  schools and early help).

A link whose page does not exist yet (its URL name is not registered) is left out.

Below the page, "Your account" links (``account_links``): your access history, for
everyone; set-up codes for authenticator apps, for administrators and team managers
(:func:`~safeguard.web.signin.may_issue_set_up_codes`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from safeguard.agencies.models import Role
from safeguard.cases.policy import may, staff_of
from safeguard.web.signin import awaiting_second_factor, may_issue_set_up_codes

#: Stands for each integer argument while a URL is reversed once (:func:`_url_parts`).
_ARG_MARKER = 7171717171


@lru_cache(maxsize=1024)
def _url_parts(urlconf: str | None, prefix: str, name: str, arity: int
               ) -> tuple[str, ...] | None:
    """The URL of ``name`` with ``arity`` integer arguments, split where each goes; None
    when there is no such page."""
    try:
        url = reverse(name, args=[_ARG_MARKER] * arity or None, urlconf=urlconf)
    except NoReverseMatch:
        return None
    parts = tuple(url.split(str(_ARG_MARKER)))
    return parts if len(parts) == arity + 1 else None


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _url_parts.cache_clear()


def optional_url(name: str, *args: Any) -> str | None:
    """The URL of ``name``, or None when no such page is registered (yet) or ``name`` is
    empty (no page to link to). A page's URL is reversed once for any integer arguments
    (a page shows a dozen of these links, on every view)."""
    if not name:
        return None
    if all(type(a) is int for a in args):
        parts = _url_parts(get_urlconf(), get_script_prefix(), name, len(args))
        if parts is not None:
            return "".join(p + str(a) for p, a in zip(parts, args, strict=False)) + parts[-1]
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation's items (GOV.UK macro parameters) and who is signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": [], "signed_in": False, "user_label": "", "account_links": []}
    if awaiting_second_factor(user):  # signed in part-way: only "Sign out" until the code
        return {"items": [], "signed_in": True, "user_label": "", "account_links": []}
    staff = staff_of(user)
    social_care = staff is not None and staff.in_social_care
    wanted: list[tuple[str, str]] = [("Home", "home")]
    if social_care:
        wanted.append(("Front door", "referrals:queue"))
        wanted.append(("My work", "cases:work"))
    if staff is not None and staff.role == Role.TEAM_MANAGER and social_care:
        wanted.append(("My team", "cases:team"))
    wanted += [("Cases", "cases:list"), ("Search", "people:search")]
    if may(user, "make_referral"):
        wanted.append(("Make a referral", "referrals:new"))
    wanted.append(("Check a timeline", "timeline-check"))
    links = [(text, href) for text, name in wanted if (href := optional_url(name))]
    # The current page is the link whose address is the longest start of the path.
    path = request.path
    current = max((href for _t, href in links if href != "/" and path.startswith(href)),
                  key=len, default="/" if path == "/" else None)
    items = [{"text": text, "href": href, "current": href == current} for text, href in links]
    label = staff.name if staff is not None else (user.get_full_name() or user.get_username())
    if staff is not None:
        label = f"{label}, {staff.agency.name}"
    account: list[tuple[str, str, str]] = [
        ("Your access history", "my-access-history", "footer-access-history")]
    if may_issue_set_up_codes(user, staff):
        account.append(("Set-up codes for authenticator apps", "set-up-codes",
                        "footer-set-up-codes"))
    account_links = [{"text": text, "href": href, "id": id_}
                     for text, name, id_ in account if (href := optional_url(name))]
    return {"items": items, "signed_in": True, "user_label": label,
            "account_links": account_links}
