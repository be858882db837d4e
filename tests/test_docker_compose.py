"""docker-compose.yaml, checked without a Docker engine: validated by docker-compose 1.29.2
(`make compose-validator`), and kept in step with the non-Docker start (devtools/local_airflow.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from devtools.local_airflow import COMMON_ENV_FILE, COMPONENTS, LocalAirflow, common_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = PROJECT_ROOT / ".tools" / "compose" / "bin" / "docker-compose"
AIRFLOW_SERVICES = {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                    "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer"}
# Settings that differ by design: where things live and how the containers reach each other.
PER_DEPLOYMENT = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                  "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", "NBA_LOCAL_WAREHOUSE_PATH"}


def compose_config(compose_file: Path) -> subprocess.CompletedProcess:
    if not VALIDATOR.exists():
        pytest.fail(f"compose validator missing at {VALIDATOR}: run `make compose-validator`")
    return subprocess.run([str(VALIDATOR), "--project-directory", str(PROJECT_ROOT), "-f", str(compose_file),
                           "config"], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def resolved() -> dict:
    """The compose file as docker-compose resolves it (anchors merged, env_file read, variables set)."""
    result = compose_config(PROJECT_ROOT / "docker-compose.yaml")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_validator_accepts_the_file(resolved):
    assert set(resolved["services"]) == {"postgres", "airflow-init", *AIRFLOW_SERVICES}


def test_the_validator_rejects_a_broken_file(tmp_path):
    """The validator is real: a dependency on a service that does not exist is refused, by name."""
    broken = (PROJECT_ROOT / "docker-compose.yaml").read_text().replace(
        "      airflow-init:\n        condition: service_completed_successfully",
        "      airflow-initt:\n        condition: service_completed_successfully", 1)
    (tmp_path / "docker-compose.yaml").write_text(broken)
    result = compose_config(tmp_path / "docker-compose.yaml")
    assert result.returncode != 0 and "airflow-initt" in result.stderr


def test_each_airflow_component_is_a_service_running_its_command(resolved):
    services = resolved["services"]
    assert {services[name]["command"] for name in AIRFLOW_SERVICES} == set(AIRFLOW_SERVICES.values())
    assert set(AIRFLOW_SERVICES.values()) == set(COMPONENTS)  # the same four processes as make airflow-up
    for name in AIRFLOW_SERVICES:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["airflow-apiserver"]["ports"] == ["127.0.0.1:8080:8080/tcp"]  # the UI on loopback only
    assert not any("ports" in services[name] for name in services if name != "airflow-apiserver")


def test_settings_match_the_local_start_command(resolved):
    local = LocalAirflow().env()
    shared = common_settings()
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor" and shared["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        environment = resolved["services"][name]["environment"]
        for key, value in environment.items():
            if key in PER_DEPLOYMENT or not key.startswith(("AIRFLOW__", "NBA_")):
                continue
            assert str(value) == local.get(key), f"{name}: {key}={value!r} but make airflow-up uses {local.get(key)!r}"
        assert {key: str(environment.get(key)) for key in shared} == shared, name
    assert all(local[key] == value for key, value in shared.items())


def test_image_bakes_in_the_pinned_requirements():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    pinned = re.search(r"^apache-airflow==(\S+)$", (PROJECT_ROOT / "constraints.txt").read_text(), re.M).group(1)
    assert re.search(rf"^FROM apache/airflow:{re.escape(pinned)}-python3\.11$", dockerfile, re.M)
    assert "pip install --no-cache-dir -r /opt/nba/requirements.txt -c /opt/nba/constraints.txt" in dockerfile
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in (PROJECT_ROOT / "docker-compose.yaml").read_text()


def test_code_is_mounted_where_airflow_and_python_find_it(resolved):
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        service = resolved["services"][name]
        mounts = {target: source for source, target, *_ in (volume.split(":") for volume in service["volumes"])}
        for source, target in (("dags", "/opt/airflow/dags"), ("plugins", "/opt/airflow/plugins"),
                               ("include", "/opt/nba/include"), ("processors", "/opt/nba/processors")):
            assert Path(mounts[target]) == PROJECT_ROOT / source, (name, target)
        assert mounts["/opt/airflow/warehouse"] == "warehouse" and "warehouse" in resolved["volumes"]
        warehouse = service["environment"]["NBA_LOCAL_WAREHOUSE_PATH"]
        assert warehouse.startswith("/opt/airflow/warehouse/")
        assert service["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert "ENV PYTHONPATH=/opt/nba" in (PROJECT_ROOT / "Dockerfile").read_text()


def test_init_migrates_creates_the_user_and_pool_and_loads_the_season(resolved):
    init = resolved["services"]["airflow-init"]
    script = init["command"][-1]
    steps = ["airflow db migrate", "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
             'airflow pools set "$$NBA_WAREHOUSE_POOL" "$$NBA_WAREHOUSE_POOL_SLOTS"',
             "python -m processors.cli.sample_season", "airflow dags unpause nba_nightly_predictions"]
    positions = [script.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), dict(zip(steps, positions, strict=True))
    assert script.startswith("set -euo pipefail")
    assert init["environment"]["_AIRFLOW_WWW_USER_PASSWORD"] == "admin"  # default when the variable is unset
    assert "NBA_WAREHOUSE_POOL_SLOTS" in COMMON_ENV_FILE.read_text()
