"""Web family parser: Apache combined/common format and its variants, garbage requests, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pexlogs import parse_line
from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser.web import parse_apache_time, parse_request_line, parse_web_line
from pexlogs.schema import load_registry

HEADER = "2019-07-04T07:20:46.000+00:00 pxpconf01 apache2:"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/75.0"


def web(access: str) -> str:
    return f"{HEADER} {access}"


def assert_fits_table(rec: dict[str, object]) -> None:
    assert set(rec) == {*load_registry().table("web_access").column_names, "table"}


def test_combined_format() -> None:
    rec = parse_line(
        web(
            '10.1.0.55 - - [04/Jul/2019:09:20:46 +0200] "GET /admin/?a=1 HTTP/1.1" 200 32953 '
            f'"https://mgr/" "{UA}"'
        ),
        "web",
    )
    assert rec["table"] == "web_access"
    assert_fits_table(rec)
    assert rec["syslog_time"] == datetime(2019, 7, 4, 7, 20, 46, tzinfo=UTC)
    assert rec["host"] == "pxpconf01"
    assert rec["remote_host"] == "10.1.0.55" and rec["remote_port"] is None
    assert rec["ident"] is None and rec["remote_user"] is None
    # %t is converted to UTC
    assert rec["time"] == datetime(2019, 7, 4, 7, 20, 46, tzinfo=UTC)
    assert rec["request"] == "GET /admin/?a=1 HTTP/1.1"
    assert (rec["method"], rec["path"], rec["protocol"]) == ("GET", "/admin/?a=1", "HTTP/1.1")
    assert rec["status"] == 200 and rec["bytes"] == 32953
    assert rec["referer"] == "https://mgr/" and rec["user_agent"] == UA
    assert rec["vhost"] is None and rec["pid"] is None
    assert rec["extra"] is None


def test_common_format_with_ident_and_user_and_dash_bytes() -> None:
    rec = parse_web_line(
        web(
            '127.0.0.1 user-identity frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 304 -'
        )
    )
    assert rec["ident"] == "user-identity" and rec["remote_user"] == "frank"
    assert rec["time"] == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)
    assert rec["bytes"] is None and rec["status"] == 304
    assert rec["referer"] is None and rec["user_agent"] is None


def test_vhost_prefix() -> None:
    rec = parse_web_line(
        web('vhost1.example.com 123.1.2.3 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 5')
    )
    assert rec["vhost"] == "vhost1.example.com" and rec["vhost_port"] is None
    assert rec["remote_host"] == "123.1.2.3"


def test_vhost_and_remote_with_ports() -> None:
    rec = parse_web_line(
        web(
            "pexip.example.com:443 192.168.33.2:51111 - - [26/Dec/2016:16:22:14 +0000] "
            '"GET /hello HTTP/1.1" 404 499 "-" "-"'
        )
    )
    assert (rec["vhost"], rec["vhost_port"]) == ("pexip.example.com", 443)
    assert (rec["remote_host"], rec["remote_port"]) == ("192.168.33.2", 51111)
    assert rec["referer"] is None and rec["user_agent"] is None


def test_ipv6_remote_host_is_not_split_at_a_colon() -> None:
    rec = parse_web_line(
        web('2a02:cf40:add:4002::6fc6 - - [29/May/2017:19:02:48 +0000] "GET / HTTP/1.1" 200 612')
    )
    assert rec["remote_host"] == "2a02:cf40:add:4002::6fc6" and rec["remote_port"] is None


def test_pexip_variant_with_pid_and_bytes_in_out() -> None:
    rec = parse_web_line(
        web(
            '10.0.0.9 - admin [04/Jul/2019:09:20:46 +0000] "POST /api/admin/configuration/v1/'
            f'conference/ HTTP/1.1" 201 0 "-" "{UA}" 2211 1534 412'
        )
    )
    assert (rec["pid"], rec["bytes_in"], rec["bytes_out"]) == (2211, 1534, 412)
    assert rec["remote_user"] == "admin" and rec["status"] == 201 and rec["bytes"] == 0
    assert rec["extra"] is None


def test_combinedio_bytes_in_out() -> None:
    rec = parse_web_line(
        web(f'10.0.0.9 - - [04/Jul/2019:09:20:46 +0000] "GET / HTTP/1.1" 200 10 "-" "{UA}" 300 700')
    )
    assert (rec["pid"], rec["bytes_in"], rec["bytes_out"]) == (None, 300, 700)


def test_syslog_tag_pid() -> None:
    line = (
        "2019-07-04T07:20:46.000+00:00 pxpconf01 apache2[4242]: "
        '10.0.0.9 - - [04/Jul/2019:09:20:46 +0000] "GET / HTTP/1.1" 200 10'
    )
    assert parse_web_line(line)["pid"] == 4242


def test_unknown_tail_fields_are_kept_in_extra() -> None:
    rec = parse_web_line(
        web(
            '1.2.3.4 - - [29/May/2017:19:02:48 +0000] "GET / HTTP/1.1" 200 612 3413 "-" "ua" '
            '"third" X-Forwarded-For="10.225.192.17, 10.2.2.121" odd Status="x"'
        )
    )
    assert rec["status"] == 200
    assert rec["user_agent"] == "ua"
    assert rec["x_forwarded_for"] == "10.225.192.17, 10.2.2.121"
    assert rec["extra"] == {
        "status_field": "x",
        "quoted_3": "third",
        "number_1": "3413",
        "field_1": "odd",
    }


@pytest.mark.parametrize(
    "request_line",
    [
        "-",
        "\\x16\\x03\\x03\\x01\\x8f\\x01",
        "<SCRIPT>NXSSTEST</SCRIPT> / HTTP/1.1",
        "- - HTTP/1.0",
        "\\n",
        "GET /",
        "",
    ],
)
def test_garbage_request_still_lands_in_web_access(request_line: str) -> None:
    # GIVEN a garbage request line (TLS bytes sent to the HTTP port, a probe, an empty request)
    rec = parse_line(
        web(f'127.0.0.1:80 - - [13/Nov/2023:10:44:01 +0000] "{request_line}" 400 3386 "-" "-"'),
        "web",
    )
    # THEN it is still an access-log row, with the request kept raw and no method/path/protocol
    assert rec["table"] == "web_access"
    assert rec["request"] == request_line
    assert rec["method"] is None and rec["path"] is None and rec["protocol"] is None
    assert rec["status"] == 400 and rec["remote_port"] == 80


def test_escaped_quotes_inside_fields() -> None:
    rec = parse_web_line(
        web(
            '1.2.3.4 - - [04/Jul/2019:09:20:46 +0000] "GET /q?\\"x\\" HTTP/1.1" 200 1 '
            '"-" "evil \\"agent\\" 1.0"'
        )
    )
    assert rec["path"] == '/q?\\"x\\"'
    assert rec["user_agent"] == 'evil \\"agent\\" 1.0'


def test_unescaped_quote_in_request_from_old_apache() -> None:
    rec = parse_web_line(
        web('1.2.3.4 - - [04/Jul/2019:09:20:46 +0000] "GET /a"b HTTP/1.0" 200 1 "-" "ua"')
    )
    assert rec["request"] == 'GET /a"b HTTP/1.0' and rec["path"] == '/a"b'
    assert rec["user_agent"] == "ua"


def test_bare_access_log_line_without_syslog_header() -> None:
    rec = parse_web_line('::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209')
    assert rec["syslog_time"] is None and rec["host"] is None
    assert rec["remote_host"] == "::1"
    assert rec["time"] == datetime(2016, 12, 26, 14, 16, 29, tzinfo=UTC)


def test_unreadable_time_is_kept_in_extra() -> None:
    rec = parse_web_line(web('1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 1'))
    assert rec["time"] is None and rec["extra"] == {"time": "yesterday"}


@pytest.mark.parametrize(
    "line",
    [
        web('1.2.3.4 - - [04/Jul/2019:09:20:46 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (Wi'),
        web('1.2.3.4 - - [04/Jul/2019:09:20:46 +0000] "GET / HTT'),
        web("AH00558: apache2: Could not reliably determine the server's fully qualified name"),
        "",
    ],
    ids=["ua-cut-off", "request-cut-off", "error-log-line", "empty"],
)
def test_lines_that_are_not_access_log_lines_are_quarantined(line: str) -> None:
    with pytest.raises(UnparseableLineError):
        parse_web_line(line)
    rec = parse_line(line, "web")
    assert rec["table"] == "unparsed_lines" and rec["raw_line"] == line


def test_error_log_line_via_syslog_goes_to_web_error() -> None:
    line = (
        "2026-01-05T09:25:18.000+00:00 pexmgmt01 apache2[1234]: [ssl:warn] [pid 1234:tid 140] "
        "AH01909: pexmgmt01:443:0 server certificate does NOT include an ID"
    )
    rec = parse_line(line, "web")
    assert rec["table"] == "web_error"
    assert set(rec) == {*load_registry().table("web_error").column_names, "table"}
    assert (rec["module"], rec["level"], rec["pid"], rec["tid"]) == ("ssl", "warn", 1234, "140")
    assert rec["error_code"] == "AH01909" and rec["time"] is None
    assert rec["message"] == "pexmgmt01:443:0 server certificate does NOT include an ID"


def test_error_log_line_with_time_and_client() -> None:
    rec = parse_web_line(
        web(
            "[Mon Jan 05 09:25:18.123456 2026] [core:error] [pid 99] [client 10.0.0.1:5123] "
            "AH00126: Invalid URI in request GET /../x HTTP/1.1"
        )
    )
    assert rec["table"] == "web_error"
    assert rec["time"] == datetime(2026, 1, 5, 9, 25, 18, 123456, tzinfo=UTC)
    assert (rec["remote_host"], rec["remote_port"]) == ("10.0.0.1", 5123)
    assert rec["message"] == "Invalid URI in request GET /../x HTTP/1.1"


def test_apache_2_2_error_log_line() -> None:
    rec = parse_web_line(
        "[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration"
    )
    assert rec["table"] == "web_error"
    assert (rec["module"], rec["level"], rec["remote_host"]) == (None, "error", "127.0.0.1")
    assert rec["error_code"] is None and rec["message"] == "client denied by server configuration"


def test_parse_apache_time() -> None:
    assert parse_apache_time("14/Jun/2024:12:20:12 +0530") == datetime(
        2024, 6, 14, 6, 50, 12, tzinfo=UTC
    )
    assert parse_apache_time("14/Foo/2024:12:20:12 +0530") is None
    assert parse_apache_time("garbage") is None


def test_parse_request_line() -> None:
    assert parse_request_line("OPTIONS * HTTP/1.1") == ("OPTIONS", "*", "HTTP/1.1")
    assert parse_request_line("GET /a b HTTP/1.1") == ("GET", "/a b", "HTTP/1.1")
    assert parse_request_line("GET / FTP/1.0") == (None, None, None)


def test_auto_family_detects_web_by_tag() -> None:
    rec = parse_line(web('1.2.3.4 - - [04/Jul/2019:09:20:46 +0000] "GET / HTTP/1.1" 200 1'))
    assert rec["table"] == "web_access"


def test_shared_web_samples(shared_samples: Path) -> None:
    # GIVEN the real public access-log lines: vhosts, IPv6, TLS bytes, "-", probes
    raw = (shared_samples / "public" / "web.public.log").read_bytes().split(b"\n")
    lines = [r.decode("utf-8") for r in raw if r]
    records = [parse_line(line, "auto") for line in lines]
    # THEN every one is a web_access row with a time and a status
    assert len(records) == len(lines)
    for rec in records:
        assert rec["table"] == "web_access", rec
        assert_fits_table(rec)
        assert rec["time"] is not None and rec["status"] is not None
    garbage = [r for r in records if r["method"] is None]
    assert {r["request"] for r in garbage} >= {"-", "\\x16\\x03\\x03\\x01\\x8f\\x01"}


# --- properties ----------------------------------------------------------------------------------


def apache_escape(text: str) -> str:
    """How mod_log_config writes a header value: \\ and " escaped, non-printables as \\xNN."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif not (32 <= ord(ch) < 127):
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_exactly_one_fitting_record(text: str) -> None:
    for line in (text, web(text), web(f'1.2.3.4 - - [04/Jul/2019:09:20:46 +0000] "{text}" 200 1')):
        rec = parse_line(line, "web")
        assert rec["table"] in ("web_access", "web_error", "unparsed_lines")
        assert set(rec) == {*load_registry().table(rec["table"]).column_names, "table"}


@settings(max_examples=100, deadline=None)
@given(_TEXT, _TEXT, _TEXT, st.integers(100, 599), st.integers(0, 2**40))
def test_escaped_fields_round_trip(
    target: str, referer: str, agent: str, status: int, size: int
) -> None:
    # GIVEN arbitrary request target, referer and user agent as Apache escapes them
    request = f"GET /{apache_escape(target)} HTTP/1.1"
    ref, ua = apache_escape(referer) or "x", apache_escape(agent) or "y"
    line = web(
        f'10.0.0.1 - - [04/Jul/2019:09:20:46 +0000] "{request}" {status} {size} "{ref}" "{ua}"'
    )
    # WHEN parsed THEN each field comes back exactly as logged, typed where numeric
    rec = parse_web_line(line)
    assert rec["request"] == request
    assert (rec["method"], rec["path"]) == ("GET", "/" + apache_escape(target))
    assert (rec["referer"], rec["user_agent"]) == (
        None if ref == "-" else ref,
        None if ua == "-" else ua,
    )
    assert (rec["status"], rec["bytes"]) == (status, size)
