"""Property tests of the shared parser (all families): it never raises, gives exactly one record
per line that fits its table, and values round-trip through ``Key="value"`` in both escaping eras.
"""

from __future__ import annotations

import os
import re
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pexlogs import parse_line
from pexlogs.schema import load_registry

FAMILIES = ("auto", "support", "audit", "web")
SUPPORT_HEAD = "2021-06-08T08:10:02.118+00:00 pxpconf01 2021-06-08 08:10:02,113 "
PREFIXES = (
    "",
    SUPPORT_HEAD,
    SUPPORT_HEAD + 'Level="INFO" Name="support.sip" Message="',
    "2021-06-08T08:10:02.118+00:00 pxpconf01 audispd: node=n type=SYSCALL msg=audit(1.0:1): ",
    "2021-06-08T08:10:02.118+00:00 pxpmgmt apache2: ",
)
# Text with the characters that break naive readers: separators 0x1C-0x1E (str.splitlines()
# splits on them), NUL, CR, quotes, backslashes, the ^M marker and non-ASCII.
HOSTILE = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_characters="\n"),
        st.sampled_from(
            ['"', "\\", "=", " ", "^M", "\x1c", "\x1d", "\x1e", "\x00", "\r", "{", "'"]
        ),
        st.sampled_from([' Key="', '" ', 'Detail="{', "^MINVITE sip:a SIP/2.0^M", "u'", '\\"']),
    ),
    max_size=60,
).map("".join)
PROPS = settings(
    max_examples=int(os.environ.get("PEXLOGS_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check_record(record: dict[str, Any]) -> None:
    table = load_registry().table(record["table"])
    assert set(record) == {"table", *table.column_names}


@PROPS
@given(prefix=st.sampled_from(PREFIXES), body=HOSTILE, family=st.sampled_from(FAMILIES))
@example(
    prefix=SUPPORT_HEAD,
    body='Level="INFO" Name="x" Message="a\x1cb" Detail="{\x00}"',
    family="support",
)
@example(prefix=PREFIXES[2], body='^M" Detail="^M\\"', family="auto")
def test_never_raises_and_fits_a_table(prefix: str, body: str, family: str) -> None:
    record = parse_line(prefix + body, family)
    _check_record(record)


@PROPS
@given(
    lines=st.lists(
        st.sampled_from(PREFIXES).flatmap(lambda p: HOSTILE.map(lambda b: p + b)), max_size=8
    )
)
def test_exactly_one_record_per_line(lines: list[str]) -> None:
    # GIVEN a text of lines split on "\n" only (never str.splitlines(): it splits on 0x1C-0x1E)
    text = "\n".join(lines)
    records = [parse_line(line, "auto") for line in text.split("\n")]
    # THEN one record per line, and a quarantined one keeps its line whole
    assert len(records) == max(1, len(lines))
    for line, record in zip(text.split("\n"), records, strict=True):
        _check_record(record)
        if record["table"] == "unparsed_lines":
            assert record["raw_line"] == line.rstrip("\r\n")


VALUE = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_characters="\n"),
        st.sampled_from(['"', "\\", "=", " ", '" ', "\x1c", "\x1d", "\x1e", "\x00", "^M", "\r"]),
    ),
    max_size=40,
).map("".join)
# What could start the next pair right after a raw inner quote (unescaped era only).
_LOOKS_LIKE_PAIR = re.compile(r'"\s+[A-Za-z][A-Za-z0-9_.\-]*="')


def _support_line(value: str, *, last: bool) -> str:
    head = SUPPORT_HEAD + 'Level="INFO" Name="administrator.configuration" Message="m"'
    if last:
        return f'{head} Fields="{value}"'
    return f'{head} Fields="{value}" User="after"'


@PROPS
@given(value=VALUE, last=st.booleans())
@example(value='say "hi" \\" there', last=False)
@example(value="^MINVITE x", last=True)
@example(value='" Key="v', last=False)
def test_values_round_trip_in_the_escaped_era(value: str, last: bool) -> None:
    # Newer releases write an inner " as \" (backslashes themselves are not escaped, so a value
    # ending in a backslash cannot be told apart from an escaped closing quote).
    assume(not value.endswith("\\"))
    assume(last or not value.startswith("^M"))  # a ^M-led value runs to the end of the line
    record = parse_line(_support_line(value.replace('"', '\\"'), last=last), "support")
    assert record["table"] == "support_administrator_configuration"
    # (an original \" is logged as \\" and comes back as \": only \" is an escape)
    assert record["fields"] == value.replace("^M", "\n")
    if not last:
        assert record["user"] == "after"


@PROPS
@given(value=VALUE, last=st.booleans())
@example(value='say "hi" now', last=False)
@example(value='ends with a quote"', last=True)
@example(value="Åse Øvrebø 李雷", last=False)
def test_values_round_trip_in_the_unescaped_era(value: str, last: bool) -> None:
    # Older releases wrote inner quotes raw: a value round-trips unless it contains what cannot
    # be told apart from its own end (a quote, whitespace and Key=") or from an escaped quote.
    assume(not value.endswith("\\") and '\\"' not in value)
    assume(not _LOOKS_LIKE_PAIR.search(value + ' Fields="'))
    assume(last or not value.startswith("^M"))
    record = parse_line(_support_line(value, last=last), "support")
    assert record["table"] == "support_administrator_configuration"
    assert record["fields"] == value.replace("^M", "\n")
    if not last:
        assert record["user"] == "after"


@PROPS
@given(value=VALUE, escaped=st.booleans(), last=st.booleans())
def test_support_one_pass_path_agrees_with_the_general_path(
    value: str, escaped: bool, last: bool
) -> None:
    # The support parser reads common lines in one pass and falls back to the general tokenizer
    # otherwise: wherever the one-pass path answers, both must give the same record.
    from datetime import UTC, datetime

    from pexlogs.exceptions import UnparseableLineError
    from pexlogs.parser import support

    line = _support_line(value.replace('"', '\\"') if escaped else value, last=last)
    rest = line.split(" ", 4)[4]
    times = datetime(2021, 6, 8, tzinfo=UTC), datetime(2021, 6, 8, 1, tzinfo=UTC)
    parse_line(line, "support")  # learn the keys
    try:
        fast = support._fast_record(rest, times[0], "h", times[1])
    except UnparseableLineError:
        fast = "error"
    try:
        general: object = support._general_record(rest, times[0], "h", times[1])
    except UnparseableLineError:
        general = "error"
    assert fast is None or fast == general
