"""Syslog side: shipped rsyslog/agent files match the stack's names; rsyslog files lines right."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfn_helpers import as_list, ref_id, resources
from pexlogs_infra.config import PexlogsConfig
from pexlogs_infra.syslog import agent_config, agent_config_json, rsyslog_conf

from pexlogs import parse_line

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "syslog"


def test_shipped_files_are_the_default_rendering() -> None:
    # Regenerate with: python -c "…rsyslog_conf(PexlogsConfig())…" (see docs/deploying.md)
    assert (DEPLOY / "30-pexip.conf").read_text() == rsyslog_conf(PexlogsConfig())
    assert (DEPLOY / "amazon-cloudwatch-agent.json").read_text() == agent_config_json(
        PexlogsConfig()
    )


def test_agent_config_follows_families_and_names() -> None:
    config = PexlogsConfig(families=("support", "audit"), log_group_names={"support": "/x/s"})
    collect = agent_config(config)["logs"]["logs_collected"]["files"]["collect_list"]
    assert [(c["file_path"], c["log_group_name"]) for c in collect] == [
        ("/var/log/pexip/support.log", "/x/s"),
        ("/var/log/pexip/audit.log", "/pexip/audit"),
    ]
    text = rsyslog_conf(config)
    assert 'if $programname == "apache2" then stop' in text
    assert "/var/log/pexip/web.log" not in text


def test_stack_outputs_the_agent_config_and_its_policy(
    templates: dict[str, dict[str, Any]], synth: Any
) -> None:
    template = templates["Full"]
    outputs = template["Outputs"]
    assert json.loads(outputs["CloudWatchAgentConfig"]["Value"]) == agent_config(
        synth.configs["Full"]
    )
    (policy,) = resources(template, "AWS::IAM::ManagedPolicy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    }
    raw_groups = {
        lid for lid in resources(template, "AWS::Logs::LogGroup") if lid.startswith("LogGroups")
    }
    assert {ref_id(r) for r in as_list(statement["Resource"])} == raw_groups


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """rsyslogd running the shipped configuration on a free port, writing under tmp_path."""
    binary = shutil.which("rsyslogd") or shutil.which("/usr/sbin/rsyslogd")
    if binary is None:
        pytest.skip("rsyslogd is not installed")
    port = _free_udp_port()
    conf = (DEPLOY / "30-pexip.conf").read_text()
    conf = conf.replace('port="514"', f'port="{port}"').replace("/var/log/pexip", str(tmp_path))
    conf = f'global(workDirectory="{tmp_path}")\n' + conf
    (tmp_path / "rsyslog.conf").write_text(conf)
    check = subprocess.run(
        [binary, "-N1", "-f", str(tmp_path / "rsyslog.conf")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [binary, "-n", "-f", str(tmp_path / "rsyslog.conf"), "-i", str(tmp_path / "pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        yield port, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_rsyslog_files_each_family_in_the_grammar_the_parser_reads(
    rsyslog: tuple[int, Path],
) -> None:
    port, folder = rsyslog
    # GIVEN syslog datagrams as Pexip nodes send them (RFC 3164; support lines carry no tag)
    sent = {
        "support": '<134>Jun  8 07:58:12 pxpmgmt 2021-06-08 07:58:12,304 Level="INFO" '
        'Name="administrator.configuration" Message="Object modified" User="admin" '
        'Remote-address="10.1.0.55" Remote-port="52814" Type="conference" Id="14" Fields="pin"',
        "audit": "<110>Jun  8 07:58:13 pxpconf01 audispd: node=pxpconf01.example.com "
        "type=USER_LOGIN msg=audit(1623139093.123:456): pid=1 uid=0 auid=4294967295 "
        'ses=4294967295 msg=\'op=login acct="admin" exe="/usr/sbin/sshd" hostname=? '
        "addr=10.0.0.9 terminal=ssh res=success'",
        "web": "<134>Jun  8 07:58:14 pxpconf01 apache2: 10.0.0.1 - - [08/Jun/2021:07:58:14 "
        '+0000] "GET /admin/ HTTP/1.1" 200 123 "-" "curl/7.68.0"',
    }
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for message in sent.values():
            sender.sendto(message.encode(), ("127.0.0.1", port))
    # WHEN rsyslog has written them
    deadline = time.time() + 10
    while time.time() < deadline and not all((folder / f"{f}.log").exists() for f in sent):
        time.sleep(0.2)
    time.sleep(0.5)
    # THEN each family's file has its one line, which the shared parser reads into a table
    for family in sent:
        (line,) = (folder / f"{family}.log").read_text().splitlines()
        record = parse_line(line, family)
        assert record["table"] != "unparsed_lines", (family, line, record)
        assert record["table"].startswith(f"{family}_")
