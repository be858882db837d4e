"""BigQuery's text forms of values, as functions of the embedded local warehouse.

DuckDB writes numbers as text its own way (`20.0`, `61.500000000`); BigQuery writes
FLOAT64 with 15 significant digits, or 17 when 15 do not round-trip (`20`,
`0.33333333333333331`), NUMERIC without trailing zeros, and in TO_JSON_STRING
quotes NUMERIC fractions and integers beyond 2^53. The local dialect rewrites
`CAST(x AS STRING)` and `TO_JSON_STRING(x)` to these functions, which get the
value's DuckDB text and its DuckDB type (`typeof(x)`), and `ROUND(FLOAT64, n)` to
one that rounds the double's exact value. Pinned against ZetaSQL's
reference evaluator in tests/test_local_dialect.py.
"""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from typing import Any

import duckdb
import duckdb.sqltypes

ROUND_FLOAT64 = "bq_round_float64"
CAST_TO_STRING = "bq_cast_to_string"
TO_JSON_STRING = "bq_to_json_string"
_EXACT_JSON_INTEGER = 2**53
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT"}
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def register(connection: duckdb.DuckDBPyConnection) -> None:
    """Add the functions to a new connection (one that already has them keeps them)."""
    text, double = duckdb.sqltypes.VARCHAR, duckdb.sqltypes.DOUBLE
    functions = [
        (ROUND_FLOAT64, round_float64, [double, duckdb.sqltypes.BIGINT], double, {}),
        (CAST_TO_STRING, cast_to_string, [text, text], text, {}),
        (TO_JSON_STRING, to_json_string, [text, text], text, {"null_handling": "special"}),
    ]
    for name, function, parameters, returns, options in functions:
        try:
            connection.create_function(name, function, parameters, returns, side_effects=False, **options)
        except (duckdb.CatalogException, duckdb.NotImplementedException) as exc:
            if "already" not in str(exc):
                raise


# --- ROUND(FLOAT64, digits) ------------------------------------------------------------
def round_float64(value: float, digits: int) -> float:
    """Round the double's exact value half away from zero, as BigQuery does (not value * 10^digits)."""
    if not math.isfinite(value) or digits > 330:
        return value
    with localcontext() as context:
        context.prec = 800
        rounded = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(rounded)


# --- CAST(x AS STRING) ----------------------------------------------------------------
def cast_to_string(text: str, duckdb_type: str) -> str:
    base = _base(duckdb_type)
    if base == "DECIMAL":
        return _plain_decimal(Decimal(text))
    if base in _FLOAT_TYPES:
        return float_text(float(text))
    if base in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"):  # `10:00:00.12+00` -> `10:00:00.120+00`
        return re.sub(r"\.(\d+)", lambda m: "." + _fraction(m.group(1)) if _fraction(m.group(1)) else "", text, count=1)
    return text


def float_text(value: float) -> str:
    """FLOAT64 as BigQuery prints it: 15 significant digits, 17 when 15 do not round-trip."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    text = f"{value:.15g}"
    return text if float(text) == value else f"{value:.17g}"


def _plain_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# --- TO_JSON_STRING(x) ------------------------------------------------------------------
def to_json_string(duckdb_json: str | None, duckdb_type: str | None) -> str:
    """TO_JSON_STRING of a value, from DuckDB's to_json text of it and its DuckDB type."""
    if duckdb_json is None:
        return "null"
    value = json.loads(duckdb_json, parse_float=_NumberText, parse_int=_NumberText, parse_constant=_NumberText)
    return _json(value, _parse_type(duckdb_type or "VARCHAR"))


class _NumberText(str):
    """A JSON number kept as its text (exact for DECIMAL), told apart from a JSON string."""


def _json(value: Any, type_: tuple) -> str:
    kind = type_[0]
    if value is None:
        return "null"
    if kind == "LIST":
        return "[" + ",".join(_json(v, type_[1]) for v in value) + "]"
    if kind == "STRUCT":
        return "{" + ",".join(f"{_json_text(name)}:{_json(value.get(name), field)}"
                              for name, field in type_[1]) + "}"
    if kind == "JSON":
        return json.dumps(_json_number_values(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if kind in _FLOAT_TYPES:
        number = float(value)
        if math.isnan(number):
            return '"NaN"'
        if math.isinf(number):
            return '"Infinity"' if number > 0 else '"-Infinity"'
        return float_text(number)
    if kind in _INTEGER_TYPES or kind == "DECIMAL":
        number = Decimal(value)
        exact = number == number.to_integral_value() and abs(number) <= _EXACT_JSON_INTEGER
        return _plain_decimal(number) if exact else f'"{_plain_decimal(number)}"'
    if kind == "BOOLEAN":
        return "true" if value in (True, "true") else "false"
    if kind == "TIMESTAMP WITH TIME ZONE":
        return json.dumps(_iso_timestamp(value, zone="Z"))
    if kind == "TIMESTAMP":
        return json.dumps(_iso_timestamp(value, zone=""))
    if kind in ("VARCHAR", "DATE"):
        return _json_text(str(value))
    raise ValueError(f"TO_JSON_STRING of a {kind} value has no BigQuery form locally")


def _json_text(text: str) -> str:
    """A JSON string as BigQuery writes it: UTF-8 kept, the line and paragraph separators escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _json_number_values(value: Any) -> Any:
    """A JSON column's numbers (kept as text) back to numbers."""
    if isinstance(value, dict):
        return {k: _json_number_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_number_values(v) for v in value]
    if isinstance(value, _NumberText):
        return int(value) if re.fullmatch(r"-?\d+", value) else float(value)
    return value


def _iso_timestamp(text: str, zone: str) -> str:
    """DuckDB's `2025-01-05 10:00:00.120000+00` as BigQuery's `2025-01-05T10:00:00.120Z`:
    the fraction in milliseconds or microseconds, none when whole."""
    text = re.sub(r"[+-]00(:00)?$", "", text).replace(" ", "T", 1)
    if "." in text:
        whole, fraction = text.split(".", 1)
        text = f"{whole}.{_fraction(fraction)}" if _fraction(fraction) else whole
    return text + zone


def _fraction(digits: str) -> str:
    """Seconds' fraction as BigQuery writes it: milliseconds or microseconds, none when zero."""
    digits = digits.ljust(6, "0")[:6]
    return "" if digits == "000000" else digits[:3] if digits.endswith("000") else digits


# --- DuckDB type names ----------------------------------------------------------------------
def _base(duckdb_type: str) -> str:
    return duckdb_type.split("(", 1)[0].strip()


@cache
def _parse_type(text: str) -> tuple:
    """`STRUCT(a INTEGER, "b c" DOUBLE[])` -> ("STRUCT", [("a", ("INTEGER",)), ("b c", ("LIST", ("DOUBLE",)))])."""
    parsed, rest = _parse(text.strip())
    if rest.strip():
        raise ValueError(f"unexpected DuckDB type text: {text!r}")
    return parsed


def _parse(text: str) -> tuple[tuple, str]:
    if text.upper().startswith("STRUCT("):
        fields, rest = [], text[len("STRUCT("):]
        while True:
            name, rest = _field_name(rest.lstrip())
            field, rest = _parse(rest.lstrip())
            fields.append((name, field))
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
                continue
            if not rest.startswith(")"):
                raise ValueError(f"unexpected DuckDB type text near {rest!r}")
            parsed, rest = ("STRUCT", fields), rest[1:]
            break
    else:
        match = re.match(r"(TIMESTAMP WITH TIME ZONE|[A-Z_]+(\(\d+,\s*\d+\))?)", text, re.I)
        if not match:
            raise ValueError(f"unexpected DuckDB type text near {text!r}")
        parsed, rest = (_base(match.group(1)).upper(),), text[match.end():]
    while rest.startswith("[]"):
        parsed, rest = ("LIST", parsed), rest[2:]
    return parsed, rest


def _field_name(text: str) -> tuple[str, str]:
    if text.startswith('"'):
        end = text.index('"', 1)
        while text[end + 1:end + 2] == '"':  # a doubled quote inside the name
            end = text.index('"', end + 2)
        return text[1:end].replace('""', '"'), text[end + 1:]
    match = re.match(r"[^\s]+", text)
    return match.group(0), text[match.end():]
