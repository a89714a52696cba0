"""Unit tests of the support/administrator line parser (``pexlogs.parser.support``).

Lines are written here from the grammar in the samples README; the shared samples are read only
through the ``shared_samples`` fixture.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pexlogs import parse_line
from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser.support import parse_support_line
from pexlogs.schema import load_registry

HEAD = "2021-06-08T08:10:02.118+00:00 pxpconf01 2021-06-08 08:10:02,113 "


def parse(pairs: str) -> dict[str, Any]:
    """Parse a support line made of the usual header and ``pairs``."""
    return parse_support_line(HEAD + pairs)


def sip_line(message: str, detail: str, extra: str = "") -> str:
    return (
        f'Level="INFO" Name="support.sip" Message="{message}" Src-address="10.0.0.1" '
        f'Src-port="5061" Dst-address="10.0.0.2" Dst-port="5061" Transport="TLS"{extra} '
        f'Detail="{detail}"'
    )


INVITE = (
    "^MINVITE sip:meet@example.com SIP/2.0"
    "^MVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1"
    "^MVia: SIP/2.0/TLS 10.0.0.9:5061;branch=z9hG4bK2"
    "^MCall-ID: call-123@10.0.0.1"
    "^MCSeq: 100 INVITE"
    '^MFrom: "Alice Room" <sip:alice@example.com>;tag=1'
    "^MTo: <sip:meet@example.com>"
    '^MContact: <sip:alice@10.0.0.1>;+sip.instance="<urn:uuid:0e0d>"'
    "^MUser-Agent: TANDBERG/4136"
    "^MContent-Type: application/sdp"
    "^MContent-Length: 30"
    "^M^Mv=0^Mo=- 0 1 IN IP4 10.0.0.1^Ms=-^Mm=audio 4000 RTP/SAVP 0^M"
)


# --- header, common columns, record shape ---------------------------------------------------


def test_header_and_common_columns_are_typed() -> None:
    # GIVEN a line whose syslog time carries a +02:00 offset and 6 fraction digits
    rec = parse_support_line(
        "2021-06-08T10:10:02.118123+02:00 10.1.2.40 2021-06-08 08:10:02,113 "
        'Level="ERROR" Name="support.configuration" Message="Configuration update failed" '
        'Reason="bad key"'
    )
    # THEN both times are UTC datetimes and the record has exactly its table's columns
    assert rec["table"] == "support_configuration"
    assert rec["syslog_time"] == datetime(2021, 6, 8, 8, 10, 2, 118123, tzinfo=UTC)
    assert rec["originating_time"] == datetime(2021, 6, 8, 8, 10, 2, 113000, tzinfo=UTC)
    assert rec["host"] == "10.1.2.40"
    assert rec["level"] == "ERROR"
    assert rec["module"] == "support.configuration"
    assert rec["message"] == "Configuration update failed"
    assert rec["reason"] == "bad key"
    assert rec["extra"] is None
    assert set(rec) == {"table", *load_registry().table("support_configuration").column_names}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (HEAD + 'Level="INFO" Name="support.sip" Message="cut here', "never closes"),
        (
            HEAD + 'Level="INFO" Name="support.sip" Message="x" Detail="^MINVITE sip:a SIP/2.0^MV',
            "never closes",
        ),
        (HEAD + 'Level="INFO" Name="x" Message="ends with escaped quote\\"', "never closes"),
        (HEAD + 'Level="INFO" Name="x" Message="', "never closes"),
        (HEAD + "no pairs at all", 'expected Key="value"'),
        ('2021-06-08T08:10:02.118+00:00 host Level="INFO"', "fewer than 5"),
        ("yesterday host 2021-06-08 08:10:02,113 " + 'Level="INFO"', "syslog time"),
        ("2021-06-08T08:10:02.118+00:00 host 08/06/2021 08:10:02 " + 'Level="INFO"', "YYYY-MM-DD"),
        ("2021-06-08T08:10:02.118+00:00 host 2021-06-08 late " + 'Level="INFO"', "originating"),
    ],
)
def test_lines_off_the_grammar_are_rejected_with_a_reason(line: str, reason: str) -> None:
    with pytest.raises(UnparseableLineError, match=reason):
        parse_support_line(line)


def test_parse_line_quarantines_a_cut_off_line() -> None:
    line = HEAD + 'Level="INFO" Name="support.sip" Message="Sending SIP request" Detail="^MINVITE'
    rec = parse_line(line, "support")
    assert rec["table"] == "unparsed_lines"
    assert rec["family"] == "support"
    assert "never closes" in rec["reason"]
    assert rec["raw_line"] == line


# --- the closing-quote rule and the two escaping eras ---------------------------------------


def test_unescaped_inner_quotes_do_not_end_a_value() -> None:
    # Older releases wrote inner quotes raw: only a quote followed by a space and the next
    # Key=" (or the end of the line) closes a value.
    rec = parse('Level="INFO" Name="support.configuration" Message="say "hi" now" Reason="a "b""')
    assert rec["message"] == 'say "hi" now'
    assert rec["reason"] == 'a "b"'


def test_escaped_quotes_are_unescaped_including_before_a_space() -> None:
    rec = parse(
        'Level="INFO" Name="support.sip" Message="SIP message sent" '
        'Warning="305 pexip.local \\"Incompatible codec\\"" '
        'WWW-Authenticate="Digest realm=\\"pexip.local\\", qop=\\"auth\\""'
    )
    assert rec["table"] == "support_sip_sending"
    assert rec["extra"] == {
        "warning": '305 pexip.local "Incompatible codec"',
        "www_authenticate": 'Digest realm="pexip.local", qop="auth"',
    }


def test_escaped_json_escape_keeps_its_backslash() -> None:
    # JSON's own \" inside a Detail is logged as \\" and must come back as \" (valid JSON).
    rec = parse(
        'Level="INFO" Name="support.rest" Message="Sending REST API response" '
        'Detail="{\\"display_name\\": \\"say \\\\"hi\\\\"\\"}"'
    )
    assert rec["detail"] == '{"display_name": "say \\"hi\\""}'
    assert rec["detail_fields"] == {"display_name": 'say "hi"'}


def test_equals_signs_and_spaces_inside_values() -> None:
    rec = parse(
        'Level="WARNING" Name="administrator.alarm" Message="Alarm raised" '
        'Instance="Source=10.1.1.127, Destination=10.1.2.40" Alarm="a b=c"'
    )
    assert rec["instance"] == "Source=10.1.1.127, Destination=10.1.2.40"
    assert rec["alarm"] == "a b=c"


def test_extra_spaces_between_pairs_and_values_starting_with_a_space() -> None:
    rec = parse('Level="INFO"  Name="support.configuration"   Message=" lead" Reason=" "')
    assert (rec["table"], rec["message"], rec["reason"]) == ("support_configuration", " lead", " ")


def test_line_break_marker_becomes_a_newline_outside_detail() -> None:
    rec = parse('Level="INFO" Name="support.configuration" Message="two^Mlines" Reason="x"')
    assert rec["message"] == "two\nlines"


def test_trailing_whitespace_and_carriage_return_are_ignored() -> None:
    rec = parse_line(
        HEAD + 'Level="INFO" Name="support.configuration" Message="m"  \r\n', "support"
    )
    assert rec["table"] == "support_configuration"
    assert rec["message"] == "m"


def test_non_ascii_values() -> None:
    rec = parse(
        'Level="INFO" Name="administrator.conference" Message="Participant has joined." '
        'Participant="Åse Øvrebø" DisplayName="李雷 \U0001f600"'
    )
    assert rec["participant"] == "Åse Øvrebø"
    assert rec["displayname"] == "李雷 \U0001f600"


# --- keys: duplicates, casing, collisions -----------------------------------------------------


def test_duplicate_keys_last_wins_and_casing_variants_share_a_column() -> None:
    rec = parse(
        'Level="INFO" Name="administrator.conference" Message="m" Remote-address="1.1.1.1" '
        'Remote-Address="2.2.2.2" Call-id="a" Call-ID="b" ConferenceAlias="x" conferencealias="y"'
    )
    assert rec["remote_address"] == "2.2.2.2"
    assert rec["call_id"] == "b"
    assert rec["conferencealias"] == "y"


def test_keys_that_collide_with_derived_columns_are_kept_in_extra() -> None:
    rec = parse('Level="INFO" Name="support.sip" Message="m" Module="m2" Sdp="s" Sip-Body="b"')
    assert rec["module"] == "support.sip"
    assert rec["sdp"] is None
    assert rec["extra"] == {"Module": "m2", "Sdp": "s", "Sip-Body": "b"}


# --- typing rules --------------------------------------------------------------------------


def test_typing_rules_of_the_samples_readme() -> None:
    rec = parse(
        'Level="INFO" Name="administrator.conference" Message="Participant has disconnected." '
        'Licenses="2" Registered="False" Duration="30.5" Call-id="None" Direction="True"'
    )
    assert rec["licenses"] == 2
    assert rec["registered"] is False
    assert rec["duration"] == 30.5
    # None/True/False stay strings outside the typed columns: Call-id="None" is a real value.
    assert rec["call_id"] == "None"
    assert rec["direction"] == "True"


@pytest.mark.parametrize("text", ["None", "True", "False", ""])
def test_integer_columns_turn_none_true_false_into_null(text: str) -> None:
    rec = parse(
        f'Level="INFO" Name="administrator.configuration" Message="m" Remote-port="{text}" '
        f'Fragment-number="{text}"'
    )
    assert rec["remote_port"] is None
    assert rec["fragment_number"] is None
    assert rec["extra"] is None


def test_a_value_that_does_not_fit_its_type_is_kept_in_extra() -> None:
    rec = parse('Level="INFO" Name="support.ice" Message="m" Stream-id="two" Natted="maybe"')
    assert rec["stream_id"] is None
    assert rec["extra"] == {"stream_id": "two", "natted": "maybe"}


def test_booleans_and_timestamps_in_module_tables() -> None:
    reg = parse('Level="INFO" Name="administrator.registration" Message="m" Natted="True"')
    assert reg["natted"] is True
    alarm = parse(
        'Level="INFO" Name="administrator.alarm" Message="m" Time="2021-06-08 07:58:12.309871"'
    )
    assert alarm["time"] == datetime(2021, 6, 8, 7, 58, 12, 309871, tzinfo=UTC)
    sip = parse(
        'Level="INFO" Name="support.sip" Message="Received" Received-time="2021-06-08T08:10:02,110921"'
    )
    assert sip["received_time"] == datetime(2021, 6, 8, 8, 10, 2, 110921, tzinfo=UTC)


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "message", "table"),
    [
        ("support.sip", "Received SIP request", "support_sip_received"),
        ("support.sip", "Summarised received SIP request", "support_sip_received"),
        ("support.sip", "SIP message received", "support_sip_received"),
        ("support.sip", "Sending SIP response", "support_sip_sending"),
        ("support.sip", "SIP message sent", "support_sip_sending"),
        ("support.sip", "SDP offer parsed", "support_sip_other"),
        ("support.sip", "TCP connection established", "support_sip_other"),
        ("support.sip", "Sending response to received request", "support_sip_sending"),
        ("Support.SIP", "RECEIVED SIP request", "support_sip_received"),
        ("support.sip.received", "anything", "support_sip_received"),
        ("support.sip.sending", "anything", "support_sip_sending"),
        ("support.sip.other", "Received", "support_sip_other"),
        ("support.rest", "Received REST API request", "support_rest_received"),
        ("support.rest", "Sending REST API response", "support_rest_sending"),
        ("support.rest", "REST API request timed out", "support_rest_other"),
        ("administrator.conference", "Participant has joined.", "support_administrator_conference"),
        ("administrator.system", "Application started", "support_administrator_system"),
        ("administrator.system.configuration", "x", "support_administrator_system_configuration"),
        ("support.ms_data_conf.ms_data_conf", "x", "support_ms_data_conf_ms_data_conf"),
        ("support.brand.new", "Received something", "support_other"),
    ],
)
def test_routing(module: str, message: str, table: str) -> None:
    rec = parse(f'Level="INFO" Name="{module}" Message="{message}"')
    assert rec["table"] == table
    assert rec["module"] == module


def test_unknown_module_keeps_its_keys_in_extra() -> None:
    rec = parse(
        'Level="INFO" Name="support.brand.new" Message="m" Call-id="c" Foo-Bar="1" Remote-Port="7"'
    )
    assert rec["table"] == "support_other"
    assert rec["module"] == "support.brand.new"
    assert rec["call_id"] == "c"  # a common column
    assert rec["extra"] == {"foo_bar": "1", "remote_port": "7"}


def test_line_without_name_goes_to_support_other() -> None:
    rec = parse('Level="INFO" Message="no module"')
    assert rec["table"] == "support_other"
    assert rec["module"] is None


# --- Detail shapes -------------------------------------------------------------------------


def test_sip_request_detail() -> None:
    rec = parse(sip_line("Received SIP request", INVITE))
    assert rec["table"] == "support_sip_received"
    assert rec["detail"] == INVITE  # raw, ^M kept
    assert rec["sip_start_line"] == "INVITE sip:meet@example.com SIP/2.0"
    assert rec["sip_method"] == "INVITE"
    assert rec["sip_request_uri"] == "sip:meet@example.com"
    assert rec["sip_status_code"] is None
    assert rec["sip_call_id"] == rec["call_id"] == "call-123@10.0.0.1"
    assert rec["sip_cseq"] == "100 INVITE"
    assert rec["sip_from"] == '"Alice Room" <sip:alice@example.com>;tag=1'
    assert rec["sip_to"] == "<sip:meet@example.com>"
    assert rec["sip_content_type"] == "application/sdp"
    assert rec["sip_user_agent"] == "TANDBERG/4136"
    names = [h["name"] for h in rec["sip_headers"]]
    assert names[:3] == ["Via", "Via", "Call-ID"]  # order kept, repeated headers kept
    assert rec["sip_headers"][6] == {
        "name": "Contact",
        "value": '<sip:alice@10.0.0.1>;+sip.instance="<urn:uuid:0e0d>"',
    }
    assert rec["sdp"] == ["v=0", "o=- 0 1 IN IP4 10.0.0.1", "s=-", "m=audio 4000 RTP/SAVP 0"]
    assert rec["sip_body"] == "v=0\no=- 0 1 IN IP4 10.0.0.1\ns=-\nm=audio 4000 RTP/SAVP 0"
    assert rec["detail_lines"] is None
    assert rec["src_port"] == 5061


def test_sip_response_compact_headers_and_call_id_key_precedence() -> None:
    detail = "^MSIP/2.0 488 Not Acceptable Here^Mi: hdr-call^Mf: <sip:a@b>^Mt: <sip:c@d>^MCSeq: 7 INVITE^Ml: 0^M"
    rec = parse(sip_line("Sending SIP response", detail, ' Call-id="key-call"'))
    assert rec["table"] == "support_sip_sending"
    assert rec["sip_status_code"] == 488
    assert rec["sip_reason_phrase"] == "Not Acceptable Here"
    assert rec["sip_method"] == "INVITE"  # from CSeq
    assert rec["sip_call_id"] == "hdr-call"
    assert rec["call_id"] == "key-call"  # the line's own key wins over the header
    assert rec["sip_from"] == "<sip:a@b>"
    assert rec["sdp"] is None


def test_sip_detail_with_xml_body_runs_to_the_last_quote() -> None:
    # The XML body has '" attr="' sequences that look like pairs: a ^M-led value ignores them.
    detail = (
        "^MINFO sip:a@b SIP/2.0^MCall-ID: x^MContent-Type: application/media_control+xml^M^M"
        '<media_control><vc_primitive><to_encoder id="1" type="x"/></vc_primitive></media_control>'
    )
    rec = parse(sip_line("Received SIP request", detail))
    assert rec["sip_method"] == "INFO"
    assert rec["sip_body"].endswith('<to_encoder id="1" type="x"/></vc_primitive></media_control>')
    assert rec["extra"] is None


def test_fragment_keys_after_a_sip_detail_are_kept_as_columns() -> None:
    line = (
        sip_line("Sending SIP request", INVITE)
        + ' Fragment-id="f-1" Fragment-number="1" Fragment-total="2"'
    )
    rec = parse(line)
    assert (rec["fragment_id"], rec["fragment_number"], rec["fragment_total"]) == ("f-1", 1, 2)
    assert rec["detail"] == INVITE
    assert rec["sip_method"] == "INVITE"


def test_continuation_fragment_is_kept_as_lines() -> None:
    rec = parse(
        'Level="INFO" Name="support.sip" Message="Sending SIP request" Fragment-id="f-1" '
        'Fragment-number="2" Fragment-total="2" Detail="a=rtpmap:0 PCMU/8000^Ma=sendrecv^M"'
    )
    assert rec["fragment_number"] == 2
    assert rec["sip_start_line"] is None
    assert rec["detail_lines"] == ["a=rtpmap:0 PCMU/8000", "a=sendrecv"]


def test_multipart_sip_body_yields_every_sdp_part() -> None:
    detail = (
        "^MINVITE sip:a@b SIP/2.0^MCall-ID: m^M"
        'Content-Type: multipart/alternative;boundary="----=_X"^M^M'
        "------=_X^MContent-Type: application/sdp^M^Mv=0^Mm=audio 1 RTP/AVP 0^M"
        "------=_X^MContent-Type: application/sdp^M^Mv=0^Mm=audio 2 RTP/AVP 0^M"
        "------=_X--^M"
    )
    rec = parse(sip_line("Sending SIP request", detail))
    assert rec["sdp"] == ["v=0", "m=audio 1 RTP/AVP 0", "v=0", "m=audio 2 RTP/AVP 0"]


def test_json_detail() -> None:
    rec = parse(
        'Level="INFO" Name="support.rest" Message="Sending REST API response" '
        'Request="/api/client/v2/conferences/meet/request_token" Uuid="u-1" '
        'Detail="{\\"status\\": \\"success\\", \\"result\\": {\\"participant_uuid\\": \\"p-9\\", '
        '\\"turn\\": null, \\"n\\": 3}, \\"ok\\": true, \\"none\\": null}"'
    )
    assert rec["table"] == "support_rest_sending"
    assert rec["detail_fields"] == {
        "status": "success",
        "result": '{"participant_uuid": "p-9", "turn": null, "n": 3}',
        "ok": "true",
        "none": None,
    }
    assert rec["rest_status"] == "success"
    assert rec["rest_conference"] == "meet"
    assert rec["rest_participant_uuid"] == "u-1"  # Uuid= first


def test_python_literal_detail_with_unicode_escapes_and_sdp() -> None:
    rec = parse(
        'Level="INFO" Name="support.rest" Message="Received REST API request" '
        'Request="/api/client/v2/conferences/m/participants/p-1/calls" '
        "Detail=\"{u'display_name': u'\\xc5se', u'sdp': u'v=0^Mo=- 1 1 IN IP4 1.2.3.4^M', "
        "'present': None, 'fecc': True, 'n': 1}\""
    )
    assert rec["detail_fields"] == {
        "display_name": "Åse",
        "sdp": "v=0\no=- 1 1 IN IP4 1.2.3.4\n",
        "present": None,
        "fecc": "true",
        "n": "1",
    }
    assert rec["sdp"] == ["v=0", "o=- 1 1 IN IP4 1.2.3.4"]
    assert rec["rest_participant_uuid"] == "p-1"
    assert rec["rest_call_uuid"] is None


def test_nested_python_literal_result_gives_rest_columns() -> None:
    rec = parse(
        'Level="INFO" Name="support.rest" Message="Sending REST API response" '
        "Detail=\"{'status': 'success', 'result': {'call_uuid': 'c-7', 'participant_uuid': 'p-7', "
        "'stun': [{'url': 'stun:x'}], 'sdp': 'v=0^Ms=-'}}\""
    )
    assert rec["rest_call_uuid"] == "c-7"
    assert rec["rest_participant_uuid"] == "p-7"
    assert rec["sdp"] == ["v=0", "s=-"]
    assert rec["detail_fields"]["result"].startswith('{"call_uuid": "c-7"')


def test_pretty_printed_python_literal_with_line_breaks_between_tokens() -> None:
    rec = parse(
        'Level="INFO" Name="support.rest" Message="Received REST API request" '
        "Detail=\"{^M  'a': 1,^M  'b': [1, 2]^M}\""
    )
    assert rec["detail_fields"] == {"a": "1", "b": "[1, 2]"}


def test_unreadable_dict_like_detail_is_kept_as_text() -> None:
    rec = parse('Level="INFO" Name="support.rest" Message="Received" Detail="{\'a\': false, oops}"')
    assert rec["detail"] == "{'a': false, oops}"
    assert rec["detail_fields"] is None
    assert rec["detail_lines"] is None


def test_h323_dump_keeps_indentation_and_http_text_is_lines() -> None:
    h245 = parse(
        'Level="INFO" Name="support.h323.h245" Message="Received H.245 message" '
        'Detail="request:^M  terminalCapabilitySet:^M    sequenceNumber: 1"'
    )
    assert h245["detail_lines"] == ["request:", "  terminalCapabilitySet:", "    sequenceNumber: 1"]
    http = parse(
        'Level="INFO" Name="support.gms" Message="Sending GMS request" '
        'Detail="POST https://x/y HTTP/1.1^MContent-Type: application/json^M^M{\\"a\\": 1}"'
    )
    assert http["detail_lines"] == [
        "POST https://x/y HTTP/1.1",
        "Content-Type: application/json",
        "",
        '{"a": 1}',
    ]


def test_plain_detail_is_only_text() -> None:
    rec = parse('Level="INFO" Name="support.participant" Message="m" Detail="Stream 0 (audio)"')
    assert rec["detail"] == "Stream 0 (audio)"
    assert rec["detail_lines"] is None
    assert rec["detail_fields"] is None


def test_sip_detail_outside_sip_tables_is_kept_as_lines() -> None:
    rec = parse(
        'Level="INFO" Name="support.brand.new" Message="m" Detail="^MBYE sip:a SIP/2.0^MCall-ID: x^M"'
    )
    assert rec["table"] == "support_other"
    assert rec["detail_lines"] == ["BYE sip:a SIP/2.0", "Call-ID: x"]
    assert rec["extra"] is None


# --- the shared samples ----------------------------------------------------------------------


def _parse_all(path: Path) -> list[dict[str, Any]]:
    return [
        parse_line(text, "support") for text in path.read_text(encoding="utf-8").split("\n") if text
    ]


def test_shared_support_samples(shared_samples: Path) -> None:
    records = _parse_all(shared_samples / "support.sample.log")
    tables = [r["table"] for r in records]
    # GIVEN the reconstructed sample THEN only the cut-off SIP message is quarantined
    assert tables.count("unparsed_lines") == 1
    assert "support_other" not in tables
    by_message = {r.get("message"): r for r in records}
    invite = by_message["Received SIP request"]
    assert invite["call_id"] == "2d2de330-ef19-4a30-87ae-92eead73bc6f"
    assert [h["name"] for h in invite["sip_headers"]][:2] == ["Via", "Via"]
    assert invite["sdp"][0] == "v=0" and invite["sdp"][-1] == "a=sendrecv"
    ok = by_message["Sending SIP response"]
    assert (ok["sip_status_code"], ok["sip_method"]) == (200, "INVITE")
    left = by_message["Participant has disconnected."]
    assert left["conferencealias"] == "meet.alice"
    assert left["licenses"] == 1 and left["registered"] is False and left["duration"] == 1065.262
    rest = [r for r in records if r["table"] == "support_rest_sending"]
    assert {r["rest_status"] for r in rest} == {"success"}
    assert rest[0]["detail_fields"]["result"].startswith('{"allow_1080p": false')
    assert rest[1]["detail_fields"]["result"].startswith('{"token": ')


def test_shared_public_support_lines(shared_samples: Path) -> None:
    records = _parse_all(shared_samples / "public" / "support.public.log")
    assert [r["table"] for r in records] == ["support_administrator_conference", "unparsed_lines"]
    records = _parse_all(shared_samples / "public" / "support.thirdparty-fabricated.log")
    assert all(r["table"] != "unparsed_lines" for r in records)
    assert all(r["table"] != "support_other" for r in records)


# --- the one-pass path and the general path agree -------------------------------------------


def _both_paths(line: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    from pexlogs.parser import support

    syslog_text, host, date_text, time_text, rest = line.split(" ", 4)
    syslog_time = datetime.fromisoformat(syslog_text).astimezone(UTC)
    originating = datetime.fromisoformat(f"{date_text}T{time_text}+00:00")
    parse_support_line(line)  # learn the keys (the one-pass path only takes known keys)
    fast = support._fast_record(rest, syslog_time, host, originating)
    return fast, support._general_record(rest, syslog_time, host, originating)


@pytest.mark.parametrize(
    "pairs",
    [
        sip_line("Received SIP request", INVITE),
        sip_line("Sending SIP request", INVITE)
        + ' Fragment-id="f" Fragment-number="1" Fragment-total="2"',
        'Level="INFO" Name="support.ice" Message="m" Stream-id="two" Natted="maybe" Remote-candidate-port="9"',
        'Level="INFO" Name="administrator.conference" Message="a^Mb" Licenses="2" Registered="False" Foo="x"',
        'Level="INFO" Name="support.rest" Message="Sending REST API response" Request="/a/conferences/m/calls/c" '
        'Detail="{\\"status\\": \\"success\\", \\"result\\": {\\"call_uuid\\": \\"c\\"}}"',
        'Level="INFO" Name="support.rest" Message="Received" Detail="{u\'sdp\': u\'v=0^Ms=-\'}"',
        'Level="INFO" Name="support.sip" Message="Received" Message="Sending" Detail="x"',
    ],
)
def test_one_pass_path_matches_the_general_path(pairs: str) -> None:
    fast, general = _both_paths(HEAD + pairs)
    assert fast is None or fast == general


def test_one_pass_path_matches_on_the_samples(shared_samples: Path) -> None:
    texts = (shared_samples / "support.sample.log").read_text(encoding="utf-8").split("\n")
    texts += (
        (shared_samples / "public" / "support.thirdparty-fabricated.log")
        .read_text(encoding="utf-8")
        .split("\n")
    )
    checked = 0
    for text in filter(None, texts):
        try:
            fast, general = _both_paths(text)
        except UnparseableLineError:
            continue
        if fast is not None:
            checked += 1
            assert fast == general, text
    assert checked > 50
