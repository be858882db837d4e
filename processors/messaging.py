"""Messages the pipeline publishes, and the local outbox that stands in for Pub/Sub.

Production publishes through the google provider's Pub/Sub hook (Airflow glue);
locally the same messages become rows of nba_reference.pipeline_events.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from processors.warehouse import Warehouse

EVENTS_TABLE = "nba_reference.pipeline_events"


class Publisher(Protocol):
    def publish(self, topic: str, messages: list[dict[str, Any]], game_date: dt.date) -> list[str]:
        """Publish the messages; returns their ids."""


class OutboxPublisher:
    """Local transport: every message becomes a row of pipeline_events."""

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse

    def publish(self, topic: str, messages: list[dict[str, Any]], game_date: dt.date) -> list[str]:
        now = dt.datetime.now(dt.UTC)
        rows = [{"event_id": uuid.uuid4().hex, "topic": topic, "game_date": game_date, "message": message,
                 "published_at": now} for message in messages]
        if rows:
            self.warehouse.append_rows(EVENTS_TABLE, rows)
        return [row["event_id"] for row in rows]


def phase4_complete_message(warehouse: Warehouse, game_date: dt.date, run_id: str,
                            now: dt.datetime | None = None) -> dict[str, Any]:
    """The `nba-phase4-precompute-complete` message for a night (fields per pipeline.md)."""
    counts = warehouse.query("messaging/phase4_completion_counts.sql", {"game_date": game_date})[0]
    return {
        "event_type": "phase4_complete",
        "processor": "ml_feature_store_v2",
        "game_date": game_date.isoformat(),
        "players_processed": int(counts["players_processed"]),
        "players_ready": int(counts["players_ready"]),
        # Players expected on the night for whom no feature row was written.
        "players_failed": max(int(counts["players_expected"]) - int(counts["players_processed"]), 0),
        "timestamp": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "run_id": run_id,
    }
