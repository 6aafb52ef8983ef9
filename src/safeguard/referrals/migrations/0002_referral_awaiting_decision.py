"""Referrals awaiting a decision, marked and indexed for the front door queue."""

from django.db import migrations, models


def mark_decided(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(decision__isnull=False).update(awaiting_decision=False)


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="awaiting_decision",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(mark_decided, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(condition=models.Q(("awaiting_decision", True)),
                               fields=["received_on", "id"], name="referral_awaiting_decision"),
        ),
    ]
