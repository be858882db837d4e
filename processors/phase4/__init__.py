"""The five Phase 4 precompute processors, in dependency order.

P1 and P2 read Phase 3 only; P3 needs P1 and P2; P4 needs P2; P5 needs all four.
"""

from __future__ import annotations

from importlib import import_module

from processors.phase4.base import Phase4Processor
from processors.phase4.result import DependencyMissing, ProcessorFailed, ProcessorResult, ValidationFailed

# name -> "module:Class", imported when first used.
_PROCESSORS = {
    "team_defense_zone_analysis": "processors.phase4.team_defense_zone_analysis:TeamDefenseZoneAnalysis",
    "player_shot_zone_analysis": "processors.phase4.player_shot_zone_analysis:PlayerShotZoneAnalysis",
    "player_composite_factors": "processors.phase4.player_composite_factors:PlayerCompositeFactors",
    "player_daily_cache": "processors.phase4.player_daily_cache:PlayerDailyCache",
    "ml_feature_store_v2": "processors.phase4.ml_feature_store_v2:MlFeatureStoreV2",
}
PROCESSOR_NAMES = tuple(_PROCESSORS)  # a valid run order
UPSTREAM = {
    "team_defense_zone_analysis": (),
    "player_shot_zone_analysis": (),
    "player_composite_factors": ("team_defense_zone_analysis", "player_shot_zone_analysis"),
    "player_daily_cache": ("player_shot_zone_analysis",),
    "ml_feature_store_v2": ("team_defense_zone_analysis", "player_shot_zone_analysis",
                            "player_composite_factors", "player_daily_cache"),
}

__all__ = ["PROCESSOR_NAMES", "UPSTREAM", "downstream_of", "DependencyMissing", "Phase4Processor", "ProcessorFailed",
           "ProcessorResult", "ValidationFailed", "get_processor"]


def get_processor(name: str) -> Phase4Processor:
    """The processor called `name`; an unknown name is a clear error."""
    if name not in _PROCESSORS:
        raise ValueError(f"unknown processor {name!r}; known: {', '.join(PROCESSOR_NAMES)}")
    module_name, class_name = _PROCESSORS[name].split(":")
    return getattr(import_module(module_name), class_name)()


def downstream_of(name: str) -> tuple[str, ...]:
    """Every processor that reads `name`'s output, directly or through another, in run order."""
    found = {name}
    for candidate in PROCESSOR_NAMES:  # run order: upstreams come first
        if found.intersection(UPSTREAM[candidate]):
            found.add(candidate)
    return tuple(n for n in PROCESSOR_NAMES if n in found and n != name)
