"""Runtime configuration, read from the environment when a task or command runs.

Defaults run the embedded local warehouse inside the project folder; production
sets NBA_WAREHOUSE_BACKEND=bigquery plus the GCP connection and project.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_ROOT = PROJECT_ROOT / "include" / "sql"

# Logical dataset names used in the SQL files ({{ nba_analytics }} ...).
DATASETS = ("nba_raw", "nba_analytics", "nba_precompute", "nba_predictions", "nba_reference")
BACKENDS = ("local", "bigquery")


class ConfigError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass(frozen=True)
class WarehouseSettings:
    backend: str = "local"
    local_path: Path = PROJECT_ROOT / ".warehouse" / "nba.duckdb"
    gcp_project: str = "nba-props-platform"
    gcp_conn_id: str = "google_cloud_default"
    location: str = "US"
    # Logical dataset name -> actual dataset name (e.g. a per-developer suffix).
    datasets: dict[str, str] = field(default_factory=lambda: {d: d for d in DATASETS})

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(
                f"NBA_WAREHOUSE_BACKEND must be one of {', '.join(BACKENDS)}, got {self.backend!r}"
            )
        unknown = set(self.datasets) - set(DATASETS)
        if unknown:
            raise ConfigError(f"NBA_DATASETS names unknown datasets: {', '.join(sorted(unknown))}")

    @property
    def identifiers(self) -> dict[str, str]:
        """The only values templated into SQL text: project, location and dataset names."""
        return {"project": self.gcp_project, "location": self.location, **self.datasets}

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WarehouseSettings:
        env = os.environ if env is None else env
        datasets = {d: d for d in DATASETS}
        raw = env.get("NBA_DATASETS")
        if raw:
            try:
                overrides = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"NBA_DATASETS is not valid JSON: {exc}") from None
            if not isinstance(overrides, dict):
                raise ConfigError("NBA_DATASETS must be a JSON object of dataset -> name")
            datasets.update(overrides)
        return cls(
            backend=env.get("NBA_WAREHOUSE_BACKEND", "local"),
            local_path=Path(env.get("NBA_LOCAL_WAREHOUSE_PATH", cls.local_path)),
            gcp_project=env.get("NBA_GCP_PROJECT", cls.gcp_project),
            gcp_conn_id=env.get("NBA_GCP_CONN_ID", cls.gcp_conn_id),
            location=env.get("NBA_BQ_LOCATION", cls.location),
            datasets=datasets,
        )
