"""PostgreSQL row-level security on every table of case data (safeguard.cases.rls).

The case table's rule is the access policy's (cases_visible_to) in SQL; every other table's
row is seen with the record it belongs to, and so, in the end, with its case. Nothing
changes on SQLite, which has no row-level security.
"""

from django.conf import settings
from django.db import migrations

#: (table, column, the table it points to): each after the one it points to.
CHILDREN = [
    ("cases_involvement", "case_id", "cases_case"),
    ("cases_obligation", "case_id", "cases_case"),
    ("cases_breakglass", "case_id", "cases_case"),
    ("cases_casealert", "case_id", "cases_case"),
    ("referrals_referral", "case_id", "cases_case"),
    ("referrals_referraldecision", "referral_id", "referrals_referral"),
    ("assessments_assessment", "case_id", "cases_case"),
    ("assessments_childinneedplan", "case_id", "cases_case"),
    ("assessments_childinneedplan_agencies", "childinneedplan_id",
     "assessments_childinneedplan"),
    ("assessments_childinneedplanoutcome", "plan_id", "assessments_childinneedplan"),
    ("assessments_childinneedplanreview", "plan_id", "assessments_childinneedplan"),
    ("assessments_childinneedplanreview_agencies", "childinneedplanreview_id",
     "assessments_childinneedplanreview"),
    ("protection_immediateprotection", "case_id", "cases_case"),
    ("protection_strategydiscussion", "case_id", "cases_case"),
    ("protection_strategyattendee", "discussion_id", "protection_strategydiscussion"),
    ("protection_strategyaction", "discussion_id", "protection_strategydiscussion"),
    ("protection_section47enquiry", "case_id", "cases_case"),
    ("protection_conference", "case_id", "cases_case"),
    ("protection_conferenceinvitee", "conference_id", "protection_conference"),
    ("protection_childprotectionplan", "case_id", "cases_case"),
    ("protection_planaction", "plan_id", "protection_childprotectionplan"),
    ("protection_coregroupmember", "plan_id", "protection_childprotectionplan"),
    ("protection_coregroupmeeting", "plan_id", "protection_childprotectionplan"),
    ("protection_planendnotification", "plan_id", "protection_childprotectionplan"),
    ("protection_movedinnotice", "case_id", "cases_case"),
    ("protection_returnhome", "case_id", "cases_case"),
    ("sharing_sharingdecision", "case_id", "cases_case"),
    ("sharing_conferencereportsent", "case_id", "cases_case"),
    ("sharing_conferencereportrecipient", "sent_id", "sharing_conferencereportsent"),
]


def _run(schema_editor, statements):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    # This migration's own SQL, as it was written (cases.0004 installs today's rules).
    from safeguard.cases.migrations import _rls_0003 as rls

    _run(schema_editor, rls.install_sql(CHILDREN))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from safeguard.cases.migrations import _rls_0003 as rls

    _run(schema_editor, rls.remove_sql(CHILDREN))


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("agencies", "0001_initial"),
        ("cases", "0002_break_glass"),
        ("referrals", "0002_referral_awaiting_decision"),
        ("assessments", "0002_plan_outcomes_reviews_authorisation"),
        ("protection", "0002_casework"),
        ("sharing", "0002_conference_reports"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
