"""The log generator: deterministic, in time order, at the asked rate, in the real formats (every
non-malformed line reaches a real table through the shared parser), calls consistent across
modules, a truthful manifest."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pexlogs import parse_line
from pexlogs.cli import main
from pexlogs.exceptions import UsageError
from pexlogs.generate import GeneratedLine, GenerationStats, generate_lines, write_logs

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
FALLBACK_TABLES = {"support_other", "audit_other", "unparsed_lines"}


@pytest.fixture(scope="module")
def two_hours() -> tuple[list[GeneratedLine], GenerationStats]:
    stats = GenerationStats()
    lines = list(generate_lines(START, 2, seed=5, lines_per_hour=4000, stats=stats))
    return lines, stats


def test_same_seed_same_lines_other_seed_other_lines() -> None:
    a = [g.line for g in generate_lines(START, 1, seed=1, lines_per_hour=800)]
    b = [g.line for g in generate_lines(START, 1, seed=1, lines_per_hour=800)]
    c = [g.line for g in generate_lines(START, 1, seed=2, lines_per_hour=800)]
    assert a == b
    assert a != c


def test_lines_are_in_time_order_inside_the_range_and_start_with_their_time(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, _ = two_hours
    times = [g.event_time for g in lines]
    assert times == sorted(times)
    assert times[0] >= START and times[-1] < START + timedelta(hours=2)
    for g in lines[::97]:
        syslog_time = datetime.fromisoformat(g.line.split(" ", 1)[0])
        assert syslog_time == g.event_time
        assert g.timestamp_ms == int(g.event_time.timestamp() * 1000)


@pytest.mark.parametrize("rate", [1500, 30_000])
def test_the_rate_and_family_mix_hold(rate: int) -> None:
    stats = GenerationStats()
    n = sum(1 for _ in generate_lines(START, 1, seed=3, lines_per_hour=rate, stats=stats))
    assert n == stats.total_lines
    assert 0.85 * rate <= n <= 1.1 * rate
    share = {f: stats.lines[f] / n for f in ("support", "audit", "web")}
    assert 0.65 < share["support"] < 0.9 and 0.05 < share["audit"] < 0.25
    assert 0.03 < share["web"] < 0.2


def test_families_can_be_chosen() -> None:
    stats = GenerationStats()
    lines = list(
        generate_lines(START, 1, seed=3, lines_per_hour=500, families=["web"], stats=stats)
    )
    assert {g.family for g in lines} == {"web"}
    assert 400 <= len(lines) <= 560
    assert all(" apache2: " in g.line for g in lines)


def test_every_wellformed_line_reaches_a_real_table_and_malformed_ones_are_quarantined(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, stats = two_hours
    tables: Counter[str] = Counter()
    fallback = []
    for g in lines:
        table = parse_line(g.line, g.family)["table"]
        tables[table] += 1
        if table in FALLBACK_TABLES:
            fallback.append((table, g.line[:160]))
    malformed = sum(stats.malformed.values())
    assert malformed > 0
    assert tables["unparsed_lines"] == malformed
    # The brief asks >= 99 %; the generator is held to every line.
    assert len(fallback) == malformed, fallback[:5]
    assert len(tables) >= 35  # many log types, not a few templates


def test_a_call_keeps_its_call_id_across_sip_ice_media_participant_and_conference_lines(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, stats = two_hours
    modules_by_call: dict[str, set[str]] = defaultdict(set)
    for g in lines:
        if g.family != "support":
            continue
        record = parse_line(g.line, "support")
        call_id = record.get("call_id")
        if call_id in stats.calls:
            modules_by_call[call_id].add(record["module"])
    sip = [c for c, i in stats.calls.items() if i.protocol == "SIP"]
    assert sip
    assert any(
        {
            "support.sip",
            "support.media",
            "administrator.conference",
            "support.ice",
            "support.participant",
        }
        <= modules_by_call[c]
        for c in sip
    )
    webrtc = [c for c, i in stats.calls.items() if i.protocol == "WebRTC"]
    assert all(
        {"support.ice", "support.media", "administrator.conference"} <= modules_by_call[c]
        for c in webrtc
        if stats.calls[c].messages["conference"] == 3
    )
    assert set(stats.calls_by_protocol()) == {"SIP", "WebRTC", "H323", "TEAMS"}


def test_manifest_counts_each_calls_lines(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, stats = two_hours
    per_call: Counter[str] = Counter()
    for g in lines:
        if g.family == "support":
            cid = parse_line(g.line, "support").get("call_id")
            if cid in stats.calls:
                per_call[cid] += 1
    for cid, info in stats.calls.items():
        # Lines whose call_id column names the call: all but REST and H.323 (Uuid) lines.
        expected = sum(n for k, n in info.messages.items() if k not in ("rest", "h323"))
        assert per_call[cid] == expected, (cid, info.protocol)


def test_audit_event_records_share_a_serial(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, stats = two_hours
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g in lines:
        m = re.search(r"node=(\S+) type=(\S+) msg=audit\([\d.]+:(\d+)\)", g.line)
        if m:
            groups[(m.group(1), m.group(3))].append(m.group(2))
    execs = [types for types in groups.values() if "EXECVE" in types]
    assert execs
    complete = [
        t for t in execs if {"SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE", "EOE"} <= set(t)
    ]
    # A record cut off (malformed) leaves its group one record short; nothing else may.
    assert len(execs) - len(complete) <= stats.malformed["audit"]
    assert any(t == ["USER_AUTH"] for t in groups.values())
    kinds = Counter(t for types in groups.values() for t in types)
    assert kinds["SERVICE_START"] >= 0 and kinds["USER_LOGIN"] > 0 and kinds["USER_CMD"] > 0


def test_support_lines_follow_the_grammar(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, stats = two_hours
    header = re.compile(
        r'^\S+ \S+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} Level="(INFO|WARNING|ERROR)" '
        r'Name="[a-z0-9_.]+" Message="[^"]+"'
    )
    support = [g.line for g in lines if g.family == "support"]
    assert (
        sum(1 for line in support if header.match(line))
        >= len(support) - stats.malformed["support"]
    )
    assert any('Detail="^MINVITE sip:' in line for line in support)  # SIP message with SDP
    assert any("^Mm=audio " in line for line in support)
    assert any('Detail="{\\"call_type\\": \\"WEBRTC\\"' in line for line in support)  # JSON
    assert any("Detail=\"{'call_type': 'WEBRTC'" in line for line in support)  # Python literal
    web = [g.line for g in lines if g.family == "web"]
    assert any(
        re.search(r'apache2: \S+ - \S+ \[\d\d/\w{3}/\d{4}:[\d:]+ \+0000\] "GET ', w) for w in web
    )


def test_events_per_kind_are_realistic(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    _, stats = two_hours
    assert stats.registrations > 0 and stats.configuration_changes > 0
    assert stats.conferences and sum(stats.conferences_per_day().values()) > 5
    assert stats.levels.get("ERROR") or stats.levels.get("WARNING")


def test_bad_arguments_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="families"):
        list(generate_lines(START, 1, families=["nope"]))
    with pytest.raises(UsageError, match="hours"):
        list(generate_lines(START, 0))
    with pytest.raises(UsageError, match="lines per hour"):
        list(generate_lines(START, 1, lines_per_hour=0))


def test_write_logs_writes_one_file_per_family_and_a_manifest(tmp_path: Path) -> None:
    stats, paths = write_logs(tmp_path / "out", START, 1, seed=9, lines_per_hour=600, compress=True)
    assert set(paths) == {"support", "audit", "web"}
    counted = {f: len(gzip.decompress(p.read_bytes()).splitlines()) for f, p in paths.items()}
    assert counted == dict(stats.lines)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["total_lines"] == sum(counted.values())
    assert manifest["conferences_per_day"] == stats.conferences_per_day()
    # Deterministic bytes (gzip without a timestamp).
    _, again = write_logs(tmp_path / "again", START, 1, seed=9, lines_per_hour=600, compress=True)
    assert again["support"].read_bytes() == paths["support"].read_bytes()


def test_cli_generate_to_stdout_and_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["generate", "--start", "2026-01-05T09:00Z", "--hours", "0.25", "--rate", "800"]) == 0
    )
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert 120 <= len(out) <= 300 and out[0].startswith("2026-01-05T09:")
    assert "generated" in captured.err
    assert (
        main(["generate", "--start", "2026-01-05T09", "--hours", "1", "--out", str(tmp_path)]) == 0
    )
    assert (tmp_path / "support.log").stat().st_size > 0
    assert main(["generate", "--start", "yesterday"]) == 2
    assert "ISO-8601" in capsys.readouterr().err


def test_the_node_time_precedes_the_syslog_time_by_a_few_ms(
    two_hours: tuple[list[GeneratedLine], GenerationStats],
) -> None:
    lines, _ = two_hours
    checked = 0
    for g in lines:
        if g.family != "support":
            continue
        record = parse_line(g.line, "support")
        if record["table"] == "unparsed_lines":
            continue
        gap = record["syslog_time"] - record["originating_time"]
        assert timedelta(milliseconds=1) <= gap <= timedelta(milliseconds=5), g.line[:80]
        checked += 1
    assert checked > 1000


@pytest.mark.parametrize("seed", range(5))
def test_even_a_small_run_has_a_few_malformed_lines(seed: int) -> None:
    stats = GenerationStats()
    n = sum(1 for _ in generate_lines(START, 1, seed=seed, lines_per_hour=1500, stats=stats))
    assert 1 <= sum(stats.malformed.values()) <= 3 * n * 0.001 + 1
    none = GenerationStats()
    list(generate_lines(START, 1, seed=seed, lines_per_hour=1500, malformed_rate=0, stats=none))
    assert sum(none.malformed.values()) == 0
