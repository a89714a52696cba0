"""The syslog server side: rsyslog files each family's lines, the CloudWatch agent ships them.

:func:`rsyslog_conf` and :func:`agent_config` render both files for a deployment's families and
log group names. ``deploy/syslog/`` holds them rendered with the defaults (a test keeps them in
step), and the stack outputs the agent configuration rendered with its own names.
"""

from __future__ import annotations

import json
from typing import Any

from pexlogs_infra.config import PexlogsConfig

__all__ = ["LOG_DIR", "PROGRAMS", "agent_config", "agent_config_json", "rsyslog_conf"]

LOG_DIR = "/var/log/pexip"

#: The syslog program name that marks each family's lines; support is everything else.
PROGRAMS = {"audit": "audispd", "web": "apache2"}

_RSYSLOG_HEAD = """\
# pexlogs: file the Pexip Infinity nodes' syslog into one file per log family, for the
# CloudWatch agent (amazon-cloudwatch-agent.json) to ship to CloudWatch Logs.
# Install as /etc/rsyslog.d/30-pexip.conf, then: systemctl restart rsyslog
# Point every Pexip node's syslog (Platform > Syslog servers) at this host, UDP or TCP 514,
# with the support, audit and web logs enabled.

# Long SIP/H.323 dumps arrive as single long lines.
global(maxMessageSize="64k")

module(load="imudp")
module(load="imtcp")
input(type="imudp" port="514" ruleset="pexip")
input(type="imtcp" port="514" ruleset="pexip")

# "<ISO-8601 time this server received it> <host> <the line as sent>": the grammar pexlogs parses.
# %syslogtag% + %msg% give back the sender's text whether or not it carries a program tag.
template(name="PexipLine" type="string"
         string="%timegenerated:::date-rfc3339% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\\n")

ruleset(name="pexip") {
"""


def _file(family: str) -> str:
    return f"{LOG_DIR}/{family}.log"


def rsyslog_conf(config: PexlogsConfig) -> str:
    """``/etc/rsyslog.d/30-pexip.conf``: one file per configured family under ``/var/log/pexip``."""
    parts = [_RSYSLOG_HEAD]
    for family, program in PROGRAMS.items():
        if family in config.families:
            parts.append(
                f'  if $programname == "{program}" then {{\n'
                f'    action(type="omfile" file="{_file(family)}" template="PexipLine")\n'
                "    stop\n"
                "  }\n"
            )
        else:
            parts.append(
                f"  # {family} is not processed by this deployment: drop its lines.\n"
                f'  if $programname == "{program}" then stop\n'
            )
    if "support" in config.families:
        parts.append(
            "  # Everything else is the support (and administrator) log.\n"
            f'  action(type="omfile" file="{_file("support")}" template="PexipLine")\n'
        )
    else:
        parts.append("  # support is not processed by this deployment: other lines are dropped.\n")
    parts.append("}\n")
    return "".join(parts)


def agent_config(config: PexlogsConfig) -> dict[str, Any]:
    """The CloudWatch agent's configuration: each family's file to its log group, one stream."""
    return {
        "agent": {"run_as_user": "root"},
        "logs": {
            "logs_collected": {
                "files": {
                    "collect_list": [
                        {
                            "file_path": _file(family),
                            "log_group_name": config.log_group_name(family),
                            "log_stream_name": "{hostname}",
                            "log_group_class": "STANDARD",
                            "encoding": "utf-8",
                        }
                        for family in config.families
                    ]
                }
            },
            "force_flush_interval": 5,
        },
    }


def agent_config_json(config: PexlogsConfig) -> str:
    """:func:`agent_config` as the file's text (2-space JSON, trailing newline)."""
    return json.dumps(agent_config(config), indent=2) + "\n"
