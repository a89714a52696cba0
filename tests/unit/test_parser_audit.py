"""Audit family parser: routing by record type, typing, msg='…' flattening, hex, ?/(null), 0x1D."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pexlogs import parse_line
from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser.audit import (
    AUDIT_FALLBACK_TABLE,
    audit_table_for_type,
    decode_hex_field,
    parse_audit_line,
)
from pexlogs.schema import load_registry

HEADER = "2021-03-07T10:50:32.375+00:00 pxpconf01 audispd: node=pxpconf01.example.com"
STAMP = "msg=audit(1615114232.375:15558):"


def audit(record_type: str, body: str = "") -> str:
    return f"{HEADER} type={record_type} {STAMP} {body}".rstrip()


def assert_fits_table(rec: dict[str, object]) -> None:
    """A record has exactly its table's columns plus "table"."""
    table = load_registry().table(str(rec["table"]))
    assert set(rec) == {*table.column_names, "table"}


# --- routing -------------------------------------------------------------------------------------


def routed_types() -> list[tuple[str, str]]:
    return sorted(
        (t.route["type"], t.name)
        for t in load_registry().tables_for_family("audit")
        if "type" in t.route
    )


@pytest.mark.parametrize(("record_type", "table"), routed_types())
def test_every_registered_type_routes_to_its_table(record_type: str, table: str) -> None:
    # GIVEN a minimal record of a type the registry routes
    # WHEN it is parsed
    rec = parse_line(audit(record_type, "pid=1"), "audit")
    # THEN it lands in that type's table with the table's exact columns
    assert rec["table"] == table
    assert rec["type"] == record_type
    assert_fits_table(rec)


def test_registry_covers_every_2019_audit_type() -> None:
    types_2019 = [
        "ADD_GROUP", "ADD_USER", "AVC", "CAPSET", "CONFIG_CHANGE", "CRED_ACQ", "CRED_DISP", "CWD",
        "EOE", "EXECVE", "IPC", "LOGIN", "MAC_IPSEC_EVENT", "MMAP", "NETFILTER_CFG", "OBJ_PID",
        "PATH", "PROCTITLE", "SERVICE_START", "SERVICE_STOP", "SOCKADDR", "SYSCALL",
        "SYSTEM_RUNLEVEL", "USER_ACCT", "USER_AUTH", "USER_AVC", "USER_CHAUTHTOK", "USER_END",
        "USER_START",
    ]  # fmt: skip
    for record_type in types_2019:
        assert audit_table_for_type(record_type) == f"audit_{record_type.lower()}"


def test_unknown_type_goes_to_audit_other_with_every_field() -> None:
    rec = parse_line(audit("UNKNOWN[1420]", 'subj_apparmor=unconfined name="x y" k=?'), "audit")
    assert rec["table"] == AUDIT_FALLBACK_TABLE
    assert rec["type"] == "UNKNOWN[1420]"
    # fields are as logged minus quotes: the generic table applies no typing
    assert rec["fields"] == {"subj_apparmor": "unconfined", "name": "x y", "k": "?"}
    assert rec["serial"] == 15558
    assert_fits_table(rec)


# --- header and typing ---------------------------------------------------------------------------


def test_header_time_serial_and_64bit_ids() -> None:
    line = audit(
        "SYSCALL",
        "arch=c000003e syscall=59 success=yes exit=-115 a0=6 items=2 ppid=10883 pid=10884 "
        'auid=4294967295 uid=0 tty=(none) ses=4294967295 comm="whoami" exe="/usr/bin/whoami" '
        "key=(null)",
    )
    rec = parse_audit_line(line)
    assert rec["syslog_time"] == datetime(2021, 3, 7, 10, 50, 32, 375000, tzinfo=UTC)
    assert rec["host"] == "pxpconf01"
    assert rec["node"] == "pxpconf01.example.com"
    assert rec["audit_time"] == datetime(2021, 3, 7, 10, 50, 32, 375000, tzinfo=UTC)
    assert rec["serial"] == 15558
    assert rec["auid"] == 4294967295 and rec["ses"] == 4294967295
    assert rec["syscall"] == 59 and rec["pid"] == 10884 and rec["exit"] == -115
    assert rec["success"] is True
    # unquoted (none)/(null) mean "no value"
    assert rec["tty"] is None and rec["key"] is None
    assert rec["comm"] == "whoami" and rec["exe_decoded"] == "/usr/bin/whoami"
    assert rec["extra"] is None


def test_value_that_does_not_fit_its_type_is_kept_in_extra() -> None:
    # interpreted logs write names where numbers belong: nothing is lost
    rec = parse_audit_line(audit("SYSCALL", "syscall=execve auid=vagrant pid=7"))
    assert rec["syscall"] is None and rec["auid"] is None
    assert rec["extra"] == {"syscall": "execve", "auid": "vagrant"}
    assert rec["pid"] == 7


def test_undeclared_keys_go_to_extra_and_duplicates_keep_the_last() -> None:
    rec = parse_audit_line(audit("CWD", 'cwd="/a" cwd="/b" brand_new=1'))
    assert rec["cwd"] == "/b"
    assert rec["extra"] == {"brand_new": "1"}


def test_keys_named_like_common_columns_do_not_overwrite_them() -> None:
    rec = parse_audit_line(audit("CWD", 'cwd="/a" host=evil extra=x serial=9'))
    assert rec["host"] == "pxpconf01" and rec["serial"] == 15558
    assert rec["extra"] == {"host_field": "evil", "extra_field": "x", "serial_field": "9"}


def test_bare_auditd_line_without_syslog_header() -> None:
    rec = parse_audit_line('type=CWD msg=audit(1493129355.852:624): cwd="/home/a"')
    assert rec["table"] == "audit_cwd"
    assert rec["syslog_time"] is None and rec["host"] is None and rec["node"] is None
    assert rec["cwd"] == "/home/a"


def test_record_without_audit_stamp() -> None:
    rec = parse_line(f"{HEADER} type=UNKNOWN[1329] msg=?", "audit")
    assert rec["table"] == "audit_other"
    assert rec["audit_time"] is None and rec["serial"] is None
    assert rec["fields"] == {"msg": "?"}


# --- msg='…' (user space) ------------------------------------------------------------------------


def test_user_space_msg_is_flattened_and_question_marks_are_null() -> None:
    line = audit(
        "USER_AUTH",
        "pid=1298 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0 "
        'msg=\'op=pubkey_auth rport=63927 acct="andrew" exe="/usr/sbin/sshd" hostname=? '
        "addr=96.241.146.97 terminal=? res=success'",
    )
    rec = parse_audit_line(line)
    assert rec["table"] == "audit_user_auth"
    assert rec["op"] == "pubkey_auth" and rec["rport"] == 63927
    assert rec["acct"] == "andrew" and rec["acct_decoded"] == "andrew"
    assert rec["hostname"] is None and rec["terminal"] is None
    assert rec["addr"] == "96.241.146.97" and rec["res"] == "success"
    assert rec["pid"] == 1298 and rec["extra"] is None


def test_quoted_question_mark_is_kept_as_logged() -> None:
    rec = parse_audit_line(audit("USER_ERR", "pid=1 msg='op=PAM:bad_ident acct=\"?\" res=failed'"))
    assert rec["acct"] == "?"


def test_inner_keys_that_clash_with_the_header_are_prefixed() -> None:
    line = audit(
        "USER_AVC",
        "pid=1169 uid=0 auid=4294967295 ses=4294967295 subj=system_u:unconfined_r:unconfined_t "
        "msg='avc:  denied  { getfocus } for request=X11:GetInputFocus comm=X-setest "
        'scontext=a_t tcontext=b_t tclass=x_keyboard exe="/usr/bin/Xorg" sauid=0 auid=1000 '
        "uid=500'",
    )
    rec = parse_audit_line(line)
    assert rec["auid"] == 4294967295 and rec["msg_auid"] == 1000
    assert rec["uid"] == 0 and rec["msg_uid"] == 500
    assert rec["seresult"] == "denied" and rec["seperms"] == ["getfocus"]
    assert rec["tclass"] == "x_keyboard" and rec["sauid"] == 0
    assert rec["msg_text"] == "avc: denied { getfocus } for"


def test_free_text_words_are_kept() -> None:
    rec = parse_audit_line(
        audit(
            "DAEMON_START", "auditd start, ver=2.4.1 format=raw auid=4294967295 pid=251 res=success"
        )
    )
    assert rec["text"] == "auditd start,"
    assert rec["ver"] == "2.4.1" and rec["pid"] == 251


def test_2007_style_parenthesised_user_message() -> None:
    rec = parse_audit_line(
        audit(
            "USER_START",
            "user pid=13015 uid=0 auid=0 msg='PAM: session open acct=root : "
            'exe="/usr/sbin/crond" (hostname=?, addr=?, terminal=cron res=success)\'',
        )
    )
    assert rec["hostname"] is None and rec["addr"] is None
    assert rec["terminal"] == "cron" and rec["res"] == "success"
    assert rec["msg_text"] == "PAM: session open :"
    assert rec["text"] == "user"


def test_selinux_avc_permissions() -> None:
    rec = parse_audit_line(
        audit(
            "AVC",
            'avc:  denied  { read write } for  pid=13010 comm="pickup" name="maildrop" '
            "dev=hda7 ino=14911367 scontext=s_t tcontext=t_t tclass=dir",
        )
    )
    assert rec["seresult"] == "denied" and rec["seperms"] == ["read", "write"]
    assert rec["ino"] == 14911367 and rec["name_decoded"] == "maildrop"


# --- hex -----------------------------------------------------------------------------------------


def test_proctitle_hex_is_decoded_with_nuls_as_spaces() -> None:
    raw = "76696D002F6574632F61756469742F72756C65732E642F61756469742E72756C6573"
    rec = parse_audit_line(audit("PROCTITLE", f"proctitle={raw}"))
    assert rec["proctitle"] == raw
    assert rec["proctitle_decoded"] == "vim /etc/audit/rules.d/audit.rules"


def test_quoted_value_is_not_hex_decoded() -> None:
    # "CAFE" quoted is a literal name, not hex
    rec = parse_audit_line(audit("PROCTITLE", 'proctitle="CAFE"'))
    assert rec["proctitle_decoded"] == "CAFE"


@pytest.mark.parametrize(
    ("record_type", "body", "column", "expected"),
    [
        ("CWD", "cwd=2F746D702F6120622063", "cwd_decoded", "/tmp/a b c"),
        ("USER_LOGIN", "msg='acct=28696E76616C6964207573657229 res=failed'", "acct_decoded", "(invalid user)"),
        ("USER_CMD", "msg='cwd=\"/\" cmd=73756461202D69 res=success'", "cmd_decoded", "suda -i"),
        ("PATH", "item=0 name=2F746D702F612062", "name_decoded", "/tmp/a b"),
        ("SYSCALL", "exe=2F7573722F62696E2F612062", "exe_decoded", "/usr/bin/a b"),
    ],
)  # fmt: skip
def test_hex_fields_get_a_decoded_column(
    record_type: str, body: str, column: str, expected: str
) -> None:
    assert parse_audit_line(audit(record_type, body))[column] == expected


def test_decode_hex_field_keeps_undecodable_bytes_visible() -> None:
    assert decode_hex_field("FF41") == "\\xffA"
    assert decode_hex_field("beef") == "beef"  # lower case is not auditd's hex
    assert decode_hex_field("ABC") == "ABC"  # odd length is not hex
    assert decode_hex_field(None) is None


def test_execve_arguments_joined_and_decoded() -> None:
    # a2 is a long argument auditd split into hex pieces a2[0], a2[1]
    body = 'argc=3 a0="jq" a1=2E20 a2_len=10 a2[0]=7B0A2022 a2[1]=6465762220'
    rec = parse_audit_line(audit("EXECVE", body))
    assert rec["argc"] == 3
    assert rec["args"] == ["jq", ". ", '{\n "dev" ']
    assert rec["cmdline"] == 'jq .  {\n "dev" '
    assert rec["args_raw"] == {
        "a0": '"jq"',
        "a1": "2E20",
        "a2_len": "10",
        "a2[0]": "7B0A2022",
        "a2[1]": "6465762220",
    }
    assert rec["extra"] is None


def test_execve_with_many_arguments_keeps_them_all() -> None:
    body = "argc=216 " + " ".join(f'a{i}="--x{i}"' for i in range(216))
    rec = parse_audit_line(audit("EXECVE", body))
    assert len(rec["args"]) == 216 and rec["args"][215] == "--x215"


def test_sockaddr_is_decoded() -> None:
    inet = parse_audit_line(audit("SOCKADDR", "saddr=02000050A9FEA9FE0000000000000000"))
    assert (inet["saddr_family"], inet["saddr_addr"], inet["saddr_port"]) == (
        "inet",
        "169.254.169.254",
        80,
    )
    inet6 = parse_audit_line(
        audit("SOCKADDR", "saddr=0A000016000000000000000000000000000000000000000100000000")
    )
    assert (inet6["saddr_family"], inet6["saddr_addr"], inet6["saddr_port"]) == ("inet6", "::1", 22)
    local = parse_audit_line(audit("SOCKADDR", "saddr=01002F72756E2F78000000"))
    assert (local["saddr_family"], local["saddr_addr"]) == ("local", "/run/x")


def test_netfilter_table_key_is_renamed_not_lost() -> None:
    rec = parse_audit_line(audit("NETFILTER_CFG", "table=filter family=2 entries=0"))
    assert rec["table"] == "audit_netfilter_cfg"
    assert rec["table_name"] == "filter" and rec["family"] == 2 and rec["entries"] == 0


# --- 0x1D enriched records -----------------------------------------------------------------------


def test_enriched_fields_after_group_separator() -> None:
    line = audit(
        "SYSCALL", 'syscall=59 auid=1000 key=(null)\x1dARCH=x86_64 SYSCALL=execve AUID="user"'
    )
    rec = parse_audit_line(line)
    assert rec["syscall"] == 59 and rec["auid"] == 1000
    assert rec["enriched"] == {"ARCH": "x86_64", "SYSCALL": "execve", "AUID": "user"}
    assert rec["extra"] is None


# --- quarantine ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        audit("USER_START", 'pid=1 msg=\'op=PAM:session_open acct="root" exe="/usr/sb'),
        audit("SYSCALL", 'comm="who'),
        "2021-03-07T10:50:32.375+00:00 pxpconf01 audispd: something else entirely",
        "not an audit line",
        "",
    ],
    ids=["msg-cut-off", "quote-cut-off", "no-type", "no-header", "empty"],
)
def test_unparseable_lines_are_quarantined(line: str) -> None:
    with pytest.raises(UnparseableLineError):
        parse_audit_line(line)
    rec = parse_line(line, "audit")
    assert rec["table"] == "unparsed_lines"
    assert rec["family"] == "audit" and rec["raw_line"] == line and rec["reason"]


def test_stray_quote_after_last_value_is_kept_not_quarantined() -> None:
    rec = parse_audit_line(audit("EXECVE", 'argc=1 a0="docker"\''))
    assert rec["args"] == ["docker"] and rec["text"] == "'"


# --- the shared samples --------------------------------------------------------------------------


def test_shared_audit_samples(shared_samples: Path) -> None:
    # GIVEN the real public auditd lines (hostile cases included), split on \n only
    lines = (shared_samples / "public" / "audit.public.log").read_bytes().split(b"\n")
    lines = [raw.decode("utf-8") for raw in lines if raw]
    # WHEN each is parsed
    records = [parse_line(line, "audit") for line in lines]
    # THEN every line is one record that fits its table, none quarantined,
    # and only genuinely unknown types are in audit_other
    assert len(records) == len(lines)
    for rec in records:
        assert_fits_table(rec)
    assert not [r for r in records if r["table"] == "unparsed_lines"]
    other = {r["type"] for r in records if r["table"] == "audit_other"}
    assert all(t.startswith("UNKNOWN[") or t == "CKADDR" for t in other)
    enriched = [r for r in records if r["enriched"]]
    assert len(enriched) == 1 and enriched[0]["enriched"]["SYSCALL"] == "execve"


# --- properties ----------------------------------------------------------------------------------

_AUDIT_TABLES = {t.name for t in load_registry().tables_for_family("audit")} | {"unparsed_lines"}
_KEY = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from("bcdefghijklnopqrsuvwxyz"),  # not a (EXECVE args), m (msg), t (table)
    st.text("abcdefghijklmnopqrstuvwxyz0123456789_", max_size=10),
)
# Quoted values never hold a quote or newline (auditd hex-encodes those); bare ones no space.
_QUOTED = st.text(
    st.characters(blacklist_characters='"\n\x1d', blacklist_categories=("Cs",)), max_size=20
)
_BARE = st.text("ABCXYZabcxyz0189_.:/,+-", min_size=1, max_size=16)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_exactly_one_fitting_record(text: str) -> None:
    for line in (text, audit("SYSCALL", text), audit("USER_AUTH", f"msg='{text}'")):
        rec = parse_line(line, "audit")
        assert rec["table"] in _AUDIT_TABLES
        assert_fits_table(rec)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        _KEY,
        st.one_of(_QUOTED.map(lambda v: (v, True)), _BARE.map(lambda v: (v, False))),
        max_size=8,
    )
)
def test_fields_of_unknown_types_round_trip(pairs: dict[str, tuple[str, bool]]) -> None:
    # GIVEN an unknown record type with arbitrary quoted and bare values
    body = " ".join(f'{k}="{v}"' if quoted else f"{k}={v}" for k, (v, quoted) in pairs.items())
    # WHEN parsed THEN every value comes back exactly (minus the quotes) in fields
    rec = parse_line(audit("NEW_TYPE", body), "audit")
    assert rec["table"] == "audit_other"
    assert rec["fields"] == {k: v for k, (v, _) in pairs.items()}


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(
            st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
            min_size=1,
            max_size=12,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_hex_encoded_proctitle_round_trips(argv: list[str]) -> None:
    # auditd hex-encodes the argv, NUL-separated; decoded argv joined by spaces comes back
    raw = "\x00".join(argv).encode("utf-8").hex().upper()
    rec = parse_audit_line(audit("PROCTITLE", f"proctitle={raw}"))
    assert rec["proctitle"] == raw
    assert rec["proctitle_decoded"] == " ".join(argv)
