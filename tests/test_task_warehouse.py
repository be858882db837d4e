"""Inside Airflow the BigQuery client comes from the google provider's BigQueryHook."""

from __future__ import annotations

from types import SimpleNamespace

from processors.config import WarehouseSettings
from processors.warehouse.bigquery import BigQueryWarehouse
from processors.warehouse.local import LocalWarehouse


def test_bigquery_client_comes_from_the_hook_with_the_configured_connection(monkeypatch):
    from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

    from nba_airflow.warehouse import task_warehouse

    calls = []

    def fake_get_client(self, project_id=None, location=None):
        calls.append((self.gcp_conn_id, self.use_legacy_sql, project_id, location))
        return "client-from-hook"

    monkeypatch.setattr(BigQueryHook, "get_client", fake_get_client)
    monkeypatch.setenv("AIRFLOW_CONN_GCP_NBA", '{"conn_type": "google_cloud_platform"}')
    settings = WarehouseSettings(backend="bigquery", gcp_project="proj-1", gcp_conn_id="gcp_nba", location="EU")
    context = {"ti": SimpleNamespace(dag_id="nba_nightly", task_id="phase4.team_defense_zone_analysis")}
    wh = task_warehouse(context, settings)
    assert isinstance(wh, BigQueryWarehouse)
    assert wh.client == "client-from-hook"
    assert calls == [("gcp_nba", False, "proj-1", "EU")]
    assert wh.labels_for("x.sql")["task_id"] == "phase4-team_defense_zone_analysis"


def test_local_backend_needs_no_hook(tmp_path):
    from nba_airflow.warehouse import task_warehouse

    wh = task_warehouse(None, WarehouseSettings(local_path=tmp_path / "w.duckdb"))
    assert isinstance(wh, LocalWarehouse)
