"""Deterministic sample NBA regular season: the schedule and the Phase 3 tables, pure Python."""

from processors.sample_season.generator import SampleSeason, generate_season
from processors.sample_season.table_names import TABLE_NAMES

__all__ = ["TABLE_NAMES", "SampleSeason", "generate_season"]
