"""Google's GoogleSQL (ZetaSQL) analyzer and reference evaluator, offline, for the tests.

PyPI's `zetasql` runs ZetaSQL compiled to WebAssembly under wasmtime. Compiling
the 28 MB module takes 15-35 s and ~1.1 GB, so the compiled module is cached
in the project's ignored .tools/ (later loads take < 0.1 s). Requests are raw
protobufs: the package's dataclass layer is slow for table contents.

The catalog is the one BigQuery resolves: `project` > `dataset` > table, built
from include/sql/ddl, with BigQuery's language features (the list Google's
zetasql-toolkit uses for BigQuery) and product mode EXTERNAL.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The compiled module's cache (git-ignored); the benchmark points it elsewhere to time a cold start.
CACHE_DIR = Path(os.environ.get("ZETASQL_CACHE_DIR", PROJECT_ROOT / ".tools" / "zetasql"))

# BigQuery's features and statement kinds, as Google's zetasql-toolkit sets them for BigQuery
# (GoogleCloudPlatform/zetasql-toolkit, zetasql-toolkit-bigquery, options/BigQueryLanguageOptions.java).
BIGQUERY_FEATURES = (
    "ALLOW_MISSING_PATH_EXPRESSION_IN_ALTER_DDL", "ALTER_COLUMN_SET_DATA_TYPE", "ALTER_TABLE_RENAME_COLUMN",
    "ANALYTIC_FUNCTIONS", "ANONYMIZATION", "BIGNUMERIC_TYPE", "CBRT_FUNCTIONS",
    "CREATE_EXTERNAL_TABLE_WITH_CONNECTION", "CREATE_EXTERNAL_TABLE_WITH_PARTITION_COLUMNS",
    "CREATE_EXTERNAL_TABLE_WITH_TABLE_ELEMENT_LIST", "CREATE_MATERIALIZED_VIEW_CLUSTER_BY",
    "CREATE_MATERIALIZED_VIEW_PARTITION_BY", "CREATE_SNAPSHOT_TABLE", "CREATE_TABLE_AS_SELECT_COLUMN_LIST",
    "CREATE_TABLE_CLONE", "CREATE_TABLE_CLUSTER_BY", "CREATE_TABLE_COPY", "CREATE_TABLE_FIELD_ANNOTATIONS",
    "CREATE_TABLE_FUNCTION", "CREATE_TABLE_LIKE", "CREATE_TABLE_NOT_NULL", "CREATE_TABLE_PARTITION_BY",
    "CREATE_VIEW_WITH_COLUMN_LIST", "DML_UPDATE_WITH_JOIN", "ENCRYPTION", "FOREIGN_KEYS", "GEOGRAPHY",
    "GROUP_BY_ROLLUP", "INTERVAL_TYPE", "INVERSE_TRIG_FUNCTIONS", "JSON_ARRAY_FUNCTIONS", "JSON_TYPE",
    "JSON_VALUE_EXTRACTION_FUNCTIONS", "NAMED_ARGUMENTS", "NUMERIC_TYPE", "PARAMETERIZED_TYPES",
    "PARAMETERS_IN_GRANTEE_LIST", "ROUND_WITH_ROUNDING_MODE", "TABLESAMPLE", "TABLE_VALUED_FUNCTIONS",
    "TEMPLATE_FUNCTIONS", "TIMESTAMP_NANOS", "TIME_BUCKET_FUNCTIONS", "UNENFORCED_PRIMARY_KEYS",
    "V_1_1_HAVING_IN_AGGREGATE", "V_1_1_LIMIT_IN_AGGREGATE", "V_1_1_NULL_HANDLING_MODIFIER_IN_AGGREGATE",
    "V_1_1_NULL_HANDLING_MODIFIER_IN_ANALYTIC", "V_1_1_ORDER_BY_IN_AGGREGATE", "V_1_1_SELECT_STAR_EXCEPT_REPLACE",
    "V_1_2_CIVIL_TIME", "V_1_2_SAFE_FUNCTION_CALL", "V_1_2_WEEK_WITH_WEEKDAY", "V_1_3_ADDITIONAL_STRING_FUNCTIONS",
    "V_1_3_ALLOW_DASHES_IN_TABLE_NAME", "V_1_3_ALLOW_REGEXP_EXTRACT_OPTIONALS", "V_1_3_ANNOTATION_FRAMEWORK",
    "V_1_3_CASE_STMT", "V_1_3_COLLATION_SUPPORT", "V_1_3_COLUMN_DEFAULT_VALUE", "V_1_3_CONCAT_MIXED_TYPES",
    "V_1_3_DATE_ARITHMETICS", "V_1_3_DATE_TIME_CONSTRUCTORS", "V_1_3_DECIMAL_ALIAS",
    "V_1_3_EXTENDED_DATE_TIME_SIGNATURES", "V_1_3_EXTENDED_GEOGRAPHY_PARSERS", "V_1_3_FORMAT_IN_CAST",
    "V_1_3_FOR_IN", "V_1_3_IS_DISTINCT", "V_1_3_LIKE_ANY_SOME_ALL", "V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY",
    "V_1_3_OMIT_INSERT_COLUMN_LIST", "V_1_3_PIVOT", "V_1_3_QUALIFY", "V_1_3_REMOTE_FUNCTION", "V_1_3_REPEAT",
    "V_1_3_SCRIPT_LABEL", "V_1_3_UNNEST_AND_FLATTEN_ARRAYS", "V_1_3_UNPIVOT", "V_1_3_WITH_GROUP_ROWS",
    "V_1_3_WITH_RECURSIVE", "V_1_1_WITH_ON_SUBQUERY", "V_1_4_ARRAY_AGGREGATION_FUNCTIONS", "V_1_4_REMOTE_MODEL",
    "V_1_4_GROUPING_BUILTIN", "V_1_4_GROUPING_SETS", "V_1_4_GROUP_BY_ALL",
)
STATEMENT_KINDS = (
    "ADD_CONSTRAINT_ACTION", "ALTER_ENTITY_STMT", "ALTER_MATERIALIZED_VIEW_STMT", "ALTER_MODEL_STMT",
    "ALTER_SCHEMA_STMT", "ALTER_TABLE_STMT", "ALTER_VIEW_STMT", "ASSERT_STMT", "ASSIGNMENT_STMT",
    "AUX_LOAD_DATA_STMT", "BEGIN_STMT", "CALL_STMT", "COMMIT_STMT", "CREATE_ENTITY_STMT",
    "CREATE_EXTERNAL_TABLE_STMT", "CREATE_FUNCTION_STMT", "CREATE_INDEX_STMT", "CREATE_MATERIALIZED_VIEW_STMT",
    "CREATE_MODEL_STMT", "CREATE_PROCEDURE_STMT", "CREATE_ROW_ACCESS_POLICY_STMT", "CREATE_SCHEMA_STMT",
    "CREATE_SNAPSHOT_TABLE_STMT", "CREATE_TABLE_AS_SELECT_STMT", "CREATE_TABLE_FUNCTION_STMT", "CREATE_TABLE_STMT",
    "CREATE_VIEW_STMT", "DELETE_STMT", "DROP_CONSTRAINT_ACTION", "DROP_FUNCTION_STMT", "DROP_MATERIALIZED_VIEW_STMT",
    "DROP_ROW_ACCESS_POLICY_STMT", "DROP_SNAPSHOT_TABLE_STMT", "DROP_STMT", "DROP_TABLE_FUNCTION_STMT",
    "EXECUTE_IMMEDIATE_STMT", "EXPORT_DATA_STMT", "EXPORT_MODEL_STMT", "GRANT_STMT", "INSERT_STMT", "MERGE_STMT",
    "QUERY_STMT", "REVOKE_STMT", "ROLLBACK_STMT", "TRUNCATE_STMT", "UPDATE_STMT",
)
# BigQuery's system procedures the package calls: name path -> argument count.
SYSTEM_PROCEDURES = {("BQ", "ABORT_SESSION"): 0}


class GoogleSqlError(AssertionError):
    """ZetaSQL rejected a statement; the message names the file and line."""


@cache
def _pb():
    """The protobuf modules (imported lazily: the WASM runtime loads with them)."""
    from zetasql.wasi._pb2.zetasql.local_service import local_service_pb2
    from zetasql.wasi._pb2.zetasql.proto import function_pb2, options_pb2, simple_catalog_pb2
    from zetasql.wasi._pb2.zetasql.public import function_pb2 as public_function_pb2
    from zetasql.wasi._pb2.zetasql.public import options_pb2 as public_options_pb2
    from zetasql.wasi._pb2.zetasql.public import (
        parse_resume_location_pb2,
        simple_table_pb2,
        type_pb2,
        value_pb2,
    )
    from zetasql.wasi._pb2.zetasql.resolved_ast import resolved_node_kind_pb2

    return dict(ls=local_service_pb2, fn=function_pb2, pfn=public_function_pb2, opts=options_pb2, cat=simple_catalog_pb2,
                popts=public_options_pb2, resume=parse_resume_location_pb2, table=simple_table_pb2,
                type=type_pb2, value=value_pb2, kind=resolved_node_kind_pb2)


# --- the WASM service, with its compiled module cached ------------------------------
@cache
def service():
    """The ZetaSQL local service (one per process), its module loaded from the cache when it can be."""
    import wasmtime
    from zetasql.core import wasm_client
    from zetasql.core.local_service import ZetaSqlLocalService

    cache_file = CACHE_DIR / f"zetasql-{version('zetasql')}-wasmtime-{version('wasmtime')}.cwasm"

    class CachedModule:
        @staticmethod
        def from_file(engine, path):
            if cache_file.is_file():
                try:
                    return wasmtime.Module.deserialize_file(engine, str(cache_file))
                except wasmtime.WasmtimeError:
                    cache_file.unlink(missing_ok=True)  # made by another engine configuration: compile again
            module = wasmtime.Module.from_file(engine, path)
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cache_file.parent, suffix=".partial", delete=False) as partial:
                partial.write(module.serialize())
            Path(partial.name).replace(cache_file)  # atomic: a concurrent session reads all or nothing
            return module

    wasm_client.Module = CachedModule
    # The package copies request and response bytes one at a time; whole-buffer copies instead.
    wasm_client.WasmClient.write_bytes = _write_bytes
    wasm_client.WasmClient.read_bytes = _read_bytes
    return ZetaSqlLocalService.get_instance()


def _memory_base(client) -> int:
    return ctypes.addressof(client.memory.data_ptr().contents)


def _write_bytes(client, ptr: int, data: bytes) -> None:
    ctypes.memmove(_memory_base(client) + ptr, data, len(data))


def _read_bytes(client, ptr: int, size: int) -> bytes:
    return ctypes.string_at(_memory_base(client) + ptr, size)


def _call(method: str, request, response_type):
    from zetasql.core.exceptions import ServerError

    client = service().wasm_client
    try:
        return client.call_grpc_func(f"ZetaSqlLocalService_{method}", request, response_type)
    except ServerError as exc:
        raise GoogleSqlError(str(exc)) from None


# --- types and values ----------------------------------------------------------------
def type_proto(bigquery_type: str):
    """TypeProto of a BigQuery column type (`NUMERIC(5, 1)` is NUMERIC, `ARRAY<STRING>` an array)."""
    pb = _pb()["type"]
    text = bigquery_type.strip().upper()
    if text.startswith("ARRAY<"):
        return pb.TypeProto(type_kind=pb.TYPE_ARRAY,
                            array_type=pb.ArrayTypeProto(element_type=type_proto(text[len("ARRAY<"):-1])))
    base = text.split("(")[0].strip()
    kinds = {"STRING": pb.TYPE_STRING, "INT64": pb.TYPE_INT64, "FLOAT64": pb.TYPE_DOUBLE, "BOOL": pb.TYPE_BOOL,
             "DATE": pb.TYPE_DATE, "TIMESTAMP": pb.TYPE_TIMESTAMP, "DATETIME": pb.TYPE_DATETIME,
             "NUMERIC": pb.TYPE_NUMERIC, "JSON": pb.TYPE_JSON, "BYTES": pb.TYPE_BYTES}
    return pb.TypeProto(type_kind=kinds[base])


def parameter_type(parameter) -> str:
    """The BigQuery type google-cloud-bigquery declares for a (scalar or array) query parameter."""
    from google.cloud import bigquery

    if isinstance(parameter, bigquery.ArrayQueryParameter):
        return f"ARRAY<{parameter.array_type}>"
    return parameter.type_


_EPOCH = dt.date(1970, 1, 1)
_NUMERIC_SCALE = 10**9


def value_proto(value: Any, bigquery_type: str):
    """ValueProto of a Python value of the given BigQuery type (None is NULL)."""
    pb = _pb()["value"]
    text = bigquery_type.strip().upper()
    if value is None:
        return pb.ValueProto()
    if text.startswith("ARRAY<"):
        element = text[len("ARRAY<"):-1]
        return pb.ValueProto(array_value=pb.ValueProto.Array(element=[value_proto(v, element) for v in value]))
    base = text.split("(")[0].strip()
    if base == "STRING":
        return pb.ValueProto(string_value=str(value))
    if base == "INT64":
        return pb.ValueProto(int64_value=int(value))
    if base == "FLOAT64":
        return pb.ValueProto(double_value=float(value))
    if base == "BOOL":
        return pb.ValueProto(bool_value=bool(value))
    if base == "DATE":
        return pb.ValueProto(date_value=(value - _EPOCH).days)
    if base == "TIMESTAMP":
        proto = pb.ValueProto()
        instant = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        proto.timestamp_value.FromDatetime(instant.astimezone(dt.UTC).replace(tzinfo=None))
        return proto
    if base == "NUMERIC":
        scaled = int((Decimal(str(value)) * _NUMERIC_SCALE).to_integral_value())
        return pb.ValueProto(numeric_value=_twos_complement(scaled))
    if base == "JSON":
        return pb.ValueProto(json_value=value if isinstance(value, str) else json.dumps(value, sort_keys=True))
    raise TypeError(f"no ZetaSQL value for BigQuery type {bigquery_type}")


def _twos_complement(n: int) -> bytes:
    length = max(1, (n.bit_length() + 8) // 8)
    return n.to_bytes(length, "little", signed=True)


def python_value(proto) -> Any:
    """A Python value of a ValueProto: the types the local backend returns (Decimal for NUMERIC)."""
    kind = proto.WhichOneof("value")
    if kind is None:
        return None
    raw = getattr(proto, kind)
    if kind == "array_value":
        return [python_value(v) for v in raw.element]
    if kind == "date_value":
        return _EPOCH + dt.timedelta(days=raw)
    if kind == "timestamp_value":
        return raw.ToDatetime(tzinfo=dt.UTC)
    if kind == "numeric_value":
        return Decimal(int.from_bytes(raw, "little", signed=True)) / _NUMERIC_SCALE
    if kind == "json_value":
        return json.loads(raw)
    if kind == "struct_value":
        return [python_value(v) for v in raw.field]
    return raw


# --- catalog and options ------------------------------------------------------------
def language_options():
    pb = _pb()
    popts = pb["popts"]
    return pb["opts"].LanguageOptionsProto(
        name_resolution_mode=popts.NAME_RESOLUTION_DEFAULT,
        product_mode=popts.PRODUCT_EXTERNAL,
        enabled_language_features=[popts.LanguageFeature.Value(f"FEATURE_{f}") for f in BIGQUERY_FEATURES],
        supported_statement_kinds=[pb["kind"].ResolvedNodeKind.Value(f"RESOLVED_{k}") for k in STATEMENT_KINDS],
        reserved_keywords=["QUALIFY"],
    )


def analyzer_options(parameters: Mapping[str, str] | None = None):
    """Options for BigQuery: named parameters of the given BigQuery types, UTC, one-line errors with location."""
    pb = _pb()
    options = pb["opts"].AnalyzerOptionsProto(
        language_options=language_options(),
        parameter_mode=pb["popts"].PARAMETER_NAMED,
        error_message_mode=pb["popts"].ERROR_MESSAGE_ONE_LINE,
        default_timezone="UTC",
        prune_unused_columns=True,
    )
    for name, bigquery_type in (parameters or {}).items():
        options.query_parameters.add(name=name, type=type_proto(bigquery_type))
    return options


@dataclass(frozen=True)
class CatalogTable:
    project: str
    dataset: str
    name: str
    columns: dict[str, str]  # column -> BigQuery type

    @property
    def path(self) -> tuple[str, str, str]:
        return self.project, self.dataset, self.name


def catalog_proto(tables: Sequence[CatalogTable], *, flat: bool = False):
    """project > dataset > table sub-catalogs, as BigQuery resolves `p`.`d`.`t`; builtins; BQ procedures.

    `flat` names each table `p.d.t` in the root instead: the reference evaluator only
    takes table contents for root tables, and reads the unsplit `p.d.t` as that one name."""
    pb = _pb()
    root = pb["cat"].SimpleCatalogProto(name="")
    root.builtin_function_options.language_options.CopyFrom(language_options())
    children: dict[tuple[str, ...], Any] = {(): root}

    def sub_catalog(path: tuple[str, ...]):
        if path not in children:
            parent = sub_catalog(path[:-1])
            children[path] = parent.catalog.add(name=path[-1])
        return children[path]

    for serial, table in enumerate(tables, start=1):
        parent, name = (root, ".".join(table.path)) if flat else (sub_catalog(table.path[:2]), table.name)
        parent.table.append(pb["table"].SimpleTableProto(
            name=name, serialization_id=serial, full_name=".".join(table.path),
            column=[pb["table"].SimpleColumnProto(name=c, type=type_proto(t)) for c, t in table.columns.items()],
        ))
    for path, argument_count in SYSTEM_PROCEDURES.items():
        signature = pb["fn"].FunctionSignatureProto(
            return_type=pb["fn"].FunctionArgumentTypeProto(kind=pb["pfn"].ARG_TYPE_FIXED, type=type_proto("BOOL")),
            argument=[pb["fn"].FunctionArgumentTypeProto(kind=pb["pfn"].ARG_TYPE_FIXED, type=type_proto("STRING"))
                      for _ in range(argument_count)],
            context_id=0,
        )
        sub_catalog(path[:-1]).procedure.add(name_path=[path[-1]], signature=signature)
    return root


def bigquery_type(type_) -> str:
    """The BigQuery name of a ZetaSQL TypeProto (the inverse of type_proto, without precision)."""
    pb = _pb()["type"]
    if type_.type_kind == pb.TYPE_ARRAY:
        return f"ARRAY<{bigquery_type(type_.array_type.element_type)}>"
    names = {pb.TYPE_STRING: "STRING", pb.TYPE_INT64: "INT64", pb.TYPE_DOUBLE: "FLOAT64", pb.TYPE_BOOL: "BOOL",
             pb.TYPE_DATE: "DATE", pb.TYPE_TIMESTAMP: "TIMESTAMP", pb.TYPE_DATETIME: "DATETIME",
             pb.TYPE_NUMERIC: "NUMERIC", pb.TYPE_JSON: "JSON", pb.TYPE_BYTES: "BYTES"}
    return names[type_.type_kind]


# --- statements ---------------------------------------------------------------------
_BACKQUOTED_PATH = re.compile(r"`([^`]+)`")


def split_quoted_paths(sql: str) -> str:
    """`p.d.t` -> `p`.`d`.`t`: ZetaSQL reads one quoted name as one identifier, BigQuery as a path."""
    return _BACKQUOTED_PATH.sub(lambda m: ".".join(f"`{part}`" for part in m.group(1).split(".")), sql)


@dataclass(frozen=True)
class AnalyzedStatement:
    output_columns: tuple[tuple[str, Any], ...]  # (name, TypeProto) of a query


def analyze_script(sql: str, catalog, parameters: Mapping[str, str] | None = None, *,
                   flat: bool = False) -> list[AnalyzedStatement]:
    """Analyze every statement of a script in turn; raises GoogleSqlError with ZetaSQL's message.

    Quoted paths are split for the nested catalog (not for a `flat` one)."""
    pb = _pb()
    options = analyzer_options(parameters)
    text = sql if flat else split_quoted_paths(sql)
    encoded, position, analyzed = text.encode(), 0, []
    while _has_statement(encoded[position:].decode()):
        request = pb["ls"].AnalyzeRequest(
            options=options, simple_catalog=catalog,
            parse_resume_location=pb["resume"].ParseResumeLocationProto(input=text, byte_position=position,
                                                                        allow_resume=True),
        )
        try:
            response = _call("Analyze", request, pb["ls"].AnalyzeResponse)
        except GoogleSqlError as exc:
            raise GoogleSqlError(_with_line(str(exc), text)) from None
        _, node = _concrete(response.resolved_statement)
        analyzed.append(AnalyzedStatement(output_columns=_output_columns(node)))
        if response.resume_byte_position <= position:
            raise GoogleSqlError(f"ZetaSQL did not move past byte {position} of the script")
        position = response.resume_byte_position
    return analyzed


_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def strip_comments(sql: str) -> str:
    return _COMMENT.sub("", sql)


def _has_statement(text: str) -> bool:
    return bool(strip_comments(text).strip().strip(";").strip())


def _output_columns(node) -> tuple[tuple[str, Any], ...]:
    """A query's or view's output columns; a CREATE TABLE's column definitions."""
    columns = resolved_field(node, "output_column_list")
    if columns is not None:
        return tuple((c.name, c.column.type) for c in columns)
    definitions = resolved_field(node, "column_definition_list")
    if definitions is not None:
        return tuple((d.name, d.type) for d in definitions)
    return ()


def _concrete(any_node) -> tuple[str, Any]:
    """Unwrap ZetaSQL's AnyResolved... oneof layers down to the concrete node."""
    node, kind = any_node, ""
    while node.DESCRIPTOR.name.startswith("AnyResolved"):
        kind = node.WhichOneof("node")
        node = getattr(node, kind)
    return kind.removesuffix("_node"), node


def resolved_field(node, name: str):
    """A field of a resolved node or of one of its parents (ZetaSQL's protos nest the base class as `parent`)."""
    while node is not None:
        if name in node.DESCRIPTOR.fields_by_name:
            return getattr(node, name)
        node = node.parent if "parent" in node.DESCRIPTOR.fields_by_name else None
    return None


_LINE_COLUMN = re.compile(r"\[at (\d+):(\d+)\]")


def _with_line(message: str, text: str) -> str:
    """ZetaSQL counts lines from the statement's script; keep its position and quote the line."""
    match = _LINE_COLUMN.search(message)
    if not match:
        return message
    line = int(match.group(1))
    lines = text.splitlines()
    quoted = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"{message} | line {line}: {quoted}"


def table_content(columns: Mapping[str, str], rows: Sequence[Mapping[str, Any]]):
    """The TableContent of rows (dicts) with the given BigQuery column types."""
    content = _pb()["ls"].TableContent()
    content.table_data.SetInParent()  # an empty table is content too
    for row in rows:
        content.table_data.row.add(cell=[value_proto(row.get(c), t) for c, t in columns.items()])
    return content


def evaluate_query(sql: str, catalog, tables: Mapping[tuple[str, str, str], Any],
                   parameters: Mapping[str, tuple[str, Any]] | None = None) -> tuple[list[str], list[dict]]:
    """Run one query on ZetaSQL's reference evaluator over the given table contents (a flat catalog).

    `tables`: path -> TableContent (see table_content); `parameters`: name -> (BigQuery type, value).
    Returns the output column names and the rows as dicts of Python values."""
    pb = _pb()
    parameters = parameters or {}
    request = pb["ls"].EvaluateQueryRequest(
        sql=sql, options=analyzer_options({n: t for n, (t, _) in parameters.items()}), simple_catalog=catalog,
    )
    for path, content in tables.items():
        request.table_content[".".join(path)].CopyFrom(content)
    for name, (bigquery_type, value) in parameters.items():
        request.params.add(name=name, value=value_proto(value, bigquery_type))
    response = _call("EvaluateQuery", request, pb["ls"].EvaluateQueryResponse)
    names = [c.name for c in response.prepared.columns]
    rows = [dict(zip(names, (python_value(cell) for cell in row.cell), strict=True))
            for row in response.content.table_data.row]
    return names, rows


# --- evaluation in other processes ----------------------------------------------------
Path3 = tuple[str, str, str]


class EvaluatorPool:
    """The reference evaluator in worker processes (it is slow and single-threaded), so that
    evaluations run beside the caller's own work. Views are evaluated from their base tables."""

    def __init__(self, flat_catalog, views: Mapping[Path3, str], workers: int = 2):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_worker,
                                         initargs=(flat_catalog.SerializeToString(), dict(views)))

    def submit(self, sql: str, contents: Mapping[Path3, bytes], parameters: Mapping[str, tuple[str, Any]]):
        """contents: path -> serialized TableContent of each base table the query reads."""
        return self._pool.submit(_evaluate_in_worker, sql, dict(contents), dict(parameters))

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


_WORKER: dict[str, Any] = {}  # the worker's catalog and view queries
_VIEWS: dict[Path3, tuple[int, Any]] = {}  # view -> (hash of its base contents, its rows)


def _start_worker(catalog: bytes, views: dict[Path3, str]) -> None:
    _WORKER["catalog"] = _pb()["cat"].SimpleCatalogProto.FromString(catalog)
    _WORKER["views"] = views
    service()


def _evaluate_in_worker(sql: str, contents: dict[Path3, bytes], parameters: dict[str, tuple[str, Any]]):
    catalog = _WORKER["catalog"]
    tables = {path: _pb()["ls"].TableContent.FromString(data) for path, data in contents.items()}
    for path, query in _WORKER["views"].items():
        if f"`{'.'.join(path)}`" in sql:
            base = hash(tuple(sorted((p, data) for p, data in contents.items() if f"`{'.'.join(p)}`" in query)))
            cached = _VIEWS.get(path)
            if cached is None or cached[0] != base:  # the view's rows for the current base contents
                analyzed = analyze_script(query, catalog, flat=True)[0]
                columns = {name: bigquery_type(t) for name, t in analyzed.output_columns}
                _VIEWS[path] = (base, table_content(columns, evaluate_query(query, catalog, tables)[1]))
            tables[path] = _VIEWS[path][1]
    return evaluate_query(sql, catalog, tables, parameters)
