-- failed_logins: failed authentications and logins on the nodes (auditd USER_AUTH and
-- USER_LOGIN records with res=failed), per node, account and source address.
-- Columns: node, acct, addr, attempts, first_seen, last_seen. No parameters.
SELECT node, acct, addr, COUNT(*) AS attempts, MIN(syslog_time) AS first_seen,
       MAX(syslog_time) AS last_seen
FROM (
  SELECT node, acct, addr, res, syslog_time FROM pexip_logs.audit_user_auth
  UNION ALL
  SELECT node, acct, addr, res, syslog_time FROM pexip_logs.audit_user_login
) AS a
WHERE res IN ('failed', 'fail', 'no', '0')
GROUP BY node, acct, addr
ORDER BY attempts DESC, last_seen DESC
