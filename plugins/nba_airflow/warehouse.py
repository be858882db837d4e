"""The warehouse as seen from inside an Airflow task.

On BigQuery the client comes from the google provider's BigQueryHook (the
credentials live in an Airflow connection), and jobs carry the dag and task
ids as labels for cost attribution.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from processors.config import WarehouseSettings
from processors.warehouse import Warehouse, open_warehouse


def bigquery_client_factory(settings: WarehouseSettings):
    def make_client():
        from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

        hook = BigQueryHook(gcp_conn_id=settings.gcp_conn_id, use_legacy_sql=False, location=settings.location)
        return hook.get_client(project_id=settings.gcp_project, location=settings.location)

    return make_client


def task_warehouse(context: Mapping[str, Any] | None = None, settings: WarehouseSettings | None = None, *,
                   read_only: bool = False) -> Warehouse:
    """The configured warehouse for the running task (`read_only` for checks that only read).

    Locally, another process holding the file is waited for up to NBA_LOCAL_LOCK_WAIT_SECONDS;
    then WarehouseBusy (a WarehouseError: the task retries; readiness sensors poke again)."""
    if settings is None:
        from nba_airflow.settings import warehouse_settings

        settings = warehouse_settings()
    labels = {}
    if context and context.get("ti") is not None:
        ti = context["ti"]
        labels = {"dag_id": ti.dag_id, "task_id": ti.task_id}
    return open_warehouse(settings, read_only=read_only, client_factory=bigquery_client_factory(settings),
                          job_labels=labels)
