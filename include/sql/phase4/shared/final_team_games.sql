-- Each team's final games (game_status 3) of the season before the night, newest
-- first: recency 1 is the team's last game. The expected games of completeness in
-- every Phase 4 processor, included as the body of a CTE.
SELECT
  team_abbr,
  game_id,
  game_date,
  ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC, game_id DESC) AS recency
FROM `{{ project }}.{{ nba_raw }}.team_schedule`
WHERE season_year = @season_year AND game_date < @game_date AND game_status = 3
