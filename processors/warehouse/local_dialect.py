"""BigQuery SQL -> DuckDB SQL for the embedded local warehouse.

sqlglot does the translation; the rewrites below correct what it gets silently
wrong (see the warehouse spec), and constructs that cannot run faithfully are
rejected with an error naming the statement. Each correction is pinned by a
test in tests/test_local_dialect.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError

from processors.warehouse import local_functions
from processors.warehouse.errors import UnsupportedLocally, WarehouseError


class _DropArrayIndexOffsetNote(logging.Filter):
    """sqlglot logs "Applying array index offset (1)" at INFO each time it turns a BigQuery
    0-based array index (arr[OFFSET(i)]) into DuckDB's 1-based one: the expected translation,
    not news. Under Airflow (root logger at INFO) that was 16 lines at the top of each Phase 5
    log. Only this message is dropped; sqlglot's other messages still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Applying array index offset (%s)"


_SQLGLOT_LOG = logging.getLogger("sqlglot")  # the logger of every sqlglot module
if not any(type(f).__name__ == _DropArrayIndexOffsetNote.__name__ for f in _SQLGLOT_LOG.filters):  # once
    _SQLGLOT_LOG.addFilter(_DropArrayIndexOffsetNote())

# BigQuery NUMERIC is DECIMAL(38, 9); DuckDB's bare DECIMAL is (18, 3).
_NUMERIC_PRECISION, _NUMERIC_SCALE = 38, 9
# FORMAT directives with no printf equivalent.
_FORMAT_DIRECTIVES_WITHOUT_PRINTF = ("%t", "%T", "%P", "%p")


@dataclass(frozen=True)
class CompiledStatement:
    sql: str                        # DuckDB SQL
    parameters: tuple[str, ...]     # named parameters it binds, without '@'
    transaction_control: bool = False  # BEGIN / COMMIT / ROLLBACK of a script


def compile_script(name: str, bigquery_sql: str) -> tuple[CompiledStatement, ...]:
    """Parse BigQuery SQL (one or more statements) and return DuckDB statements."""
    try:
        return _compile_cached(bigquery_sql)
    except WarehouseError as exc:  # cached by text alone: the same SQL under another name (e.g. its night)
        raise type(exc)(name, exc.problem) from None


_UNNAMED = "<statement>"


@lru_cache(maxsize=512)
def _compile_cached(bigquery_sql: str) -> tuple[CompiledStatement, ...]:
    name = _UNNAMED
    try:
        trees = [t for t in sqlglot.parse(bigquery_sql, read="bigquery") if t is not None]
    except ParseError as exc:
        raise WarehouseError(name, f"syntax error: {_first_error(exc)}") from None
    if not trees:
        raise WarehouseError(name, "no SQL statement")
    compiled = []
    for tree in trees:
        _reject_unsupported(name, tree)
        tree = _correct(name, tree)
        try:
            sql = tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
        except SqlglotError as exc:
            raise UnsupportedLocally(name, f"cannot translate to the local warehouse: {exc}") from None
        parameters = tuple(sorted({p.name for p in tree.find_all(exp.Parameter)}))
        control = isinstance(tree, (exp.Transaction, exp.Commit, exp.Rollback))
        compiled.append(CompiledStatement(sql=sql, parameters=parameters, transaction_control=control))
    return tuple(compiled)


def _first_error(exc: ParseError) -> str:
    if exc.errors:
        err = exc.errors[0]
        return f"{err.get('description')} (line {err.get('line')}, column {err.get('col')})"
    return str(exc)


def _reject_unsupported(name: str, tree: exp.Expression) -> None:
    if isinstance(tree, (exp.Declare, exp.Set)) or tree.find(exp.Declare):
        raise UnsupportedLocally(
            name, "DECLARE / SET scripting variables do not exist locally; pass values as query parameters"
        )
    for table in tree.find_all(exp.Table):
        if "INFORMATION_SCHEMA" in table.sql(dialect="bigquery").upper():
            raise UnsupportedLocally(name, "INFORMATION_SCHEMA does not exist locally; use the table registry")
    for dtype in tree.find_all(exp.DataType):
        if dtype.this == exp.DataType.Type.BIGDECIMAL:
            raise UnsupportedLocally(
                name, "BIGNUMERIC has no exact local equivalent (DuckDB decimals stop at 38 digits)"
            )
    for extract in tree.find_all(exp.Extract):
        if not isinstance(extract.this, exp.Var):
            raise UnsupportedLocally(name, f"EXTRACT({extract.this.sql('bigquery')} ...) is not supported locally")
    for fmt in tree.find_all(exp.Format):
        pattern = fmt.this
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise UnsupportedLocally(name, "FORMAT needs a literal format string locally")
        if any(d in pattern.this for d in _FORMAT_DIRECTIVES_WITHOUT_PRINTF):
            raise UnsupportedLocally(name, f"FORMAT directive in {pattern.this!r} has no local equivalent")


def _correct(name: str, tree: exp.Expression) -> exp.Expression:
    tree = tree.copy()
    if isinstance(tree, exp.Create):
        # PARTITION BY / CLUSTER BY / OPTIONS have no local meaning; the
        # partition column lives in the table registry instead.
        tree.set("properties", None)
    for table in list(tree.find_all(exp.Table)):
        # `project.dataset.table` -> dataset.table; `project.dataset` -> dataset
        table.set("catalog", None)
        db = table.args.get("db")
        if isinstance(db, exp.Identifier) and "." in db.name:
            table.set("db", exp.to_identifier(db.name.rsplit(".", 1)[-1]))
    for dtype in list(tree.find_all(exp.DataType)):
        if dtype.this == exp.DataType.Type.DECIMAL and not dtype.expressions:
            dtype.set("expressions", [
                exp.DataTypeParam(this=exp.Literal.number(_NUMERIC_PRECISION)),
                exp.DataTypeParam(this=exp.Literal.number(_NUMERIC_SCALE)),
            ])
    # Innermost first: a rewrite replaces a node by a new one built from a copy of it, so
    # nested nodes must be corrected before the node that contains them is copied.
    for literal in _innermost_first(tree, exp.Literal):
        if _is_float_literal(literal):
            literal.replace(exp.cast(literal.copy(), exp.DataType.build("DOUBLE")))
    for node in _innermost_first(tree, exp.DateAdd, exp.DateSub, exp.DateTrunc):
        # DuckDB returns TIMESTAMP for date arithmetic on a DATE.
        node.replace(exp.cast(node.copy(), exp.DataType.build("DATE")))
    for extract in _innermost_first(tree, exp.Extract):
        extract.replace(_extract_like_bigquery(name, extract))
    for fmt in _innermost_first(tree, exp.Format):
        fmt.replace(exp.Anonymous(this="PRINTF", expressions=[fmt.this.copy(), *[e.copy() for e in fmt.expressions]]))
    for arithmetic in _innermost_first(tree, exp.Add, exp.Sub, exp.Mul, exp.Div):
        # An untyped float literal beside a NUMERIC is a NUMERIC in BigQuery (1.01 * n is NUMERIC).
        for literal, other in ((arithmetic.left, arithmetic.right), (arithmetic.right, arithmetic.left)):
            if _is_corrected_float_literal(literal) and _kind(other) == "numeric":
                literal.set("to", _numeric_type())
    for division in _innermost_first(tree, exp.Div):
        if _kind(division) == "numeric":
            # DuckDB divides DECIMALs in DOUBLE; BigQuery's NUMERIC / NUMERIC or INT64 is NUMERIC.
            division.replace(exp.cast(division.copy(), _numeric_type()))
    for rounding in _innermost_first(tree, exp.Round):
        if rounding.args.get("decimals") is not None and not _may_be_numeric(rounding.this):
            rounding.replace(_round_float64_exactly(rounding))
    for cast in _innermost_first(tree, exp.Cast):  # exp.TryCast too
        if cast.to.this in (exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR) and not _is_string_literal(cast.this):
            cast.replace(_with_type(local_functions.CAST_TO_STRING, cast.copy(), cast.this))
    for fingerprint in _innermost_first(tree, exp.FarmFingerprint):
        # FarmHash has no DuckDB twin: hash() is as stable within one engine, and callers
        # only compare fingerprints the same warehouse computed (phase3/fingerprint.sql).
        values = [v.this if isinstance(v, exp.JSONFormat) else v for v in fingerprint.expressions]
        fingerprint.replace(exp.Anonymous(this="HASH", expressions=[v.copy() for v in values]))
    for to_json in _innermost_first(tree, exp.JSONFormat):
        if to_json.expressions or to_json.args.get("options"):
            raise UnsupportedLocally(name, "TO_JSON_STRING(value, pretty_print) is not supported locally")
        as_text = exp.cast(exp.Anonymous(this="TO_JSON", expressions=[to_json.this.copy()]), "TEXT")
        to_json.replace(_with_type(local_functions.TO_JSON_STRING, as_text, to_json.this))
    for int_div in _innermost_first(tree, exp.IntDiv):
        # DIV(x + 1, 2) is written `x + 1 // 2` and 2 * DIV(7, 2) `2 * 7 // 2`: keep it and its operands whole.
        for key in ("this", "expression"):
            if isinstance(int_div.args[key], exp.Binary):
                int_div.set(key, exp.paren(int_div.args[key].copy(), copy=False))
        if not isinstance(int_div.parent, exp.Paren):
            int_div.replace(exp.paren(int_div.copy(), copy=False))
    for count_if in _innermost_first(tree, exp.CountIf):
        # DuckDB's COUNT_IF over zero rows is NULL; BigQuery's COUNTIF is 0.
        count_if.replace(exp.Count(this=exp.Case(ifs=[exp.If(this=count_if.this.copy(), true=exp.Literal.number(1))])))
    for agg in list(tree.find_all(exp.ArrayAgg)):
        if isinstance(agg.this, exp.Limit):
            agg.replace(_array_agg_with_limit(agg))
    for bracket in list(tree.find_all(exp.Bracket)):
        _make_computed_offset_one_based(bracket)
    for unnest in list(tree.find_all(exp.Unnest)):
        if isinstance(unnest.args.get("offset"), exp.Identifier):
            _make_offset_zero_based(unnest)
    return tree


def _numeric_type() -> exp.DataType:
    return exp.DataType.build(f"DECIMAL({_NUMERIC_PRECISION}, {_NUMERIC_SCALE})")


def _innermost_first(tree: exp.Expression, *types: type[exp.Expression]) -> list[exp.Expression]:
    return list(reversed(list(tree.find_all(*types))))  # breadth-first reversed: descendants first


def _is_corrected_float_literal(node: exp.Expression) -> bool:
    """A float literal as the correction above leaves it: CAST(1.01 AS DOUBLE)."""
    return (isinstance(node, exp.Cast) and node.to.this in _FLOAT_TYPES and isinstance(node.this, exp.Literal)
            and not node.this.is_string)


_NUMERIC_TYPES = {exp.DataType.Type.DECIMAL}
_FLOAT_TYPES = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}
_INTEGER_TYPES = {exp.DataType.Type.BIGINT, exp.DataType.Type.INT}


def _may_be_numeric(node: exp.Expression) -> bool:
    """NUMERIC, or of unknown type with a NUMERIC in it (`quality_column * NUMERIC '0.005'`):
    DuckDB's own ROUND is exact on DECIMAL, so those keep it."""
    kind = _kind(node)
    return kind == "numeric" or (kind is None and any(
        cast.to.this in _NUMERIC_TYPES for cast in node.find_all(exp.Cast)))


def _kind(node: exp.Expression) -> str | None:
    """BigQuery's type family of an expression where the SQL itself says it: "numeric", "float",
    "int", or None (e.g. a column: the local dialect has no schema). A NUMERIC column inside
    ROUND or a division is therefore not seen; the GoogleSQL differential tests would show it."""
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    if isinstance(node, exp.Cast):
        to = node.to.this
        return "numeric" if to in _NUMERIC_TYPES else "float" if to in _FLOAT_TYPES else (
            "int" if to in _INTEGER_TYPES else None)
    if isinstance(node, exp.Literal) and not node.is_string:
        return "int" if node.this.lstrip("-").isdigit() else "float"
    if isinstance(node, exp.Round):
        return "numeric" if _kind(node.this) == "numeric" else "float"
    if isinstance(node, (exp.Sum, exp.Min, exp.Max)):
        return _kind(node.this)
    if isinstance(node, exp.Avg):
        return "numeric" if _kind(node.this) == "numeric" else "float"
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        kinds = {_kind(node.left), _kind(node.right)}
        if "float" in kinds:
            return "float"
        if None in kinds:
            return None
        if "numeric" in kinds:
            return "numeric"
        return "float" if isinstance(node, exp.Div) else "int"  # INT64 / INT64 is FLOAT64
    return None


def _round_float64_exactly(rounding: exp.Round) -> exp.Expression:
    """ROUND(FLOAT64, n): DuckDB computes round(x * 10^n) / 10^n, which rounds 1.4945 (binary
    1.49449999...) up to 1.495; BigQuery rounds the value itself (1.494)."""
    return exp.Anonymous(this=local_functions.ROUND_FLOAT64,
                         expressions=[rounding.this.copy(), rounding.args["decimals"].copy()])


def _is_string_literal(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _with_type(function: str, text: exp.Expression, value: exp.Expression) -> exp.Expression:
    """function(text, typeof(value)): BigQuery's text form of a value from DuckDB's text and type."""
    return exp.Anonymous(this=function, expressions=[text, exp.Anonymous(this="TYPEOF", expressions=[value.copy()])])


def _is_float_literal(literal: exp.Literal) -> bool:
    if literal.is_string or isinstance(literal.parent, (exp.DataTypeParam, exp.DataType, exp.Interval)):
        return False
    text = literal.this.lower()
    return "." in text or "e" in text


def _extract_like_bigquery(name: str, extract: exp.Extract) -> exp.Expression:
    part = extract.this.name.upper()
    value = extract.expression.copy()
    if part == "DAYOFWEEK":  # BigQuery 1-7 with Sunday = 1; DuckDB 0-6
        return exp.paren(exp.Add(this=extract.copy(), expression=exp.Literal.number(1)), copy=False)
    if part == "WEEK":  # BigQuery: Sunday-based weeks, days before the first Sunday in week 0
        return exp.cast(exp.Anonymous(this="STRFTIME", expressions=[value, exp.Literal.string("%U")]), "BIGINT")
    if part == "ISOWEEK":  # DuckDB's WEEK is the ISO week
        return exp.Extract(this=exp.var("WEEK"), expression=value)
    return extract.copy()


def _array_agg_with_limit(agg: exp.ArrayAgg) -> exp.Expression:
    limit = agg.this
    ordered_agg = exp.ArrayAgg(this=limit.this.copy())
    return exp.Anonymous(
        this="LIST_SLICE",
        expressions=[ordered_agg, exp.Literal.number(1), limit.expression.copy()],
    )


def _make_computed_offset_one_based(bracket: exp.Bracket) -> None:
    """`arr[OFFSET(i)]`: sqlglot shifts literal indexes to DuckDB's 1-based lists but not
    computed ones, which silently read the previous element."""
    index = bracket.expressions[0] if len(bracket.expressions) == 1 else None
    if bracket.args.get("offset") != 0 or index is None or isinstance(index, exp.Literal):
        return
    index.replace(exp.paren(exp.Add(this=index.copy(), expression=exp.Literal.number(1)), copy=False))
    bracket.set("offset", 1)


def _make_offset_zero_based(unnest: exp.Unnest) -> None:
    """DuckDB's WITH ORDINALITY counts from 1; BigQuery's WITH OFFSET from 0."""
    offset_name = unnest.args["offset"].name
    select = unnest.find_ancestor(exp.Select)
    if select is None:
        return
    for column in list(select.find_all(exp.Column)):
        if column.name != offset_name or column.table:
            continue
        zero_based = exp.paren(exp.Sub(this=column.copy(), expression=exp.Literal.number(1)), copy=False)
        if column.parent is select and column.arg_key == "expressions":
            column.replace(exp.alias_(zero_based, offset_name))
        else:
            column.replace(zero_based)
