-- Input contract of nba_analytics.upcoming_player_game_context for one night
-- (@game_date, @season_year): the night's rows, which P3, P4, P5 and Phase 5 read.
-- Every row belongs to a game scheduled that night with the same game_id and teams
-- (else a prediction could be written for a game that is not on the schedule), and
-- every team that plays has its players. One row per broken rule (rule, description,
-- violations, example_keys); no rows: the contract holds.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
),
team_games AS (
  SELECT game_id, team_abbr, opponent_team_abbr
  FROM `{{ project }}.{{ nba_raw }}.team_schedule`
  WHERE season_year = @season_year AND game_date = @game_date
),
keyed AS (
  SELECT
    *,
    -- the key as it reads in a report: '' for an empty value, NULL for a missing one
    CONCAT(
      COALESCE(NULLIF(player_lookup, ''), IF(player_lookup = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(team_abbr, ''), IF(team_abbr = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM checked
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (player_lookup, game_date)' AS description,
    MIN(example_key) AS example_key
  FROM keyed
  GROUP BY player_lookup
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'player_lookup, game_id, team_abbr or opponent_team_abbr NULL or empty', example_key
  FROM keyed
  WHERE IFNULL(player_lookup, '') = '' OR IFNULL(game_id, '') = ''
    OR IFNULL(team_abbr, '') = '' OR IFNULL(opponent_team_abbr, '') = ''
  UNION ALL
  SELECT 'unknown_player_status',
    'player_status not one of NULL, available, probable, questionable, doubtful, out', example_key
  FROM keyed
  WHERE LOWER(player_status) NOT IN ('available', 'probable', 'questionable', 'doubtful', 'out')
  UNION ALL
  SELECT 'negative_value', 'days_rest, games or minutes in the last days below 0', example_key
  FROM keyed
  WHERE LEAST(days_rest, games_in_last_7_days, games_in_last_14_days, minutes_in_last_7_days,
              minutes_in_last_14_days, avg_minutes_per_game_last_7) < 0
  UNION ALL
  SELECT 'not_on_schedule', 'no game scheduled that night with this game_id, team and opponent', example_key
  FROM keyed
  WHERE NOT EXISTS (
    SELECT 1 FROM team_games AS g
    WHERE g.game_id = keyed.game_id AND g.team_abbr = keyed.team_abbr
      AND g.opponent_team_abbr = keyed.opponent_team_abbr)
  UNION ALL
  SELECT 'team_missing', 'a team playing that night has no players', CONCAT(g.team_abbr, ' ', g.game_id)
  FROM team_games AS g
  WHERE NOT EXISTS (SELECT 1 FROM checked WHERE checked.game_id = g.game_id AND checked.team_abbr = g.team_abbr)
)
{{ include phase3/contracts/shared/violation_report.sql }}
