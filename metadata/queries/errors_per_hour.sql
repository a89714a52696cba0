-- errors_per_hour: ERROR (and CRITICAL) and WARNING lines per hour and module, across every
-- support table (support and administrator logs). Hours without such lines are not listed.
-- Columns: dt, hour (the UTC hour the lines arrived in), module, errors, warnings.
-- No parameters. Add "WHERE dt >= '2026-01-01'" in the inner SELECTs to scan less on Athena.
SELECT
  dt,
  hour,
  module,
  SUM(CASE WHEN level IN ('ERROR', 'CRITICAL') THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN level = 'WARNING' THEN 1 ELSE 0 END) AS warnings
FROM (
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_alarm WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_conference WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_configuration WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_participantdialer WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_registration WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_sip WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_system WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_system_configuration WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_system_connectivity WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_administrator_upgrade WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_bfcp WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_conferenceservice WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_configuration WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_crypto_keys WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_dns WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_dtmflatcher WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_gms WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_h323_h245 WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_h323_q931 WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_ice WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_media WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_ms_data_conf_ms_data_conf WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_participant WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_participantpresentationmodule WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_rest_received WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_rest_sending WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_rest_other WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_sip_received WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_sip_sending WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_sip_other WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_rtmp WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_teams WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
  UNION ALL
  SELECT dt, hour, level, module FROM pexip_logs.support_other WHERE level IN ('ERROR', 'CRITICAL', 'WARNING')
) AS lines
GROUP BY dt, hour, module
ORDER BY dt, hour, errors DESC, warnings DESC, module
