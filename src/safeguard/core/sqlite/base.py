"""Django's SQLite backend, with writers queued within the process.

SQLite lets one connection write at a time. Safeguard's transactions begin ``IMMEDIATE``
(settings: a writer takes the write lock when its transaction begins), so a second writer
waits in SQLite's busy handler, which does not wake when the lock is freed: it sleeps and
tries again, for 1, 2, 5, 10 … up to 100 ms at a time. Under concurrent load, with every
page read writing its audit entry, those sleeps, not the work, made the slowest answers
slow.

Here the server's threads (``safeguard serve`` is one process) queue for the write turn on
a lock of their own, taken as a transaction begins and given back as it commits or rolls
back (or the connection closes), so the next writer goes at once. Another process (a
``safeguard manage`` command beside the server) still waits in SQLite's busy handler, as
before; a writer that has waited for the lock for the connection's ``timeout`` goes on to
SQLite's own wait rather than failing.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

_guard = threading.Lock()
_writers: dict[str, threading.Lock] = {}


def writer_lock(name: str) -> threading.Lock:
    """The process's write turn for the database file ``name``."""
    with _guard:
        return _writers.setdefault(str(name), threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _write_turn: threading.Lock | None = None

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self._turn_timeout = float(params.get("timeout", 5))
        return params

    def _start_transaction_under_autocommit(self) -> None:
        lock = writer_lock(self.settings_dict["NAME"])
        held = lock.acquire(timeout=getattr(self, "_turn_timeout", 5.0))
        self._write_turn = lock if held else None
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_back_turn()
            raise

    def _give_back_turn(self) -> None:
        lock, self._write_turn = self._write_turn, None
        if lock is not None:
            lock.release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._give_back_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._give_back_turn()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._give_back_turn()
