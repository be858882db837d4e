"""A full local Airflow on the embedded warehouse, without Docker.

    python -m devtools.local_airflow start [--port 8080]   (make airflow-up)
    python -m devtools.local_airflow stop                  (make airflow-down)
    python -m devtools.local_airflow status                (make airflow-status: processes, PSS memory, UI)
    python -m devtools.local_airflow cli ARGS...           (bin/airflow-local ARGS: the airflow CLI on it)

A private PostgreSQL cluster holds the metadata DB, as in docker-compose.yaml and
production (devtools/postgres.py: data in the home's pgdata, 127.0.0.1 only, its own
port). api-server (UI on 127.0.0.1), scheduler, dag-processor and triggerer run as
separate processes bound to loopback only (--skip-serve-logs: no log servers on
0.0.0.0), LocalExecutor sized for a 2-core machine (devtools/airflow.env, shared
with docker-compose.yaml). State lives in the project's ignored .airflow/local;
the PIDs in .airflow/local/pids.json (the four components and the postmaster) are
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
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from devtools.postgres import LocalPostgres, PostgresError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMMON_ENV_FILE = PROJECT_ROOT / "devtools" / "airflow.env"
DEFAULT_HOME = PROJECT_ROOT / ".airflow" / "local"
DEFAULT_WAREHOUSE = PROJECT_ROOT / ".warehouse" / "nba.duckdb"
DAG_ID = "nba_nightly_predictions"
ADMIN = "admin"
POSTGRES = "postgres"
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


def _processes() -> dict[int, tuple[int, int]]:
    """PID -> (parent PID, process group) of every process on the machine."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command: state, ppid, pgrp, ...
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        found[int(stat.parent.name)] = (int(fields[1]), int(fields[2]))
    return found


def family(roots) -> list[int]:
    """The given processes, their process groups and all their descendants: an Airflow component
    and its workers (one group), the postmaster and its backends (each in a session of its own)."""
    processes, roots = _processes(), set(roots)
    members = {pid for pid, (_, pgrp) in processes.items() if pid in roots or pgrp in roots}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in processes.items():
        children.setdefault(ppid, []).append(pid)
    todo = list(members)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in members:
                members.add(child)
                todo.append(child)
    return sorted(members)


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


def listening_addresses(roots) -> set[tuple[str, int]]:
    """(host, port) of every TCP socket that the given processes (groups, descendants) listen on."""
    sockets, found = _listening_sockets(), set()
    for pid in family(roots):
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        found.update(sockets[link[8:-1]] for link in links if link.startswith("socket:[") and link[8:-1] in sockets)
    return found


def _wait_gone(pids, deadline: float) -> list[int]:
    """Wait until none of the processes runs; returns those still running at the deadline."""
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@dataclass
class LocalAirflow:
    """One local Airflow: its home folder, UI port, warehouse file and extra settings.
    db_port is its PostgreSQL's port, set by start() or, for a running instance, by attach()."""

    home: Path = DEFAULT_HOME
    port: int = 8080
    warehouse: Path = DEFAULT_WAREHOUSE
    extra_env: dict[str, str] = field(default_factory=dict)
    db_port: int | None = None

    @property
    def pids_file(self) -> Path:
        return self.home / "pids.json"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def postgres(self) -> LocalPostgres:
        return LocalPostgres(self.home, self.db_port)

    def env(self) -> dict[str, str]:
        database = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.postgres.url()} if self.db_port else {}
        return {
            **os.environ,
            **common_settings(),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            **database,
            "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'plugins'}",
            "NBA_LOCAL_WAREHOUSE_PATH": str(self.warehouse),
            **self.extra_env,
        }

    def airflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """One `airflow` CLI call against this instance (output captured)."""
        result = subprocess.run([str(Path(sys.executable).parent / "airflow"), *args], env=self.env(),
                                capture_output=True, text=True)
        if check and result.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({result.returncode}): "
                               f"{(result.stderr or result.stdout).strip()[-2000:]}")
        return result

    def _state(self) -> dict:
        return json.loads(self.pids_file.read_text()) if self.pids_file.exists() else {}

    def _save_state(self, pids: dict[str, int], postgres_pid: int) -> None:
        self.pids_file.write_text(json.dumps({"port": self.port, "pids": pids,
                                              POSTGRES: {"pid": postgres_pid, "port": self.db_port}}, indent=2))

    def pids(self) -> dict[str, int]:
        """PIDs of the four Airflow components."""
        return self._state().get("pids", {})

    def postgres_pid(self) -> int | None:
        return self._state().get(POSTGRES, {}).get("pid")

    def recorded_port(self) -> int:
        """The UI port of the running instance (from its pid file), else the configured one."""
        return self._state().get("port", self.port)

    def attach(self) -> LocalAirflow:
        """Take the UI and PostgreSQL ports of the running instance from its pid file."""
        state = self._state()
        self.port = state.get("port", self.port)
        self.db_port = state.get(POSTGRES, {}).get("port", self.db_port)
        return self

    def admin_password(self) -> str:
        return json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())[ADMIN]

    def start(self, timeout: float = 120) -> float:
        """Start PostgreSQL, migrate its `airflow` database when needed, start the four components, create the
        pool and unpause the DAG; returns the seconds until the UI answered and the DAG was unpaused.
        The time of each step is in self.steps."""
        if any(alive(pid) for pid in [*self.pids().values(), self.postgres_pid() or 0] if pid):
            raise RuntimeError(f"already running (see {self.pids_file}); stop it first: make airflow-down")
        if port_open(self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} is taken by another program; choose another port")
        if not self.warehouse.exists():
            raise RuntimeError(f"no sample season at {self.warehouse}: run `make sample-season` first")
        self.home.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self.steps: dict[str, float] = {}

        def step(name: str) -> None:
            self.steps[name] = time.perf_counter() - started

        self.db_port = free_port()
        while self.db_port == self.port:  # the UI's port, if it was chosen by free_port() too
            self.db_port = free_port()
        try:
            postgres_pid = self.postgres.start(self.db_port)
        except PostgresError as exc:
            raise RuntimeError(str(exc)) from None
        pids: dict[str, int] = {}
        self._save_state(pids, postgres_pid)  # from here on `make airflow-down` stops what was started
        try:
            self.postgres.wait_ready(postgres_pid)
            step("PostgreSQL ready")
            step("DB migrated" if self._migrate() else "DB already migrated")
            for name, command in COMPONENTS.items():
                with open(self.home / f"{name}.log", "w") as log:
                    # Own session per component: stop() signals its process group (the component and its workers).
                    pids[name] = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), *command],
                                                  env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                                  start_new_session=True).pid
                self._save_state(pids, postgres_pid)
            while not port_open(self.port):
                self._check_started(pids, started, timeout, f"the UI did not come up on {self.url}")
                time.sleep(0.3)
            step("UI answering")
            self._configure(pids, started, timeout, step)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, PostgresError):
                raise RuntimeError(str(exc)) from None
            raise
        return time.perf_counter() - started

    def _check_started(self, pids: dict[str, int], started: float, timeout: float, what: str) -> None:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"{what} within {timeout:.0f} s; logs in {self.home}")
        if gone := [name for name, pid in pids.items() if not alive(pid)]:
            raise RuntimeError(f"{', '.join(gone)} exited during start-up; logs in {self.home}")

    def _migrate(self) -> bool:
        """`airflow db migrate`, skipped when this Airflow version already migrated this database
        (the components themselves refuse to start on an unmigrated one); True when it ran."""
        stamp_file = self.home / "migrated.json"
        stamp = {"airflow": version("apache-airflow-core"), "heads": self._alembic_heads()}
        if stamp["heads"] and stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
            return False
        stamp_file.unlink(missing_ok=True)
        self.airflow("db", "migrate")
        stamp_file.write_text(json.dumps({**stamp, "heads": self._alembic_heads()}))
        return True

    def _alembic_heads(self) -> list[str]:
        """The migration heads recorded in the metadata DB ([] in a new database)."""
        if not self.postgres.query("SELECT to_regclass('alembic_version')")[0][0]:
            return []
        return sorted(row[0] for row in self.postgres.query("SELECT version_num FROM alembic_version"))

    def _configure(self, pids: dict[str, int], started: float, timeout: float, step) -> None:
        """Through the REST API (no CLI start-up): the warehouse pool, then, once the dag-processor
        has parsed the DAG, unpause it."""
        from devtools.airflow_api import AirflowApi

        settings = common_settings()
        pool = {"name": settings["NBA_WAREHOUSE_POOL"], "slots": int(settings["NBA_WAREHOUSE_POOL_SLOTS"]),
                "description": "Tasks that touch the NBA warehouse", "include_deferred": False}
        api = AirflowApi(self.url, ADMIN, self.admin_password())
        try:
            if api.client.get(f"/api/v2/pools/{pool['name']}").status_code == 404:
                api._call("POST", "/pools", json=pool)
            else:
                api._call("PATCH", f"/pools/{pool['name']}", json=pool)
            while api.client.get(f"/api/v2/dags/{DAG_ID}").status_code == 404:
                self._check_started(pids, started, timeout, f"the dag-processor did not parse {DAG_ID}")
                time.sleep(0.5)
            step("DAG parsed")
            api._call("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})
        finally:
            api.close()

    def stop(self, grace: float = 30) -> list[str]:
        """SIGTERM the process group of each recorded component, SIGKILL what outlives the grace period;
        then PostgreSQL's fast shutdown (SIGINT to the postmaster), waiting until it and its backends
        are gone (SIGKILL after the grace period). Returns the names of what was stopped."""
        pids, postgres_pid = self.pids(), self.postgres_pid()
        for pid in pids.values():
            if alive(pid):
                os.killpg(pid, signal.SIGTERM)
        if _wait_gone(pids.values(), time.monotonic() + grace):
            for pid in pids.values():
                if alive(pid):
                    os.killpg(pid, signal.SIGKILL)
            _wait_gone(pids.values(), time.monotonic() + 5)
        stopped = list(pids)
        if postgres_pid:
            stopped.append(POSTGRES)
            if alive(postgres_pid):
                backends = family([postgres_pid])
                os.kill(postgres_pid, signal.SIGINT)
                if left := _wait_gone(backends, time.monotonic() + grace):
                    for pid in left:
                        os.kill(pid, signal.SIGKILL)
                    _wait_gone(left, time.monotonic() + 5)
        self.pids_file.unlink(missing_ok=True)
        return stopped

    def memory_pss_kb(self) -> dict[str, int]:
        """Proportional set size per component, its forked workers included, and of PostgreSQL."""
        roots = {**self.pids(), **({POSTGRES: pid} if (pid := self.postgres_pid()) else {})}
        return {name: sum(_pss_kb(member) for member in family([pid])) for name, pid in roots.items() if alive(pid)}


def _clear_tasks(local: LocalAirflow, args: list[str]) -> int:
    """`tasks clear ... --yes` prints nothing in Airflow 3.3, not even when nothing matched. Without --yes
    Airflow lists the task instances it is about to clear and asks: answer its question ourselves and
    print its list (Airflow's own output), or say that nothing matched (exit status 1)."""
    args = [arg for arg in args if arg not in ("-y", "--yes")]
    result = subprocess.run([str(Path(sys.executable).parent / "airflow"), *args], env=local.env(),
                            input="y\n", stdout=subprocess.PIPE, text=True)
    lines = []
    for line in result.stdout.splitlines():
        if line.startswith("You are about to delete these") and result.returncode == 0:
            line = line.replace("You are about to delete these", "Cleared these", 1)
        elif line.startswith("[<TaskInstance: ") and line.endswith(">]"):  # one task instance a line
            line = "\n".join(f"  {ti}" for ti in line[len("[<TaskInstance: "):-2].split(">, <TaskInstance: "))
        elif line.startswith("Are you sure?"):
            continue
        lines.append(line)
    if "".join(lines).strip():
        print("\n".join(lines).rstrip())
    if result.returncode == 0 and not result.stdout.strip():
        print("nothing cleared: no task instance matched (check --task-regex, --start-date, --end-date)",
              file=sys.stderr)
        return 1
    return result.returncode


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cli"]:  # the airflow CLI with exactly the running instance's settings
        local = LocalAirflow().attach()
        if not local.db_port or not alive(local.postgres_pid() or 0):
            sys.exit(f"the local Airflow is not running (no live PostgreSQL in {local.pids_file}): make airflow-up")
        if argv[1:3] == ["tasks", "clear"] and {"-y", "--yes"} & set(argv) and not {"-h", "--help"} & set(argv):
            sys.exit(_clear_tasks(local, argv[1:]))
        os.execve(str(Path(sys.executable).parent / "airflow"), ["airflow", *argv[1:]], local.env())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    local = LocalAirflow(port=args.port)
    if args.command != "start":
        local.attach()
    try:
        if args.command == "start":
            seconds = local.start()
            steps = ", ".join(f"{name} at {at:.0f} s" for name, at in local.steps.items())
            print(f"Airflow UI: {local.url}  login {ADMIN} / {local.admin_password()}  (up in {seconds:.0f} s)")
            print(f"start-up: {steps}")
            print(f"DAG {DAG_ID} unpaused; processes {local.pids()}; PostgreSQL pid {local.postgres_pid()} "
                  f"on 127.0.0.1:{local.db_port}; logs and state in {local.home}")
            print("stop with: make airflow-down")
        elif args.command == "stop":
            db_port = local.db_port
            stopped = local.stop()
            if not stopped:
                print("not running (no pid file)")
            else:
                closed = [f"{name} port {port} {'still open' if port_open(port) else 'closed'}"
                          for name, port in (("UI", local.port), ("PostgreSQL", db_port)) if port]
                print(f"stopped {', '.join(stopped)}; {', '.join(closed)}")
        else:
            pids = local.pids()
            postgres_pid = local.postgres_pid()
            if not pids and not postgres_pid:
                print("not running")
                return
            memory = local.memory_pss_kb()
            for name, pid in {**pids, **({POSTGRES: postgres_pid} if postgres_pid else {})}.items():
                state = f"running  PSS {memory[name] / 1024:6.0f} MB" if name in memory else "gone"
                extra = f"  127.0.0.1:{local.db_port}, data {local.postgres.data_dir}" if name == POSTGRES else ""
                print(f"{name:14} pid {pid:>7}  {state}{extra}")
            print(f"{'total':14} {'':11}  PSS {sum(memory.values()) / 1024:6.0f} MB")
            roots = [*pids.values(), *([postgres_pid] if postgres_pid else [])]
            listening = ", ".join(f"{host}:{port}" for host, port in sorted(listening_addresses(roots)))
            print(f"UI {local.url} {'up' if port_open(local.port) else 'down'}; listening on {listening or 'nothing'}")
    except RuntimeError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
