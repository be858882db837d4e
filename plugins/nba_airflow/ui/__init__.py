"""The pipeline's pages in the Airflow UI (a FastAPI app the api-server mounts; see app.py)."""
