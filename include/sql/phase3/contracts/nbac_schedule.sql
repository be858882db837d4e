-- Input contract of nba_raw.nbac_schedule for one night (@game_date, @season_year):
-- the season's games up to the night, the source of truth for which games exist
-- and which box scores must be there. game_status: 1 scheduled, 2 in progress (the
-- NBA feed's live state; readiness waits for its box scores), 3 final. One row per
-- broken rule (rule, description, violations, example_keys); no rows: the contract holds.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
  WHERE season_year = @season_year AND game_date <= @game_date
),
keyed AS (
  SELECT
    *,
    -- the key as it reads in a report: '' for an empty value, NULL for a missing one
      COALESCE(NULLIF(game_id, ''), CONCAT(IF(game_id = '', "''", 'NULL'), ' ', CAST(game_date AS STRING))) AS example_key
  FROM checked
),
team_games AS (
  -- DISTINCT: a duplicated schedule row (its own contract) must not double the rows joined here
  SELECT DISTINCT game_id, game_date, team_abbr
  FROM `{{ project }}.{{ nba_raw }}.team_schedule`
  WHERE season_year = @season_year AND game_date <= @game_date
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per game_id' AS description,
    MIN(example_key) AS example_key
  FROM keyed
  GROUP BY game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'game_id, home_team_abbr or away_team_abbr NULL or empty', example_key
  FROM keyed
  WHERE IFNULL(game_id, '') = '' OR IFNULL(home_team_abbr, '') = '' OR IFNULL(away_team_abbr, '') = ''
  UNION ALL
  SELECT 'team_plays_itself', 'home_team_abbr equals away_team_abbr', example_key
  FROM keyed
  WHERE home_team_abbr = away_team_abbr
  UNION ALL
  SELECT 'unknown_game_status', 'game_status not 1 (scheduled), 2 (in progress) or 3 (final)', example_key
  FROM keyed
  WHERE game_status IS NULL OR game_status NOT IN (1, 2, 3)
  UNION ALL
  SELECT 'team_plays_twice', 'a team in more than one game on a date',
    CONCAT(team_abbr, ' ', CAST(game_date AS STRING))
  FROM team_games
  GROUP BY team_abbr, game_date
  HAVING COUNT(*) > 1
)
{{ include phase3/contracts/shared/violation_report.sql }}
