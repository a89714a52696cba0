-- conferences_per_day: conferences per UTC day: distinct conference instances (the Conference-ID
-- of the administrator.conference participant lines), the rooms they ran in, their calls and
-- participants. A conference that runs over midnight counts on both days.
-- Columns: dt, conferences, rooms, calls, participants. No parameters.
SELECT
  dt,
  COUNT(DISTINCT conference_id) AS conferences,
  COUNT(DISTINCT conference) AS rooms,
  COUNT(DISTINCT call_id) AS calls,
  COUNT(DISTINCT participant) AS participants
FROM pexip_logs.support_administrator_conference
WHERE conference_id IS NOT NULL
GROUP BY dt
ORDER BY dt
