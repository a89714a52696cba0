-- conference_participants: the participants of a conference, one row per call: protocol,
-- direction, endpoint (remote address and vendor/user agent), when they joined and left.
-- Matches the conference name or alias (meet.alice, meet.alice@example.com); the instances of a
-- room are told apart by conference_id.
-- Columns: conference, conference_id, call_id, participant, display_name, protocol, direction,
-- remote_address, endpoint, first_seen, joined, disconnected, duration_seconds.
-- @param conference string: the conference name or alias
WITH params AS (SELECT CAST(? AS varchar) AS conference),
calls AS (
  SELECT DISTINCT c.call_id
  FROM pexip_logs.support_administrator_conference AS c CROSS JOIN params AS p
  WHERE c.call_id IS NOT NULL
    AND (c.conference = p.conference
         OR c.conferencealias = p.conference
         OR split_part(c.conferencealias, '@', 1) = p.conference)
)
SELECT
  MAX(c.conference) AS conference,
  MAX(c.conference_id) AS conference_id,
  c.call_id,
  MAX(c.participant) AS participant,
  MAX(c.displayname) AS display_name,
  MAX(c.protocol) AS protocol,
  MAX(c.direction) AS direction,
  MAX(c.remote_address) AS remote_address,
  MAX(c.vendor) AS endpoint,
  MIN(c.syslog_time) AS first_seen,
  MAX(CASE WHEN c.message LIKE 'Participant has joined%' THEN c.syslog_time END) AS joined,
  MAX(CASE WHEN c.message LIKE 'Participant has disconnected%' THEN c.syslog_time END) AS disconnected,
  MAX(c.duration) AS duration_seconds
FROM pexip_logs.support_administrator_conference AS c
JOIN calls AS k ON c.call_id = k.call_id
GROUP BY c.call_id
ORDER BY first_seen, c.call_id
