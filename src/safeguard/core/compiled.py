"""Reads of one record's rows whose SQL is compiled once, not on every request.

Django builds the SQL of a queryset each time it runs: for a short read of a few rows by an
id, building it costs more than SQLite takes to answer (about 0.3 ms against 0.05 ms). A
page that makes a dozen such reads (the case page's chronology) spends most of its time
there. :class:`CompiledRead` builds the queryset's SQL once per database, with a stand-in
for the id, and afterwards runs that SQL with the id in its place: the same statement the
queryset would send, so PostgreSQL's row-level security applies to it as to any read.

Only for reads whose SQL depends on nothing but the id (no acting person, no clock): the
acting person's rules belong in the query that chose the record (``case_for``). The rows
are tuples of the ``values_list`` columns: the database drivers give dates and booleans as
Python's (Django's SQLite backend declares converters for its column types).
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

#: Stands for the id while the SQL is built (no record has a negative id).
_STAND_IN = -707070707


class CompiledRead:
    """``build(id)`` gives a ``values_list`` queryset of one record's rows; ``rows(id)`` runs
    its SQL, built once per database, for another id."""

    def __init__(self, build: Callable[[int], QuerySet[Any]]) -> None:
        self._build = build
        self._compiled: dict[str, tuple[str, tuple[Any, ...], tuple[int, ...]]] = {}
        self._lock = Lock()

    def _statement(self, using: str) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                queryset = self._build(_STAND_IN).using(using)
                sql, params = queryset.query.get_compiler(using=using).as_sql()
                where = tuple(i for i, p in enumerate(params)
                              if isinstance(p, int) and p == _STAND_IN)
                if not where:
                    raise ValueError("The queryset does not use the id it was given")
                compiled = self._compiled[using] = (sql, tuple(params), where)
        return compiled

    def rows(self, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        sql, params, where = self._statement(using)
        values = list(params)
        for i in where:
            values[i] = int(pk)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, values)
            return list(cursor.fetchall())


class CompiledRecords:
    """``build(id)`` gives a queryset of ``model``; ``records(id)`` its rows as records of
    ``model`` with only ``fields`` loaded (``Model.from_db``, as ``.only()`` makes them: a
    field not loaded is read from the database if asked for), by SQL built once.
    ``related``: ``{"referrer_agency": ("name",)}`` also loads those fields of a related
    record (a foreign key, as ``select_related`` would), or None where it has none; a
    related record's own (``"staff__user"``) is given after it."""

    def __init__(self, model: type[Model], fields: tuple[str, ...],
                 build: Callable[[int], QuerySet[Any]],
                 related: dict[str, tuple[str, ...]] | None = None) -> None:
        self.model = model
        self._wanted = ("id", *fields)
        self._related_wanted = related or {}
        self._layout: list[tuple[str, type[Model] | None, list[str]]] | None = None
        self._read = CompiledRead(lambda pk: build(pk).values_list(*self._columns()))

    def _in_order(self, model: type[Model], wanted: tuple[str, ...]) -> list[str]:
        names = [f.attname for f in model._meta.concrete_fields
                 if f.attname in wanted or f.name in wanted]
        if len(names) != len(set(wanted)):
            raise ValueError(f"Not all of {wanted} are fields of {model.__name__}")
        return names

    def _layout_of(self) -> list[tuple[str, type[Model] | None, list[str]]]:
        if self._layout is None:
            layout: list[tuple[str, type[Model] | None, list[str]]] = [
                ("", None, self._in_order(self.model, self._wanted))]
            for name, fields in self._related_wanted.items():
                other: Any = self.model
                for step in name.split("__"):
                    other = other._meta.get_field(step).related_model
                assert isinstance(other, type)
                layout.append((name, other, self._in_order(other, ("id", *fields))))
            self._layout = layout
        return self._layout

    def _columns(self) -> list[str]:
        return [f"{name}__{field}" if name else field
                for name, _model, fields in self._layout_of() for field in fields]

    def records(self, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        layout = self._layout_of()
        out = []
        for row in self._read.rows(pk, using=using):
            at = 0
            record: Any = None
            for name, model, fields in layout:
                values = row[at:at + len(fields)]
                at += len(fields)
                if model is None:
                    record = self.model.from_db(using, fields, values)
                    continue
                *path, last = name.split("__")
                parent = record
                for step in path:  # a related record of a related record (given before it)
                    parent = getattr(parent, step) if parent is not None else None
                if parent is not None:
                    setattr(parent, last, None if values[0] is None
                            else model.from_db(using, fields, values))
            out.append(record)
        return out
