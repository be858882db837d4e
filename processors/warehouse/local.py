"""The embedded local warehouse: a DuckDB file running the BigQuery SQL.

One process writes the file at a time; under a real scheduler an Airflow pool
of size 1 serialises the tasks that touch it.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from processors.config import WarehouseSettings
from processors.warehouse import local_functions, schema
from processors.warehouse.base import Params, Row, Warehouse
from processors.warehouse.errors import WarehouseError
from processors.warehouse.local_dialect import CompiledStatement, compile_script
from processors.warehouse.statements import Statement

_QUERY_THREADS = 2  # cursors query_all runs side by side


class LocalWarehouse(Warehouse):
    backend = "local"

    def __init__(self, settings: WarehouseSettings, path: Path | None = None):
        super().__init__(settings)
        self.path = Path(path or settings.local_path)
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._cursors: list[duckdb.DuckDBPyConnection] = []  # for query_all, prepared once

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._connection = duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                raise WarehouseError(str(self.path), f"cannot open the local warehouse: {exc}") from None
            _prepare(self._connection)
        return self._connection

    def close(self) -> None:
        for cursor in self._cursors:
            cursor.close()
        self._cursors = []
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def query(self, statement: Statement | str, params: Params | None = None) -> list[Row]:
        statement = self._as_statement(statement)
        compiled = compile_script(statement.name, statement.text)
        if len(compiled) != 1:
            raise WarehouseError(
                statement.name, f"query() runs one statement, got {len(compiled)}; use execute_script()"
            )
        cursor = self._run(statement.name, compiled[0], params or {})
        return _rows(cursor)

    def query_all(self, requests: Sequence[tuple[Statement | str, Params | None]]) -> list[list[Row]]:
        """Independent reads on cursors of their own, run on threads (DuckDB releases the GIL):
        small queries are mostly fixed cost, so two cores halve the wall time. Inside a
        transaction they run in it, one after the other."""
        if self.in_transaction or len(requests) < 2:
            return super().query_all(requests)
        steps = []
        for statement, params in requests:
            statement = self._as_statement(statement)
            compiled = compile_script(statement.name, statement.text)
            if len(compiled) != 1:
                raise WarehouseError(statement.name, f"query_all() runs single statements, got {len(compiled)}")
            steps.append((statement.name, compiled[0], _bind(statement.name, compiled[0], params or {})))
        while len(self._cursors) < min(len(steps), _QUERY_THREADS):
            self._cursors.append(_prepare(self.connection.cursor()))

        idle: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
        for cursor in self._cursors:
            idle.put(cursor)

        def run(step: tuple[str, CompiledStatement, dict[str, Any]]) -> list[Row]:
            name, compiled, bound = step
            cursor = idle.get()  # a DuckDB cursor serves one thread at a time
            try:
                return _rows(cursor.execute(compiled.sql, bound) if bound else cursor.execute(compiled.sql))
            except duckdb.Error as exc:
                raise WarehouseError(name, _db_message(exc)) from None
            finally:
                idle.put(cursor)

        with ThreadPoolExecutor(max_workers=len(self._cursors)) as pool:
            return list(pool.map(run, steps))

    def execute_script(self, statement: Statement | str, params: Params | None = None) -> None:
        statement = self._as_statement(statement)
        compiled = compile_script(statement.name, statement.text)
        params = params or {}
        for step in compiled:  # check every parameter before anything runs
            _bind(statement.name, step, params)
        # The script runs in one local transaction; its own BEGIN/COMMIT are dropped.
        with self.transaction():
            for step in compiled:
                if not step.transaction_control:
                    self._run(statement.name, step, params)

    def _load_rows(self, table: schema.TableSchema, rows: list[Row], replace_dates: list[dt.date] | None) -> None:
        arrow_rows = pa.Table.from_pylist([_arrow_row(table, r) for r in rows], schema=_arrow_schema(table))
        columns = ", ".join(table.columns)  # from the DDL registry
        # Names only (validated with the settings), quoted all the same.
        target = f"{_quoted(self.settings.datasets[table.dataset])}.{_quoted(table.name)}"

        with self.transaction():
            if replace_dates:
                self.execute_script(self.table_statement("warehouse/delete_partitions.sql", table.key),
                                    {"partition_dates": replace_dates})
            if rows:
                # DuckDB-native bulk insert from the in-memory Arrow table.
                self.connection.register("_rows_to_load", arrow_rows)
                try:
                    self.connection.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM _rows_to_load")
                except duckdb.Error as exc:
                    raise WarehouseError(f"load into {table.key}", _db_message(exc)) from None
                finally:
                    self.connection.unregister("_rows_to_load")

    def _begin(self) -> None:
        self.connection.execute("BEGIN TRANSACTION")

    def _commit(self) -> None:
        self.connection.execute("COMMIT")

    def _rollback(self) -> None:
        self.connection.execute("ROLLBACK")

    def _run(self, name: str, step: CompiledStatement, params: Params) -> duckdb.DuckDBPyConnection:
        bound = _bind(name, step, params)
        try:
            return self.connection.execute(step.sql, bound) if bound else self.connection.execute(step.sql)
        except duckdb.Error as exc:
            raise WarehouseError(name, _db_message(exc)) from None


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _prepare(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Session settings and functions every connection (and cursor) needs."""
    connection.execute("SET TimeZone = 'UTC'")  # BigQuery TIMESTAMPs are UTC instants
    local_functions.register(connection)
    return connection


def _bind(name: str, step: CompiledStatement, params: Params) -> dict[str, Any]:
    missing = [p for p in step.parameters if p not in params]
    if missing:
        raise WarehouseError(name, f"missing query parameter(s): {', '.join('@' + p for p in missing)}")
    return {p: params[p] for p in step.parameters}


def _db_message(exc: Exception) -> str:
    # First line only: DuckDB appends the caret context on later lines.
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[Row]:
    names = [d[0] for d in cursor.description]
    json_columns = {i for i, d in enumerate(cursor.description) if str(d[1]) == "JSON"}
    rows = []
    for values in cursor.fetchall():
        if json_columns:
            values = [json.loads(v) if i in json_columns and v is not None else v for i, v in enumerate(values)]
        rows.append(dict(zip(names, values, strict=False)))
    return rows


def _arrow_type(bigquery_type: str) -> pa.DataType:
    if bigquery_type.startswith("ARRAY<"):
        return pa.list_(_arrow_type(bigquery_type[len("ARRAY<"):-1]))
    base = bigquery_type.split("(")[0]
    return {
        "STRING": pa.string(),
        "INT64": pa.int64(),
        "FLOAT64": pa.float64(),
        "BOOL": pa.bool_(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
        "DATETIME": pa.timestamp("us"),
        # Exact: DuckDB casts the decimal text into the column's DECIMAL(p, s).
        "NUMERIC": pa.string(),
        "JSON": pa.string(),
    }[base]


def _arrow_schema(table: schema.TableSchema) -> pa.Schema:
    return pa.schema([(name, _arrow_type(kind)) for name, kind in table.columns.items()])


def _arrow_row(table: schema.TableSchema, row: Row) -> Row:
    out = {}
    for name, kind in table.columns.items():
        value = row.get(name)
        if value is not None and kind.startswith("NUMERIC"):
            value = str(value)
        elif value is not None and kind == "JSON":
            value = json.dumps(value, sort_keys=True, default=str)
        out[name] = value
    return out
