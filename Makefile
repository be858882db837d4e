# Set-up and everyday commands. Every target creates the environment it needs.
#   make run    build the sample season into the local warehouse and print its summary
#   make test   lint and run the test suite

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SEASON ?= 2024
SEED ?= 42
NIGHT ?= 2025-01-15

# Generated state lives in git-ignored folders inside the project.
export AIRFLOW_HOME := $(CURDIR)/.airflow
export PYTHONPATH := $(CURDIR):$(CURDIR)/plugins
export NBA_LOCAL_WAREHOUSE_PATH ?= $(CURDIR)/.warehouse/nba.duckdb
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
# The warehouse pool: one writer at a time on the embedded file, more on BigQuery.
WAREHOUSE_POOL_SLOTS ?= $(if $(filter bigquery,$(NBA_WAREHOUSE_BACKEND)),8,1)

COMPOSE_VENV := .tools/compose
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: venv run test googlesql bench-googlesql lint sample-season season-if-missing airflow-db night status phase4 bench-phase4 bench-input-gate bench-dag bench-latency airflow-up airflow-down airflow-status screenshots compose-validator browser postgres query constraints clean distclean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep '^uv==' constraints.txt)"
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.txt -c constraints.txt
	touch $@

# The main job: the sample season, then one whole night through Airflow, then its status table.
run: sample-season night

# Airflow's metadata DB for `airflow dags test` (SQLite in .airflow: one process) and the warehouse pool; idempotent.
airflow-db: venv
	$(BIN)/airflow db migrate > /dev/null
	$(BIN)/airflow pools set nba_warehouse $(WAREHOUSE_POOL_SLOTS) "Tasks that touch the NBA warehouse" > /dev/null

# make night NIGHT=2025-01-20: one night with `airflow dags test`
night: airflow-db
	bin/run-night $(NIGHT)

# A full local Airflow (UI on 127.0.0.1:8080, scheduler, dag-processor, triggerer) without Docker,
# its metadata DB in a private PostgreSQL (.airflow/local/pgdata, 127.0.0.1 only, its own port).
airflow-up: season-if-missing postgres
	$(BIN)/python -m devtools.local_airflow start --port $(or $(PORT),8080)

airflow-down: venv
	$(BIN)/python -m devtools.local_airflow stop

# Processes (PostgreSQL included), PSS memory and UI of the running local Airflow.
airflow-status: venv
	$(BIN)/python -m devtools.local_airflow status

# Headless Chromium logs into the running local Airflow and saves screenshots in .airflow/local/screenshots.
screenshots: venv browser
	$(BIN)/python -m devtools.ui_screenshots

# The validator of docker-compose.yaml (no Docker engine needed): docker-compose 1.29.2 in its own venv.
compose-validator: $(COMPOSE_VENV)/.installed

$(COMPOSE_VENV)/.installed: devtools/compose-validator.txt
	$(PYTHON) -m venv $(COMPOSE_VENV)
	$(COMPOSE_VENV)/bin/pip install $(PIP_QUIET) -c $< Cython wheel setuptools
	$(COMPOSE_VENV)/bin/pip install $(PIP_QUIET) -c $< --no-build-isolation PyYAML
	$(COMPOSE_VENV)/bin/pip install $(PIP_QUIET) -c $< docker-compose
	touch $@

# Debian's Chromium for the browser check (no browser downloads); installs it when missing.
browser:
	@command -v chromium > /dev/null || devtools/install-chromium

# Debian's PostgreSQL server binaries for the local Airflow's metadata DB; installs them when missing.
postgres:
	@devtools/install-postgres

# make status NIGHT=2025-01-20: the night's status table
status: venv
	$(BIN)/python -m processors.cli.night_status --date $(NIGHT)

# The whole sample season night by night (input gate, P1-P5, Phase 5 with the baseline worker) in its own
# warehouse file, .season/season.duckdb (the local warehouse is not touched); a line per night, totals,
# SLA misses, and the same as CSV and PNG in .season/.
.PHONY: season
season: venv
	$(BIN)/python -m processors.cli.season --season $(SEASON) --seed $(SEED)

sample-season: venv
	$(BIN)/python -m processors.cli.sample_season --season $(SEASON) --seed $(SEED)

# The sample season unless the warehouse already holds it from the same seed (a few seconds saved per start).
season-if-missing: venv
	$(BIN)/python -m processors.cli.sample_season --season $(SEASON) --seed $(SEED) --if-missing

# make phase4 DATE=2025-01-15 [END=2025-01-20] [INPUT_CHECKS=warn]: the input gate, then the five processors, without Airflow
phase4: venv
	$(BIN)/python -m processors.cli.phase4 --date $(DATE) $(if $(END),--end $(END)) $(if $(INPUT_CHECKS),--input-checks $(INPUT_CHECKS))

# Speed and memory figures of Phase 4 on the sample season (never fails on time).
bench-phase4: venv
	$(BIN)/python -m benchmarks.phase4_benchmark

# What the input contracts and lineage cost against a night's processors (figures only).
bench-input-gate: venv
	$(BIN)/python -m benchmarks.input_gate_benchmark

# Phase 4 -> Phase 5 hand-off latency under a real scheduler (starts and stops its own Airflow).
bench-latency: season-if-missing postgres
	$(BIN)/python -m benchmarks.phase5_latency --night $(NIGHT)

.PHONY: bench-backfill
# A 7-night backfill under a real scheduler vs `make phase4` over the same nights (own Airflow in .benchmarks/backfill).
bench-backfill: season-if-missing postgres
	$(BIN)/python -m benchmarks.backfill_benchmark --from-night $(or $(FROM),2025-01-10) --nights $(or $(NIGHTS),7) \
		--max-active-runs $(or $(MAX_ACTIVE),1)

# Task starts and CPU of a local Airflow while a night waits for its 06:15 PT retry, against the idle stack
# (starts and stops its own Airflow in .airflow/bench-waiting; about 2 x MINUTES + 5 min; never fails on time).
.PHONY: bench-ui
# The plugin's night and season pages behind a real api-server, on the season `make season` replayed
# (own Airflow in .airflow/bench-ui; never fails on time).
bench-ui: venv postgres
	@test -f .season/season.duckdb || $(MAKE) season
	$(BIN)/python -m benchmarks.ui_benchmark --repeat $(or $(REPEAT),10)

.PHONY: bench-waiting
bench-waiting: venv postgres
	$(BIN)/python -m benchmarks.waiting_benchmark --window-minutes $(or $(MINUTES),10)

# `airflow dags test` of one night: wall time and per-task overhead vs processor time.
bench-dag: sample-season airflow-db
	$(BIN)/python -m benchmarks.dag_test_benchmark --night $(NIGHT)

test: venv lint compose-validator browser postgres
	$(BIN)/pytest --durations=15

# Every statement analyzed by Google's ZetaSQL, every query checked against its reference evaluator.
googlesql: venv
	$(BIN)/pytest tests/test_googlesql_analysis.py tests/test_googlesql_differential.py

# Cold and warm wall time of the GoogleSQL check, and what it covers (never fails on time).
bench-googlesql: venv
	$(BIN)/python -m benchmarks.googlesql_benchmark --runs $(or $(RUNS),2)

lint: venv
	$(BIN)/ruff check .

# make query SQL="SELECT COUNT(*) AS games FROM nba_raw.nbac_schedule"
query: venv
	$(BIN)/python -m processors.cli.query "$(SQL)"

# Re-resolve the pinned set after editing requirements.txt.
constraints: venv
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.txt
	( echo "# Full pinned dependency set (Python 3.11), resolved from requirements.txt."; \
	  echo "# Regenerate: make constraints"; \
	  $(BIN)/uv pip freeze --python $(BIN)/python | grep -v '^pip==' ) > constraints.txt

clean:
	@if [ -f .airflow/local/pids.json ] && [ -x $(BIN)/python ]; then $(BIN)/python -m devtools.local_airflow stop; fi
	rm -rf .warehouse .season .airflow .benchmarks .pytest_cache .pytest-tmp .ruff_cache

distclean: clean
	rm -rf $(VENV) .tools
