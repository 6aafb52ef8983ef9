"""Recovery codes kept as keyed, salted hashes (ADR-006): the new tables, then every
django-otp static token (plain text) converted to a hash on a ``RecoveryCodeDevice`` and the
plain one deleted.

The hash is computed here as ``safeguard.web.models.recovery_code_digest`` does it, copied
rather than imported so that this migration keeps working if the model's code changes:
HMAC-SHA256 of ``salt:code`` under a key derived from SECRET_KEY and the key salt
``safeguard.web.RecoveryCode`` (Django's ``salted_hmac``).

Reversing it drops the new tables and does not bring the plain codes back (they are not
kept anywhere): after a reverse migration people get a new set when they next ask for one.
"""

import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

KEY_SALT = "safeguard.web.RecoveryCode"


def _digest(salt: str, code: str) -> str:
    return salted_hmac(KEY_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def hash_static_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    StaticDevice = apps.get_model("otp_static", "StaticDevice")  # noqa: N806
    StaticToken = apps.get_model("otp_static", "StaticToken")  # noqa: N806
    RecoveryCodeDevice = apps.get_model("web", "RecoveryCodeDevice")  # noqa: N806
    RecoveryCode = apps.get_model("web", "RecoveryCode")  # noqa: N806
    for static in StaticDevice.objects.all().order_by("pk"):
        tokens = list(StaticToken.objects.filter(device=static).values_list("token", flat=True))
        if static.confirmed and tokens:
            device, _ = RecoveryCodeDevice.objects.get_or_create(
                user_id=static.user_id, defaults={"name": static.name or "Recovery codes",
                                                  "confirmed": True})
            device.throttling_failure_count = static.throttling_failure_count
            device.throttling_failure_timestamp = static.throttling_failure_timestamp
            device.save()
            codes = []
            for token in tokens:
                code = "".join(str(token).replace("-", " ").split()).lower()
                salt = secrets.token_hex(16)
                codes.append(RecoveryCode(device=device, salt=salt, code_hash=_digest(salt, code)))
            RecoveryCode.objects.bulk_create(codes)
        StaticToken.objects.filter(device=static).delete()
        static.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("web", "0001_initial"),
        ("otp_static", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RecoveryCodeDevice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("name", models.CharField(help_text="The human-readable name of this device.",
                                          max_length=64)),
                ("confirmed", models.BooleanField(default=True,
                                                  help_text="Is this device ready for use?")),
                ("throttling_failure_timestamp", models.DateTimeField(
                    blank=True, default=None, null=True,
                    help_text="A timestamp of the last failed verification attempt. Null if "
                              "last attempt succeeded.")),
                ("throttling_failure_count", models.PositiveIntegerField(
                    default=0, help_text="Number of successive failed attempts.")),
                ("created_at", models.DateTimeField(
                    auto_now_add=True, null=True,
                    help_text="The date and time when this device was initially created in "
                              "the system.")),
                ("last_used_at", models.DateTimeField(
                    blank=True, null=True,
                    help_text="The most recent date and time this device was used.")),
                ("user", models.ForeignKey(help_text="The user that this device belongs to.",
                                           on_delete=django.db.models.deletion.CASCADE,
                                           to=settings.AUTH_USER_MODEL)),
            ],
            options={"abstract": False},
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("salt", models.CharField(max_length=32)),
                ("code_hash", models.CharField(max_length=64)),
                ("device", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                             related_name="codes",
                                             to="web.recoverycodedevice")),
            ],
        ),
        migrations.RunPython(hash_static_tokens, migrations.RunPython.noop),
    ]
