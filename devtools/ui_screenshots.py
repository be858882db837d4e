"""Look at the running local Airflow in headless Chromium and save screenshots.

    make screenshots      (after make airflow-up; files in .airflow/local/screenshots)

Logs in as admin, opens the DAG's graph view with every task group expanded,
then its latest finished run (grid with groups expanded) and that run's "Night report"
tab, and the "NBA season" page of the navigation (the pipeline's plugin views, whose
content is an iframe of the api-server's /nba pages). Uses Debian's /usr/bin/chromium
through Playwright's driver; no browser is downloaded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from devtools.local_airflow import ADMIN, DAG_ID, LocalAirflow

# Without the background-networking flags Chromium keeps dialling Google's hosts, refused on this closed network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]


NIGHT_VIEW_ROUTE = "plugin/nba-night-report"  # plugins/nba_plugin.py external_views url_route
SEASON_VIEW_ROUTE = "plugin/nba-season"


@dataclass
class Page:
    name: str
    url: str
    screenshot: Path
    text: str
    metrics: dict[str, str] = field(default_factory=dict)  # a plugin page's figures, by data-metric


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise RuntimeError("Chromium not found: run `make browser` (Debian: apt-get install chromium)")
    return path


def capture(url: str, password: str, out_dir: Path, run_id: str | None = None,
            dag_id: str = DAG_ID) -> list[Page]:
    """Log in, open the graph view and (when given) one run; returns each page's screenshot and visible text."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1800, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(f"{url}/")
            page.get_by_label("Username").fill(ADMIN)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{url}/")
            pages.append(_shoot(page, "home", out_dir))

            page.goto(f"{url}/dags/{dag_id}")
            page.get_by_role("button", name="Show Graph").click()
            _expand_task_groups(page)
            page.locator(".react-flow").get_by_text("ml_feature_store_v2", exact=True).wait_for()
            page.get_by_role("button", name="Collapse Details Panel").click()
            page.get_by_role("button", name="fit view").click()
            pages.append(_shoot(page, "graph", out_dir, page.locator(".react-flow").inner_text()))

            if run_id:
                page.goto(f"{url}/dags/{dag_id}/runs/{run_id}")
                page.get_by_role("button", name="Show Grid").click()
                _expand_task_groups(page)
                page.get_by_text("ml_feature_store_v2", exact=True).first.wait_for()
                pages.append(_shoot(page, "run", out_dir))

                page.get_by_text("Night report", exact=True).click()  # one click from the run's page
                page.wait_for_url(f"**/{NIGHT_VIEW_ROUTE}")
                pages.append(_shoot_plugin_view(page, "night", out_dir, "h1", height=1500))

            page.goto(f"{url}/")
            page.get_by_text("NBA season", exact=True).click()  # the navigation entry
            page.wait_for_url(f"**/{SEASON_VIEW_ROUTE}**")
            pages.append(_shoot_plugin_view(page, "season", out_dir, "h1", height=2200))
        finally:
            browser.close()
    return pages


def _expand_task_groups(page) -> None:
    expand = page.get_by_role("button", name="Expand all task groups")
    expand.wait_for()
    if expand.is_enabled():  # disabled when the UI remembers the groups as expanded
        expand.click()


def _shoot_plugin_view(page, name: str, out_dir: Path, ready_selector: str, height: int | None = None) -> Page:
    """A plugin page inside the UI: wait for its iframe's content, read its figures, shoot the UI around it."""
    frame = page.frame_locator("iframe").first
    frame.locator(ready_selector).first.wait_for()
    metrics = {}
    for element in frame.locator("[data-metric]").all():
        key = element.get_attribute("data-metric")
        metrics.setdefault(key, element.inner_text().strip())  # the first of a key: the page's headline figure
    if height:  # a long page: let the iframe show more of it
        page.set_viewport_size({"width": 1800, "height": height})
    shot = _shoot(page, name, out_dir, frame.locator("body").inner_text())
    shot.metrics = metrics
    if height:
        page.set_viewport_size({"width": 1800, "height": 1000})
    return shot


def _shoot(page, name: str, out_dir: Path, text: str | None = None) -> Page:
    page.wait_for_load_state("networkidle")
    path = out_dir / f"{name}.png"
    page.screenshot(path=str(path))
    return Page(name, page.url, path, text if text is not None else page.locator("body").inner_text())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for the PNG files")
    args = parser.parse_args(argv)
    local = LocalAirflow()
    if not local.pids():
        sys.exit("the local Airflow is not running: make airflow-up")
    local.port = local.recorded_port()
    from devtools.airflow_api import AirflowApi

    api = AirflowApi(local.url, ADMIN, local.admin_password())
    finished = api.dag_runs(DAG_ID, state=["success", "failed"], order_by="-end_date")
    run_id = finished[0]["dag_run_id"] if finished else None
    try:
        pages = capture(local.url, local.admin_password(), args.out or local.home / "screenshots", run_id)
    except RuntimeError as exc:
        sys.exit(str(exc))
    for page in pages:
        print(f"{page.name:6} {page.url}\n       -> {page.screenshot}")


if __name__ == "__main__":
    main()
