-- call_rest_exchange: the client REST API requests and responses of one WebRTC call, in time
-- order. Give the call's Call-id (or its participant UUID, the Conversation-id): the exchange is
-- found by the call and participant UUIDs in the request paths and responses, and each request is
-- paired with its response (same path and client port, at most 30 s before it).
-- Columns: direction, syslog_time, host, message, request, uuid, rest_participant_uuid,
-- rest_call_uuid, rest_status, response_code, src_address, src_port, dst_address, dst_port,
-- fwd_address, detail, dt, hour.
-- @param call_id string: the call's Call-id, or its participant UUID
WITH params AS (SELECT CAST(? AS varchar) AS call_id),
ids AS (
  SELECT call_id AS id FROM params
  UNION
  SELECT c.conversation_id AS id
  FROM pexip_logs.support_administrator_conference AS c CROSS JOIN params AS p
  WHERE c.call_id = p.call_id AND c.conversation_id IS NOT NULL
  UNION
  SELECT c.call_id AS id
  FROM pexip_logs.support_administrator_conference AS c CROSS JOIN params AS p
  WHERE c.conversation_id = p.call_id AND c.call_id IS NOT NULL
),
rest AS (
  SELECT 'received' AS direction, syslog_time, host, message, request, uuid, rest_participant_uuid,
         rest_call_uuid, rest_status, response_code, src_address, src_port, dst_address, dst_port,
         fwd_address, detail, dt, hour
  FROM pexip_logs.support_rest_received
  UNION ALL
  SELECT 'sending' AS direction, syslog_time, host, message, request, uuid, rest_participant_uuid,
         rest_call_uuid, rest_status, response_code, src_address, src_port, dst_address, dst_port,
         fwd_address, detail, dt, hour
  FROM pexip_logs.support_rest_sending
  UNION ALL
  SELECT 'other' AS direction, syslog_time, host, message, request, uuid, rest_participant_uuid,
         rest_call_uuid, rest_status, response_code, src_address, src_port, dst_address, dst_port,
         fwd_address, detail, dt, hour
  FROM pexip_logs.support_rest_other
),
matched AS (
  SELECT *
  FROM rest
  WHERE uuid IN (SELECT id FROM ids)
     OR rest_participant_uuid IN (SELECT id FROM ids)
     OR rest_call_uuid IN (SELECT id FROM ids)
),
paired AS (
  SELECT q.*
  FROM rest AS q
  JOIN matched AS r
    ON q.direction = 'received'
   AND r.direction = 'sending'
   AND q.request = r.request
   AND q.src_address = r.dst_address
   AND q.src_port = r.dst_port
   AND q.syslog_time BETWEEN r.syslog_time - INTERVAL '30' SECOND AND r.syslog_time
)
SELECT * FROM matched
UNION
SELECT * FROM paired
ORDER BY syslog_time, direction
