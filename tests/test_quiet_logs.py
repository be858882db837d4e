"""Log noise (issue 13, item 6): sqlglot's "Applying array index offset (1)" lines at the top of each
Phase 5 log, and the graphviz warning on every `bin/airflow-local` call."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from devtools.local_airflow import common_settings


def test_the_array_index_offset_note_is_gone_and_the_translation_kept(caplog):
    from processors.warehouse.local_dialect import compile_script

    with caplog.at_level(logging.INFO, logger="sqlglot"):
        # Text seen by no other test: compile_script caches by text, and a cached compile logs nothing.
        (statement,) = compile_script("t.sql", "SELECT f[OFFSET(0)] AS a, f[OFFSET(1)] AS b FROM quiet_logs_t")
        logging.getLogger("sqlglot").warning("another sqlglot message")
    assert statement.sql == "SELECT f[1] AS a, f[2] AS b FROM quiet_logs_t"  # BigQuery 0-based -> DuckDB 1-based
    messages = [r.getMessage() for r in caplog.records if r.name == "sqlglot"]
    assert messages == ["another sqlglot message"]  # only that one note is dropped


def import_dot_renderer(env: dict[str, str]) -> str:
    """What `airflow dags ...` prints when it imports airflow.utils.dot_renderer."""
    result = subprocess.run([sys.executable, "-c", "import airflow.utils.dot_renderer"], capture_output=True,
                            text=True, env={**os.environ, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_the_local_airflow_settings_silence_the_graphviz_warning():
    try:
        import graphviz  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("graphviz is installed: Airflow has nothing to warn about")
    assert "Could not import graphviz" in import_dot_renderer({"PYTHONWARNINGS": ""})  # the warning exists
    settings = common_settings()  # devtools/airflow.env: bin/airflow-local, make airflow-up, docker compose
    assert "graphviz" not in import_dot_renderer({"PYTHONWARNINGS": settings["PYTHONWARNINGS"]})
