"""Developer commands that drive a local Airflow (not part of the DAG package)."""
