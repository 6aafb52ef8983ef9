"""Test helpers for two-factor authentication (:mod:`safeguard.web.signin`).

- :func:`code_for`: the code a person's authenticator app would show now, computed from
  their confirmed device's key as the app does, and one the device has not accepted before
  (django-otp refuses a code twice, so a second sign-in within 30 seconds needs the next
  one).
- :func:`give_second_factor`: in a browser test (Playwright), enter that code on the
  two-factor step, if the sign-in led there.
- :func:`mark_verified`: make a test client's session count as having given the second
  factor, for tests that sign in with ``Client.force_login`` (which skips the password, and
  so, in ``tests/conftest.py``, the second factor too).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.web.signin import confirmed_device, needs_second_factor


def _user(user_or_username: Any) -> Any:
    if isinstance(user_or_username, str):
        return get_user_model().objects.get(username=user_or_username)
    return user_or_username


def code_for(user_or_username: Any, *, wait: float = 65.0) -> str:
    """The 6-digit code ``user``'s authenticator app shows, that their device will accept."""
    user = _user(user_or_username)
    device = confirmed_device(user)
    if device is None:
        raise LookupError(f"{user.get_username()} has no confirmed authenticator app")
    deadline = time.monotonic() + wait
    while True:
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = int(totp.t())
        wanted = max(now, int(device.last_t) + 1)
        if wanted <= now + int(device.tolerance) or time.monotonic() > deadline:
            totp.drift = int(device.drift) + (wanted - now)
            return f"{int(totp.token()):0{int(device.digits)}d}"
        time.sleep(1)


def mark_verified(client: Client, user: Any) -> None:
    """After ``client.force_login(user)``: the session has given its second factor, when
    ``user``'s role needs one (a confirmed device is made if they have none)."""
    if not needs_second_factor(user):
        return
    device = confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator app",
                                           confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def give_second_factor(page: Any, username: str) -> None:
    """On the two-factor step (if the sign-in led there), enter the code the person's
    authenticator app would show, as they would."""
    if "/sign-in/two-factor" not in page.url:
        return
    page.fill("#id_code", code_for(username))
    with page.expect_navigation():
        page.click("#two-factor-continue")
    assert "/sign-in/two-factor" not in page.url, "the second factor was refused"
