-- The season a game_date belongs to (the latest season scheduled on or before
-- it), its first and last game dates, and how many games fall on the date.
WITH season AS (
  SELECT season_year
  FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
  WHERE game_date <= @game_date
  ORDER BY game_date DESC
  LIMIT 1
)
SELECT
  season.season_year,
  MIN(schedule.game_date) AS season_start,
  MAX(schedule.game_date) AS season_end,
  COUNTIF(schedule.game_date = @game_date) AS games_on_date
FROM season
JOIN `{{ project }}.{{ nba_raw }}.nbac_schedule` AS schedule
  ON schedule.season_year = season.season_year
GROUP BY season.season_year
