"""Stand-ins for the Phase 5 coordinator's publisher and alert sink in processor-level tests."""

from __future__ import annotations


class Recorder:
    """Publisher and alert sink that remember what they got."""

    def __init__(self):
        self.published, self.alerts = [], []

    def publish(self, topic, messages, game_date):
        self.published.append((topic, messages))
        return [m["player_lookup"] for m in messages]

    def alert(self, severity, title, message):
        self.alerts.append((severity, title, message))
