"""The baseline prediction worker (moving_average_baseline) on hand-built feature rows.

Each feature row is given only the features the formula reads; the expected
values are worked by hand in the comments:
  predicted = 0.5 l5 + 0.3 l10 + 0.2 season + (fatigue - 100) / 20 + mismatch + pace + usage
            -> rounded to 0.1 half away from zero, never below 0
  margin = predicted - line: OVER >= 1.0, UNDER <= -1.0, else PASS
  confidence = 0.5 quality / 100 + 0.5 min(games, 10) / 10, 3 decimals
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from phase4_fixtures import SEASON_YEAR, League, day
from processors.phase5.worker import MIN_QUALITY, SYSTEM_ID, WorkerResult, serve_requests
from processors.run_history import RunContext
from processors.warehouse import Statement, WarehouseError

GAME_DATE = day(30)
BATCH = f"batch_{GAME_DATE.isoformat()}_1700000000"
PREDICTIONS = "nba_predictions.player_prop_predictions"
RUN_HISTORY = "nba_reference.processor_run_history"


def features(l5: float = 20.0, l10: float = 20.0, season: float = 20.0, fatigue: float = 100.0,
             mismatch: float = 0.0, pace: float = 0.0, usage: float = 0.0) -> list[float]:
    """A 25-feature vector; the features the worker does not read are plausible fillers."""
    vector = [0.0] * 25
    vector[0], vector[1], vector[2], vector[5], vector[6], vector[7], vector[8] = (
        l5, l10, season, fatigue, mismatch, pace, usage)
    vector[3], vector[4], vector[13], vector[14] = 5.0, 3.0, 112.0, 100.0
    return vector


def feature_row(league: League, player: str, *, quality: str = "90.00", ready: bool = True, games: int | None = 10,
                date: dt.date = GAME_DATE, data_hash: str | None = None, **feature_values: float) -> None:
    league.add("nba_predictions.ml_feature_store_v2", player_lookup=player, game_date=date, season_year=SEASON_YEAR,
               game_id=f"{date:%Y%m%d}_BOS_LAL", team_abbr="LAL", opponent_team_abbr="BOS", is_home=True,
               feature_version="v1_baseline_25", feature_count=25, features=features(**feature_values),
               feature_quality_score=Decimal(quality), is_production_ready=ready, actual_games_count=games,
               data_hash=data_hash)


def request(player: str, line: float = 20.5, *, batch_id: str = BATCH, game_date: str | None = None,
            **overrides) -> dict:
    message = {
        "player_lookup": player, "game_date": game_date or GAME_DATE.isoformat(),
        "game_id": f"{GAME_DATE:%Y%m%d}_BOS_LAL", "line_values": [line], "team_abbr": "LAL",
        "opponent_team_abbr": "BOS", "is_home": True, "projected_minutes": 30.0, "batch_id": batch_id,
        "timestamp": "2024-11-21T14:00:00+00:00",
    }
    message.update(overrides)
    return message


def rows(warehouse, table_key: str, order: str = "player_lookup") -> list[dict]:
    return warehouse.query(Statement("test", f"SELECT * FROM `{warehouse.table_id(table_key)}` ORDER BY {order}"))


def predictions(warehouse, active_only: bool = False) -> dict[str, dict]:
    found = [r for r in rows(warehouse, PREDICTIONS, "player_lookup, created_at") if r["is_active"] or not active_only]
    return {r["player_lookup"]: r for r in found} if active_only else found


def test_formula_rounding_and_floor(warehouse):
    league = League()
    # 0.5*20 + 0.3*18 + 0.2*16 = 10 + 5.4 + 3.2 = 18.6; (90-100)/20 + 1.5 + 0.5 - 1.0 = 0.5 -> 19.1
    feature_row(league, "alpha", l5=20, l10=18, season=16, fatigue=90, mismatch=1.5, pace=0.5, usage=-1.0)
    # 0.5*20.5 + 0.3*20 + 0.2*20 = 10.25 + 6 + 4 = 20.25, no adjustment -> 20.3 (half away from zero)
    feature_row(league, "halfway", l5=20.5)
    # 0.5*20.1 + 0.3*20.1 + 0.2*20.1 = 20.1 (float 20.100000000000001) -> 20.1
    feature_row(league, "noise", l5=20.1, l10=20.1, season=20.1)
    # 1 + (0-100)/20 = 1 - 5 = -4 -> floored to 0.0
    feature_row(league, "floor", l5=1, l10=1, season=1, fatigue=0)
    league.load(warehouse)

    result = serve_requests(warehouse, GAME_DATE, [
        request("alpha", 17.5), request("halfway", 20.5), request("noise", 20.5), request("floor", 0.5)])

    assert (result.requested, result.predicted, result.already_predicted, result.refused) == (4, 4, 0, {})
    got = predictions(warehouse, active_only=True)
    assert {p: got[p]["predicted_points"] for p in got} == {
        "alpha": Decimal("19.1"), "halfway": Decimal("20.3"), "noise": Decimal("20.1"), "floor": Decimal("0.0")}
    alpha = got["alpha"]
    # 19.1 - 17.5 = 1.6 -> OVER
    assert (alpha["current_points_line"], alpha["line_margin"], alpha["recommendation"]) == (
        Decimal("17.5"), Decimal("1.6"), "OVER")
    assert (alpha["system_id"], alpha["game_date"], alpha["game_id"], alpha["batch_id"], alpha["is_active"]) == (
        SYSTEM_ID, GAME_DATE, f"{GAME_DATE:%Y%m%d}_BOS_LAL", BATCH, True)
    assert alpha["feature_quality_score"] == Decimal("90.00") and alpha["created_at"] is not None
    # 0.0 - 0.5 = -0.5 -> PASS
    assert (got["floor"]["line_margin"], got["floor"]["recommendation"]) == (Decimal("-0.5"), "PASS")
    assert len({r["prediction_id"] for r in got.values()}) == 4


def test_recommendation_at_exactly_plus_minus_one(warehouse):
    league = League()
    for player in ("over", "under", "pass_high", "pass_low"):
        feature_row(league, player)  # 0.5*20 + 0.3*20 + 0.2*20 = 20.0, no adjustment
    # 19.95 -> 20.0: the recommendation is taken from the stored (rounded) margin
    feature_row(league, "rounded_over", l5=19.9)  # 9.95 + 6 + 4 = 19.95 -> 20.0
    league.load(warehouse)

    serve_requests(warehouse, GAME_DATE, [
        request("over", 19.0),        # 20.0 - 19.0 = +1.0 -> OVER
        request("under", 21.0),       # 20.0 - 21.0 = -1.0 -> UNDER
        request("pass_high", 19.1),   # +0.9 -> PASS
        request("pass_low", 20.9),    # -0.9 -> PASS
        request("rounded_over", 19.0),  # 20.0 - 19.0 = +1.0 -> OVER
    ])

    got = predictions(warehouse, active_only=True)
    assert {p: (r["line_margin"], r["recommendation"]) for p, r in got.items()} == {
        "over": (Decimal("1.0"), "OVER"), "under": (Decimal("-1.0"), "UNDER"),
        "pass_high": (Decimal("0.9"), "PASS"), "pass_low": (Decimal("-0.9"), "PASS"),
        "rounded_over": (Decimal("1.0"), "OVER"),
    }


def test_confidence_from_quality_and_sample_size(warehouse):
    league = League()
    feature_row(league, "full", quality="90.00", games=10)     # 0.45 + 0.5 = 0.95
    feature_row(league, "six", quality="80.00", games=6)       # 0.40 + 0.3 = 0.70
    feature_row(league, "capped", quality="70.00", games=14)   # 0.35 + 0.5 (10 of 10) = 0.85
    feature_row(league, "halfway", quality="70.10", games=3)   # 0.3505 + 0.15 = 0.5005 -> 0.501
    feature_row(league, "unknown", quality="97.00", games=None)  # 0.485 + 0 = 0.485
    league.load(warehouse)

    serve_requests(warehouse, GAME_DATE, [request(p) for p in ("full", "six", "capped", "halfway", "unknown")])

    got = predictions(warehouse, active_only=True)
    assert {p: r["confidence_score"] for p, r in got.items()} == {
        "full": 0.95, "six": 0.7, "capped": 0.85, "halfway": 0.501, "unknown": 0.485}


def test_refusals_with_reasons(warehouse):
    league = League()
    feature_row(league, "low", quality="69.90")
    feature_row(league, "at_threshold", quality="70.00")
    feature_row(league, "not_ready", quality="95.00", ready=False)
    feature_row(league, "other_night", date=GAME_DATE - dt.timedelta(days=1))  # not the date served
    league.load(warehouse)

    result = serve_requests(warehouse, GAME_DATE, [request(p) for p in ("low", "at_threshold", "not_ready",
                                                                        "other_night", "absent")])

    assert MIN_QUALITY == 70.0
    assert result == WorkerResult(batch_id=BATCH, requested=5, predicted=1, already_predicted=0, refused={
        "low": "feature_quality_score 69.9 below 70",
        "not_ready": "not production ready",
        "other_night": "no feature row",
        "absent": "no feature row",
    }, run_id=result.run_id)
    assert list(predictions(warehouse, active_only=True)) == ["at_threshold"]
    assert len(predictions(warehouse)) == 1


def test_same_requests_three_times_one_active_prediction_each(warehouse):
    league = League()
    for player in ("a", "b", "c"):
        feature_row(league, player)
    league.load(warehouse)
    batch = [request(p) for p in ("a", "b", "c")]

    results = [serve_requests(warehouse, GAME_DATE, batch) for _ in range(3)]

    assert [(r.predicted, r.already_predicted) for r in results] == [(3, 0), (0, 3), (0, 3)]
    assert len(predictions(warehouse)) == 3
    assert sorted(predictions(warehouse, active_only=True)) == ["a", "b", "c"]
    # A new batch for the same night (a coordinator retry) does not add a second one either.
    retry = serve_requests(warehouse, GAME_DATE, [request("a", batch_id="batch_retry"), request("d", batch_id="batch_retry")])
    assert (retry.predicted, retry.already_predicted, retry.refused) == (0, 1, {"d": "no feature row"})
    assert len(predictions(warehouse)) == 3


def test_replace_existing_deactivates_the_old_prediction(warehouse):
    league = League()
    feature_row(league, "a")                       # 20.0
    feature_row(league, "b")                       # 20.0
    league.load(warehouse)
    serve_requests(warehouse, GAME_DATE, [request("a", 19.0), request("b", 19.0)])
    old_ids = {r["player_lookup"]: r["prediction_id"] for r in predictions(warehouse)}

    league = League()
    feature_row(league, "a", l5=30)                # 15 + 6 + 4 = 25.0
    feature_row(league, "b", quality="60.00")      # now refused: keeps its old prediction
    league.load(warehouse)
    result = serve_requests(warehouse, GAME_DATE, [request("a", 19.0, batch_id="batch_force"),
                                                   request("b", 19.0, batch_id="batch_force")], replace_existing=True)

    assert (result.predicted, result.already_predicted, result.superseded) == (1, 0, 1)
    assert result.refused == {"b": "feature_quality_score 60 below 70"}
    a_rows = [r for r in predictions(warehouse) if r["player_lookup"] == "a"]
    assert [(r["is_active"], r["batch_id"], r["predicted_points"]) for r in a_rows] == [
        (False, BATCH, Decimal("20.0")), (True, "batch_force", Decimal("25.0"))]
    active = predictions(warehouse, active_only=True)
    assert active["b"]["prediction_id"] == old_ids["b"] and active["b"]["batch_id"] == BATCH

    # Replacing again within the same batch still yields a new, distinct prediction id.
    serve_requests(warehouse, GAME_DATE, [request("a", 19.0, batch_id="batch_force")], replace_existing=True)
    a_rows = [r for r in predictions(warehouse) if r["player_lookup"] == "a"]
    assert [r["is_active"] for r in a_rows] == [False, False, True]
    assert len({r["prediction_id"] for r in a_rows}) == 3 and old_ids["a"] == a_rows[0]["prediction_id"]


def player_rows(warehouse, player: str) -> list[tuple]:
    """(is_active, batch_id, feature_data_hash, predicted_points) of a player's predictions, oldest first."""
    return [(r["is_active"], r["batch_id"], r["feature_data_hash"], r["predicted_points"])
            for r in predictions(warehouse) if r["player_lookup"] == player]


def test_a_changed_feature_row_supersedes_the_prediction(warehouse):
    league = League()
    feature_row(league, "changed", data_hash="h1")          # 20.0
    feature_row(league, "unchanged", data_hash="h1")        # 20.0
    feature_row(league, "now_refused", data_hash="h1")      # 20.0
    league.load(warehouse)
    first = serve_requests(warehouse, GAME_DATE, [request(p) for p in ("changed", "unchanged", "now_refused")])
    assert (first.predicted, first.superseded) == (3, 0)

    # The night's features are recomputed: two rows change, one keeps its values (and its hash).
    league = League()
    feature_row(league, "changed", l5=30, data_hash="h2")   # 15 + 6 + 4 = 25.0
    feature_row(league, "unchanged", data_hash="h1")
    feature_row(league, "now_refused", quality="60.00", data_hash="h2")
    feature_row(league, "new", data_hash="h2")
    league.load(warehouse)
    retry = serve_requests(warehouse, GAME_DATE, [request(p, batch_id="batch_retry")
                                                  for p in ("changed", "unchanged", "now_refused", "new")])

    assert (retry.predicted, retry.superseded, retry.already_predicted) == (2, 1, 1)  # changed (superseded), new
    assert retry.refused == {"now_refused": "feature_quality_score 60 below 70"}
    assert player_rows(warehouse, "changed") == [(False, BATCH, "h1", Decimal("20.0")),
                                                 (True, "batch_retry", "h2", Decimal("25.0"))]
    assert player_rows(warehouse, "unchanged") == [(True, BATCH, "h1", Decimal("20.0"))]
    assert player_rows(warehouse, "now_refused") == [(True, BATCH, "h1", Decimal("20.0"))]  # nothing replaces it
    assert player_rows(warehouse, "new") == [(True, "batch_retry", "h2", Decimal("20.0"))]
    assert len({r["prediction_id"] for r in predictions(warehouse)}) == 5
    summary = rows(warehouse, RUN_HISTORY, "processed_at")[-1]["summary"]
    assert (summary["predicted"], summary["superseded"], summary["already_predicted"]) == (2, 1, 1)


def test_an_unchanged_feature_row_is_never_predicted_again(warehouse):
    league = League()
    feature_row(league, "a", data_hash="h1")
    league.load(warehouse)
    serve_requests(warehouse, GAME_DATE, [request("a")])
    league = League()
    feature_row(league, "a", data_hash="h1")  # recomputed with the same values: the same hash
    league.load(warehouse)

    results = [serve_requests(warehouse, GAME_DATE, [request("a", batch_id=f"batch_{n}")]) for n in range(2)]

    assert [(r.predicted, r.superseded, r.already_predicted) for r in results] == [(0, 0, 1), (0, 0, 1)]
    assert player_rows(warehouse, "a") == [(True, BATCH, "h1", Decimal("20.0"))]


def test_a_prediction_without_feature_data_hash_is_never_outdated(warehouse):
    """Written by a worker that does not record the hash: lineage unknown, so it stays (or it
    would be re-requested forever)."""
    league = League()
    feature_row(league, "a", data_hash="h2")
    league.load(warehouse)
    warehouse.append_rows(PREDICTIONS, [{"prediction_id": "external", "system_id": SYSTEM_ID, "player_lookup": "a",
                                         "game_date": GAME_DATE, "predicted_points": Decimal("18.0"),
                                         "batch_id": "batch_external", "is_active": True}])

    result = serve_requests(warehouse, GAME_DATE, [request("a")])

    assert (result.predicted, result.superseded, result.already_predicted) == (0, 0, 1)
    assert player_rows(warehouse, "a") == [(True, "batch_external", None, Decimal("18.0"))]


def test_force_replaces_a_current_prediction_and_records_the_hash(warehouse):
    league = League()
    feature_row(league, "a", data_hash="h1")
    league.load(warehouse)
    serve_requests(warehouse, GAME_DATE, [request("a")])

    result = serve_requests(warehouse, GAME_DATE, [request("a", batch_id="batch_force")], replace_existing=True)

    assert (result.predicted, result.superseded, result.already_predicted) == (1, 1, 0)
    assert player_rows(warehouse, "a") == [(False, BATCH, "h1", Decimal("20.0")),
                                           (True, "batch_force", "h1", Decimal("20.0"))]


@pytest.mark.parametrize(("bad", "message"), [
    ({"player_lookup": None}, r"request 1 has no player_lookup"),
    ({"game_date": "2024-11-2x"}, r"request 1 \(b\) has a missing or malformed game_date '2024-11-2x'"),
    ({"game_date": None}, r"request 1 \(b\) has a missing or malformed game_date None"),
    ({"game_date": "2024-11-22"}, r"request 1 \(b\) has game_date 2024-11-22 but this call serves 2024-11-21"),
    ({"batch_id": "batch_other"}, r"must share one batch_id, got 2: '" + BATCH + r"' \(first: a\), 'batch_other'"),
    ({"line_values": []}, r"request 1 \(b\) has no line_values"),
    ({"player_lookup": "a"}, r"player_lookup 'a' is requested twice"),
])
def test_invalid_requests_raise_and_write_nothing(warehouse, bad, message):
    league = League()
    feature_row(league, "a")
    feature_row(league, "b")
    league.load(warehouse)
    batch = [request("a"), {**request("b"), **bad}]

    with pytest.raises(ValueError, match=message):
        serve_requests(warehouse, GAME_DATE, batch)

    assert rows(warehouse, PREDICTIONS) == []
    assert rows(warehouse, RUN_HISTORY, "processed_at") == []


def test_run_history_row(warehouse):
    league = League()
    feature_row(league, "a")
    feature_row(league, "b")
    feature_row(league, "low", quality="62.40")
    league.load(warehouse)
    serve_requests(warehouse, GAME_DATE, [request("a")])
    context = RunContext(triggered_by="scheduled", trigger_source="airflow", dag_id="nba_nightly",
                         dag_run_id="scheduled__2024-11-21", task_id="phase5.start_batch", try_number=1)

    result = serve_requests(warehouse, GAME_DATE, [request(p) for p in ("a", "b", "low", "absent")], context=context)

    history = rows(warehouse, RUN_HISTORY, "processed_at")
    assert len(history) == 2
    row = history[-1]
    assert row["run_id"] == result.run_id
    assert {k: row[k] for k in ("processor_name", "phase", "data_date", "status", "records_processed",
                                "records_created", "records_skipped", "output_table", "output_dataset",
                                "triggered_by", "dag_id", "task_id", "try_number")} == {
        "processor_name": SYSTEM_ID, "phase": "phase5_worker", "data_date": GAME_DATE, "status": "partial",
        "records_processed": 4, "records_created": 1, "records_skipped": 3,  # 2 refused + 1 already predicted
        "output_table": "player_prop_predictions", "output_dataset": "nba_predictions",
        "triggered_by": "scheduled", "dag_id": "nba_nightly", "task_id": "phase5.start_batch", "try_number": 1,
    }
    assert row["summary"] == {
        "batch_id": BATCH, "system_id": SYSTEM_ID, "requested": 4, "predicted": 1, "already_predicted": 1,
        "superseded": 0, "refused": 2,
        "refused_reasons": {"absent": "no feature row", "low": "feature_quality_score 62.4 below 70"},
        "min_quality": 70.0, "replace_existing": False,
    }
    assert history[0]["status"] == "success" and history[0]["records_created"] == 1


def test_no_requests_is_a_no_op(warehouse):
    assert serve_requests(warehouse, GAME_DATE, []) == WorkerResult(
        batch_id="", requested=0, predicted=0, already_predicted=0, refused={})
    assert rows(warehouse, RUN_HISTORY, "processed_at") == []


@pytest.mark.parametrize("replaced_by", ["force", "changed_feature_row"])
def test_failed_insert_rolls_back_the_deactivation_and_records_a_failed_run(warehouse, monkeypatch, replaced_by):
    league = League()
    feature_row(league, "a", data_hash="h1")
    league.load(warehouse)
    first = serve_requests(warehouse, GAME_DATE, [request("a")])
    if replaced_by == "changed_feature_row":
        feature_row(league, "a", l5=30, data_hash="h2")
        league.load(warehouse)
    execute_script, sent = warehouse.execute_script, []

    def failing_insert(statement, params=None):
        statement = warehouse._as_statement(statement)
        sent.append(statement.name.rsplit("/", 1)[-1])
        if statement.name.endswith("insert_predictions.sql"):
            raise WarehouseError(statement.name, "simulated failure")
        return execute_script(statement, params)

    monkeypatch.setattr(warehouse, "execute_script", failing_insert)
    with pytest.raises(WarehouseError, match="simulated failure"):
        serve_requests(warehouse, GAME_DATE, [request("a", batch_id="batch_force")],
                       replace_existing=replaced_by == "force")

    # The deactivation ran before the insert failed and rolled back with it.
    assert sent[:2] == ["deactivate_active.sql", "insert_predictions.sql"]
    assert [(r["batch_id"], r["is_active"]) for r in predictions(warehouse)] == [(BATCH, True)]
    history = rows(warehouse, RUN_HISTORY, "processed_at")
    assert [(r["run_id"] == first.run_id, r["status"]) for r in history] == [(True, "success"), (False, "failed")]
    assert history[-1]["summary"]["batch_id"] == "batch_force" and "simulated failure" in history[-1]["errors"][0]
