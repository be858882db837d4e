"""Warehouse access: one interface, two backends chosen by configuration."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from processors.config import WarehouseSettings
from processors.warehouse.base import Warehouse
from processors.warehouse.errors import UnsupportedLocally, WarehouseError
from processors.warehouse.statements import Statement

__all__ = ["Statement", "UnsupportedLocally", "Warehouse", "WarehouseError", "open_warehouse"]


def open_warehouse(
    settings: WarehouseSettings | None = None,
    *,
    client_factory: Callable[[], Any] | None = None,
    job_labels: Mapping[str, str] | None = None,
) -> Warehouse:
    """The configured warehouse. `client_factory` supplies the BigQuery client
    (inside Airflow: from the google provider's BigQueryHook)."""
    settings = settings or WarehouseSettings.from_env()
    if settings.backend == "bigquery":
        from processors.warehouse.bigquery import BigQueryWarehouse  # heavy import, only when used

        return BigQueryWarehouse(settings, client_factory=client_factory, job_labels=job_labels)
    from processors.warehouse.local import LocalWarehouse

    return LocalWarehouse(settings)
