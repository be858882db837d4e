"""Deterministic random helpers: derived generators, count draws, rounding."""

from __future__ import annotations

import hashlib
import math
import random


def derived_rng(seed: int, *labels: object) -> random.Random:
    """A Random seeded from the seed and labels via SHA-256 (never hash(), which is salted)."""
    text = "|".join([str(seed), *(str(label) for label in labels)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def count_draw(rng: random.Random, mean: float, spread: float = 1.0) -> int:
    """A non-negative integer around `mean` with Poisson-like variance (normal approximation)."""
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, spread * math.sqrt(mean))))


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def prop_line(value: float) -> float:
    """Prop lines end in .5 so there is no push: 17.2 -> 17.5, 16.9 -> 16.5."""
    return max(0.5, math.floor(value) + 0.5)
