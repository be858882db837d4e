"""Message transport by configuration: the local outbox table, or Google Pub/Sub."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from processors.config import PipelineSettings, WarehouseSettings
from processors.messaging import OutboxPublisher, Publisher
from processors.warehouse import Warehouse


class PubSubPublisher:
    """Production transport through the google provider's PubSubHook."""

    def __init__(self, settings: WarehouseSettings):
        self.settings = settings

    def publish(self, topic: str, messages: list[dict[str, Any]], game_date: dt.date) -> list[str]:
        from airflow.providers.google.cloud.hooks.pubsub import PubSubHook

        hook = PubSubHook(gcp_conn_id=self.settings.gcp_conn_id)
        payload = [{"data": json.dumps(m, default=str).encode(), "attributes": {"game_date": game_date.isoformat()}}
                   for m in messages]
        return hook.publish(project_id=self.settings.gcp_project, topic=topic, messages=payload) or []


def publisher_for(settings: PipelineSettings, warehouse: Warehouse) -> Publisher:
    if settings.transport == "pubsub":
        return PubSubPublisher(warehouse.settings)
    return OutboxPublisher(warehouse)
