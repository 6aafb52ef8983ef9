"""Signing in with a local account: the form, with GOV.UK's error messages.

One message for a wrong username or password (never saying which), as the GOV.UK
sign-in pattern and OWASP both ask.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest

from safeguard.core.forms import GovukForm
from safeguard.demo import progress

WRONG = "Enter a correct username and password"
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
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if progress.building() is not None:
            self.add_error("username", NOT_YET)
        elif username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None or not self.user.is_active:
                self.user = None
                self.add_error("username", WRONG)
        return data
