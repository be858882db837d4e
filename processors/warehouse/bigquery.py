"""The production warehouse: BigQuery through google-cloud-bigquery.

Every value is a named query parameter, legacy SQL is off, and every job is
labelled (dag, task, SQL file) for cost attribution. Partition rewrites are
DML scripts or load jobs, never streaming inserts (BigQuery refuses DML on rows
still in the streaming buffer).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any

import sqlglot
from google.api_core.exceptions import GoogleAPICallError
from google.cloud import bigquery
from sqlglot.errors import ParseError

from processors.config import WarehouseSettings
from processors.warehouse import schema
from processors.warehouse.base import Params, Row, Warehouse
from processors.warehouse.errors import WarehouseError
from processors.warehouse.statements import Statement

_LABEL_INVALID = re.compile(r"[^a-z0-9_-]+")


class BigQueryWarehouse(Warehouse):
    backend = "bigquery"

    def __init__(self, settings: WarehouseSettings, client_factory: Callable[[], Any] | None = None,
                 job_labels: Mapping[str, str] | None = None):
        super().__init__(settings)
        self._client_factory = client_factory
        self.job_labels = dict(job_labels or {})
        self._session_id: str | None = None  # set while a transaction is open

    @cached_property
    def client(self) -> bigquery.Client:
        if self._client_factory is not None:
            return self._client_factory()
        return bigquery.Client(project=self.settings.gcp_project, location=self.settings.location)

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
            del self.__dict__["client"]

    # --- request building (unit-tested without network) ----------------------
    def query_job_config(self, statement: Statement, params: Params | None) -> bigquery.QueryJobConfig:
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(name, value) for name, value in (params or {}).items()],
            use_legacy_sql=False,
            labels=self.labels_for(statement.name),
        )
        if self._session_id:
            config.connection_properties = [bigquery.ConnectionProperty("session_id", self._session_id)]
        return config

    def labels_for(self, statement_name: str) -> dict[str, str]:
        labels = {"app": "nba-props", **self.job_labels, "sql_file": statement_name.removesuffix(".sql")}
        return {_label(k): _label(v) for k, v in labels.items()}

    def load_job_config(self, table: schema.TableSchema, write_disposition: str) -> bigquery.LoadJobConfig:
        return bigquery.LoadJobConfig(
            schema=[schema_field(name, kind) for name, kind in table.columns.items()],
            source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=write_disposition,
            labels=self.labels_for(f"load_{table.name}"),
        )

    # --- primitives ---------------------------------------------------------------
    def query(self, statement: Statement | str, params: Params | None = None) -> list[Row]:
        statement = self._as_statement(statement)
        job = self._submit(statement, params)
        return [dict(row.items()) for row in self._wait(statement.name, job)]

    def query_all(self, requests: Sequence[tuple[Statement | str, Params | None]]) -> list[list[Row]]:
        """Every job submitted before the first is awaited: they run at once."""
        statements = [(self._as_statement(statement), params) for statement, params in requests]
        jobs = [self._submit(statement, params) for statement, params in statements]
        return [[dict(row.items()) for row in self._wait(statement.name, job)]
                for (statement, _), job in zip(statements, jobs, strict=True)]

    def execute_script(self, statement: Statement | str, params: Params | None = None) -> None:
        statement = self._as_statement(statement)
        if self.in_transaction or not _has_several_statements(statement.text):
            self._wait(statement.name, self._submit(statement, params))
            return
        # Without a transaction each DML statement of a script commits on its own.
        with self.transaction():
            self._wait(statement.name, self._submit(statement, params))

    # A multi-statement transaction spanning several jobs lives in a BigQuery session.
    def _begin(self) -> None:
        config = self.query_job_config(Statement("begin_transaction", ""), None)
        config.create_session = True
        job = self.client.query("BEGIN TRANSACTION", job_config=config, location=self.settings.location)
        self._wait("BEGIN TRANSACTION", job)
        self._session_id = job.session_info.session_id

    def _commit(self) -> None:
        self._end_session("COMMIT TRANSACTION")

    def _rollback(self) -> None:
        self._end_session("ROLLBACK TRANSACTION")

    def _end_session(self, verb: str) -> None:
        try:
            self._wait(verb, self._submit(Statement(verb.lower().replace(" ", "_"), verb), None))
        finally:
            try:
                self._submit(Statement("abort_session", "CALL BQ.ABORT_SESSION()"), None).result()
            except GoogleAPICallError:
                pass  # the session expires on its own; the transaction has ended either way
            self._session_id = None

    def _load_rows(self, table: schema.TableSchema, rows: list[Row], replace_dates: list[dt.date] | None) -> None:
        table_id = self.table_id(table.key)
        if replace_dates is None:
            batches = {table_id: (rows, bigquery.WriteDisposition.WRITE_APPEND)}
        else:
            # A load into the `table$YYYYMMDD` partition with WRITE_TRUNCATE replaces
            # exactly that date, atomically.
            batches = {
                f"{table_id}${day:%Y%m%d}": (
                    [r for r in rows if r[table.partition_column] == day],
                    bigquery.WriteDisposition.WRITE_TRUNCATE,
                )
                for day in replace_dates
            }
        for destination, (batch, disposition) in batches.items():
            job = self.client.load_table_from_json(
                [_json_ready(r) for r in batch], destination, job_config=self.load_job_config(table, disposition)
            )
            self._wait(f"load into {destination}", job)

    def _submit(self, statement: Statement, params: Params | None):
        try:
            return self.client.query(statement.text, job_config=self.query_job_config(statement, params),
                                     location=self.settings.location)
        except GoogleAPICallError as exc:
            raise WarehouseError(statement.name, exc.message) from None

    @staticmethod
    def _wait(name: str, job):
        try:
            return job.result()
        except GoogleAPICallError as exc:
            raise WarehouseError(name, exc.message) from None


def _has_several_statements(sql: str) -> bool:
    try:
        return len([s for s in sqlglot.parse(sql, read="bigquery") if s is not None]) > 1
    except ParseError:
        return ";" in sql.strip().rstrip(";")


def query_parameter(name: str, value: Any):
    """A named BigQuery parameter typed from the Python value."""
    if isinstance(value, (list, tuple)):
        element_type = _scalar_type(value[0]) if value else "STRING"
        return bigquery.ArrayQueryParameter(name, element_type, list(value))
    return bigquery.ScalarQueryParameter(name, _scalar_type(value), value)


def _scalar_type(value: Any) -> str:
    if value is None:
        return "STRING"
    for python_type, bq_type in (
        (bool, "BOOL"), (int, "INT64"), (float, "FLOAT64"), (Decimal, "NUMERIC"), (str, "STRING"),
        (dt.datetime, "TIMESTAMP"), (dt.date, "DATE"), (dict, "JSON"),
    ):
        if isinstance(value, python_type):  # bool before int, datetime before date
            return bq_type
    raise TypeError(f"no BigQuery parameter type for {type(value).__name__}")


def schema_field(name: str, bigquery_type: str) -> bigquery.SchemaField:
    if bigquery_type.startswith("ARRAY<"):
        return bigquery.SchemaField(name, bigquery_type[len("ARRAY<"):-1], mode="REPEATED")
    base, _, args = bigquery_type.partition("(")
    precision, scale = (int(x) for x in args.rstrip(")").split(",")) if args else (None, None)
    return bigquery.SchemaField(name, base, precision=precision, scale=scale)


def _json_ready(row: Row) -> Row:
    return json.loads(json.dumps(row, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _label(text: str) -> str:
    """BigQuery labels: lowercase letters, digits, _ and -, at most 63 characters."""
    return _LABEL_INVALID.sub("-", str(text).lower())[:63] or "none"
