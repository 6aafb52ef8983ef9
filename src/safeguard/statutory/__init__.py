"""The law as code: the statutory duties of *Working Together to Safeguard Children*.

Pure Python. This package imports nothing from Django nor from any other part of
Safeguard (an import-linter contract keeps it so); everything else asks it.

Public interface:

- :func:`parse_timeline` turns a JSON-like value into a :class:`Timeline`, or raises
  :class:`TimelineError` naming the event (index and type) and the field at fault.
- :func:`compute_obligations` turns a timeline into :class:`Obligation` records.
- :func:`obligations_document` does both and returns the contract's output document.
- :data:`EVENT_TYPES` describes every event type and its extra fields;
  :data:`DUTIES` every duty with its title, rule and citation per edition.
"""

from safeguard.statutory.duties import DUTIES, Duty
from safeguard.statutory.obligations import (
    Obligation,
    compute_obligations,
    obligation_as_dict,
    obligations_document,
    open_obligation_status,
)
from safeguard.statutory.timeline import (
    EVENT_TYPES,
    Event,
    Timeline,
    TimelineError,
    parse_timeline,
)

__all__ = [
    "DUTIES",
    "EVENT_TYPES",
    "Duty",
    "Event",
    "Obligation",
    "Timeline",
    "TimelineError",
    "compute_obligations",
    "obligation_as_dict",
    "obligations_document",
    "open_obligation_status",
    "parse_timeline",
]
