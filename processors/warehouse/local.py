"""The embedded local warehouse: a DuckDB file running the BigQuery SQL.

One process writes the file at a time; under a real scheduler an Airflow pool
of size 1 serialises the tasks that touch it. Another process holding the file
(a `make query`, a notebook) is waited for, up to NBA_LOCAL_LOCK_WAIT_SECONDS.
Problems with the file itself (missing, locked, corrupt, no room to write) are
one line naming the file and what to do.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import re
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from processors.config import WarehouseSettings
from processors.warehouse import local_functions, schema
from processors.warehouse.base import Params, Row, Warehouse
from processors.warehouse.errors import (
    WarehouseBusy,
    WarehouseError,
    WarehouseFileError,
    WarehouseFull,
    WarehouseMissing,
    WarehouseUnreadable,
)
from processors.warehouse.local_dialect import CompiledStatement, compile_script
from processors.warehouse.statements import Statement

log = logging.getLogger(__name__)
_QUERY_THREADS = 2  # cursors query_all runs side by side
MAKE_ONE = "run `make sample-season` (or `make run`) first"
REBUILD = "restore it from a backup, or move it aside and rebuild it with `make sample-season`"
RETRY = "then retry (clear the task, or run the command again)"
# DuckDB: 'Could not set lock on file "<path>": Conflicting lock is held in <exe> (PID <n>)[ by user <u>]'
_LOCK_HELD = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>[^\s.]+))?")
_NO_ROOM = ("No space left on device", "Disk quota exceeded", "File too large")
_UNREADABLE = ("not a valid DuckDB database file", "Corrupt database file", "Could not read enough bytes",
               "Is a directory", "version number", "Permission denied", "Read-only file system")


class LocalWarehouse(Warehouse):
    backend = "local"

    def __init__(self, settings: WarehouseSettings, path: Path | None = None, *, read_only: bool = False,
                 create: bool = True):
        """`read_only`: opened read-only — other readers share the file, a write is refused, a
        missing file is an error. `create`: a missing file (and folder) may be made. The
        warehouse of every task and command (open_warehouse) passes create=False: there only
        create_schema() makes a new warehouse, e.g. `make sample-season`."""
        super().__init__(settings)
        self.path = Path(path or settings.local_path)
        self.read_only = read_only
        self.create = create and not read_only
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._cursors: list[duckdb.DuckDBPyConnection] = []  # for query_all, prepared once
        self._last_statement = ""  # named in an error at commit

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            self._connection = _prepare(self._connect())
        return self._connection

    def create_schema(self) -> list[str]:
        if not self.read_only:
            self.create = True  # making the schema is what makes a new warehouse
        return super().create_schema()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open the file; while another process holds its lock, wait (bounded) and say who holds it."""
        if not self.path.exists():
            if not self.create:
                raise WarehouseMissing(self.path, f"no local warehouse at {self.path}: {MAKE_ONE}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        bound = self.settings.local_lock_wait_seconds
        started, pause, announced = time.monotonic(), 0.05, None
        while True:
            try:
                connection = duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.Error as exc:
                holder = _lock_holder(exc)
                if holder is None:
                    raise self._file_error(exc) or WarehouseFileError(
                        self.path, f"cannot open the local warehouse {self.path}: {_db_message(exc)}") from None
                waited = time.monotonic() - started
                if waited >= bound:
                    raise WarehouseBusy(
                        self.path, f"the local warehouse {self.path} is locked by {holder}, still after waiting "
                                   f"{bound:g} s (NBA_LOCAL_LOCK_WAIT_SECONDS): let that process finish or stop it, "
                                   f"{RETRY}", holder) from None
                if holder != announced:
                    log.warning("warehouse %s is locked by %s; waiting up to %g s (NBA_LOCAL_LOCK_WAIT_SECONDS)",
                                self.path, holder, bound)
                    announced = holder
                time.sleep(min(pause, bound - waited))
                pause = min(pause * 2, 1.0)
                continue
            if announced:
                log.info("warehouse %s unlocked after %.1f s", self.path, time.monotonic() - started)
            return connection

    def _file_error(self, exc: Exception, statement_name: str | None = None) -> WarehouseFileError | None:
        """A problem of the file rather than of the statement, as one line naming the file and what to do."""
        message = _db_message(exc)
        for cause in _NO_ROOM:
            if cause in message:
                mount = _mount_point(self.path)
                if cause == "No space left on device":
                    todo = f"disk full: free space on {mount} ({_free_space(mount)} free), {RETRY}"
                elif cause == "Disk quota exceeded":
                    todo = f"disk quota exceeded on {mount}: free space or raise the quota, {RETRY}"
                else:
                    todo = (f"file too large for the file-size limit (ulimit -f) or the file system on {mount}: "
                            f"raise the limit or free space, {RETRY}")
                return WarehouseFull(self.path, f"no room to write the local warehouse {self.path} "
                                                f"({message}) — {todo}", statement_name)
        if "database has been invalidated" in message:
            return WarehouseFileError(self.path, f"the connection to the local warehouse {self.path} was invalidated "
                                                 f"by an earlier error ({message}): {RETRY}", statement_name)
        if "different configuration" in message:
            return WarehouseFileError(self.path, f"the local warehouse {self.path} is already open in this process "
                                                 f"{'read-write' if self.read_only else 'read-only'} ({message}): "
                                                 "close that connection first", statement_name)
        if any(sign in message for sign in _UNREADABLE):
            todo = ("check the permissions of the file and its folder" if "Permission denied" in message
                    or "Read-only file system" in message else REBUILD)
            return WarehouseUnreadable(self.path, f"{self.path} is not a readable DuckDB warehouse ({message}): {todo}",
                                       statement_name)
        return None

    def _error(self, name: str, exc: Exception) -> WarehouseError:
        """A DuckDB error of a statement as a WarehouseError: file problems name the file."""
        problem = self._file_error(exc, name)
        if problem is not None:
            return problem
        message = _db_message(exc)
        if self.read_only and "read-only mode" in message:
            message += " (this command opens the warehouse read-only)"
        return WarehouseError(name, message)

    def close(self) -> None:
        """Release the connection. What was committed is safe (the write-ahead log): a failure to
        checkpoint at close is logged, not raised over the outcome of the work."""
        connections, self._cursors = [*self._cursors, self._connection], []
        self._connection = None
        for connection in connections:
            if connection is None:
                continue
            try:
                connection.close()
            except duckdb.Error as exc:
                log.warning("closing the local warehouse: %s", self._error("close", exc))

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
                raise self._error(name, exc) from None
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
                name = self._last_statement = f"load into {table.key}"
                self.connection.register("_rows_to_load", arrow_rows)
                try:
                    self.connection.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM _rows_to_load")
                except duckdb.Error as exc:
                    raise self._error(name, exc) from None
                finally:
                    try:
                        self.connection.unregister("_rows_to_load")
                    except duckdb.Error:  # an aborted transaction refuses it; the next register replaces it
                        pass

    def _begin(self) -> None:
        self._last_statement = ""
        try:
            self.connection.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:
            raise self._error("begin transaction", exc) from None

    def _commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        except duckdb.Error as exc:  # e.g. no room for the write-ahead log: nothing of the transaction is kept
            raise self._error(f"commit of {self._last_statement}" if self._last_statement else "commit", exc) from None

    def _rollback(self) -> None:
        try:
            self.connection.execute("ROLLBACK")
        except duckdb.Error as exc:  # the error being rolled back for is the one to report
            log.warning("rollback on the local warehouse %s: %s", self.path, _db_message(exc))

    def _run(self, name: str, step: CompiledStatement, params: Params) -> duckdb.DuckDBPyConnection:
        bound = _bind(name, step, params)
        self._last_statement = name
        try:
            return self.connection.execute(step.sql, bound) if bound else self.connection.execute(step.sql)
        except duckdb.Error as exc:
            raise self._error(name, exc) from None


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


def _lock_holder(exc: Exception) -> str | None:
    """Who holds the file's lock, from DuckDB's message: "PID n (its command line)"; None if not a lock."""
    text = str(exc)
    if "Could not set lock on file" not in text:
        return None
    match = _LOCK_HELD.search(text)
    if match is None:
        return "another process"
    pid = int(match["pid"])
    holder = f"PID {pid} ({_command_line(pid) or match['exe']})"
    return f"{holder} of user {match['user']}" if match["user"] else holder


def _command_line(pid: int, limit: int = 160) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone already, or no /proc
        return None
    words = [word.decode(errors="replace") for word in raw.split(b"\0") if word]
    text = " ".join(words)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _mount_point(path: Path) -> Path:
    """The file system the warehouse file lives on, named by its mount point."""
    current = Path(os.path.realpath(path))
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return current


def _free_space(mount: Path) -> str:
    try:
        free = shutil.disk_usage(mount).free
    except OSError:
        return "unknown"
    if free < 1024:
        return f"{free} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        free /= 1024
        if free < 1024 or unit == "TB":
            return f"{free:.1f} {unit}"
    raise AssertionError("unreachable")


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
