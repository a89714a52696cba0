"""``pexlogs etl`` and the Glue entry script, on local Spark (the session-scoped fixture)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pexlogs.cli import main as cli_main

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from test_etl_job import H10, cut_off, scenario_lines, sip, unknown_module, web, write_export  # noqa: E402


def etl(*args: str) -> int:
    return cli_main(["etl", *args])


def last_json(out: str) -> dict[str, Any]:
    return dict(json.loads(out.strip().splitlines()[-1]))


def web_cut_off(hour: int) -> str:
    return f'2026-11-27T{hour:02d}:20:00.000+00:00 pxpmgmt apache2: 10.0.0.9 - - [27/Nov/2026:{hour:02d}:20:00 +0000] "GET /x'


def unparsed_rows(spark: Any, curated: Path) -> list[tuple[str, str, str]]:
    df = spark.read.parquet(str(curated / "unparsed" / "unparsed_lines"))
    return sorted((r["family"], r["hour"], r["raw_line"]) for r in df.collect())


def test_folder_of_plain_files_becomes_tables_and_families_share_unparsed_lines(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a folder of plain support logs (one file gzipped) spanning hours 10 and 11
    logs = tmp_path / "support-logs"
    logs.mkdir()
    (logs / "support.log").write_text(
        "\n".join([sip(10, 1, "c1"), unknown_module(10, 2), cut_off(11, 3)]) + "\n"
    )
    (logs / "support.log.1.gz").write_bytes(gzip.compress((sip(11, 4, "c2") + "\n").encode()))
    (logs / ".hidden").write_text("not a log\n")
    curated = tmp_path / "curated"

    # WHEN pexlogs etl reads it as the support family
    code = etl(
        "--family", "support", "--raw-uri", str(logs), "--curated-uri", str(curated), "--json"
    )
    summary = last_json(capsys.readouterr().out)

    # THEN each line is in its table, partitioned by the hour of its own syslog time
    assert code == 0
    assert summary["lines_read"] == {"support": 4}
    assert summary["rows_written"] == {
        "support_other": 1,
        "support_sip_received": 2,
        "unparsed_lines": 1,
    }
    sip_rows = spark.read.parquet(str(curated / "support" / "support_sip_received")).collect()
    assert sorted((r["hour"], r["call_id"]) for r in sip_rows) == [("10", "c1"), ("11", "c2")]

    # WHEN a web folder with its own cut-off line in hour 11 goes into the same curated root
    web_logs = tmp_path / "web-logs"
    web_logs.mkdir()
    (web_logs / "access.log").write_text(web(11, 1, "/ok/") + "\n" + web_cut_off(11) + "\n")
    assert (
        etl("--family", "web", "--raw-uri", str(web_logs), "--curated-uri", str(curated), "--json")
        == 0
    )
    capsys.readouterr()
    # THEN unparsed_lines' hour-11 partition keeps the support line next to the web one
    both = [
        ("support", "11", cut_off(11, 3)),
        ("web", "11", web_cut_off(11)),
    ]
    assert unparsed_rows(spark, curated) == both

    # WHEN the support folder is processed again THEN nothing is duplicated or lost
    assert (
        etl("--family", "support", "--raw-uri", str(logs), "--curated-uri", str(curated), "--json")
        == 0
    )
    again = last_json(capsys.readouterr().out)
    assert again["rows_written"] == summary["rows_written"]
    assert unparsed_rows(spark, curated) == both


def test_export_mode_with_catalog_prints_a_json_summary(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    for (family, hour), lines in scenario_lines().items():
        if hour == 10:
            write_export(raw, family, hour, lines)
    with mock_aws():
        code = etl(
            "--raw-uri",
            str(raw),
            "--curated-uri",
            str(curated),
            "--start",
            "2026-11-27T10:00Z",
            "--end",
            "2026-11-27T11:00Z",
            "--catalog",
        )
        out = capsys.readouterr().out
        summary = last_json(out)
        glue = boto3.client("glue", region_name="eu-west-1")
        parts = glue.get_partitions(DatabaseName="pexip_logs", TableName="web_access")
    assert code == 0
    assert "support_sip_received" in out  # the human table comes before the JSON line
    assert summary["lines_read"] == {"audit": 2, "support": 3, "web": 2}
    assert summary["windows"] == [H10]
    assert [p["Values"] for p in parts["Partitions"]] == [["2026-11-27", "10"]]
    assert parts["Partitions"][0]["StorageDescriptor"]["Location"] == (
        f"{curated.as_uri()}/web/web_access/dt=2026-11-27/hour=10/"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--raw-uri", "r", "--curated-uri", "c"], "--start and --end are required"),
        (
            ["--raw-uri", "r", "--curated-uri", "c", "--family", "web", "--start", "2026-01-01"],
            "do not apply",
        ),
        (
            [
                "--raw-uri",
                "r",
                "--curated-uri",
                "c",
                "--start",
                "2026-11-27T10:30Z",
                "--end",
                "2026-11-27T11:00Z",
            ],
            "whole hours",
        ),
    ],
)
def test_usage_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["etl", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("pexlogs: error:") and message in err[-1]


def load_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "pexip_logs_etl", REPO / "glue_jobs" / "pexip_logs_etl.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_glue_entry_script_writes_the_summary_to_s3() -> None:
    script = load_script()
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket="runs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        script.write_summary("s3://runs/_runs/exec-9.json", {"quarantined": 0}, s3_client=s3)
        body = s3.get_object(Bucket="runs", Key="_runs/exec-9.json")["Body"].read()
    assert json.loads(body) == {"quarantined": 0}


def test_glue_entry_script_prints_the_summary_last(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the real entry script, loaded as Glue would run it (minus awsglue: argparse fallback)
    script = load_script()
    raw = tmp_path / "raw"
    write_export(raw, "web", 10, [web(10, 1, "/a/"), web(10, 2, "/b/")])
    argv = [
        "pexip_logs_etl.py",
        "--JOB_NAME",
        "pexip-logs-etl",  # Glue adds it; the script must ignore it
        "--windows",
        json.dumps([H10]),
        "--raw_uri",
        raw.as_uri(),
        "--curated_uri",
        (tmp_path / "curated").as_uri(),
        "--families",
        "web",
        "--summary_uri",
        (tmp_path / "runs" / "exec-1.json").as_uri(),
    ]
    assert script.main(argv) == 0
    summary = last_json(capsys.readouterr().out)
    # THEN the summary is also where the workflow reads it back
    assert json.loads((tmp_path / "runs" / "exec-1.json").read_text()) == summary
    assert summary["lines_read"] == {"web": 2}
    assert summary["rows_written"] == {"web_access": 2}
    assert (tmp_path / "curated" / "web" / "web_access" / "dt=2026-11-27" / "hour=10").is_dir()
