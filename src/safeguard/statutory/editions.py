"""Editions of *Working Together to Safeguard Children* and which is in force on a date.

The timeline contract (shared/design/timeline-format.md): when a timeline names no edition,
the edition in force on the date of each triggering event applies — 2018 from 2018-07-04;
2015 from 2015-03-26 to 2018-07-03. The 2013 edition is not modelled: an event before
2015-03-26 is taken under the 2015 edition, the earliest this engine knows, and the
engine says so in its warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    title: str
    in_force_from: date
    in_force_until: date | None

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (
            self.in_force_until is None or day <= self.in_force_until
        )


EDITION_2015: Final = Edition(
    id="2015",
    title="Working Together to Safeguard Children (March 2015)",
    in_force_from=date(2015, 3, 26),
    in_force_until=date(2018, 7, 3),
)
EDITION_2018: Final = Edition(
    id="2018",
    title="Working Together to Safeguard Children (July 2018)",
    in_force_from=date(2018, 7, 4),
    in_force_until=None,
)

EDITIONS: Final[dict[str, Edition]] = {e.id: e for e in (EDITION_2015, EDITION_2018)}

#: The first day this engine has an edition for; earlier events fall back to 2015.
EARLIEST_MODELLED: Final = EDITION_2015.in_force_from
_EDITION_2018_ORDINAL: Final = EDITION_2018.in_force_from.toordinal()


def edition_in_force_on(day: date) -> Edition:
    """The edition of the guidance in force on ``day`` (2015 for any earlier day)."""
    return EDITION_2018 if day >= EDITION_2018.in_force_from else EDITION_2015


def edition_id_in_force_on_ordinal(ordinal: int) -> str:
    """:func:`edition_in_force_on` for a proleptic ordinal, for the engine's hot path."""
    return "2018" if ordinal >= _EDITION_2018_ORDINAL else "2015"
