-- Input contract of nba_analytics.upcoming_team_game_context for one night
-- (@game_date, @season_year): the night's rows, which P3 reads. One row per team
-- that plays, in a game scheduled that night with the same game_id and opponent.
-- One row per broken rule (rule, description, violations, example_keys); no rows:
-- the contract holds.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_team_game_context`
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
      COALESCE(NULLIF(team_abbr, ''), IF(team_abbr = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM checked
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (team_abbr, game_date)' AS description,
    MIN(example_key) AS example_key
  FROM keyed
  GROUP BY team_abbr
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'team_abbr, game_id or opponent_team_abbr NULL or empty', example_key
  FROM keyed
  WHERE IFNULL(team_abbr, '') = '' OR IFNULL(game_id, '') = '' OR IFNULL(opponent_team_abbr, '') = ''
  UNION ALL
  SELECT 'negative_value', 'team_days_rest or games_in_last_7_days below 0', example_key
  FROM keyed
  WHERE team_days_rest < 0 OR games_in_last_7_days < 0
  UNION ALL
  SELECT 'not_on_schedule', 'no game scheduled that night with this game_id, team and opponent', example_key
  FROM keyed
  WHERE NOT EXISTS (
    SELECT 1 FROM team_games AS g
    WHERE g.game_id = keyed.game_id AND g.team_abbr = keyed.team_abbr
      AND g.opponent_team_abbr = keyed.opponent_team_abbr)
  UNION ALL
  SELECT 'team_missing', 'a team playing that night has no row', CONCAT(g.team_abbr, ' ', g.game_id)
  FROM team_games AS g
  WHERE NOT EXISTS (SELECT 1 FROM checked WHERE checked.game_id = g.game_id AND checked.team_abbr = g.team_abbr)
)
{{ include phase3/contracts/shared/violation_report.sql }}
