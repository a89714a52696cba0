"""``pexlogs parse``: inputs (files, folders, stdin, gzip, CloudWatch exports), output, errors."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from pexlogs._lines import decode_line, iter_lines, split_export_prefix
from pexlogs.cli import main

AUDIT = (
    "2021-03-07T10:50:32.375+00:00 pxpconf01 audispd: node=work type=SYSCALL "
    'msg=audit(1615114232.375:15558): syscall=59 auid=1000 key=(null)\x1dARCH=x86_64 AUID="user"'
)
WEB = (
    "2019-07-04T07:20:46.000+00:00 pxpconf01 apache2: 10.0.0.1 - - [04/Jul/2019:09:20:46 +0200] "
    '"GET / HTTP/1.1" 200 32953 "-" "curl/8"'
)
SUPPORT = (
    '2021-06-08T07:58:12.307+00:00 pxpmgmt 2021-06-08 07:58:12,304 Level="INFO" '
    'Name="administrator.alarm" Message="Alarm raised"'
)
EXPORT_TIME = "2021-06-08T07:58:13.000Z"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    code = main(["parse", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def write(path: Path, *lines: str, gz: bool = False, newline: str = "\n") -> Path:
    data = "".join(line + newline for line in lines).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_one_json_record_per_line_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a file mixing the three families
    path = write(tmp_path / "mixed.log", WEB, AUDIT, SUPPORT, "garbage")
    # WHEN it is parsed with family auto
    code, records, err = run(capsys, str(path))
    # THEN there is one record per line, in order, timestamps as ISO strings
    assert code == 0 and err == ""
    assert [r["table"] for r in records] == [
        "web_access",
        "audit_syscall",
        "support_administrator_alarm",
        "unparsed_lines",
    ]
    assert records[0]["time"] == "2019-07-04T07:20:46+00:00"
    assert records[1]["audit_time"] == "2021-03-07T10:50:32.375000+00:00"
    assert records[3]["raw_line"] == "garbage"


def test_group_separator_does_not_split_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 0x1D is a line boundary for str.splitlines(); here it is part of an enriched audit record
    _, records, _ = run(capsys, str(write(tmp_path / "a.log", AUDIT, AUDIT)))
    assert len(records) == 2
    assert records[0]["enriched"] == {"ARCH": "x86_64", "AUID": "user"}


def test_gzip_is_read_transparently_whatever_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, records, _ = run(capsys, str(write(tmp_path / "000000", WEB, AUDIT, gz=True)))
    assert [r["table"] for r in records] == ["web_access", "audit_syscall"]


def test_cloudwatch_export_prefix_is_stripped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "000000.gz", f"{EXPORT_TIME} {WEB}", f"{EXPORT_TIME} {AUDIT}", gz=True)
    _, records, _ = run(capsys, str(path))
    assert records[0]["table"] == "web_access" and records[0]["host"] == "pxpconf01"
    assert records[1]["table"] == "audit_syscall" and records[1]["serial"] == 15558


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = gzip.compress(f"{WEB}\r\n{SUPPORT}\r\n".encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    _, records, _ = run(capsys, "-")
    assert [r["table"] for r in records] == ["web_access", "support_administrator_alarm"]
    assert records[0]["user_agent"] == "curl/8"  # the \r of CRLF input is not part of a value


def test_plain_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = f"{AUDIT}\n{WEB}\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    _, records, _ = run(capsys, "--family", "auto", "-")
    assert [r["table"] for r in records] == ["audit_syscall", "web_access"]


def test_folder_is_read_recursively_and_write_test_objects_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = tmp_path / "exports" / "web" / "2019" / "07" / "04" / "07"
    (prefix / "task" / "stream").mkdir(parents=True)
    write(prefix / "task" / "stream" / "000000.gz", f"{EXPORT_TIME} {WEB}", gz=True)
    write(prefix / "aws-logs-write-test", "Permission Check Successful")
    write(tmp_path / "exports" / "manifest.json", "{", '  "lines": 1', "}")
    write(tmp_path / "exports" / ".hidden", "x")
    _, records, _ = run(capsys, str(tmp_path / "exports"))
    assert [r["table"] for r in records] == ["web_access"]


def test_forced_family(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = '::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209'
    _, records, _ = run(capsys, "--family", "web", str(write(tmp_path / "access.log", bare)))
    assert records[0]["table"] == "web_access" and records[0]["status"] == 404


def test_invalid_utf8_never_loses_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes(WEB.replace("curl/8", "caf\xe9").encode("latin-1") + b"\n")
    _, records, _ = run(capsys, str(path))
    assert records[0]["table"] == "web_access"
    assert records[0]["user_agent"] == "caf\\xe9"


def test_summary_counts_per_table_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "m.log", WEB, WEB, AUDIT, "x")
    code, records, err = run(capsys, "--summary", str(path))
    assert code == 0 and len(records) == 4
    counts = dict(line.rsplit(None, 1) for line in err.strip().splitlines())
    assert counts == {"web_access": "2", "audit_syscall": "1", "unparsed_lines": "1", "total": "4"}


def test_missing_path_is_a_one_line_error_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "ok.log", WEB)
    code = main(["parse", str(good), str(tmp_path / "missing.log")])
    out, err = capsys.readouterr()
    # nothing is printed for the good file either: inputs are checked before any output
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "missing.log" in err and "Traceback" not in err


def test_corrupt_gzip_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(f"{WEB}\n".encode() * 1000)[:200])
    code = main(["parse", str(path)])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("pexlogs: error:") and "bad.gz" in err


def test_help_explains_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["parse", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--family" in out and "--summary" in out and "CloudWatch" in out


def test_split_export_prefix_only_strips_a_second_timestamp() -> None:
    assert split_export_prefix(f"{EXPORT_TIME} {WEB}") == (EXPORT_TIME, WEB)
    assert split_export_prefix(WEB) == (None, WEB)
    assert split_export_prefix("2021-06-08T07:58:13Z not-a-time x") == (
        None,
        "2021-06-08T07:58:13Z not-a-time x",
    )


def test_iter_lines_splits_on_newline_only(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"a\x1cb\x1dc\x1ed\x0be\x0cf\rg\nh\r\n\nlast")
    assert list(iter_lines(str(path))) == ["a\x1cb\x1dc\x1ed\x0be\x0cf\rg", "h", "", "last"]


def test_decode_line() -> None:
    assert decode_line(b"caf\xc3\xa9 \xff\r\n") == "café \\xff"


def test_progress_bar_does_not_change_the_output(tmp_path: Path) -> None:
    from pexlogs.cli._parse import run_parse

    path = write(tmp_path / "m.log", WEB, AUDIT)
    plain, with_bar = io.StringIO(), io.StringIO()
    assert run_parse([str(path)], "auto", plain) == run_parse(
        [str(path)], "auto", with_bar, progress=True
    )
    assert plain.getvalue() == with_bar.getvalue() and plain.getvalue().count("\n") == 2
