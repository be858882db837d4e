"""Deterministic sample NBA regular season: the schedule and the Phase 3 tables, pure Python."""

from processors.sample_season.designed_nights import DESIGNED_AS_OF, DESIGNED_DEGRADATION_NIGHTS
from processors.sample_season.generator import SampleSeason, generate_season
from processors.sample_season.table_names import TABLE_NAMES
from processors.sample_season.trades import Trade

__all__ = ["DESIGNED_AS_OF", "DESIGNED_DEGRADATION_NIGHTS", "TABLE_NAMES", "SampleSeason", "Trade", "generate_season"]
