-- Phase 3 readiness of a box-score table (player_game_summary,
-- team_defense_game_summary or team_offense_game_summary; {{ team_column }} is the
-- column naming the team) for one night (@game_date): every team playing on the
-- date has rows for its most recent
-- game of the season before the date, matched on game_id and team, i.e.
-- yesterday's box scores have landed. The latest game counts whatever its
-- schedule game_status: a schedule not yet marked final (3) must not let the
-- night start without those box scores. A team with no game before the date
-- yet (opening night) needs nothing here; an off night expects no team.
-- One row: teams_expected, missing_teams (sorted team abbreviations).
WITH teams_on_date AS (
  SELECT DISTINCT team_abbr, schedule.season_year
  FROM `{{ project }}.{{ nba_raw }}.nbac_schedule` AS schedule,
    UNNEST([schedule.home_team_abbr, schedule.away_team_abbr]) AS team_abbr
  WHERE schedule.game_date = @game_date
),
latest_game AS (
  SELECT teams.team_abbr, schedule.game_id
  FROM teams_on_date AS teams
  JOIN `{{ project }}.{{ nba_raw }}.nbac_schedule` AS schedule
    ON schedule.season_year = teams.season_year
    AND teams.team_abbr IN (schedule.home_team_abbr, schedule.away_team_abbr)
  WHERE schedule.game_date < @game_date
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY teams.team_abbr ORDER BY schedule.game_date DESC, schedule.game_id DESC) = 1
),
landed AS (
  SELECT DISTINCT game_id, {{ team_column }} AS team_abbr
  FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
  WHERE game_date < @game_date
),
missing AS (
  SELECT latest.team_abbr
  FROM latest_game AS latest
  LEFT JOIN landed
    ON landed.game_id = latest.game_id
    AND landed.team_abbr = latest.team_abbr
  WHERE landed.game_id IS NULL
)
SELECT
  (SELECT COUNT(*) FROM teams_on_date) AS teams_expected,
  ARRAY(SELECT team_abbr FROM missing ORDER BY team_abbr) AS missing_teams
