"""`make season-if-missing` (make airflow-up): the season is rebuilt only when its inputs change."""

from __future__ import annotations

import shutil

import pytest

from processors.cli import sample_season as cli


@pytest.mark.slow
def test_rebuilt_only_when_season_seed_or_generator_code_change(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NBA_WAREHOUSE_BACKEND", "local")
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(tmp_path / "nba.duckdb"))

    def build() -> str:
        assert cli.main(["--season", "2024", "--seed", "7", "--if-missing"]) == 0
        return capsys.readouterr().out.splitlines()[0]

    assert build().startswith("Sample season 2024-25 (seed 7) -> ")        # nothing there yet: built
    assert build().endswith("kept (make sample-season rebuilds it)")        # same inputs: kept
    monkeypatch.setattr(cli, "generator_digest", lambda: "0123456789abcdef")  # the generator code changed
    assert build().startswith("Sample season 2024-25 (seed 7) -> ")
    assert build().endswith("kept (make sample-season rebuilds it)")


def test_the_generator_digest_follows_its_source_files(tmp_path):
    copy = tmp_path / "sample_season"
    shutil.copytree(cli.GENERATOR_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cli.generator_digest(copy) == cli.generator_digest()
    with (copy / "box_scores.py").open("a") as source:
        source.write("# one more line\n")
    assert cli.generator_digest(copy) != cli.generator_digest()
