"""A full local Airflow on the embedded warehouse, without Docker.

    python -m devtools.local_airflow start [--port 8080]   (make airflow-up)
    python -m devtools.local_airflow stop                  (make airflow-down)
    python -m devtools.local_airflow status

api-server (UI on 127.0.0.1), scheduler, dag-processor and triggerer run as
separate processes bound to loopback only (--skip-serve-logs: no log servers on
0.0.0.0), LocalExecutor with parallelism 2 for a 2-core machine. State lives in
the project's ignored .airflow/local; the PIDs in .airflow/local/pids.json are
exactly what `stop` terminates.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOME = PROJECT_ROOT / ".airflow" / "local"
PIDS = HOME / "pids.json"
DAG_ID = "nba_nightly_predictions"
COMPONENTS = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}


def airflow_env(port: int, home: Path = HOME, warehouse: Path | None = None) -> dict[str, str]:
    """The environment of every process of the local Airflow (one place, also read by docker-compose's test)."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'plugins'}",
        "NBA_LOCAL_WAREHOUSE_PATH": str(warehouse or PROJECT_ROOT / ".warehouse" / "nba.duckdb"),
    }


def _airflow() -> str:
    return str(Path(sys.executable).parent / "airflow")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def start(port: int, timeout: float = 90) -> dict[str, int]:
    if PIDS.exists() and any(_alive(pid) for pid in json.loads(PIDS.read_text())["pids"].values()):
        sys.exit(f"already running (see {PIDS}); stop it first: make airflow-down")
    if _port_open(port):
        sys.exit(f"127.0.0.1:{port} is taken by another program; choose --port")
    HOME.mkdir(parents=True, exist_ok=True)
    env = airflow_env(port)
    started = time.perf_counter()
    for cmd in (["db", "migrate"], ["pools", "set", "nba_warehouse", "1", "NBA warehouse tasks"]):
        subprocess.run([_airflow(), *cmd], env=env, check=True, capture_output=True)
    pids = {}
    for name, cmd in COMPONENTS.items():
        log = open(HOME / f"{name}.log", "w")
        pids[name] = subprocess.Popen([_airflow(), *cmd], env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True).pid
    PIDS.write_text(json.dumps({"port": port, "pids": pids}, indent=2))
    while not _port_open(port):
        if time.perf_counter() - started > timeout:
            stop()
            sys.exit(f"the UI did not come up on 127.0.0.1:{port} within {timeout:.0f} s; logs in {HOME}")
        time.sleep(1)
    subprocess.run([_airflow(), "dags", "reserialize"], env=env, check=True, capture_output=True)
    subprocess.run([_airflow(), "dags", "unpause", DAG_ID], env=env, capture_output=True)
    password = json.loads((HOME / "simple_auth_manager_passwords.json.generated").read_text()).get("admin", "?")
    print(f"Airflow UI: http://127.0.0.1:{port}  login admin / {password}  (up in {time.perf_counter() - started:.0f} s)")
    print(f"processes {pids}; logs and state in {HOME}; stop with: make airflow-down")
    return pids


def stop() -> None:
    if not PIDS.exists():
        print("not running (no pid file)")
        return
    state = json.loads(PIDS.read_text())
    for pid in state["pids"].values():
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)  # the component and the workers it forked, nothing else
    deadline = time.time() + 30
    while time.time() < deadline and any(_alive(pid) for pid in state["pids"].values()):
        time.sleep(0.5)
    for pid in state["pids"].values():
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
    PIDS.unlink()
    print(f"stopped {', '.join(state['pids'])}; port {state['port']} {'still open' if _port_open(state['port']) else 'closed'}")


def status() -> None:
    if not PIDS.exists():
        print("not running")
        return
    state = json.loads(PIDS.read_text())
    for name, pid in state["pids"].items():
        print(f"{name:14} pid {pid:>7}  {'running' if _alive(pid) else 'gone'}")
    print(f"UI 127.0.0.1:{state['port']} {'up' if _port_open(state['port']) else 'down'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    {"start": lambda: start(args.port), "stop": stop, "status": status}[args.command]()


if __name__ == "__main__":
    main()
