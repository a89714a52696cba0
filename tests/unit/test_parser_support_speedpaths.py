"""The support parser's speed paths give exactly the records of its general path.

The one-pass path (``support._fast_record``) has a loop for lines without escapes that stores a
key already known to land in a string column at once (``support._STRING_KEYS``), and Python
literal Details are read through a small cache (``_detail._literal``). Each test parses lines
twice (cold and warm caches) and compares with the general path (``support._general_record``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pexlogs import parse_line
from pexlogs.parser import _detail, support

HEAD = "2021-06-08T08:10:02.118+00:00 pxpconf01 2021-06-08 08:10:02,113 "
T1 = datetime(2021, 6, 8, 8, 10, 2, 118000, tzinfo=UTC)
T2 = datetime(2021, 6, 8, 8, 10, 2, 113000, tzinfo=UTC)


def _paths(pairs: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    parse_line(HEAD + pairs, "support")  # learn the keys
    return (
        support._fast_record(pairs, T1, "pxpconf01", T2),
        support._general_record(pairs, T1, "pxpconf01", T2),
    )


LINES = [
    # plain line: string columns, an int column, an undeclared key, a bad int
    'Level="INFO" Name="support.ice" Message="m" Stream-id="two" Remote-candidate-port="9" Zz="1"',
    # int columns: the decimal-digits shortcut and every other form the converter takes
    *(
        f'Level="INFO" Name="support.ice" Message="m" Remote-candidate-port="{port}"'
        for port in ("0123", "\u0663", "123456789", "1234567890", "9999999999", "-5", " 7", "", "?")
    ),
    # the same keys in another casing (both land in one column: the last wins)
    'Level="INFO" Name="support.ice" Message="m" stream-ID="a" Stream-id="b"',
    # a key that is a string column in one table and undeclared in another
    'Level="INFO" Name="administrator.conference" Message="a" Licenses="2" State="up"',
    'Level="INFO" Name="support.ice" Message="a" Licenses="2" State="up"',
    # Name/Message not among the first pieces
    'Level="INFO" Src-address="10.0.0.1" Foo="x" Name="support.ice" Message="m"',
    # escaped and ^M values (the other loop)
    'Level="INFO" Name="administrator.conference" Message="a^Mb" Foo="say \\"hi\\" now"',
    # a piece that does not start a pair (unescaped inner quote): the general path's work
    'Level="INFO" Name="support.sip" Message="x" Detail="From: "A" <sip:a@b>"',
    # Python literal Details (cached) and a JSON one
    'Level="INFO" Name="support.rest" Message="Sending REST API response" '
    'Request="/api/client/v2/conferences/m/participants/p1/calls" '
    "Detail=\"{'status': 'success', 'result': {'call_uuid': 'c1', 'sdp': 'v=0^Ms=-'}}\"",
    'Level="INFO" Name="support.rest" Message="Received REST API request" '
    "Detail=\"{u'display_name': u'\\u00d8ystein', 'n': 2, 'l': [1, (2, 3)], 's': {1}}\"",
    'Level="INFO" Name="support.rest" Message="Sending REST API response" '
    'Detail="{\\"status\\": \\"success\\", \\"result\\": true}"',
    # not a literal (cached as a failure): plain text kept
    'Level="INFO" Name="support.rest" Message="Received" Detail="{\'a\': nope}"',
]


@pytest.mark.parametrize("pairs", LINES)
def test_speed_paths_agree_with_the_general_path(pairs: str) -> None:
    for _ in range(2):  # cold, then warm caches
        fast, general = _paths(pairs)
        assert fast is None or fast == general
        assert parse_line(HEAD + pairs, "support") == general


def test_a_key_learned_for_one_table_is_not_a_string_column_of_another() -> None:
    # GIVEN State (a string column of support_ice) seen there first, twice (warm)
    for _ in range(2):
        ice = parse_line(HEAD + LINES[12], "support")
    # WHEN an administrator.conference line carries it (and Licenses, its int column)
    for _ in range(2):
        conf = parse_line(HEAD + LINES[11], "support")
    # THEN each table keeps it its own way
    assert ice["state"] == "up" and ice["extra"] == {"licenses": "2"}
    assert "state" not in conf and conf["licenses"] == 2 and conf["extra"] == {"state": "up"}


def test_cached_literal_details_give_independent_records() -> None:
    # GIVEN two lines with the same Python literal Detail
    first = parse_line(HEAD + LINES[16], "support")
    second = parse_line(HEAD + LINES[16], "support")
    # THEN their records are equal but share no container
    assert first == second
    assert first["detail_fields"] is not second["detail_fields"]
    assert first["sdp"] == ["v=0", "s=-"] and first["sdp"] is not second["sdp"]
    assert first["rest_call_uuid"] == "c1"
    first["detail_fields"]["status"] = "changed"
    first["sdp"].append("x")
    third = parse_line(HEAD + LINES[16], "support")
    assert third == second and third["detail_fields"]["status"] == "success"


def test_long_literal_details_are_read_without_the_cache() -> None:
    # GIVEN a literal Detail longer than the cache's 4 KiB limit
    long_value = "x" * 5000
    pairs = (
        'Level="INFO" Name="support.rest" Message="Received REST API request" '
        f"Detail=\"{{'display_name': '{long_value}'}}\""
    )
    before = _detail._literal.cache_info().currsize
    rec = parse_line(HEAD + pairs, "support")
    # THEN it is parsed like any other, and not kept in the cache
    assert rec["detail_fields"] == {"display_name": long_value}
    assert _detail._literal.cache_info().currsize == before
    fast, general = _paths(pairs)
    assert fast is None or fast == general


def test_literal_reader_matches_ast_literal_eval() -> None:
    import ast

    for text in ["{'a': 1}", "{'a': (1, 2), 'b': None}", "[1, 2", "{'a': f(1)}", "1 +", "{1: {2}}"]:
        try:
            expected: tuple[bool, Any] = (True, ast.literal_eval(text))
        except (ValueError, SyntaxError, TypeError):
            expected = (False, None)
        assert _detail._literal(text) == expected
        assert _detail._literal(text) == expected  # from the cache


def test_int_columns_typed_like_the_converter() -> None:
    ports = {}
    for value in ("0123", "\u0663", "123456789", "1234567890", "9999999999", "-5", ""):
        pairs = f'Level="INFO" Name="support.ice" Message="m" Remote-candidate-port="{value}"'
        for _ in range(2):
            rec = parse_line(HEAD + pairs, "support")
        ports[value] = (rec["remote_candidate_port"], rec["extra"])
    assert ports == {
        "0123": (123, None),
        "\u0663": (3, None),
        "123456789": (123456789, None),
        "1234567890": (1234567890, None),
        "9999999999": (None, {"remote_candidate_port": "9999999999"}),
        "-5": (-5, None),
        "": (None, None),
    }


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1, 2], "c": "x^My", "d": null, "e": {"f": "g"}}',
        '{"a":1,"b":[1,2],"c":"x^My","d":null,"e":{"f":"g"}}',
        ' { "a" :  1 ,\n "b" : [1, 2]  ,  "c":\t"x^My", "d": null, "e": {"f": "g"} } ',
        '{"a": 1, }',
        '{"a": 1 "b": 2}',
        '{"a": 1}, {"b": 2}',
        "{}",
        " {  } ",
    ],
)
def test_json_detail_fields_keep_member_text(text: str) -> None:
    import json

    # GIVEN a JSON object Detail in any spacing (or a broken one)
    try:
        expected = json.loads(text)
    except ValueError:
        expected = None
    found = _detail._json_object_fields(text)
    # THEN it is read exactly when json.loads reads it as an object: strings as text (^M as a
    # line break), null as None, anything else as its own JSON text
    if not isinstance(expected, dict):
        assert found is None
        return
    assert found is not None
    value, fields = found
    assert value == expected
    for key, member in expected.items():
        if member is None or isinstance(member, str):
            assert fields[key] == (member.replace("^M", "\n") if member else member)
        else:
            assert json.loads(fields[key] or "") == member
            assert (fields[key] or "") in text


def test_full_key_caches_only_slow_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN per-table key caches that may learn nothing more (arbitrary input filled them)
    monkeypatch.setattr(support, "_TABLE_KEYS_LIMIT", 0)
    monkeypatch.setattr(support, "_STRING_KEYS", {name: {} for name in support._SHAPES})
    monkeypatch.setattr(support, "_INT_KEYS", {name: {} for name in support._SHAPES})
    # THEN every line still gives the general path's record
    for pairs in LINES:
        fast, general = _paths(pairs)
        assert fast is None or fast == general
    assert not any(support._STRING_KEYS.values()) and not any(support._INT_KEYS.values())
