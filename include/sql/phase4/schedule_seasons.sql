-- Every season in the schedule with its first and last game dates (a game_date between
-- the two, off nights included, belongs to the season; see season_calendar.sql) and its
-- number of game nights (dates with at least one game).
SELECT
  season_year,
  MIN(game_date) AS first_game,
  MAX(game_date) AS last_game,
  COUNT(DISTINCT game_date) AS game_nights
FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
GROUP BY season_year
ORDER BY season_year
