"""Setting up two-factor authentication needs a one-time set-up code as well as the password;
setting it up gives 10 single-use recovery codes, shown once, any of which can stand in for
the app's code; a new set replaces the old; each step is audited. (How the recovery codes
are kept, hashed, and used up once even when two sign-ins race: test_recovery_codes_hashed.)"""

from __future__ import annotations

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.core.models import AuditEntry
from safeguard.core.services import NotAllowed
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.testing.two_factor import code_for
from safeguard.web.accounts import RECOVERY_WRONG, SET_UP_CODE_WRONG
from safeguard.web.models import RecoveryCode, RecoveryCodeDevice, SetUpCode
from safeguard.web.signin import issue_set_up_code, recovery_codes_left

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/sign-in/two-factor"
SET_UP = "/sign-in/two-factor/set-up"
RECOVERY = "/sign-in/two-factor/recovery-code"
CODES = "/account/two-factor/recovery-codes"


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def sign_in(client: Client, username: str) -> None:
    client.post("/sign-in", {"username": username, "password": DEMO_PASSWORD})


def shown_codes(html: str) -> list[str]:
    block = html.split('id="recovery-codes"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", block)


def set_up(client: Client, user, set_up_code: str) -> list[str]:
    """Through the set-up pages with ``set_up_code``: the recovery codes shown."""
    assert client.post(SET_UP, {"set_up_code": set_up_code})["Location"] == SET_UP
    html = client.get(SET_UP).content.decode()
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    response = client.post(SET_UP, {"code": f"{totp(b32decode(key)):06d}"})
    assert response["Location"] == CODES
    return shown_codes(client.get(CODES).content.decode())


def test_a_password_alone_cannot_set_up_an_app(client: Client, north) -> None:
    user = north["lado"].user
    TOTPDevice.objects.filter(user=user).delete()
    sign_in(client, "north-lado")
    html = client.get(SET_UP).content.decode()
    assert "Enter your set-up code" in html
    assert "two-factor-key" not in html and "data:image/svg" not in html  # no key yet
    assert not TOTPDevice.objects.filter(user=user).exists()
    # A code made up, another person's, an expired one, a used one: all refused.
    other = issue_set_up_code(actor=None, user=north["chair"].user)
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        expired = issue_set_up_code(actor=None, user=user)
    for wrong in ("0000-0000-0000-0000", other, expired):
        html = client.post(SET_UP, {"set_up_code": wrong}).content.decode()
        assert SET_UP_CODE_WRONG in html and wrong not in html
    assert AuditEntry.objects.filter(action="set_up_code_refused").count() == 3
    assert client.post(TWO_FACTOR, {"code": "123456"})["Location"] == SET_UP
    assert client.get("/cases/").status_code == 302


def test_the_set_up_code_works_once_and_gives_recovery_codes(client: Client, north) -> None:
    user = north["manager"].user
    TOTPDevice.objects.filter(user=user).delete()
    code = issue_set_up_code(actor=None, user=user)
    assert re.fullmatch(r"[0-9a-f]{4}(-[0-9a-f]{4}){3}", code)
    assert not SetUpCode.objects.filter(code_hash__contains=code).exists()
    sign_in(client, "north-manager")
    codes = set_up(client, user, code.upper().replace("-", " "))  # case and spaces ignored
    assert len(codes) == 10 and len(set(codes)) == 10
    html = client.get(CODES).content.decode()
    assert 'id="recovery-codes"' not in html  # shown once
    assert "You have 10 recovery codes left" in html and codes[0] not in html
    assert SetUpCode.objects.get(user=user).used_at is not None
    assert [e.action for e in AuditEntry.objects.filter(
        action__in=("set_up_code_issued", "set_up_code_accepted", "two_factor_set_up",
                    "recovery_codes_issued")).order_by("pk")] == [
        "set_up_code_issued", "set_up_code_accepted", "two_factor_set_up",
        "recovery_codes_issued"]
    for entry in AuditEntry.objects.all():
        assert code not in str(entry.detail) and codes[0] not in str(entry.detail)
    # Used: it cannot set up a second app.
    TOTPDevice.objects.filter(user=user).delete()
    second = Client()
    sign_in(second, "north-manager")
    assert SET_UP_CODE_WRONG in second.post(SET_UP, {"set_up_code": code}).content.decode()


def test_a_recovery_code_signs_in_once(north) -> None:
    user = north["chair"].user
    codes = _recovery_codes_for(user)
    client = Client()
    sign_in(client, "north-chair")
    assert 'href="/sign-in/two-factor/recovery-code"' in client.get(TWO_FACTOR).content.decode()
    page = client.get(RECOVERY).content.decode()
    assert "Enter a recovery code" in page
    response = client.post(RECOVERY, {"recovery_code": codes[3].upper()})
    assert response["Location"] == "/"
    assert client.get("/cases/").status_code == 200
    assert recovery_codes_left(user) == 9
    used = AuditEntry.objects.get(action="recovery_code_used")
    assert used.detail == {"left": 9} and used.actor_id == user.pk
    # The same code again, in another sign-in: refused.
    again = Client()
    sign_in(again, "north-chair")
    with time_machine.travel(time.time() + 2, tick=True):
        assert RECOVERY_WRONG in again.post(RECOVERY, {"recovery_code": codes[3]}
                                            ).content.decode()
    assert again.get("/cases/").status_code == 302
    assert AuditEntry.objects.filter(action="two_factor_refused",
                                     detail__step="recovery_code").exists()


def test_a_new_set_replaces_the_old(north) -> None:
    user = north["partnership"].user
    old = _recovery_codes_for(user)
    client = Client()
    sign_in(client, "north-partnership")
    client.post(TWO_FACTOR, {"code": code_for(user)})
    html = client.post(CODES).content.decode()
    new = shown_codes(html)
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(device__user=user).count() == 10
    assert RecoveryCodeDevice.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="recovery_codes_issued",
                                     detail__replaced=True).exists()
    other = Client()
    sign_in(other, "north-partnership")
    assert RECOVERY_WRONG in other.post(RECOVERY, {"recovery_code": old[0]}).content.decode()


def test_roles_without_two_factor_have_no_recovery_codes(client: Client, north) -> None:
    client.force_login(north["social_worker"].user)
    assert client.get(CODES)["Location"] == "/"
    assert client.post(CODES)["Location"] == "/"
    assert not RecoveryCodeDevice.objects.exists()


def test_who_may_issue_a_set_up_code(north) -> None:
    manager, worker, lado = north["manager"].user, north["social_worker"].user, north["lado"].user
    assert issue_set_up_code(actor=manager, user=lado)  # a team manager, their agency's staff
    for actor, user in ((worker, lado), (manager, manager), (north["police"].user, lado)):
        with pytest.raises(NotAllowed):
            issue_set_up_code(actor=actor, user=user)
    entry = AuditEntry.objects.get(action="set_up_code_issued")
    assert entry.actor_id == manager.pk and entry.object_id == str(lado.pk)


def test_the_command_prints_a_code_that_works(capsys, north) -> None:
    user = north["lado"].user
    call_command("issue_set_up_code", "north-lado", "--hours", "2")
    code = capsys.readouterr().out.strip()
    found = SetUpCode.objects.get(user=user)
    assert found.expires_at - found.issued_at == timedelta(hours=2)
    call_command("issue_set_up_code", "north-lado")  # a new one: the first stops working
    capsys.readouterr()
    client = Client()
    TOTPDevice.objects.filter(user=user).delete()
    sign_in(client, "north-lado")
    assert SET_UP_CODE_WRONG in client.post(SET_UP, {"set_up_code": code}).content.decode()


def _recovery_codes_for(user) -> list[str]:
    from safeguard.core.services import Context
    from safeguard.web.signin import recovery_codes_new

    return list(recovery_codes_new(user=user, context=Context()))
