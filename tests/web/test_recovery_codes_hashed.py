"""Recovery codes are kept only as keyed, salted hashes (HMAC-SHA256 under a key derived
from SECRET_KEY, a random salt per code), are used up at once and only once — even when two
sign-ins race with the same code — and the migration turns django-otp's plain-text static
tokens into such hashes, deleting the plain ones."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from safeguard.core.models import AuditEntry
from safeguard.core.services import Context
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.web import signin
from safeguard.web.models import RECOVERY_CODE_KEY_SALT, RecoveryCode, RecoveryCodeDevice

pytestmark = pytest.mark.db  # on SQLite and PostgreSQL: the race especially

RECOVERY = "/sign-in/two-factor/recovery-code"


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def plain(code: str) -> str:
    return code.replace("-", "")


def expected_digest(secret: str, salt: str, code: str) -> str:
    """What Django's salted_hmac gives, worked out here with hmac and hashlib alone."""
    key = hashlib.sha256((RECOVERY_CODE_KEY_SALT + secret).encode()).digest()
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_only_a_salted_keyed_hash_is_kept(north, settings) -> None:
    user = north["chair"].user
    codes = signin.recovery_codes_new(user=user, context=Context())
    rows = list(RecoveryCode.objects.filter(device__user=user))
    assert len(rows) == 10 and len({r.salt for r in rows}) == 10
    stored = " ".join(f"{r.salt} {r.code_hash}" for r in rows)
    for code in codes:
        assert plain(code) not in stored and code not in stored
        # Not a bare hash that a table of all 2^40 codes could reverse without the key.
        assert hashlib.sha256(plain(code).encode()).hexdigest() not in stored
    by_code = {plain(c): [r for r in rows if r.code_hash == expected_digest(
        settings.SECRET_KEY, r.salt, plain(c))] for c in codes}
    assert all(len(found) == 1 for found in by_code.values())
    # The django-otp plugin's plain-text table is not used any more.
    from django_otp.plugins.otp_static.models import StaticToken

    assert not StaticToken.objects.exists()


@pytest.mark.django_db
def test_a_code_works_once_and_the_device_is_throttled(north) -> None:
    user = north["chair"].user
    codes = signin.recovery_codes_new(user=user, context=Context())
    first = signin.recovery_code_verify(user=user, code=codes[0].upper(), context=Context())
    assert isinstance(first.device, RecoveryCodeDevice)
    assert signin.recovery_codes_left(user) == 9
    again = signin.recovery_code_verify(user=user, code=codes[0], context=Context())
    assert again.device is None
    # After a wrong code the device waits before it takes another (django-otp's throttle).
    right_but_too_soon = signin.recovery_code_verify(user=user, code=codes[1],
                                                     context=Context())
    assert right_but_too_soon.device is None and right_but_too_soon.throttled
    assert signin.recovery_codes_left(user) == 9


@pytest.mark.django_db
def test_a_rotated_secret_key_keeps_codes_working_while_it_is_a_fallback(north,
                                                                          settings) -> None:
    user = north["lado"].user
    codes = signin.recovery_codes_new(user=user, context=Context())
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    assert signin.recovery_code_verify(user=user, code=codes[0], context=Context()).device
    settings.SECRET_KEY_FALLBACKS = []
    RecoveryCodeDevice.objects.filter(user=user).update(throttling_failure_count=0)
    assert signin.recovery_code_verify(user=user, code=codes[1], context=Context()).device \
        is None


@pytest.mark.django_db
def test_a_code_used_meanwhile_by_another_sign_in_is_refused(north, monkeypatch) -> None:
    """The race, made to happen every time: the code matches, but another session's
    transaction used it between our reading the codes and deleting the one that matched.
    The conditional DELETE finds nothing to delete, so this sign-in is refused."""
    user = north["chair"].user
    codes = signin.recovery_codes_new(user=user, context=Context())
    original = RecoveryCode.matches

    def used_meanwhile(self: RecoveryCode, code: str, secret: str | None = None) -> bool:
        found = original(self, code, secret)
        if found:
            RecoveryCode.objects.filter(pk=self.pk).delete()  # the other sign-in's
        return found

    monkeypatch.setattr(RecoveryCode, "matches", used_meanwhile)
    result = signin.recovery_code_verify(user=user, code=codes[2], context=Context())
    assert result.device is None
    assert AuditEntry.objects.filter(action="two_factor_refused",
                                     detail__step="recovery_code").exists()
    assert not AuditEntry.objects.filter(action="recovery_code_used").exists()


def _verify_waiting_for_locks(user, code: str) -> bool:
    """On the tests' in-memory SQLite database (shared cache) a second writer is told the
    table is locked at once, where a database file waits its turn (its timeout): wait here.
    PostgreSQL waits at the row lock (SELECT ... FOR UPDATE)."""
    for _ in range(200):
        try:
            result = signin.recovery_code_verify(user=user, code=code, context=Context())
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.02)
            continue
        return result.device is not None
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_two_sign_ins_racing_with_one_code_only_one_gets_in() -> None:
    north = build_area("Northshire", "901", "north")
    user = north["partnership"].user
    code = signin.recovery_codes_new(user=user, context=Context())[4]
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def sign_in() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(_verify_waiting_for_locks(user, code))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert sorted(results) == [False, True]
    assert signin.recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(action="recovery_code_used").count() == 1


@pytest.mark.django_db
def test_signing_in_with_a_recovery_code_through_the_page(north) -> None:
    user = north["chair"].user
    codes = signin.recovery_codes_new(user=user, context=Context())
    client = Client()
    client.post("/sign-in", {"username": "north-chair", "password": DEMO_PASSWORD})
    assert client.post(RECOVERY, {"recovery_code": codes[7]})["Location"] == "/"
    assert client.get("/cases/").status_code == 200
    # A new set keeps the same device: the session stays signed in with its second factor.
    signin.recovery_codes_new(user=user, context=Context())
    assert client.get("/cases/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_plain_static_tokens_and_deletes_them() -> None:
    executor = MigrationExecutor(connection)
    before = [("web", "0001_initial")]
    after = [("web", "0002_recovery_codes_hashed")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(
            [*before, ("otp_static", "0003_add_timestamps")]).apps
        user_model = old.get_model("auth", "User")
        user = user_model.objects.create(username="someone-with-codes")
        unused = user_model.objects.create(username="someone-unconfirmed")
        device = old.get_model("otp_static", "StaticDevice").objects.create(
            user=user, name="Recovery codes", confirmed=True, throttling_failure_count=2)
        tokens = ["abcd2345", "efgh6723", "ijkl7777"]
        token_model = old.get_model("otp_static", "StaticToken")
        for token in tokens:
            token_model.objects.create(device=device, token=token)
        unconfirmed = old.get_model("otp_static", "StaticDevice").objects.create(
            user=unused, name="Recovery codes", confirmed=False)
        token_model.objects.create(device=unconfirmed, token="zzzz2222")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    migrated = get_user_model().objects.get(username="someone-with-codes")
    new = RecoveryCodeDevice.objects.get(user=migrated)
    assert new.confirmed and new.throttling_failure_count == 2
    stored = list(new.codes.all())
    assert len(stored) == 3
    assert all(t not in f"{c.salt}{c.code_hash}" for c in stored for t in tokens)
    assert not RecoveryCodeDevice.objects.filter(user__username="someone-unconfirmed").exists()
    RecoveryCodeDevice.objects.filter(pk=new.pk).update(throttling_failure_count=0)
    assert signin.recovery_codes_left(migrated) == 3
    assert new.verify_token("ABCD-2345")
    assert signin.recovery_codes_left(migrated) == 2
