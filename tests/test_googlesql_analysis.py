"""Every statement the package can send is valid BigQuery SQL: Google's ZetaSQL analyzer,
with BigQuery's language features, on the catalog the DDL defines.

The statements are recorded from the package's real code paths (tests/googlesql_flows.py)
exactly as the BigQuery backend sends them; each SQL file is its own test. A file no flow
reaches fails, and so does a statement built in Python that this module does not know.
"""

from __future__ import annotations

import ast
import os
import re

import pytest

import googlesql
from googlesql_flows import PYTHON_BUILT, Execution, Recording, included_files, statement_files_on_disk
from processors.config import PROJECT_ROOT, SQL_ROOT

pytestmark = pytest.mark.slow

# Where the package builds SQL text in Python (besides include/sql): how many `Statement(...)`
# calls each file has, and why each is covered.
STATEMENT_SITES = {
    "processors/warehouse/statements.py": (1, "render(): every include/sql file, covered file by file"),
    "processors/warehouse/bigquery.py": (3, "transactions and the session abort: PYTHON_BUILT"),
    "processors/warehouse/base.py": (1, "replace_partition(): warehouse/replace_partition.sql around a SELECT"),
    "processors/cli/query.py": (1, "`make query`: the user's own ad-hoc SQL, not a statement of the package"),
}


@pytest.fixture(scope="module")
def catalog(googlesql_recording):
    _, recording = googlesql_recording
    return recording.catalog.proto


def analysis_failure(file: str, text: str, message: str) -> str:
    """`include/sql/<file>:<line>: message` when the line maps to the file, else the message and
    the rendered statement (a statement assembled from includes or fragments)."""
    at = re.search(r"\[at (\d+):\d+\]", message)
    path = SQL_ROOT / file
    if at and path.is_file() and not included_files(file) and (
            len(path.read_text().splitlines()) == len(text.splitlines())):
        return f"include/sql/{file}:{at.group(1)}: {message}"
    quoted = message.split(" | line ", 1)[-1].split(": ", 1)[-1] if " | line " in message else ""
    for candidate in sorted(included_files(file)):
        lines = (SQL_ROOT / candidate).read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            if quoted and "{{" not in line and line.strip() == quoted.strip():
                return f"include/sql/{candidate}:{number} (in {file}): {message}"
    return f"{file}: {message}\n--- rendered statement ---\n{text}"


def renders(recording: Recording, statement_id: str) -> list[Execution]:
    """One run per distinct (text, parameter types) sent for a file or a Python-built statement;
    a file that is only included or embedded is analyzed inside the statements that carry it."""
    distinct: dict[tuple, Execution] = {}
    for execution in recording.carriers(statement_id):
        distinct.setdefault(execution.analysis_key, execution)
    return list(distinct.values())


@pytest.mark.parametrize("statement_id", statement_files_on_disk() + list(PYTHON_BUILT))
def test_statement_is_valid_bigquery(statement_id, googlesql_recording):
    _, recording = googlesql_recording
    sent = renders(recording, statement_id)
    assert sent, (f"{statement_id}: no flow of tests/googlesql_flows.py sends it, so nothing proves it is valid "
                  "BigQuery; add the code path that uses it to run_flows()")
    for execution in sent:
        error = recording.analysis[execution.analysis_key]  # ZetaSQL's analysis, run by the fixture
        if error:
            pytest.fail(analysis_failure(statement_id, execution.text, error), pytrace=False)


def test_every_statement_sent_is_a_known_one(googlesql_recording):
    _, recording = googlesql_recording
    known = set(statement_files_on_disk()) | set(PYTHON_BUILT)
    unknown = sorted({e.file for e in recording.executions} - known)
    assert not unknown, f"statements sent that no analysis test covers: {unknown}"


def test_no_sql_built_in_python_beyond_the_known_sites():
    """A new `Statement(...)`, or SQL text handed straight to a client's query(), must be added to the
    flows and to PYTHON_BUILT (or STATEMENT_SITES)."""
    sites: dict[str, int] = {}
    literals: set[str] = set()
    for folder in ("processors", "plugins", "dags"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            name = str(path.relative_to(PROJECT_ROOT))
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                called = getattr(node.func, "id", getattr(node.func, "attr", None))
                if called == "Statement":
                    sites[name] = sites.get(name, 0) + 1
                if called == "query" and node.args and isinstance(node.args[0], ast.Constant) and not str(
                        node.args[0].value).endswith(".sql"):  # an include/sql file's name: covered file by file
                    literals.add(node.args[0].value)
    assert sites == {name: count for name, (count, _) in STATEMENT_SITES.items()}
    assert literals <= set(PYTHON_BUILT.values()), f"SQL literals sent by query(): {literals}"


def test_the_catalog_has_every_table_of_the_registry_with_its_columns(googlesql_recording):
    from processors.warehouse import schema

    settings, recording = googlesql_recording
    analyzed = {t.path: t.columns for t in recording.catalog.tables}
    for table in schema.all_tables().values():
        columns = analyzed[(settings.gcp_project, settings.datasets[table.dataset], table.name)]
        assert list(columns) == list(table.columns)
        assert [t.split("(")[0] for t in columns.values()] == [t.split("(")[0] for t in table.columns.values()]


# --- the check can fail -----------------------------------------------------------------
READINESS = "phase5/readiness.sql"


@pytest.fixture(scope="module")
def readiness(googlesql_recording):
    _, recording = googlesql_recording
    return recording.by_file(READINESS)[0]


def test_an_unknown_column_is_rejected_with_file_and_line(readiness, catalog):
    text = readiness.text.replace("is_production_ready", "is_production_readyy", 1)
    with pytest.raises(googlesql.GoogleSqlError, match="Unrecognized name: is_production_readyy") as failure:
        googlesql.analyze_script(text, catalog, readiness.parameter_types)
    assert analysis_failure(READINESS, text, str(failure.value)).startswith(f"include/sql/{READINESS}:5: ")


def test_a_duckdb_only_function_is_rejected(readiness, catalog):
    text = readiness.text.replace("COUNT(*)", "LIST_SLICE([1, 2, 3], 1, 2)[1] + COUNT(*)", 1)
    assert text != readiness.text
    with pytest.raises(googlesql.GoogleSqlError, match="Function not found: LIST_SLICE"):
        googlesql.analyze_script(text, catalog, readiness.parameter_types)


def test_a_wrong_parameter_type_is_rejected(readiness, catalog):
    assert readiness.parameter_types == {"game_date": "DATE"}
    with pytest.raises(googlesql.GoogleSqlError, match="No matching signature for operator = for argument types"):
        googlesql.analyze_script(readiness.text, catalog, {"game_date": "INT64"})


def test_a_missing_parameter_is_rejected(readiness, catalog):
    with pytest.raises(googlesql.GoogleSqlError, match="Query parameter 'game_date' not found"):
        googlesql.analyze_script(readiness.text, catalog, {})


def test_an_unreached_file_fails_its_test(googlesql_recording):
    with pytest.raises(AssertionError, match="phase4/nobody_sends_this.sql: no flow of tests/googlesql_flows.py"):
        test_statement_is_valid_bigquery("phase4/nobody_sends_this.sql", googlesql_recording)


def test_the_compiled_module_is_cached_in_an_ignored_folder():
    googlesql.service()
    assert list(googlesql.CACHE_DIR.glob("*.cwasm")), "the compiled module was not cached"
    if "ZETASQL_CACHE_DIR" not in os.environ:  # the benchmark times a cold start elsewhere
        assert googlesql.CACHE_DIR == PROJECT_ROOT / ".tools" / "zetasql"
    assert ".tools/" in (PROJECT_ROOT / ".gitignore").read_text().split()


def test_bigquery_language_options_not_maximum_features():
    options = googlesql.language_options()
    popts = googlesql._pb()["popts"]
    enabled = set(options.enabled_language_features)
    assert len(enabled) == len(googlesql.BIGQUERY_FEATURES) < len(popts.LanguageFeature.keys()) / 2
    assert popts.LanguageFeature.Value("FEATURE_V_1_3_QUALIFY") in enabled
    assert popts.LanguageFeature.Value("FEATURE_PIPES") not in enabled  # in maximum_features, not in BigQuery's list
    assert options.product_mode == popts.PRODUCT_EXTERNAL
