"""Connection arguments of the local Airflow's SQLite metadata DB.

Four components share one SQLite file; a start-up write can hold its lock for a
few seconds, longer than sqlite3's default 5 s busy timeout ("database is
locked" surfaced as HTTP 500 on a REST trigger). Wait up to 60 s instead.
Read by Airflow through [database] sql_alchemy_connect_args (devtools/local_airflow.py).
"""

SYNC_CONNECT_ARGS = {"timeout": 60}
