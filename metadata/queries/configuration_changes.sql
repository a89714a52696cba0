-- configuration_changes: who changed the configuration, from where, and what (administrator
-- log), newest first.
-- Columns: syslog_time, host, message, user, remote_address, object_type, object_id, fields,
-- dt, hour. No parameters.
SELECT
  syslog_time,
  host,
  message,
  "user",
  remote_address,
  type AS object_type,
  id AS object_id,
  fields,
  dt,
  hour
FROM pexip_logs.support_administrator_configuration
ORDER BY syslog_time DESC
