# Airflow 3.3 image with the project's pinned dependencies baked in
# (not _PIP_ADDITIONAL_REQUIREMENTS, which reinstalls on every start).
# The base tag follows apache-airflow in constraints.txt (tests/test_docker_compose.py checks it).
FROM apache/airflow:3.3.2-python3.11
USER root
# Named volumes inherit these folders' owner: the warehouse file and the admin's password.
RUN mkdir -p /opt/airflow/warehouse /opt/airflow/auth && chown airflow:root /opt/airflow/warehouse /opt/airflow/auth
USER airflow
COPY --chown=airflow:root requirements.txt constraints.txt /opt/nba/
RUN pip install --no-cache-dir -r /opt/nba/requirements.txt -c /opt/nba/constraints.txt
# Baked in for images run without the compose bind mounts; compose mounts the working copy over them.
COPY --chown=airflow:root processors /opt/nba/processors
COPY --chown=airflow:root include /opt/nba/include
COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins /opt/airflow/plugins
ENV PYTHONPATH=/opt/nba
