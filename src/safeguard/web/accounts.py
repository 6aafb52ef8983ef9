"""Signing in with a local account: the forms, with GOV.UK's error messages.

One message for a wrong username or password (never saying which), as the GOV.UK
sign-in pattern and OWASP both ask. After too many wrong tries (settings: ``AXES_*``) the
form says so and when to try again, in place of django-axes' own page. Privileged roles then
give a code from their authenticator app (:class:`CodeForm`, :mod:`safeguard.web.signin`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse

from safeguard.core.forms import GovukForm
from safeguard.demo import progress

WRONG = "Enter a correct username and password"
LOCKED = "You have tried to sign in too many times. Try again in 15 minutes."
NOT_YET = ("You cannot sign in until the demo data is ready: the demo accounts are made "
           "with it")


class SignInForm(GovukForm):
    username = forms.CharField(label="Username", max_length=150,
                               error_messages={"required": "Enter your username"})
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False,
                               error_messages={"required": "Enter your password"})

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        #: Why the password step refused, for the audit: "wrong" or "locked_out"; and the
        #: username tried (not kept: the audit names the account, if there is one).
        self.refused = ""
        self.username_tried = ""
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if progress.building() is not None:
            self.add_error("username", NOT_YET)
        elif username and password:
            self.user = authenticate(self.request, username=username, password=password)
            self.username_tried = username
            if getattr(self.request, "axes_locked_out", False):
                self.user = None
                self.refused = "locked_out"
                self.add_error("username", LOCKED)
            elif self.user is None or not self.user.is_active:
                self.user = None
                self.refused = "wrong"
                self.add_error("username", WRONG)
        return data


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: Any = None) -> HttpResponse:
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: the sign-in page has already said why (and
    answered 429), so its response stands; anything else gets the same words as text."""
    if original_response is not None:
        return original_response
    return HttpResponse(LOCKED, status=429, content_type="text/plain; charset=utf-8")


def client_for_logs(username: str, ip_address: str, user_agent: str, path_info: Any,
                    request: HttpRequest) -> str:
    """django-axes' ``AXES_CLIENT_STR_CALLABLE``: its log lines name the page only — never
    the username (personal data, or a password typed in the wrong box) or the address."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else ""
    return f'{{path_info: "{path_info}"}}'


CODE_REQUIRED = "Enter the code from your authenticator app"
CODE_FORMAT = "The code must be 6 numbers"
CODE_WRONG = "Enter a correct code from your authenticator app"
CODE_THROTTLED = ("You have entered a wrong code too many times. Wait a minute, then enter "
                  "the code your authenticator app shows now")


def _blank(form: forms.Form, name: str) -> None:
    """Show ``name`` empty again after a refusal: a code is never shown back."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data[name] = ""
    form.data = data


class CodeForm(GovukForm):
    """The 6-digit code from an authenticator app (spaces and hyphens are ignored)."""

    code = forms.CharField(label="Code from your authenticator app", max_length=20,
                           error_messages={"required": CODE_REQUIRED})

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).replace("-", " ").split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(CODE_FORMAT)
        return code

    def refuse(self, *, throttled: bool) -> None:
        """The device refused the code: say so, and do not show the code again."""
        self.add_error("code", CODE_THROTTLED if throttled else CODE_WRONG)
        _blank(self, "code")


SET_UP_CODE_REQUIRED = "Enter the set-up code you were given"
SET_UP_CODE_WRONG = ("The set-up code is not right, has expired or has been used. Check it, "
                     "or ask for a new one")


class SetUpCodeForm(GovukForm):
    """The one-time set-up code an administrator or team manager gave the person."""

    set_up_code = forms.CharField(label="Set-up code", max_length=40,
                                  error_messages={"required": SET_UP_CODE_REQUIRED})

    def refuse(self) -> None:
        self.add_error("set_up_code", SET_UP_CODE_WRONG)
        _blank(self, "set_up_code")


RECOVERY_REQUIRED = "Enter a recovery code"
RECOVERY_FORMAT = "A recovery code is 8 letters and numbers, like abcd-2345"
RECOVERY_WRONG = "Enter a recovery code you have not used before"
RECOVERY_THROTTLED = ("You have entered a wrong code too many times. Wait a minute, then try "
                      "again")


class RecoveryCodeForm(GovukForm):
    """One of the person's single-use recovery codes (spaces, hyphens and case ignored)."""

    recovery_code = forms.CharField(label="Recovery code", max_length=20,
                                    error_messages={"required": RECOVERY_REQUIRED})

    def clean_recovery_code(self) -> str:
        code = "".join(str(self.cleaned_data["recovery_code"]).replace("-", " ").split())
        code = code.lower()
        if not (len(code) == 8 and code.isascii() and code.isalnum()):
            raise forms.ValidationError(RECOVERY_FORMAT)
        return code

    def refuse(self, *, throttled: bool) -> None:
        self.add_error("recovery_code", RECOVERY_THROTTLED if throttled else RECOVERY_WRONG)
        _blank(self, "recovery_code")


#: How long a set-up code may be made to last, in hours, besides the deployment's default.
SET_UP_CODE_LIFETIMES = (24, 72, 168, 336)


def lifetime_label(hours: int) -> str:
    """72 → "3 days"; 24 → "24 hours"; 30 → "30 hours"."""
    if hours % 24 == 0 and hours > 24:
        return f"{hours // 24} days"
    return f"{hours} hour{'' if hours == 1 else 's'}"


class SetUpCodeIssueForm(GovukForm):
    """How long the set-up code an administrator or team manager issues should last."""

    hours = forms.TypedChoiceField(
        label="How long should the set-up code last?", coerce=int, widget=forms.RadioSelect,
        help_text="It stops working when it has been used, or at the end of this time",
        error_messages={"required": "Select how long the set-up code should last",
                        "invalid_choice": "Select how long the set-up code should last"})

    def __init__(self, *args: Any, default_hours: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lifetimes = sorted({*SET_UP_CODE_LIFETIMES, default_hours})
        field = self.fields["hours"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(h), lifetime_label(h)) for h in lifetimes]
