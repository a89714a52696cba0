"""Unit tests of the support/administrator line parser (``pexlogs.parser.support``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser.support import parse_support_line
from pexlogs.schema import load_registry

HEAD = "2021-06-08T08:10:02.118+00:00 pxpconf01 2021-06-08 08:10:02,113 "


def line(pairs: str) -> str:
    return HEAD + pairs


def test_header_and_common_columns_are_typed() -> None:
    # GIVEN a line whose syslog time carries a +02:00 offset
    rec = parse_support_line(
        "2021-06-08T10:10:02.118123+02:00 10.1.2.40 2021-06-08 08:10:02,113 "
        'Level="ERROR" Name="support.configuration" Message="Configuration update failed" '
        'Reason="bad key"'
    )
    # THEN both times are UTC datetimes and the record fits its table exactly
    assert rec["table"] == "support_configuration"
    assert rec["syslog_time"] == datetime(2021, 6, 8, 8, 10, 2, 118123, tzinfo=UTC)
    assert rec["originating_time"] == datetime(2021, 6, 8, 8, 10, 2, 113000, tzinfo=UTC)
    assert rec["host"] == "10.1.2.40"
    assert (rec["level"], rec["module"], rec["reason"]) == (
        "ERROR",
        "support.configuration",
        "bad key",
    )
    columns = load_registry().table("support_configuration").column_names
    assert set(rec) == {"table", *columns}


def test_cut_off_line_is_rejected_with_reason() -> None:
    with pytest.raises(UnparseableLineError, match="never closes"):
        parse_support_line(
            line(
                'Level="INFO" Name="support.sip" Message="Sending SIP request" Detail="^MINVITE sip:a SIP/2.0^MVia: x'
            )
        )


def test_samples_route_every_line(shared_samples: Path) -> None:
    lines = (shared_samples / "support.sample.log").read_text(encoding="utf-8").splitlines()
    tables = []
    for text in lines:
        try:
            tables.append(parse_support_line(text)["table"])
        except UnparseableLineError:
            tables.append("unparsed_lines")
    assert tables.count("unparsed_lines") == 1  # the cut-off SIP message
    assert "support_other" not in tables
