# Airflow 3.3 image with the project's pinned dependencies baked in
# (not _PIP_ADDITIONAL_REQUIREMENTS, which reinstalls on every start).
FROM apache/airflow:3.3.2-python3.11
USER root
# The warehouse volume inherits this folder's owner.
RUN mkdir -p /opt/airflow/warehouse && chown airflow:root /opt/airflow/warehouse
USER airflow
COPY --chown=airflow:root requirements.txt constraints.txt /opt/nba/
RUN pip install --no-cache-dir -r /opt/nba/requirements.txt -c /opt/nba/constraints.txt
COPY --chown=airflow:root processors /opt/nba/processors
COPY --chown=airflow:root include /opt/nba/include
ENV PYTHONPATH=/opt/nba
