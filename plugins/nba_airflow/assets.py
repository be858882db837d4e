"""Airflow Assets for the tables the nightly DAG writes (downstream DAGs can schedule on them)."""

from airflow.sdk import Asset


def table_asset(table_key: str) -> Asset:
    """`dataset.table` of the registry as an Asset (logical names, whatever the configured project)."""
    return Asset(name=table_key, uri=f"nba-props://{table_key.replace('.', '/')}", group="nba_tables")
