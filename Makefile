# Set-up and everyday commands. Every target creates the environment it needs.
#   make run    build the sample season into the local warehouse and print its summary
#   make test   lint and run the test suite

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SEASON ?= 2024
SEED ?= 42

# Generated state lives in git-ignored folders inside the project.
export AIRFLOW_HOME := $(CURDIR)/.airflow
export PYTHONPATH := $(CURDIR):$(CURDIR)/plugins
export NBA_LOCAL_WAREHOUSE_PATH ?= $(CURDIR)/.warehouse/nba.duckdb

.PHONY: venv run test lint sample-season phase4 bench-phase4 query constraints clean distclean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep '^uv==' constraints.txt)"
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.txt -c constraints.txt
	touch $@

run: sample-season

sample-season: venv
	$(BIN)/python -m processors.cli.sample_season --season $(SEASON) --seed $(SEED)

# make phase4 DATE=2025-01-15 [END=2025-01-20]: run the five processors without Airflow
phase4: venv
	$(BIN)/python -m processors.cli.phase4 --date $(DATE) $(if $(END),--end $(END))

# Speed and memory figures of Phase 4 on the sample season (never fails on time).
bench-phase4: venv
	$(BIN)/python -m benchmarks.phase4_benchmark

test: venv lint
	$(BIN)/pytest

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
	rm -rf .warehouse .airflow .pytest_cache .ruff_cache

distclean: clean
	rm -rf $(VENV)
