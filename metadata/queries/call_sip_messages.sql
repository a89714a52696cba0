-- call_sip_messages: every SIP message of one call, in time order: direction, addresses, start
-- line, method or status, CSeq, From/To, user agent and the whole message (detail, ^M = newline).
-- Columns: direction, syslog_time, host, message, transport, src_address, src_port, dst_address,
-- dst_port, sip_start_line, sip_method, sip_status_code, sip_cseq, sip_from, sip_to,
-- sip_user_agent, call_id, detail, dt, hour.
-- @param call_id string: the SIP Call-ID (the Call-id on the call's conference lines)
WITH params AS (SELECT CAST(? AS varchar) AS call_id)
SELECT m.*
FROM (
  SELECT 'received' AS direction, syslog_time, host, message, transport, src_address, src_port,
         dst_address, dst_port, sip_start_line, sip_method, sip_status_code, sip_cseq, sip_from,
         sip_to, sip_user_agent, call_id, detail, dt, hour
  FROM pexip_logs.support_sip_received
  UNION ALL
  SELECT 'sending' AS direction, syslog_time, host, message, transport, src_address, src_port,
         dst_address, dst_port, sip_start_line, sip_method, sip_status_code, sip_cseq, sip_from,
         sip_to, sip_user_agent, call_id, detail, dt, hour
  FROM pexip_logs.support_sip_sending
  UNION ALL
  SELECT 'other' AS direction, syslog_time, host, message, transport, src_address, src_port,
         dst_address, dst_port, sip_start_line, sip_method, sip_status_code, sip_cseq, sip_from,
         sip_to, sip_user_agent, call_id, detail, dt, hour
  FROM pexip_logs.support_sip_other
) AS m
CROSS JOIN params AS p
WHERE m.call_id = p.call_id
ORDER BY m.syslog_time, m.direction
