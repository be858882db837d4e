"""A full local Airflow on the embedded warehouse, without Docker.

    python -m devtools.local_airflow start [--port 8080]   (make airflow-up)
    python -m devtools.local_airflow stop                  (make airflow-down)
    python -m devtools.local_airflow status                (make airflow-status: processes, PSS memory, UI)
    python -m devtools.local_airflow cli ARGS...           (bin/airflow-local ARGS: the airflow CLI on it)

api-server (UI on 127.0.0.1), scheduler, dag-processor and triggerer run as
separate processes bound to loopback only (--skip-serve-logs: no log servers on
0.0.0.0), LocalExecutor sized for a 2-core machine (devtools/airflow.env, shared
with docker-compose.yaml). State lives in the project's ignored .airflow/local;
the PIDs in .airflow/local/pids.json are exactly what `stop` terminates.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMMON_ENV_FILE = PROJECT_ROOT / "devtools" / "airflow.env"
DEFAULT_HOME = PROJECT_ROOT / ".airflow" / "local"
DEFAULT_WAREHOUSE = PROJECT_ROOT / ".warehouse" / "nba.duckdb"
DAG_ID = "nba_nightly_predictions"
ADMIN = "admin"
COMPONENTS = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}


def common_settings(path: Path = COMMON_ENV_FILE) -> dict[str, str]:
    """KEY=VALUE lines of the settings shared with docker-compose.yaml."""
    settings = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        settings[key.strip()] = value.strip()
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    """True while the process runs; an exited child of ours is reaped, a zombie counts as gone."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # not our child (started by an earlier `make airflow-up`)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def group_members(pgids) -> list[int]:
    """PIDs of every process in the given process groups (a component and the workers it forked)."""
    pgids, members = set(pgids), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command: state, ppid, pgrp, ...
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) in pgids:
            members.append(int(stat.parent.name))
    return members


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)


def _listening_sockets() -> dict[str, tuple[str, int]]:
    """Socket inode -> (host, port) of every listening TCP socket on the machine."""
    sockets = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # TCP_LISTEN
                continue
            host_hex, port_hex = fields[1].split(":")
            raw = bytes.fromhex(host_hex)
            # /proc lists addresses as 32-bit words in host (little-endian) order.
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            host = socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words)
            sockets[fields[9]] = (host.removeprefix("::ffff:"), int(port_hex, 16))
    return sockets


def listening_addresses(pgids) -> set[tuple[str, int]]:
    """(host, port) of every TCP socket that a process of the given groups listens on."""
    sockets, found = _listening_sockets(), set()
    for pid in group_members(pgids):
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        found.update(sockets[link[8:-1]] for link in links if link.startswith("socket:[") and link[8:-1] in sockets)
    return found


@dataclass
class LocalAirflow:
    """One local Airflow: its home folder, UI port, warehouse file and extra settings."""

    home: Path = DEFAULT_HOME
    port: int = 8080
    warehouse: Path = DEFAULT_WAREHOUSE
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def pids_file(self) -> Path:
        return self.home / "pids.json"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **common_settings(),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": "devtools.airflow_sqlite.SYNC_CONNECT_ARGS",
            "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'plugins'}",
            "NBA_LOCAL_WAREHOUSE_PATH": str(self.warehouse),
            **self.extra_env,
        }

    def airflow(self, *args: str, check: bool = True, attempts: int = 3) -> subprocess.CompletedProcess:
        """One `airflow` CLI call against this instance (output captured).

        SQLite refuses a write at once, without waiting, when two transactions would deadlock
        ("database is locked"); nothing was written then, so the call is simply repeated.
        """
        for attempt in range(1, attempts + 1):
            result = subprocess.run([str(Path(sys.executable).parent / "airflow"), *args], env=self.env(),
                                    capture_output=True, text=True)
            if "database is locked" not in result.stderr or attempt == attempts:
                break
            time.sleep(2 * attempt)
        if check and result.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({result.returncode}): "
                               f"{(result.stderr or result.stdout).strip()[-2000:]}")
        return result

    def pids(self) -> dict[str, int]:
        return json.loads(self.pids_file.read_text())["pids"] if self.pids_file.exists() else {}

    def recorded_port(self) -> int:
        """The UI port of the running instance (from its pid file), else the configured one."""
        return json.loads(self.pids_file.read_text())["port"] if self.pids_file.exists() else self.port

    def admin_password(self) -> str:
        return json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())[ADMIN]

    def start(self, timeout: float = 90) -> float:
        """Start the four components; returns the seconds until the UI answered and the DAG was unpaused."""
        if any(alive(pid) for pid in self.pids().values()):
            raise RuntimeError(f"already running (see {self.pids_file}); stop it first: make airflow-down")
        if port_open(self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} is taken by another program; choose another port")
        if not self.warehouse.exists():
            raise RuntimeError(f"no sample season at {self.warehouse}: run `make sample-season` first")
        self.home.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        settings = common_settings()
        self.airflow("db", "migrate")
        if (metadata_db := self.home / "airflow.db").exists():
            with sqlite3.connect(metadata_db) as db:
                db.execute("PRAGMA journal_mode=WAL")  # kept by the file: readers no longer block the writer
        self.airflow("pools", "set", settings["NBA_WAREHOUSE_POOL"], settings["NBA_WAREHOUSE_POOL_SLOTS"],
                     "Tasks that touch the NBA warehouse")
        pids = {}
        for name, command in COMPONENTS.items():
            with open(self.home / f"{name}.log", "w") as log:
                # Own session per component: stop() signals its process group (the component and its workers).
                pids[name] = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), *command], env=self.env(),
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True).pid
        self.pids_file.write_text(json.dumps({"port": self.port, "pids": pids}, indent=2))
        try:
            while not port_open(self.port):
                if time.perf_counter() - started > timeout:
                    raise RuntimeError(f"the UI did not come up on {self.url} within {timeout:.0f} s; logs in {self.home}")
                if not all(alive(pid) for pid in pids.values()):
                    gone = [name for name, pid in pids.items() if not alive(pid)]
                    raise RuntimeError(f"{', '.join(gone)} exited during start-up; logs in {self.home}")
                time.sleep(0.5)
            self.airflow("dags", "reserialize")
            self.airflow("dags", "unpause", DAG_ID)
        except BaseException:
            self.stop()
            raise
        return time.perf_counter() - started

    def stop(self, grace: float = 30) -> list[str]:
        """SIGTERM the process group of each recorded component, SIGKILL what outlives the grace period."""
        pids = self.pids()
        for pid in pids.values():
            if alive(pid):
                os.killpg(pid, signal.SIGTERM)
        deadline = time.time() + grace
        while time.time() < deadline and any(alive(pid) for pid in pids.values()):
            time.sleep(0.3)
        for pid in pids.values():
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)
        self.pids_file.unlink(missing_ok=True)
        return list(pids)

    def memory_pss_kb(self) -> dict[str, int]:
        """Proportional set size per component, its forked workers included."""
        return {name: sum(_pss_kb(member) for member in group_members([pid]))
                for name, pid in self.pids().items() if alive(pid)}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cli"]:  # the airflow CLI with exactly the running instance's settings
        local = LocalAirflow()
        local.port = local.recorded_port()
        os.execve(str(Path(sys.executable).parent / "airflow"), ["airflow", *argv[1:]], local.env())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    local = LocalAirflow(port=args.port)
    if args.command != "start":
        local.port = local.recorded_port()
    try:
        if args.command == "start":
            seconds = local.start()
            print(f"Airflow UI: {local.url}  login {ADMIN} / {local.admin_password()}  (up in {seconds:.0f} s)")
            print(f"DAG {DAG_ID} unpaused; processes {local.pids()}; logs and state in {local.home}")
            print("stop with: make airflow-down")
        elif args.command == "stop":
            stopped = local.stop()
            if not stopped:
                print("not running (no pid file)")
            else:
                print(f"stopped {', '.join(stopped)}; port {local.port} {'still open' if port_open(local.port) else 'closed'}")
        else:
            pids = local.pids()
            if not pids:
                print("not running")
                return
            memory = local.memory_pss_kb()
            for name, pid in pids.items():
                state = f"running  PSS {memory[name] / 1024:6.0f} MB" if name in memory else "gone"
                print(f"{name:14} pid {pid:>7}  {state}")
            print(f"{'total':14} {'':11}  PSS {sum(memory.values()) / 1024:6.0f} MB")
            listening = ", ".join(f"{host}:{port}" for host, port in sorted(listening_addresses(pids.values())))
            print(f"UI {local.url} {'up' if port_open(local.port) else 'down'}; listening on {listening or 'nothing'}")
    except RuntimeError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
