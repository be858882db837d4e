"""Each silent BigQuery -> DuckDB mistranslation of warehouse.md, pinned:
the BigQuery-dialect SQL runs on the local warehouse and gives BigQuery's answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from processors.warehouse import Statement, UnsupportedLocally, WarehouseError

GAME_DATE = dt.date(2025, 1, 15)


def one(warehouse, sql: str, **params):
    rows = warehouse.query(Statement("test.sql", sql), params)
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("DATE_SUB(@d, INTERVAL 30 DAY)", dt.date(2024, 12, 16)),
        ("DATE_ADD(@d, INTERVAL 1 DAY)", dt.date(2025, 1, 16)),
        ("DATE_TRUNC(@d, MONTH)", dt.date(2025, 1, 1)),
    ],
)
def test_date_arithmetic_on_a_date_returns_a_date(warehouse, expression, expected):
    value = one(warehouse, f"SELECT {expression} AS v", d=GAME_DATE)["v"]
    assert type(value) is dt.date  # not a datetime, as DuckDB would give
    assert value == expected


def test_numeric_cast_keeps_bigquery_precision(warehouse):
    row = one(warehouse, "SELECT CAST('3.14159' AS NUMERIC) AS v, CAST('123456789.123456789' AS NUMERIC) AS w")
    assert row["v"] == Decimal("3.14159")
    assert row["w"] == Decimal("123456789.123456789")


def test_parameterised_numeric_cast_rounds_to_its_scale(warehouse):
    assert one(warehouse, "SELECT CAST('12.34' AS NUMERIC(5, 1)) AS v")["v"] == Decimal("12.3")


def test_float_literals_are_float64(warehouse):
    row = one(warehouse, "SELECT 0.1 + 0.2 AS v, 12.5 / 4 AS w, 1e3 AS x")
    assert isinstance(row["v"], float) and row["v"] == 0.1 + 0.2  # binary float, not exact 0.3
    assert isinstance(row["w"], float) and row["w"] == 3.125
    assert row["x"] == 1000.0


def test_unnest_with_offset_starts_at_zero(warehouse):
    rows = warehouse.query(Statement("t.sql", "SELECT x, pos FROM UNNEST(['a', 'b', 'c']) AS x WITH OFFSET AS pos "
                                              "WHERE pos >= 0 ORDER BY pos"))
    assert [(r["x"], r["pos"]) for r in rows] == [("a", 0), ("b", 1), ("c", 2)]


def test_array_offset_with_a_computed_index(warehouse):
    rows = warehouse.query(Statement("t.sql", "SELECT x, ['a', 'b', 'c'][OFFSET(pos)] AS by_offset, "
                                              "['a', 'b', 'c'][ORDINAL(pos + 1)] AS by_ordinal "
                                              "FROM UNNEST([10, 20, 30]) AS x WITH OFFSET AS pos ORDER BY pos"))
    assert [(r["by_offset"], r["by_ordinal"]) for r in rows] == [("a", "a"), ("b", "b"), ("c", "c")]
    assert one(warehouse, "SELECT [7, 8, 9][OFFSET(@i)] AS v", i=2)["v"] == 9


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2025, 1, 19), 1), (dt.date(2025, 1, 20), 2), (dt.date(2025, 1, 25), 7)],  # Sun, Mon, Sat
)
def test_dayofweek_is_one_to_seven_from_sunday(warehouse, day, expected):
    assert one(warehouse, "SELECT EXTRACT(DAYOFWEEK FROM @d) AS v", d=day)["v"] == expected


@pytest.mark.parametrize(
    ("day", "week", "isoweek"),
    # 2025-01-04 is the Saturday before the year's first Sunday: BigQuery week 0, ISO week 1.
    [(dt.date(2025, 1, 4), 0, 1), (dt.date(2025, 1, 5), 1, 1), (dt.date(2024, 12, 30), 52, 1)],
)
def test_week_and_isoweek_follow_bigquery(warehouse, day, week, isoweek):
    row = one(warehouse, "SELECT EXTRACT(WEEK FROM @d) AS w, EXTRACT(ISOWEEK FROM @d) AS iso", d=day)
    assert (row["w"], row["iso"]) == (week, isoweek)


def test_format_is_printf_style(warehouse):
    assert one(warehouse, "SELECT FORMAT('%s-%03d', 'game', 7) AS v")["v"] == "game-007"


def test_array_agg_with_order_and_limit(warehouse):
    row = one(warehouse, "SELECT ARRAY_AGG(x ORDER BY x DESC LIMIT 2) AS top FROM UNNEST([3, 9, 1, 7]) AS x")
    assert row["top"] == [9, 7]


def test_countif_over_no_rows_is_zero(warehouse):
    """DuckDB's COUNT_IF over zero rows is NULL; BigQuery's COUNTIF is 0 (it crashed wait_for_phase4)."""
    row = one(warehouse, "SELECT COUNTIF(x > 1) AS c, COUNT(*) AS n FROM UNNEST([1, 2, 3]) AS x WHERE x > 5")
    assert row == {"c": 0, "n": 0}
    rows = warehouse.query(Statement("t.sql", "SELECT x, COUNTIF(x > 1) OVER (ORDER BY x) AS running "
                                              "FROM UNNEST([1, 2, 3]) AS x ORDER BY x"))
    assert [r["running"] for r in rows] == [0, 1, 2]


def test_div_keeps_its_operands_whole(warehouse):
    """sqlglot wrote DIV(x + 1, 2) as `x + 1 // 2`, which DuckDB reads as x + (1 // 2)."""
    row = one(warehouse, "SELECT DIV(x + 1, 2) AS up, DIV(x, 2) AS down, DIV(-x, 2) AS negative "
                         "FROM UNNEST([7]) AS x")
    assert row == {"up": 4, "down": 3, "negative": -3}  # BigQuery truncates toward zero


def test_round_of_a_float64_rounds_its_exact_value(warehouse):
    """DuckDB rounds round(x * 10^n) / 10^n: 1.4945 (binary 1.494499999...) became 1.495; BigQuery
    (ZetaSQL's reference evaluator) gives 1.494. Exact halves still round away from zero."""
    row = one(warehouse, "SELECT ROUND(1494.5 / 1000, 3) AS a, ROUND(-1494.5 / 1000, 3) AS b, ROUND(2.5) AS c, "
                         "ROUND(-2.5) AS d, ROUND(0.125, 2) AS e, ROUND(1.005, 2) AS f, ROUND(7, 1) AS g, "
                         "ROUND(123456.7891, -2) AS h, ROUND(CAST(1.45 AS NUMERIC), 1) AS numeric_kept")
    assert row == {"a": 1.494, "b": -1.494, "c": 3.0, "d": -3.0, "e": 0.13, "f": 1.0, "g": 7.0, "h": 123500.0,
                   "numeric_kept": Decimal("1.5")}
    assert isinstance(row["g"], float) and isinstance(row["numeric_kept"], Decimal)


def test_nested_corrections_and_numeric_coercion_follow_bigquery(warehouse):
    """As ZetaSQL's reference evaluator answers: DIV inside arithmetic and inside DIV, ROUND inside ROUND,
    NUMERIC through SUM, a float literal beside a NUMERIC (NUMERIC), a FLOAT64 beside one (FLOAT64)."""
    row = one(warehouse, "SELECT 2 * DIV(x, 2) AS a, 100 / DIV(9, 2) AS b, DIV(DIV(x + 1, 2) + 1, 2) AS c, "
                         "ROUND(ROUND(1.49445, 4) * 10, 2) AS d, ROUND(SUM(CAST(x AS NUMERIC) / 2), 1) AS e, "
                         "(CAST(x AS NUMERIC) * 1.01) / 2 AS f, (CAST(x AS FLOAT64) * 1.01) / 2 AS g "
                         "FROM UNNEST([7]) AS x GROUP BY x")
    assert row == {"a": 6, "b": 25.0, "c": 2, "d": 14.95, "e": Decimal("3.5"), "f": Decimal("3.535"), "g": 3.535}
    assert [type(row[k]) for k in "efg"] == [Decimal, Decimal, float]


def test_numeric_division_stays_numeric(warehouse):
    """DuckDB divides DECIMALs in DOUBLE; BigQuery's NUMERIC / INT64 is NUMERIC."""
    row = one(warehouse, "SELECT CAST(1537 AS NUMERIC) / 25 AS q, ROUND(CAST(2425 AS NUMERIC) / 25, 2) AS r, "
                         "CAST(1 AS NUMERIC) / 3 AS third")
    assert row == {"q": Decimal("61.48"), "r": Decimal("97"), "third": Decimal("0.333333333")}
    assert all(isinstance(v, Decimal) for v in row.values())


@pytest.mark.parametrize(
    ("expression", "expected"),  # as ZetaSQL's reference evaluator gives them
    [
        ("CAST(61 AS NUMERIC)", "61"),
        ("CAST('61.50' AS NUMERIC)", "61.5"),
        ("CAST('-0.5' AS NUMERIC)", "-0.5"),
        ("61.0", "61"),
        ("1.0 / 3", "0.33333333333333331"),
        ("0.1", "0.1"),
        ("1e20", "1e+20"),
        ("1e-7", "1e-07"),
        ("-0.0", "0"),
        ("CAST('nan' AS FLOAT64)", "nan"),
        ("42", "42"),
        ("DATE '2025-01-05'", "2025-01-05"),
        ("TRUE", "true"),
        ("TIMESTAMP '2025-01-05 10:00:00.12+00'", "2025-01-05 10:00:00.120+00"),
        ("TIMESTAMP '2025-01-05 10:00:00.123456+00'", "2025-01-05 10:00:00.123456+00"),
        ("TIMESTAMP '2025-01-05 10:00:00+00'", "2025-01-05 10:00:00+00"),
    ],
)
def test_cast_to_string_writes_numbers_as_bigquery_does(warehouse, expression, expected):
    """DuckDB writes 61.000000000 and 61.0; BigQuery 61 (FLOAT64 with 15, else 17, digits)."""
    assert one(warehouse, f"SELECT CAST({expression} AS STRING) AS s")["s"] == expected


@pytest.mark.parametrize(
    ("expression", "expected"),  # as ZetaSQL's reference evaluator gives them
    [
        ("STRUCT('a' AS s, DATE '2025-01-15' AS d, [1.5, 20.0, 0.1, 1e20, 1.0 / 3] AS f)",
         '{"s":"a","d":"2025-01-15","f":[1.5,20,0.1,1e+20,0.33333333333333331]}'),
        ("STRUCT(CAST(61.5 AS NUMERIC) AS n, CAST(61 AS NUMERIC) AS whole, 1152921504606846976 AS big, -3 AS i)",
         '{"n":"61.5","whole":61,"big":"1152921504606846976","i":-3}'),
        ("STRUCT(TRUE AS b, CAST(NULL AS STRING) AS z, ['x', 'y'] AS arr, [CAST(NULL AS FLOAT64), 2.5] AS g)",
         '{"b":true,"z":null,"arr":["x","y"],"g":[null,2.5]}'),
        ("STRUCT(TIMESTAMP '2025-01-05 10:00:00.12+00' AS t, TIMESTAMP '2025-01-05 10:00:00+00' AS w)",
         '{"t":"2025-01-05T10:00:00.120Z","w":"2025-01-05T10:00:00Z"}'),
        (r"""STRUCT(CAST('nan' AS FLOAT64) AS n, CAST('-inf' AS FLOAT64) AS m, 'é<"\\\n' AS s)""",
         r'{"n":"NaN","m":"-Infinity","s":"é<\"\\\n"}'),
        ("""STRUCT(JSON '{"b": 1, "a": [1.50, "x", "2"]}' AS j)""", '{"j":{"a":[1.5,"x","2"],"b":1}}'),
        (r"'a\u2028\u2029\u00a0'", '"a\\u2028\\u2029\u00a0"'),
        ("CAST(NULL AS STRING)", "null"),
    ],
)
def test_to_json_string_writes_values_as_bigquery_does(warehouse, expression, expected):
    """DuckDB's to_json writes 20.0, 61.500000000 and `2025-01-05 10:00:00+00`; BigQuery does not."""
    assert one(warehouse, f"SELECT TO_JSON_STRING({expression}) AS j")["j"] == expected


def test_to_json_string_of_a_table_row(warehouse):
    warehouse.execute_script(Statement("t.sql", "INSERT INTO nba_raw.nbac_schedule (game_id, game_date, season_year, "
                                                "home_team_abbr, away_team_abbr, game_status) "
                                                "VALUES ('g1', DATE '2025-01-15', 2024, 'BOS', 'NYK', 3)"))
    row = one(warehouse, "SELECT TO_JSON_STRING(s) AS j FROM nba_raw.nbac_schedule AS s")
    assert row["j"] == ('{"game_id":"g1","game_date":"2025-01-15","season_year":2024,"home_team_abbr":"BOS",'
                        '"away_team_abbr":"NYK","game_status":3,"game_start_time_et":null,"is_all_star_break":null}')


def test_project_qualified_names_lose_the_project(warehouse):
    row = one(warehouse, "SELECT COUNT(*) AS n FROM `some-project.nba_raw.nbac_schedule`")
    assert row["n"] == 0


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("DECLARE x INT64 DEFAULT 1", "DECLARE / SET"),
        ("SET x = 2", "DECLARE / SET"),
        ("SELECT table_name FROM nba_raw.INFORMATION_SCHEMA.TABLES", "INFORMATION_SCHEMA"),
        ("SELECT FORMAT('%t', 1) AS v", "FORMAT directive"),
        ("SELECT CAST(1 AS BIGNUMERIC) AS v", "BIGNUMERIC"),
    ],
)
def test_constructs_that_cannot_run_faithfully_are_rejected(warehouse, sql, words):
    with pytest.raises(UnsupportedLocally) as info:
        warehouse.query(Statement("phase4/example.sql", sql))
    assert "phase4/example.sql" in str(info.value) and words in str(info.value)


def test_ddl_partition_and_cluster_are_dropped_but_the_table_is_created(warehouse):
    warehouse.execute_script(Statement("ddl/x.sql", """
        CREATE TABLE IF NOT EXISTS `p.nba_raw.partitioned_example` (d DATE, team STRING, n NUMERIC)
        PARTITION BY d CLUSTER BY team OPTIONS (description = 'x')"""))
    warehouse.execute_script(Statement("x.sql", "INSERT INTO nba_raw.partitioned_example VALUES (@d, 'BOS', 1.123456789)"),
                             {"d": GAME_DATE})
    row = one(warehouse, "SELECT n FROM nba_raw.partitioned_example")
    assert row["n"] == Decimal("1.123456789")  # bare NUMERIC column is (38, 9) too


class TestClearErrors:
    def test_syntax_error_names_the_statement(self, warehouse):
        with pytest.raises(WarehouseError) as info:
            warehouse.query(Statement("phase4/broken.sql", "SELEC 1 FROM"))
        assert str(info.value).startswith("phase4/broken.sql: ")
        assert "syntax error" in str(info.value)

    def test_missing_table_names_the_statement_and_the_table(self, warehouse):
        with pytest.raises(WarehouseError) as info:
            warehouse.query(Statement("phase4/missing.sql", "SELECT * FROM nba_analytics.no_such_table"))
        message = str(info.value)
        assert message.startswith("phase4/missing.sql: ") and "no_such_table" in message
        assert "\n" not in message  # one line, not a stack of library internals

    def test_missing_parameter_is_named(self, warehouse):
        with pytest.raises(WarehouseError) as info:
            warehouse.query(Statement("phase4/params.sql", "SELECT @game_date AS d, @season AS s"), {"season": 1})
        assert str(info.value) == "phase4/params.sql: missing query parameter(s): @game_date"

    def test_a_sql_file_that_does_not_exist(self, warehouse):
        with pytest.raises(WarehouseError, match="phase4/nope.sql: no such SQL file"):
            warehouse.query("phase4/nope.sql")

    def test_unknown_template_identifier(self, warehouse):
        from processors.warehouse.statements import render

        with pytest.raises(WarehouseError, match=r"unknown template identifier \{\{ nba_nope \}\}"):
            render("x.sql", "SELECT * FROM `{{ nba_nope }}.t`", {"project": "p"})


    def test_an_include_is_expanded_with_the_same_identifiers(self, tmp_path):
        from processors.warehouse.statements import load

        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "games.sql").write_text("SELECT game_id FROM `{{ project }}.{{ nba_raw }}.g`;\n")
        (tmp_path / "main.sql").write_text("WITH g AS (\n  {{ include shared/games.sql }}\n)\nSELECT * FROM g")
        statement = load("main.sql", {"project": "p", "nba_raw": "raw"}, root=tmp_path)
        assert statement == Statement("main.sql", "WITH g AS (\n  SELECT game_id FROM `p.raw.g`\n)\nSELECT * FROM g")

    def test_a_missing_or_cyclic_include_is_named(self, tmp_path):
        from processors.warehouse.statements import load

        (tmp_path / "main.sql").write_text("SELECT * FROM ({{ include nope.sql }})")
        with pytest.raises(WarehouseError, match=r"^main.sql: includes nope.sql: no such SQL file"):
            load("main.sql", {}, root=tmp_path)
        (tmp_path / "loop.sql").write_text("SELECT 1 FROM ({{ include loop.sql }})")
        with pytest.raises(WarehouseError, match=r"^loop.sql: includes nest deeper than 4 at loop.sql"):
            load("loop.sql", {}, root=tmp_path)

    def test_every_phase4_processor_counts_final_games_from_the_shared_file(self):
        from processors.config import SQL_ROOT

        shared = "{{ include phase4/shared/final_team_games.sql }}"
        users = sorted(path.name for path in (SQL_ROOT / "phase4").glob("*.sql") if shared in path.read_text())
        assert users == ["ml_feature_store_v2.sql", "ml_feature_store_v2_placeholders.sql", "player_composite_factors.sql",
                         "player_daily_cache.sql", "player_shot_zone_analysis.sql", "team_defense_zone_analysis.sql"]
