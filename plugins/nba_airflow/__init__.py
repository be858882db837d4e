"""Airflow glue for the NBA nightly pipeline: operators, sensors, notifiers, triggers."""
