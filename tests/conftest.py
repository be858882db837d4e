"""Shared fixtures. Tests run offline on the embedded local warehouse."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Airflow for the tests lives in the project's ignored .airflow/test (importing
# Airflow without AIRFLOW_HOME would create ~/airflow); set before any import.
# NBA_TEST_AIRFLOW_HOME gives a second pytest session (another --basetemp) its own.
os.environ["AIRFLOW_HOME"] = os.environ.get("NBA_TEST_AIRFLOW_HOME", str(PROJECT_ROOT / ".airflow" / "test"))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(PROJECT_ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"

from processors.config import WarehouseSettings  # noqa: E402
from processors.warehouse.local import LocalWarehouse  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> WarehouseSettings:
    return WarehouseSettings(local_path=tmp_path / "warehouse.duckdb")


@pytest.fixture
def warehouse(settings: WarehouseSettings):
    """A fresh local warehouse with every dataset and table created."""
    wh = LocalWarehouse(settings)
    wh.create_schema()
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def sample_season():
    """The default sample season (2024-25, seed 42), generated once per test session."""
    from processors.sample_season import generate_season

    return generate_season(2024, 42)


@pytest.fixture(scope="session")
def season_warehouse_settings(tmp_path_factory, sample_season) -> WarehouseSettings:
    """A local warehouse file holding the sample season; read-only for tests (copy it to modify)."""
    from processors.cli.sample_season import load_season

    settings = WarehouseSettings(local_path=tmp_path_factory.mktemp("season") / "warehouse.duckdb")
    with LocalWarehouse(settings) as wh:
        load_season(wh, sample_season)
    return settings


@pytest.fixture
def season_warehouse(season_warehouse_settings):
    wh = LocalWarehouse(season_warehouse_settings)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def nightly_dag():
    """The nightly DAG from the dags folder, with the test Airflow DB migrated (once)."""
    from airflow_fixtures import load_dag, migrate_airflow_db

    migrate_airflow_db()
    return load_dag()[1]


@pytest.fixture
def night_warehouse(season_warehouse_settings, tmp_path, monkeypatch):
    """A copy of the sample season that the DAG's tasks use; sensors poke fast and give up fast."""
    from airflow_fixtures import season_copy

    path = season_copy(season_warehouse_settings, tmp_path)
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("NBA_SENSOR_POKE_SECONDS", "1")
    monkeypatch.setenv("NBA_SENSOR_TIMEOUT_SECONDS", "2")
    return path


@pytest.fixture(scope="session")
def googlesql_recording(tmp_path_factory):
    """Every statement the package sends on the mini season, with both engines' answers to its queries."""
    from googlesql_flows import run_flows, summary

    settings, recording = run_flows(tmp_path_factory.mktemp("googlesql") / "mini_season.duckdb")
    if os.environ.get("GOOGLESQL_SUMMARY"):  # the benchmark's figures
        Path(os.environ["GOOGLESQL_SUMMARY"]).write_text(json.dumps(summary(recording)))
    return settings, recording
