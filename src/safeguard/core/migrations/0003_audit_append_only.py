"""The audit table is append-only in the database itself (safeguard.core.audit_guard)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from safeguard.core import audit_guard

    audit_guard.install(schema_editor.connection)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from safeguard.core import audit_guard

    audit_guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_apitoken")]
    operations = [migrations.RunPython(forwards, backwards)]
