-- Phase 3 readiness of an upcoming-context table (upcoming_player_game_context or
-- upcoming_team_game_context) for one night (@game_date): every team playing on the
-- date (per the schedule) has at least one row for the date (its players, its team row).
-- An off night expects no team.
-- One row: teams_expected, missing_teams (sorted team abbreviations).
WITH teams_on_date AS (
  SELECT DISTINCT team_abbr
  FROM `{{ project }}.{{ nba_raw }}.nbac_schedule` AS schedule,
    UNNEST([schedule.home_team_abbr, schedule.away_team_abbr]) AS team_abbr
  WHERE schedule.game_date = @game_date
),
landed AS (
  SELECT DISTINCT team_abbr
  FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
  WHERE game_date = @game_date
),
missing AS (
  SELECT teams.team_abbr
  FROM teams_on_date AS teams
  LEFT JOIN landed ON landed.team_abbr = teams.team_abbr
  WHERE landed.team_abbr IS NULL
)
SELECT
  (SELECT COUNT(*) FROM teams_on_date) AS teams_expected,
  ARRAY(SELECT team_abbr FROM missing ORDER BY team_abbr) AS missing_teams
