"""Warehouse access: one interface, two backends chosen by configuration."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from processors.config import WarehouseSettings
from processors.warehouse.base import Warehouse
from processors.warehouse.errors import (
    UnsupportedLocally,
    WarehouseBusy,
    WarehouseError,
    WarehouseFileError,
    WarehouseFull,
    WarehouseMissing,
    WarehouseUnreadable,
)
from processors.warehouse.statements import Statement

__all__ = ["Statement", "UnsupportedLocally", "Warehouse", "WarehouseBusy", "WarehouseError", "WarehouseFileError",
           "WarehouseFull", "WarehouseMissing", "WarehouseUnreadable", "open_warehouse"]


def open_warehouse(
    settings: WarehouseSettings | None = None,
    *,
    read_only: bool = False,
    client_factory: Callable[[], Any] | None = None,
    job_labels: Mapping[str, str] | None = None,
) -> Warehouse:
    """The configured warehouse. `client_factory` supplies the BigQuery client
    (inside Airflow: from the google provider's BigQueryHook).

    Locally a missing warehouse file is an error naming it (WarehouseMissing), never
    silently created: only create_schema() makes one (`make sample-season`).
    `read_only` opens the local file read-only, for commands and checks that only read
    (other readers share the file; a write is refused). On BigQuery the connection's
    credentials decide what may be written."""
    settings = settings or WarehouseSettings.from_env()
    if settings.backend == "bigquery":
        from processors.warehouse.bigquery import BigQueryWarehouse  # heavy import, only when used

        return BigQueryWarehouse(settings, client_factory=client_factory, job_labels=job_labels)
    from processors.warehouse.local import LocalWarehouse

    return LocalWarehouse(settings, read_only=read_only, create=False)
