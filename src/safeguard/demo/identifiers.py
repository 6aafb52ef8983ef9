"""Synthetic identifiers for demo children, valid by the same libraries that check real ones.

- NHS numbers come from the range the NHS has set aside for testing and never issues to
  anyone (900 000 0000 to 999 999 9999, ``nhs_number.REGION_SYNTHETIC``), with the modulus 11
  check digit computed by ``nhs_number`` itself.
- Unique pupil numbers use an LA number ``stdnum.gb.upn`` knows, an establishment number
  below 1000 (DfE establishment numbers of schools start at 1000) and the check letter
  computed by ``stdnum.gb.upn``.
"""

from __future__ import annotations

import random

import nhs_number
from stdnum.gb import upn as _upn

#: NHS numbers from 900 000 000x: the synthetic range that is never issued.
_SYNTHETIC = nhs_number.REGION_SYNTHETIC.ranges[0]

#: A few LA numbers that UPNs may carry (the LA of the school that issued the number).
UPN_LA_NUMBERS = ("908", "909", "916", "919", "921", "925", "926", "928", "929", "931")


def synthetic_nhs_number(rng: random.Random, *, prefix: str = "9",
                         used: set[str] | None = None) -> str:
    """A valid NHS number (10 digits) from the synthetic range no person is given, starting
    with ``prefix`` (each demo area has its own, so two areas never share one) and not in
    ``used`` (which it joins)."""
    assert prefix.startswith("9") and len(prefix) < 9
    low, high = _SYNTHETIC.start // 10, _SYNTHETIC.end // 10
    width = 9 - len(prefix)
    while True:
        stem = f"{prefix}{rng.randrange(10**width):0{width}d}"
        assert low <= int(stem) <= high
        check = nhs_number.calculate_checksum(stem)
        if check is None or check >= 10:  # 10: the stem has no valid number
            continue
        number = f"{stem}{check}"
        if used is not None:
            if number in used:
                continue
            used.add(number)
        assert nhs_number.is_valid(number)
        return number


def synthetic_upn(rng: random.Random, issued_year: int, *,
                  la_numbers: tuple[str, ...] = UPN_LA_NUMBERS,
                  used: set[str] | None = None) -> str:
    """A valid unique pupil number (13 characters) that no school has issued, with one of
    ``la_numbers`` and not in ``used`` (which it joins)."""
    while True:
        la = rng.choice(la_numbers)
        establishment = f"{rng.randrange(1, 1000):04d}"
        body = f"{la}{establishment}{issued_year % 100:02d}{rng.randrange(1, 1000):03d}"
        number = _upn.calc_check_digit(body) + body
        if used is not None:
            if number in used:
                continue
            used.add(number)
        assert _upn.is_valid(number)
        return number
