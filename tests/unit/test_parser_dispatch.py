"""parse_line's dispatch: family detection, unknown families, and the never-raise guarantee."""

from __future__ import annotations

import pytest

from pexlogs import parse_line
from pexlogs.exceptions import UsageError
from pexlogs.parser import detect_family

SUPPORT = (
    '2021-06-08T07:58:12.307+00:00 pxpmgmt 2021-06-08 07:58:12,304 Level="INFO" '
    'Name="administrator.alarm" Message="Alarm raised" Node="10.1.2.40"'
)
AUDIT = (
    "2016-12-07T02:16:32.414+00:00 pxpmgmt audispd: node=pxpmgmt.example.com type=EOE "
    "msg=audit(1481076992.414:385): "
)
WEB = (
    '2015-05-17T10:05:03.000+00:00 pxpmgmt apache2: 10.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET / '
    'HTTP/1.1" 200 12 "-" "curl/8"'
)


@pytest.mark.parametrize(
    ("line", "family"),
    [
        (SUPPORT, "support"),
        (AUDIT, "audit"),
        (WEB, "web"),
        ("type=EOE msg=audit(1481076992.414:385): ", "audit"),
        ("node=a.example.com type=EOE msg=audit(1481076992.414:385): ", "audit"),
        ("", "support"),
    ],
)
def test_detect_family_reads_the_program_tag(line: str, family: str) -> None:
    assert detect_family(line) == family


def test_auto_routes_each_family_to_its_own_tables() -> None:
    # GIVEN one line of each family WHEN parsed with family="auto"
    tables = [parse_line(line)["table"] for line in (SUPPORT, AUDIT, WEB)]
    # THEN each lands in a table of its own family
    assert tables[0].startswith("support_")
    assert tables[1] == "audit_eoe"
    assert tables[2] == "web_access"


def test_unknown_family_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown family 'mail'"):
        parse_line(SUPPORT, "mail")


def test_a_parser_bug_quarantines_the_line_instead_of_raising(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a family parser that crashes
    import pexlogs.parser as parser

    parse_line(SUPPORT)  # make sure the parser table is loaded before patching it

    def boom(line: str) -> dict[str, object]:
        raise RuntimeError("bug")

    monkeypatch.setitem(parser._PARSERS, "support", boom)
    # WHEN a line reaches it THEN the line is quarantined with the reason, not lost
    record = parse_line(SUPPORT, "support")
    assert record["table"] == "unparsed_lines"
    assert record["reason"] == "parser error: RuntimeError: bug"
    assert record["raw_line"] == SUPPORT
