-- call_ids_per_hour: every call id seen in each hour, with how many support lines carry it
-- (SIP messages, ICE, media, participant and conference lines...; H.323 lines by their Uuid) and
-- how many of those are SIP messages. REST lines are matched by call_rest_exchange instead.
-- Columns: dt, hour, call_id, messages, sip_messages, modules, first_seen, last_seen.
-- No parameters.
SELECT
  dt,
  hour,
  call_id,
  COUNT(*) AS messages,
  SUM(CASE WHEN module = 'support.sip' THEN 1 ELSE 0 END) AS sip_messages,
  COUNT(DISTINCT module) AS modules,
  MIN(syslog_time) AS first_seen,
  MAX(syslog_time) AS last_seen
FROM (
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_alarm
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_conference
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_configuration
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_participantdialer
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_registration
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_sip
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_system
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_system_configuration
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_system_connectivity
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_administrator_upgrade
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_bfcp
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_conferenceservice
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_configuration
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_crypto_keys
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_dns
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_dtmflatcher
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_gms
  UNION ALL
  SELECT dt, hour, COALESCE(call_id, uuid) AS call_id, module, syslog_time FROM pexip_logs.support_h323_h245
  UNION ALL
  SELECT dt, hour, COALESCE(call_id, uuid) AS call_id, module, syslog_time FROM pexip_logs.support_h323_q931
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_ice
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_media
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_ms_data_conf_ms_data_conf
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_participant
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_participantpresentationmodule
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_rest_received
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_rest_sending
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_rest_other
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_sip_received
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_sip_sending
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_sip_other
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_rtmp
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_teams
  UNION ALL
  SELECT dt, hour, call_id AS call_id, module, syslog_time FROM pexip_logs.support_other
) AS lines
WHERE call_id IS NOT NULL AND call_id NOT IN ('', 'None')
GROUP BY dt, hour, call_id
ORDER BY dt, hour, first_seen, call_id
