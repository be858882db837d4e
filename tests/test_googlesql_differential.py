"""The local stand-in keeps BigQuery's meaning: every query the package runs on the mini season
gives the same rows on the local backend (DuckDB, after the dialect's corrections) as on
Google's ZetaSQL reference evaluator over the same table contents.

Rows compare column by column (floats to 1e-9, NUMERIC exactly), in order when the statement
orders its rows and as multisets otherwise. Columns that hold CURRENT_TIMESTAMP() or FARM_FINGERPRINT
are left out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import googlesql
from googlesql_flows import Execution, statement_files_on_disk
from processors.config import SQL_ROOT

pytestmark = pytest.mark.slow

TOLERANCE = 1e-9


def query_files() -> list[str]:
    """The include/sql files that are queries (or query fragments), by their first keyword."""
    return [f for f in statement_files_on_disk()
            if re.match(r"\s*\(?\s*(SELECT|WITH)\b", googlesql.strip_comments((SQL_ROOT / f).read_text()), re.I)]


@cache
def volatile_columns(text: str) -> set[str]:
    """Output columns computed from the clock (CURRENT_TIMESTAMP()) or a FarmHash fingerprint (DuckDB's
    hash() locally, see local_dialect.py): never equal on two engines."""
    tree = sqlglot.parse_one(text, read="bigquery")
    return {e.alias_or_name for e in tree.selects if e.find(exp.CurrentTimestamp, exp.FarmFingerprint)}


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return False  # FLOAT64 on one engine, NUMERIC on the other
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(
            a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.astimezone(dt.UTC) == b.astimezone(dt.UTC)
    return type(a) is type(b) and a == b


def sort_key(row: dict) -> str:
    def canonical(value: Any) -> Any:
        if isinstance(value, float):
            return f"{value:.6g}"
        if isinstance(value, (list, tuple)):
            return [canonical(v) for v in value]
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in sorted(value.items())}
        return value
    return repr([canonical(v) for v in row.values()])


def differences(execution: Execution) -> list[str]:
    """Human-readable differences between the two engines' rows for one execution."""
    if execution.reference_error:
        return [f"ZetaSQL could not run it: {execution.reference_error}"]
    local, reference = execution.local, execution.reference
    local_columns = list(local[0]) if local else execution.reference_columns
    if local and local_columns != execution.reference_columns:
        return [f"columns differ: local {local_columns} vs BigQuery {execution.reference_columns}"]
    volatile = volatile_columns(execution.text)
    keep = [c for c in execution.reference_columns if c not in volatile]
    local = [{c: r[c] for c in keep} for r in local]
    reference = [{c: r[c] for c in keep} for r in reference]
    if len(local) != len(reference):
        return [f"{len(local)} rows locally, {len(reference)} on BigQuery's evaluator"]
    if not execution.ordered:
        local, reference = sorted(local, key=sort_key), sorted(reference, key=sort_key)
    found = []
    for number, (ours, theirs) in enumerate(zip(local, reference, strict=True)):
        for column in keep:
            if not same(ours[column], theirs[column]):
                found.append(f"row {number} {column}: local {ours[column]!r} vs BigQuery {theirs[column]!r}")
    return found


@pytest.mark.parametrize("query_file", query_files())
def test_local_rows_equal_bigquery_reference_rows(query_file, googlesql_recording):
    _, recording = googlesql_recording
    executions = [e for e in recording.carriers(query_file) if e.compared]
    assert executions, f"{query_file}: no flow of tests/googlesql_flows.py runs it"
    assert any(e.local for e in executions), f"{query_file}: every compared run is empty: nothing was compared"
    failures = []
    for execution in executions:
        found = differences(execution)
        if found:
            failures.append(f"{execution.file} with {execution.params}:\n  " + "\n  ".join(found[:8]))
    assert not failures, f"{len(failures)} of {len(executions)} runs differ:\n" + "\n".join(failures[:3])


def test_every_query_family_and_the_six_phase4_selects_are_compared(googlesql_recording):
    _, recording = googlesql_recording
    queried = {e.file for e in recording.executions if e.is_query}
    for family in ("phase3/readiness/", "phase5/", "monitoring/"):
        # Fragments are run inside the statements that include them (per-file tests check those).
        on_disk = {f for f in query_files() if f.startswith(family)
                   and "/worker/candidates" not in f and "/shared/" not in f}
        assert on_disk <= queried, f"not run: {sorted(on_disk - queried)}"
    phase4_selects = {"phase4/team_defense_zone_analysis.sql", "phase4/player_shot_zone_analysis.sql",
                      "phase4/player_composite_factors.sql", "phase4/player_daily_cache.sql",
                      "phase4/ml_feature_store_v2.sql", "phase4/ml_feature_store_v2_placeholders.sql"}
    assert phase4_selects <= queried
    every_row_compared = sum(len(e.local or ()) for e in recording.executions if e.compared)
    assert every_row_compared > 1000


def test_a_difference_is_reported_row_by_row():
    execution = Execution(file="x.sql", text="SELECT a, b FROM t ORDER BY a", parameter_types={}, params={},
                          is_query=True, local=[{"a": 1, "b": 0.5}, {"a": 2, "b": None}],
                          reference=[{"a": 1, "b": 0.5 + 1e-12}, {"a": 2, "b": 0}], reference_columns=["a", "b"])
    assert differences(execution) == ["row 1 b: local None vs BigQuery 0"]
    execution.reference = [{"a": 1, "b": 0.5}]
    assert differences(execution) == ["2 rows locally, 1 on BigQuery's evaluator"]


def test_numeric_and_float_are_not_the_same_value():
    assert not same(Decimal("1.5"), 1.5)
    assert same(Decimal("1.5"), Decimal("1.50"))
    assert not same(True, 1)
