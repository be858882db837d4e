-- The schedule seen from each team: one row per team per game (home and away).
-- Completeness in every Phase 4 processor counts a team's games from here.
CREATE OR REPLACE VIEW `{{ project }}.{{ nba_raw }}.team_schedule` AS
SELECT game_id, game_date, season_year, game_status, home_team_abbr AS team_abbr,
       away_team_abbr AS opponent_team_abbr, TRUE AS home_game
FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
UNION ALL
SELECT game_id, game_date, season_year, game_status, away_team_abbr AS team_abbr,
       home_team_abbr AS opponent_team_abbr, FALSE AS home_game
FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
