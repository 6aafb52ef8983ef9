"""Identifiers of children and adults, checked with kept libraries.

- NHS number: 10 digits with a modulus 11 check digit (``nhs-number``).
- Unique pupil number (UPN): 13 characters with a check letter (``python-stdnum``,
  ``stdnum.gb.upn``).
"""

from __future__ import annotations

import nhs_number
from django.core.exceptions import ValidationError
from stdnum.gb import upn as _upn


def normalise_nhs_number(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if len(digits) != 10:
        raise ValidationError("NHS number must be 10 digits, like 943 476 5919")
    if not nhs_number.is_valid(digits):
        raise ValidationError("NHS number is not valid: check the digits")


def format_nhs_number(value: str) -> str:
    digits = normalise_nhs_number(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else value


def normalise_upn(value: str) -> str:
    return value.replace(" ", "").upper()


def validate_upn(value: str) -> None:
    code = normalise_upn(value)
    if len(code) != 13:
        raise ValidationError("Unique pupil number must be 13 characters, like B801200005001")
    if not _upn.is_valid(code):
        raise ValidationError("Unique pupil number is not valid: check the letter and digits")
