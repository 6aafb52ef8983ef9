"""The Jinja2 environment: GOV.UK Frontend macros, globals, autoescaping."""

from __future__ import annotations

from django.template import engines


def env():
    return engines["jinja2"].env


def test_autoescape_is_on():
    assert env().from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_the_govuk_frontend_macros_load_under_their_documented_prefix():
    html = env().from_string(
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
        "{{ govukTag({'text': 'Late <now>', 'classes': 'govuk-tag--orange'}) }}"
    ).render()
    assert '<strong class="govuk-tag govuk-tag--orange">' in html
    assert "Late &lt;now&gt;" in html


def test_static_and_url_globals():
    template = env().from_string("{{ static('govuk-frontend/govuk-frontend.min.css') }} "
                                 "{{ url('timeline-check') }}")
    assert template.render() == "/static/govuk-frontend/govuk-frontend.min.css /check-timeline"


def test_the_apps_templates_come_first():
    assert env().get_template("base.html").filename.endswith("safeguard/web/jinja2/base.html")


def test_a_choice_label_is_what_django_displays_for_every_value() -> None:
    from safeguard.referrals.models import Referral, ReferralDecision
    from safeguard.web.jinja import choice_label

    for model, field in ((Referral, "source"), (ReferralDecision, "outcome")):
        values = [value for value, _label in model._meta.get_field(field).flatchoices]
        assert len(values) > 2
        for value in [*values, "not-a-choice"]:
            record = model(**{field: value})
            shown = getattr(record, f"get_{field}_display")()
            assert choice_label(record, field) == shown
