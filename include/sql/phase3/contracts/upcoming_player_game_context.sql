-- Input contract of nba_analytics.upcoming_player_game_context for one night
-- (@game_date, @season_year): the night's rows, which P3, P4, P5 and Phase 5 read.
-- Every row belongs to a game scheduled that night with the same game_id and teams
-- (else a prediction could be written for a game that is not on the schedule), and
-- every team that plays has its players. One row per broken rule (rule, description,
-- violations, example_keys); no rows: the contract holds.
-- One pass flags every row; keys are built only for the (normally no) broken ones.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
),
team_games AS (
  -- DISTINCT: a duplicated schedule row (its own contract) must not double the rows joined here
  SELECT DISTINCT game_id, team_abbr, opponent_team_abbr
  FROM `{{ project }}.{{ nba_raw }}.team_schedule`
  WHERE season_year = @season_year AND game_date = @game_date
),
flagged AS (
  SELECT
    checked.player_lookup,
    checked.team_abbr,
    checked.game_id,
    COUNT(*) OVER (PARTITION BY checked.player_lookup) > 1 AS duplicate_key,
    IFNULL(checked.player_lookup, '') = '' OR IFNULL(checked.game_id, '') = ''
      OR IFNULL(checked.team_abbr, '') = '' OR IFNULL(checked.opponent_team_abbr, '') = '' AS empty_key,
    IFNULL(LOWER(player_status) NOT IN ('available', 'probable', 'questionable', 'doubtful', 'out'), FALSE)
      AS unknown_player_status,
    -- a NULL counts as 0: LEAST over a NULL is NULL and would hide the others
    LEAST(IFNULL(days_rest, 0), IFNULL(games_in_last_7_days, 0), IFNULL(games_in_last_14_days, 0),
          IFNULL(minutes_in_last_7_days, 0), IFNULL(minutes_in_last_14_days, 0),
          IFNULL(avg_minutes_per_game_last_7, 0)) < 0 AS negative_value,
    games.game_id IS NULL AS not_on_schedule
  FROM checked
  LEFT JOIN team_games AS games
    ON games.game_id = checked.game_id AND games.team_abbr = checked.team_abbr
    AND games.opponent_team_abbr = checked.opponent_team_abbr
),
broken AS (
  SELECT
    *,
    -- the key as it reads in a report: '' for an empty value, NULL for a missing one
    CONCAT(
      COALESCE(NULLIF(player_lookup, ''), IF(player_lookup = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(team_abbr, ''), IF(team_abbr = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM flagged
  WHERE duplicate_key OR empty_key OR unknown_player_status OR negative_value OR not_on_schedule
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (player_lookup, game_date)' AS description,
    MIN(example_key) AS example_key
  FROM broken
  WHERE duplicate_key
  GROUP BY player_lookup
  UNION ALL
  SELECT 'empty_key', 'player_lookup, game_id, team_abbr or opponent_team_abbr NULL or empty', example_key
  FROM broken WHERE empty_key
  UNION ALL
  SELECT 'unknown_player_status',
    'player_status not one of NULL, available, probable, questionable, doubtful, out', example_key
  FROM broken WHERE unknown_player_status
  UNION ALL
  SELECT 'negative_value', 'days_rest, games or minutes in the last days below 0', example_key
  FROM broken WHERE negative_value
  UNION ALL
  SELECT 'not_on_schedule', 'no game scheduled that night with this game_id, team and opponent', example_key
  FROM broken WHERE not_on_schedule
  UNION ALL
  SELECT 'team_missing', 'a team playing that night has no players', CONCAT(games.team_abbr, ' ', games.game_id)
  FROM team_games AS games
  LEFT JOIN (SELECT DISTINCT game_id, team_abbr FROM checked) AS landed
    ON landed.game_id = games.game_id AND landed.team_abbr = games.team_abbr
  WHERE landed.game_id IS NULL
)
{{ include phase3/contracts/shared/violation_report.sql }}
