"""Reads whose SQL is built once, not on every request.

Django builds the SQL of a queryset each time it runs: for a short read of a few rows by an
id, building it costs more than SQLite takes to answer (about 0.3 ms against 0.05 ms), and
for a read with the access policy's rule in it, 2 to 4 ms. A page that makes a dozen such
reads (the case page) spends most of its time there. :class:`CompiledRead` builds the
queryset's SQL once per database, with stand-ins for its arguments (ids, dates, moments),
and afterwards runs that SQL with the arguments in their places: the same statement the
queryset would send, so PostgreSQL's row-level security applies to it as to any read.

Only for reads whose SQL has the same shape for every argument: where the shape depends on
who is acting (the policy's rule for social care and for partners), each shape has its own
read. The rows are tuples of the ``values_list`` columns: the database drivers give dates
and booleans as Python's (Django's SQLite backend declares converters for its column
types). :class:`CompiledRecords` makes part-loaded records of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from threading import Lock, local
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState

#: What stands for each argument while the SQL is built, by its kind: values no record
#: holds (no negative ids; nothing in the year 2), each argument its own.
_STAND_INS: dict[str, Callable[[int], Any]] = {
    "id": lambda i: -707070707 - i,
    "date": lambda i: date(2, 1, 1 + i),
    "datetime": lambda i: datetime(2, 1, 1 + i, tzinfo=UTC),
}


#: The ids a database can store (64-bit integers, SQLite's and PostgreSQL's bigint).
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1


def _adapt(connection: Any, kind: str, value: Any) -> Any:
    """The value as the database backend gives it as a parameter (SQLite: dates as text)."""
    if kind == "date":
        return connection.ops.adapt_datefield_value(value)
    if kind == "datetime":
        return connection.ops.adapt_datetimefield_value(value)
    return int(value)


class _Statement(NamedTuple):
    sql: str  # the queryset's
    params: tuple[Any, ...]  # with the stand-ins
    where: list[tuple[int, int]]  # (parameter, argument): where each argument goes
    one_row: str  # the same rows as one JSON row (_as_one_row); "" if it cannot be
    as_driver: list[Callable[[Any], Any] | None]  # reading that row's columns back


class CompiledRead:
    """``build(*arguments)`` gives a ``values_list`` queryset; ``rows(*arguments)`` runs its
    SQL, built once per database, for other arguments. ``kinds``: the kind of each argument
    (``"id"``, ``"date"``, ``"datetime"``); by default, one id. ``many``: a read of many rows
    (a work list), which SQLite gives as one (``_as_one_row``), read back as the driver would
    have given the rows. Inside :func:`reading_ahead`, a read it made already is not made
    again."""

    def __init__(self, build: Callable[..., QuerySet[Any]],
                 kinds: tuple[str, ...] = ("id",), *, many: bool = False) -> None:
        self._build = build
        self._kinds = kinds
        self._many = many
        self._compiled: dict[str, _Statement] = {}
        self._lock = Lock()

    def _statement(self, using: str) -> _Statement:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                connection = connections[using]
                stand_ins = [_STAND_INS[kind](i) for i, kind in enumerate(self._kinds)]
                queryset = self._build(*stand_ins).using(using)
                compiler = queryset.query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                one_row, as_driver = "", []
                if connection.vendor == "sqlite":
                    one_row = _as_one_row(sql, len(compiler.select))
                    as_driver = _driver_converters(connection, compiler.select)
                elif connection.vendor == "postgresql":
                    converters = _json_converters(compiler.select)
                    if converters is not None and len(converters) <= _JSON_ARGUMENTS_MAX:
                        one_row = _as_one_json_row(sql, len(converters))
                        as_driver = converters
                adapted = [_adapt(connection, kind, value)
                           for kind, value in zip(self._kinds, stand_ins, strict=True)]
                where = [(at, i) for at, p in enumerate(params) for i, a in enumerate(adapted)
                         if type(p) is type(a) and p == a]
                if {i for _at, i in where} != set(range(len(adapted))):
                    raise ValueError("The queryset does not use every argument it was given")
                compiled = self._compiled[using] = _Statement(
                    sql, tuple(params), where, one_row, as_driver)
        return compiled

    def _storable(self, arguments: tuple[Any, ...]) -> bool:
        """False if an id is one no record can have (as Django's lookups: it finds none)."""
        return all(kind != "id" or _ID_MIN <= int(value) <= _ID_MAX
                   for kind, value in zip(self._kinds, arguments, strict=True))

    def _values(self, statement: _Statement, using: str,
                arguments: tuple[Any, ...]) -> list[Any]:
        connection = connections[using]
        adapted = [_adapt(connection, kind, value)
                   for kind, value in zip(self._kinds, arguments, strict=True)]
        values = list(statement.params)
        for at, i in statement.where:
            values[at] = adapted[i]
        return values

    @staticmethod
    def _from_document(statement: _Statement, document: str) -> list[tuple[Any, ...]]:
        rows = json.loads(document)
        converted = [(at, convert) for at, convert in enumerate(statement.as_driver)
                     if convert is not None]
        if not converted:
            return [tuple(row) for row in rows]
        width = len(statement.as_driver)
        for row in rows:
            if len(row) != width:
                raise ValueError(f"A row of {len(row)} columns, not {width}")
            for at, convert in converted:
                if row[at] is not None:
                    row[at] = convert(row[at])
        return [tuple(row) for row in rows]

    @property
    def compiled_read(self) -> CompiledRead:
        return self

    def rows(self, *arguments: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        ahead = getattr(_ahead, "rows", None)
        if ahead is not None and (self, using, arguments) in ahead:
            return list(ahead[self, using, arguments])
        if not self._storable(arguments):
            return []
        statement = self._statement(using)
        values = self._values(statement, using, arguments)
        connection = connections[using]
        with connection.cursor() as cursor:
            # PostgreSQL's driver takes a result whole: a long list has nothing to save.
            if not (self._many and statement.one_row and connection.vendor == "sqlite"):
                cursor.execute(statement.sql, values)
                return list(cursor.fetchall())
            cursor.execute(statement.one_row, values)
            (document,) = cursor.fetchone()
        return self._from_document(statement, document)


#: The reads made ahead (:func:`reading_ahead`) in this thread: (read, database, arguments)
#: to their rows.
_ahead = local()


@contextmanager
def reading_ahead(reads: list[tuple[Any, tuple[Any, ...]]],
                  using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Make ``reads`` (each a :class:`CompiledRead`, :class:`CompiledRecords` or
    :class:`CompiledBatch` with its arguments) in one statement, and, inside the block, give
    their rows from it when they are made: a page's dozen reads wait for the server's lock
    (and the database's driver) once, not a dozen times (ADR-009, ADR-011). For reads only:
    nothing the block writes is seen by reads made ahead of it. On SQLite and PostgreSQL
    (there, a read with a column whose type it cannot give back from JSON as the driver
    would is made on its own, as without it); elsewhere the reads are made one by one."""
    connection = connections[using]
    parts = [(read.compiled_read, tuple(arguments)) for read, arguments in reads]
    # A read without its rows as one JSON row (another database, or a column JSON cannot
    # carry) is not made ahead.
    parts = [(read, arguments) for read, arguments in parts
             if read._storable(arguments) and read._statement(using).one_row]
    if not parts:
        yield
        return
    statements = [read._statement(using) for read, _arguments in parts]
    sql = "SELECT " + ", ".join(f"({s.one_row})" for s in statements)  # noqa: S608
    values = [value for (read, arguments), s in zip(parts, statements, strict=True)
              for value in read._values(s, using, arguments)]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        documents = cursor.fetchone()
    found = dict(getattr(_ahead, "rows", None) or {})
    for (read, arguments), s, document in zip(parts, statements, documents, strict=True):
        found[read, using, arguments] = read._from_document(s, document)
    previous, _ahead.rows = getattr(_ahead, "rows", None), found
    try:
        yield
    finally:
        _ahead.rows = previous


def _as_one_row(sql: str, width: int) -> str:
    """SQLite: the rows of ``sql`` as one row, a JSON array of arrays, in their order.

    Python's SQLite driver lets go of the interpreter's lock for every row it steps to; in
    a server of several threads, each row then waits for the lock to come back from the
    thread that took it (up to its switch interval, 5 ms). A work list of 160 rows waited
    that often; one row waits once. (SQLite does not flatten an ordered subquery into an
    aggregate, so the array keeps the rows' order.)"""
    names = ", ".join(f"c{i}" for i in range(width))
    return (f"WITH rows_of ({names}) AS ({sql}) "  # noqa: S608 - our own SQL, built once
            f"SELECT COALESCE(json_group_array(json_array({names})), '[]') FROM rows_of")


#: PostgreSQL's functions take at most 100 arguments (``json_build_array``'s columns).
_JSON_ARGUMENTS_MAX = 100


def _as_one_json_row(sql: str, width: int) -> str:
    """PostgreSQL: the rows of ``sql`` as one row, a JSON array of arrays as text, in their
    order (an aggregate over an ordered subquery takes its rows in that order)."""
    names = ", ".join(f"c{i}" for i in range(width))
    return (f"SELECT COALESCE(json_agg(json_build_array({names})), '[]')::text "  # noqa: S608
            f"FROM ({sql}) AS rows_of ({names})")


def _json_converters(select: list[Any]) -> list[Callable[[Any], Any] | None] | None:
    """PostgreSQL: how psycopg would have given each column that came back as JSON (dates
    and moments from their ISO text; whole numbers, text and booleans as they are), by the
    column's field; None if a column's type is not one of those (a JSON field, a decimal
    …), or unknown, except a :class:`CompiledBatch`'s, which are text."""
    as_is = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField",
             "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
             "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField",
             "CharField", "TextField", "EmailField", "SlugField", "URLField"}
    made: dict[str, Callable[[Any], Any]] = {
        "DateField": date.fromisoformat, "DateTimeField": datetime.fromisoformat}
    converters: list[Callable[[Any], Any] | None] = []
    for expression, _sql, _alias in select:
        if expression is None:  # a CompiledBatch's column: text
            converters.append(None)
            continue
        try:
            field = expression.output_field
        except Exception:  # noqa: BLE001 - an expression of no one type: not read ahead
            return None
        while field is not None and field.is_relation:  # a foreign key: its target's type
            field = field.target_field
        kind = field.get_internal_type() if field is not None else None
        if kind in as_is:
            converters.append(None)
        elif kind in made:
            converters.append(made[kind])
        else:
            return None
    return converters


def _driver_converters(connection: Any, select: list[Any]) -> list[Callable[[Any], Any] | None]:
    """How SQLite's driver would have given each column read as JSON: a table's column by
    the converter registered for its declared type (Django's: dates, times, booleans,
    decimals), an expression's as it is (the driver does not know its type)."""
    import sqlite3

    from django.db.models.expressions import Col

    converters: list[Callable[[Any], Any] | None] = []
    for expression, _sql, _alias in select:
        declared = ((expression.target.db_type(connection) or "").split("(")[0].split()
                    if isinstance(expression, Col) else [])
        convert = sqlite3.converters.get(declared[0].upper()) if declared else None
        converters.append(None if convert is None
                          else lambda value, convert=convert: convert(str(value).encode()))
    return converters


class CompiledRecords:
    """``build(*arguments)`` gives a queryset of ``model``; ``records(*arguments)`` its rows
    as records of ``model`` with only ``fields`` loaded (``Model.from_db``, as ``.only()``
    makes them: a field not loaded is read from the database if asked for), by SQL built
    once. ``related``: ``{"referrer_agency": ("name",)}`` also loads those fields of a
    related record (a foreign key, as ``select_related`` would), or None where it has none;
    a related record's own (``"staff__user"``) is given after it. ``kinds``: as
    :class:`CompiledRead`'s. ``annotations``: the queryset's annotations, read after the
    fields, in the rows only (as the driver gives them: SQLite gives an expression's date
    as text). ``rows`` and ``record`` split ``records`` in two, for a read that makes
    records of only some of its rows (:meth:`index` finds a column)."""

    def __init__(self, model: type[Model], fields: tuple[str, ...],
                 build: Callable[..., QuerySet[Any]],
                 related: dict[str, tuple[str, ...]] | None = None,
                 kinds: tuple[str, ...] = ("id",), annotations: tuple[str, ...] = (),
                 many: bool = False) -> None:
        self.model = model
        self._wanted = ("id", *fields)
        self._related_wanted = related or {}
        self._annotations = annotations
        self._layout: list[tuple[str, type[Model] | None, list[str]]] | None = None
        self._plan: list[tuple[int, int, Callable[[str, tuple[Any, ...]], Any], list[str],
                               Any]] | None = None
        self._read = CompiledRead(
            lambda *arguments: build(*arguments).values_list(*self._columns()), kinds=kinds,
            many=many)

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

    def _makers(self) -> list[tuple[int, int, Callable[[str, tuple[Any, ...]], Any],
                                    list[str], Any]]:
        """For each record of a row: where its columns are, what makes it, the path to the
        record it hangs from and the foreign key it hangs by (None for the row's own)."""
        if self._plan is None:
            plan: list[tuple[int, int, Callable[[str, tuple[Any, ...]], Any], list[str],
                             Any]] = []
            at = 0
            for name, model, fields in self._layout_of():
                made = _maker(model or self.model, fields)
                if model is None:
                    plan.append((at, at + len(fields), made, [], None))
                else:
                    *path, last = name.split("__")
                    holder: Any = self.model
                    for step in path:
                        holder = holder._meta.get_field(step).related_model
                    plan.append((at, at + len(fields), made, path,
                                 holder._meta.get_field(last)))
                at += len(fields)
            self._plan = plan
        return self._plan

    def _columns(self) -> list[str]:
        return [*(f"{name}__{field}" if name else field
                  for name, _model, fields in self._layout_of() for field in fields),
                *self._annotations]

    @property
    def compiled_read(self) -> CompiledRead:
        return self._read

    @property
    def columns(self) -> list[str]:
        """A row's columns, in order (``"due"``, ``"case__reference"``, …)."""
        return self._columns()

    def index(self, column: str) -> int:
        """Where ``column`` (``"due"``, ``"case__allocated_worker_id"``) is in a row."""
        return self._columns().index(column)

    def rows(self, *arguments: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        return self._read.rows(*arguments, using=using)

    def record(self, row: tuple[Any, ...], *, using: str = DEFAULT_DB_ALIAS) -> Any:
        record: Any = None
        for start, end, made, path, key in self._makers():
            values = row[start:end]
            if key is None:
                record = made(using, values)
                continue
            parent = record
            for step in path:  # a related record of a related record (given before it)
                parent = getattr(parent, step) if parent is not None else None
            if parent is None:
                continue
            # As select_related leaves it: the related record in the foreign key's cache
            # (and, for a one-to-one key, the record in the related record's).
            other = None if values[0] is None else made(using, values)
            key.set_cached_value(parent, other)
            if other is not None and not key.remote_field.multiple:
                key.remote_field.set_cached_value(other, parent)
        return record

    def records(self, *arguments: Any, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        return [self.record(row, using=using) for row in self.rows(*arguments, using=using)]


def _maker(model: type[Model], attnames: list[str]
           ) -> Callable[[str, tuple[Any, ...]], Any]:
    """What makes a part-loaded record of ``model`` from the values of ``attnames`` (in its
    fields' order), as ``Model.from_db`` does: the record as loaded from the database, its
    other fields deferred (read if asked for). Made directly, without ``Model.__init__``
    (which costs a page of the team's deadlines a few milliseconds, going through every field
    of each of its hundreds of records), unless the model has its own ``__init__`` or
    ``from_db`` or anything listens for its records being made (``pre_init``/``post_init``):
    then by ``from_db`` itself."""
    own_from_db = getattr(model.from_db, "__func__", None)
    if (model.__init__ is not Model.__init__
            or own_from_db is not getattr(Model.from_db, "__func__", None)
            or signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)):
        return lambda using, values: model.from_db(using, attnames, values)
    new = Model.__new__

    def made(using: str, values: tuple[Any, ...]) -> Any:
        record = new(model)
        state = record._state = ModelState()
        state.adding = False
        state.db = using
        record.__dict__.update(zip(attnames, values, strict=True))
        return record

    return made


def _typed(kind: str, text: Any) -> Any:
    """A column read as text (:class:`CompiledBatch`) as the driver would give it."""
    if text is None:
        return None
    if kind == "date":
        return date.fromisoformat(str(text)[:10])
    if kind == "bool":
        return str(text).lower() in ("1", "t", "true")
    if kind == "int":
        return int(text)
    return str(text)


class CompiledBatch:
    """Several reads of one id sent as one statement (``UNION ALL``), built once: each
    ``parts[name] = (build, column kinds, sort key)``, where ``build(id)`` gives a
    ``values_list`` queryset whose first column is the record's id, the kinds are
    ``"int"``, ``"date"``, ``"bool"`` or ``"text"``, one a column, and the sort key puts a
    part's rows in its order (the order of a part inside a ``UNION ALL`` is the database's
    to choose). ``rows(id)`` gives each part's rows, typed, in that order.

    Each column is sent as text and read back by its kind, so parts of any columns can be
    joined; a page that makes a dozen small reads waits for the server's lock once, not a
    dozen times (ADR-009)."""

    def __init__(self, parts: dict[str, tuple[Callable[[int], QuerySet[Any]], tuple[str, ...],
                                              Callable[[tuple[Any, ...]], Any]]]) -> None:
        self._parts = parts
        self._width = max(len(kinds) for _build, kinds, _key in parts.values())
        self._read = CompiledRead(self._union)

    @property
    def compiled_read(self) -> CompiledRead:
        return self._read

    def _union(self, pk: int) -> Any:
        return _UnionOf([(name, build(pk), len(kinds))
                         for name, (build, kinds, _key) in self._parts.items()], self._width)

    def rows(self, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, list[tuple[Any, ...]]]:
        found: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self._parts}
        for name, *columns in self._read.rows(pk, using=using):
            _build, kinds, _key = self._parts[name]
            found[name].append(tuple(_typed(kind, value)
                                     for kind, value in zip(kinds, columns, strict=False)))
        for name, (_build, _kinds, key) in self._parts.items():
            found[name].sort(key=key)
        return found


class _UnionOf:
    """Stands for a queryset to :class:`CompiledRead`: the parts' SQL, each wrapped to give
    its part's name and its columns as text, joined by ``UNION ALL``."""

    def __init__(self, parts: list[tuple[str, QuerySet[Any], int]], width: int) -> None:
        self._parts = parts
        self._width = width
        self._using = DEFAULT_DB_ALIAS
        self.query = self

    def using(self, alias: str) -> _UnionOf:
        self._using = alias
        return self

    def get_compiler(self, using: str) -> _UnionOf:
        return self

    @property
    def select(self) -> list[tuple[None, None, None]]:
        """The columns, as a compiler's (the part's name and the columns, all text)."""
        return [(None, None, None)] * (self._width + 1)

    def as_sql(self) -> tuple[str, tuple[Any, ...]]:
        connection = connections[self._using]
        quote = connection.ops.quote_name
        selects, params = [], []
        for name, queryset, count in self._parts:
            sql, part_params = queryset.query.get_compiler(using=self._using).as_sql()
            names = list(queryset.query.values_select) or [
                f.attname for f in queryset.model._meta.concrete_fields][:count]
            if len(names) != count:
                raise ValueError(f"The part {name!r} has {len(names)} columns, not {count}")
            columns = [f"CAST({quote(column)} AS TEXT)" for column in names]
            columns += ["CAST(NULL AS TEXT)"] * (self._width - count)
            selects.append(f"SELECT '{name}' AS part, {', '.join(columns)} "  # noqa: S608
                           f"FROM ({sql}) AS {quote('part_' + name)}")
            params.extend(part_params)
        return " UNION ALL ".join(selects), tuple(params)


class Reads(dict[str, Any]):
    """A module's compiled reads by name, made on first use (``Reads(make)``: ``make()``
    gives them all): they name models, which are not loaded when the module is imported."""

    def __init__(self, make: Callable[[], dict[str, Any]]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> Any:
        self.update(self._make())
        return self[key]
