"""How far ``safeguard demo`` has got with the demo data, for the sign-in page to say.

``safeguard demo`` serves at once and builds the data in a thread of the serving process
(the in-process worker of ARCHITECTURE.md). Until the build is done nobody can sign in:
the demo accounts are made with the data, and the build holds the database's write lock
while it records each area. The sign-in page shows the build's last progress line instead
of a sign-in that could not work. The lines name areas and counts, never a person.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_line: str | None = None


def started(line: str) -> None:
    """The build has begun; ``line`` says what it is doing."""
    global _line
    with _lock:
        _line = line


def report(line: str) -> None:
    """A progress line of the build (kept only while it is going on)."""
    global _line
    with _lock:
        if _line is not None:
            _line = line


def finished() -> None:
    global _line
    with _lock:
        _line = None


def building() -> str | None:
    """The build's last progress line while it is going on, else None."""
    with _lock:
        return _line
