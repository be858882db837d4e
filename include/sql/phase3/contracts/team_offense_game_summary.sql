-- Input contract of nba_analytics.team_offense_game_summary for one night (@game_date,
-- @season_year): the season's rows before the night, which P4 and P5 read (pace,
-- offensive rating, wins). One row per broken rule (rule, description, violations,
-- example_keys); no rows: the contract holds.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.team_offense_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
),
team_games AS (
  SELECT game_id, game_date, game_status, team_abbr, opponent_team_abbr
  FROM `{{ project }}.{{ nba_raw }}.team_schedule`
  WHERE season_year = @season_year AND game_date < @game_date
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
  SELECT 'duplicate_key' AS rule, 'more than one row per (team_abbr, game_id)' AS description,
    ANY_VALUE(example_key) AS example_key
  FROM keyed
  GROUP BY team_abbr, game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'team_abbr, game_id or opponent_team_abbr NULL or empty', example_key
  FROM keyed
  WHERE IFNULL(team_abbr, '') = '' OR IFNULL(game_id, '') = '' OR IFNULL(opponent_team_abbr, '') = ''
  UNION ALL
  SELECT 'negative_stat', 'a counting stat below 0', example_key
  FROM keyed
  WHERE LEAST(points_scored, fg_attempts, fg_makes, three_pt_attempts, three_pt_makes, ft_attempts, ft_makes,
              offensive_rebounds, turnovers, assists) < 0
  UNION ALL
  SELECT 'makes_above_attempts', 'makes > attempts (field goals, threes or free throws)', example_key
  FROM keyed
  WHERE fg_makes > fg_attempts OR three_pt_makes > three_pt_attempts OR ft_makes > ft_attempts
  UNION ALL
  SELECT 'possessions_not_positive', 'possessions or game_minutes not above 0', example_key
  FROM keyed
  WHERE possessions <= 0 OR game_minutes <= 0
  UNION ALL
  SELECT 'not_on_schedule', 'no scheduled game with this game_id, date, team and opponent', example_key
  FROM keyed
  WHERE NOT EXISTS (
    SELECT 1 FROM team_games AS g
    WHERE g.game_id = keyed.game_id AND g.game_date = keyed.game_date
      AND g.team_abbr = keyed.team_abbr AND g.opponent_team_abbr = keyed.opponent_team_abbr)
  UNION ALL
  SELECT 'final_game_missing', 'a final game of the season with no row for one of its teams',
    CONCAT(g.team_abbr, ' ', g.game_id)
  FROM team_games AS g
  WHERE g.game_status = 3
    AND NOT EXISTS (SELECT 1 FROM checked WHERE checked.game_id = g.game_id AND checked.team_abbr = g.team_abbr)
)
{{ include phase3/contracts/shared/violation_report.sql }}
