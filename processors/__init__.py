"""NBA player-props nightly pipeline: domain logic, warehouse access and sample data.

Plain Python: nothing in this package imports Airflow.
"""
