"""The one interface every processor and the coordinator use to read and write.

Backends implement four primitives (query, execute_script, _load_rows,
close); the shared operations — partition replacement, bulk loads, schema
creation, row checks — are built here once from the SQL in include/sql.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from processors.config import WarehouseSettings
from processors.warehouse import schema, statements
from processors.warehouse.errors import WarehouseError
from processors.warehouse.statements import Statement

Params = Mapping[str, Any]
Row = dict[str, Any]


class Warehouse(ABC):
    backend: str

    def __init__(self, settings: WarehouseSettings):
        self.settings = settings
        self._transaction_depth = 0

    # --- primitives each backend implements -------------------------------
    @abstractmethod
    def query(self, statement: Statement | str, params: Params | None = None) -> list[Row]:
        """Run one parameterised query and return its rows as dicts."""

    def query_all(self, requests: Sequence[tuple[Statement | str, Params | None]]) -> list[list[Row]]:
        """Several independent read-only queries, rows in request order. Backends run them
        side by side where they can (BigQuery jobs at once, local cursors on threads)."""
        return [self.query(statement, params) for statement, params in requests]

    @abstractmethod
    def execute_script(self, statement: Statement | str, params: Params | None = None) -> None:
        """Run a multi-statement script (all or nothing)."""

    @abstractmethod
    def _load_rows(self, table: schema.TableSchema, rows: list[Row], replace_dates: list[dt.date] | None) -> None:
        """Bulk-write rows; with replace_dates, replace those partitions in the same transaction."""

    @abstractmethod
    def _begin(self) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: what runs inside commits together, an exception rolls it
        back. A nested call joins the outer transaction."""
        if self._transaction_depth:
            self._transaction_depth += 1
            try:
                yield
            finally:
                self._transaction_depth -= 1
            return
        self._begin()
        self._transaction_depth = 1
        try:
            yield
        except BaseException:
            self._transaction_depth = 0
            self._rollback()
            raise
        self._transaction_depth = 0
        self._commit()

    @property
    def in_transaction(self) -> bool:
        return self._transaction_depth > 0

    # --- statements -----------------------------------------------------------
    def statement(self, name: str, fragments: dict[str, str] | None = None, **identifiers: str) -> Statement:
        """Load include/sql/<name> with this warehouse's identifiers."""
        return statements.load(name, {**self.settings.identifiers, **identifiers}, fragments)

    def _as_statement(self, statement: Statement | str) -> Statement:
        return statement if isinstance(statement, Statement) else self.statement(statement)

    def table_statement(self, name: str, table_key: str, fragments: dict[str, str] | None = None,
                        **identifiers: str) -> Statement:
        """Load a statement about one registry table: `{{ dataset }}`, `{{ table_name }}`
        and `{{ partition_column }}` are that table's (more identifiers may be given)."""
        table = schema.table(table_key)
        return self.statement(
            name, fragments,
            dataset=self.settings.datasets[table.dataset],
            table_name=table.name,
            partition_column=table.partition_column or "",
            **identifiers,
        )

    def table_id(self, key: str) -> str:
        """Fully qualified `project.dataset.table` of a registry table."""
        table = schema.table(key)
        return f"{self.settings.gcp_project}.{self.settings.datasets[table.dataset]}.{table.name}"

    # --- shared operations ----------------------------------------------------
    def create_schema(self) -> list[str]:
        """Create every dataset, table and view, bringing tables made from an older DDL up to
        date with the migrations (idempotent); returns the table keys."""
        tables = schema.all_tables()
        for dataset in sorted({t.dataset for t in tables.values()}):
            self.execute_script(self.statement("ddl/create_dataset.sql", dataset=self.settings.datasets[dataset]))
        for table in tables.values():
            self.execute_script(self.statement(table.ddl_file))
        for migration in schema.migration_files():  # before the views, which may read the new columns
            self.execute_script(self.statement(migration))
        for view in schema.view_files():
            self.execute_script(self.statement(view))
        return list(tables)

    def replace_partition(self, table_key: str, partition_date: dt.date, select: Statement | str,
                          params: Params | None = None, check: Callable[[int], None] | None = None) -> int:
        """Atomically replace one date partition with the rows of `select`; returns its row count.

        `check(row_count)` runs inside the transaction, before the commit: if it
        raises, the previous rows of that date stay as they were."""
        table = self._partitioned(table_key)
        select = self._as_statement(select)
        columns = _output_columns(select, table)
        script = self.table_statement(
            "warehouse/replace_partition.sql", table_key,
            fragments={"columns": ", ".join(columns), "select": select.text.strip().rstrip(";")},
        )
        script = Statement(name=f"{select.name} (replacing {table.key} {partition_date})", text=script.text)
        with self.transaction():
            self.execute_script(script, {**(params or {}), "partition_date": partition_date})
            row_count = self.partition_row_count(table_key, partition_date)
            if check is not None:
                check(row_count)
        return row_count

    def load_rows(self, table_key: str, rows: Sequence[Row], *, replace_partitions: bool = True) -> int:
        """Bulk-load rows. By default the partitions of the dates present are replaced whole."""
        table = schema.table(table_key)
        rows = list(rows)
        unknown = sorted({c for r in rows for c in r} - set(table.columns))
        if unknown:
            raise WarehouseError(table.key, f"rows have columns the table does not: {', '.join(unknown)}")
        replace_dates = None
        if replace_partitions:
            self._partitioned(table_key)
            replace_dates = sorted({r[table.partition_column] for r in rows})
        self._load_rows(table, rows, replace_dates)
        return len(rows)

    def append_rows(self, table_key: str, rows: Iterable[Row]) -> int:
        """Append rows (bookkeeping: run history, alerts, events)."""
        return self.load_rows(table_key, list(rows), replace_partitions=False)

    def partition_row_count(self, table_key: str, partition_date: dt.date) -> int:
        table = self._partitioned(table_key)
        stmt = self.table_statement("warehouse/count_partition.sql", table.key)
        return int(self.query(stmt, {"partition_date": partition_date})[0]["row_count"])

    def table_row_count(self, table_key: str) -> int:
        stmt = self.table_statement("warehouse/count_table.sql", table_key)
        return int(self.query(stmt)[0]["row_count"])

    def has_rows(self, table_key: str, partition_date: dt.date | None = None) -> bool:
        """True when the table (or one date partition of it) holds at least one row."""
        if partition_date is None:
            return self.table_row_count(table_key) > 0
        return self.partition_row_count(table_key, partition_date) > 0

    def _partitioned(self, table_key: str) -> schema.TableSchema:
        table = schema.table(table_key)
        if not table.partition_column:
            raise WarehouseError(table.key, "table has no partition column")
        return table


def _output_columns(select: Statement, table: schema.TableSchema) -> list[str]:
    """The select's output columns, checked against the table (a `*` means all)."""
    try:
        names = _named_selects(select.text)
    except WarehouseError as exc:  # cached by text alone: name the statement here
        raise WarehouseError(select.name, exc.problem) from None
    if "*" in names or not names:
        return list(table.columns)
    unknown = [n for n in names if n not in table.columns]
    if unknown:
        raise WarehouseError(select.name, f"selects columns {table.key} does not have: {', '.join(unknown)}")
    if table.partition_column not in names:
        raise WarehouseError(select.name, f"must select the partition column {table.partition_column}")
    return list(names)


@lru_cache(maxsize=256)
def _named_selects(text: str) -> tuple[str, ...]:
    """A select's output column names; parsed once per text (a processor writes the same SQL every night)."""
    import sqlglot  # ~0.6 s: only when a partition is written, never at DAG parse (task start)
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        tree = sqlglot.parse_one(text, read="bigquery")
    except ParseError as exc:
        detail = exc.errors[0]["description"] if exc.errors else str(exc)
        raise WarehouseError("select", f"syntax error: {detail}") from None
    if not isinstance(tree, exp.Query):
        raise WarehouseError("select", "expected a SELECT query for the partition rows")
    return tuple(tree.named_selects)
