"""A small client of Airflow's REST API v2 (what the UI itself calls), for the local Airflow."""

from __future__ import annotations

import time
from typing import Any

import httpx

FINISHED = {"success", "failed"}


class AirflowApi:
    def __init__(self, url: str, username: str, password: str, timeout: float = 30):
        self.client = httpx.Client(base_url=url, timeout=timeout)
        response = self.client.post("/auth/token", json={"username": username, "password": password})
        response.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self.client.request(method, f"/api/v2{path}", **kwargs)
        if response.is_error:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code} {response.text[:500]}")
        return response.json()

    def trigger(self, dag_id: str, logical_date: str, conf: dict, note: str | None = None) -> dict:
        body = {"logical_date": logical_date, "conf": conf, **({"note": note} if note else {})}
        return self._call("POST", f"/dags/{dag_id}/dagRuns", json=body)

    def dag(self, dag_id: str) -> dict:
        return self._call("GET", f"/dags/{dag_id}")

    def pool(self, name: str) -> dict:
        return self._call("GET", f"/pools/{name}")

    def dag_runs(self, dag_id: str, **filters) -> list[dict]:
        return self._call("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100, **filters})["dag_runs"]

    def dag_run(self, dag_id: str, run_id: str) -> dict:
        return self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}")

    def task_instances(self, dag_id: str, run_id: str) -> dict[str, dict]:
        found = self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 100})
        return {ti["task_id"]: ti for ti in found["task_instances"]}

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
        found = self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
                           params={"full_content": True})
        content = found.get("content", "")
        return content if isinstance(content, str) else "\n".join(str(entry) for entry in content)

    def wait_for_runs(self, dag_id: str, run_ids: list[str], timeout: float = 600, poll: float = 2) -> dict[str, str]:
        """Wait until every run has finished; returns {run_id: state}. Raises on timeout, naming the laggards."""
        deadline = time.monotonic() + timeout
        while True:
            states = {run_id: self.dag_run(dag_id, run_id)["state"] for run_id in run_ids}
            if all(state in FINISHED for state in states.values()):
                return states
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs not finished after {timeout:.0f} s: {states}")
            time.sleep(poll)

    def backfills(self, dag_id: str) -> list[dict]:
        return self._call("GET", "/backfills", params={"dag_id": dag_id, "limit": 100})["backfills"]

    def wait_for_backfill(self, backfill_id: int, timeout: float = 600, poll: float = 2) -> dict:
        """Wait until the scheduler marks the backfill completed (all its runs finished)."""
        deadline = time.monotonic() + timeout
        while not (backfill := self._call("GET", f"/backfills/{backfill_id}"))["completed_at"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"backfill {backfill_id} not completed after {timeout:.0f} s")
            time.sleep(poll)
        return backfill

    def close(self) -> None:
        self.client.close()
