"""Airflow Assets for the tables the nightly DAG writes (downstream DAGs can schedule on them)."""

from airflow.sdk import Asset


def table_asset(table_key: str) -> Asset:
    """`dataset.table` of the registry as an Asset (logical names, whatever the configured project).

    The `x-` scheme marks a custom URI: Airflow then skips provider URI normalizers, whose
    discovery imports every provider's asset module (~1 s on each DAG parse, i.e. each task start).
    """
    return Asset(name=table_key, uri=f"x-nba-props://{table_key.replace('.', '/')}", group="nba_tables")
