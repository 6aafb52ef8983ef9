"""GOV.UK forms: fields render as the Design System's components, errors as its pattern."""

from datetime import date

from django import forms
from django.template import engines

from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.core.services import Invalid


class ExampleForm(GovukForm):
    received_on = GovukDateField(label="Date the referral was received", latest=date(2026, 11, 23))
    concerns = forms.CharField(label="Concerns", widget=forms.Textarea)
    source = forms.ChoiceField(label="Referral source", choices=[("", ""), ("2A", "School")])
    s47 = yes_no("Were section 47 enquiries started?")


def render(form: ExampleForm) -> str:
    template = engines["jinja2"].from_string(
        '{% from "core/fields.html" import field, error_summary %}'
        "{{ error_summary(form) }}{% for name in form.fields %}{{ field(form[name]) }}{% endfor %}"
    )
    return template.render({"form": form})


def test_a_good_form_cleans_to_values() -> None:
    form = ExampleForm({"received_on-day": "23", "received_on-month": "11",
                        "received_on-year": "2026", "concerns": "Bruises", "source": "2A",
                        "s47": "no"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"received_on": date(2026, 11, 23), "concerns": "Bruises",
                                 "source": "2A", "s47": False}


def test_errors_follow_the_design_system_and_keep_what_was_typed() -> None:
    form = ExampleForm({"received_on-day": "31", "received_on-month": "2",
                        "received_on-year": "2026", "concerns": "", "source": ""})
    assert not form.is_valid()
    assert form.errors["received_on"] == ["Date the referral was received must be a real date"]
    assert form.errors["concerns"] == ["Enter concerns"]
    assert form.errors["source"] == ["Select referral source"]
    assert form.errors["s47"] == ["Select yes if were section 47 enquiries started"]
    html = render(form)
    assert "govuk-error-summary" in html
    assert 'href="#id_received_on-day"' in html
    assert 'value="31"' in html and 'value="2026"' in html
    assert "govuk-date-input" in html and "govuk-textarea" in html and "govuk-radios" in html


def test_a_missing_part_of_a_date_is_named() -> None:
    form = ExampleForm({"received_on-day": "3", "received_on-month": "",
                        "received_on-year": "2026"})
    form.is_valid()
    assert form.errors["received_on"] == ["Date the referral was received must include a month"]


def test_service_errors_land_on_their_fields() -> None:
    form = ExampleForm({"received_on-day": "23", "received_on-month": "11",
                        "received_on-year": "2026", "concerns": "x", "source": "2A", "s47": "yes"})
    assert form.is_valid()
    form.add_service_errors(Invalid({"concerns": "Say more", "child.nhs_number": "Bad number"}))
    assert form.errors["concerns"] == ["Say more"]
    assert form.errors["__all__"] == ["Bad number"]
