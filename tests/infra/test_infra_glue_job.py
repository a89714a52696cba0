"""Glue job construct: Glue 5 job with the script and pexlogs package assets, scoped role."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cfn_helpers import Synth, as_list, render, resources

from pexlogs.schema import load_registry


def _job(template: dict[str, Any]) -> dict[str, Any]:
    (job,) = resources(template, "AWS::Glue::Job").values()
    return job["Properties"]


def _statements(template: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    policies = [
        r for lid, r in resources(template, "AWS::IAM::Policy").items() if lid.startswith(prefix)
    ]
    (policy,) = policies
    return {st["Sid"]: st for st in policy["Properties"]["PolicyDocument"]["Statement"]}


def test_job_is_glue5_python_with_autoscaling_and_no_bookmarks(
    templates: dict[str, dict[str, Any]],
) -> None:
    job = _job(templates["Default"])
    assert job["Name"] == "pexip-logs-etl"
    assert job["GlueVersion"] == "5.0"
    assert job["Command"]["Name"] == "glueetl"
    assert job["Command"]["PythonVersion"] == "3"
    assert render(job["Command"]["ScriptLocation"]).endswith(".py")
    assert job["WorkerType"] == "G.1X"
    assert job["NumberOfWorkers"] == 10
    assert job["ExecutionClass"] == "STANDARD"
    assert job["Timeout"] == 120
    assert job["MaxRetries"] == 0
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert job["JobRunQueuingEnabled"] is True
    args = job["DefaultArguments"]
    assert args["--job-language"] == "python"
    assert args["--enable-auto-scaling"] == "true"
    assert args["--enable-continuous-cloudwatch-log"] == "true"
    assert args["--job-bookmark-option"] == "job-bookmark-disable"
    assert args["--database"] == "pexip_logs"
    assert args["--families"] == "support,audit,web"
    assert render(args["--raw_uri"]).startswith("s3://${StorageRaw")
    assert render(args["--curated_uri"]).startswith("s3://${StorageCurated")
    assert render(args["--extra-py-files"]).endswith(".zip")


def test_options_reach_the_job(templates: dict[str, dict[str, Any]]) -> None:
    job = _job(templates["Full"])
    assert job["ExecutionClass"] == "FLEX"
    assert job["NumberOfWorkers"] == 4
    assert job["DefaultArguments"]["--families"] == "support,audit"
    (security,) = resources(templates["Full"], "AWS::Glue::SecurityConfiguration").values()
    encryption = security["Properties"]["EncryptionConfiguration"]
    assert encryption["CloudWatchEncryption"]["CloudWatchEncryptionMode"] == "SSE-KMS"
    assert encryption["S3Encryptions"][0]["S3EncryptionMode"] == "SSE-KMS"


def test_role_reads_exports_writes_curated_and_manages_its_tables_only(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Default"]
    statements = _statements(template, "EtlJobPolicy")
    read = statements["ReadRawExports"]
    assert read["Action"] == "s3:GetObject"
    assert render(read["Resource"]).endswith("/exports/*")
    listing = statements["ListRawExports"]
    assert listing["Condition"]["StringLike"]["s3:prefix"] == ["exports", "exports/*"]
    assert "s3:DeleteObject" in statements["WriteCurated"]["Action"]
    assert render(statements["WriteCurated"]["Resource"]).startswith("<StorageCurated")
    catalog = {render(r) for r in as_list(statements["ManagePartitions"]["Resource"])}
    base = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
    tables = {
        res["Properties"]["TableInput"]["Name"]
        for res in resources(template, "AWS::Glue::Table").values()
    }
    assert catalog == {
        f"{base}catalog",
        f"{base}database/pexip_logs",
        *(f"{base}table/pexip_logs/{t}" for t in tables),
    }
    # The code assets: exactly the two objects, nothing else in the assets bucket.
    code = as_list(statements["ReadJobCode"]["Resource"])
    assert len(code) == 2
    assert all(render(r).endswith((".py", ".zip")) for r in code)
    metrics = statements["JobMetrics"]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Glue"}}


def test_the_glue_package_carries_code_and_schemas(synth: Synth) -> None:
    from pexlogs_infra.packaging import glue_package_dir

    package = glue_package_dir() / "pexlogs"
    assert (package / "parser" / "__init__.py").is_file()
    assert (package / "_metadata" / "tables" / "support.json").is_file()
    assert not list(glue_package_dir().glob("*.dist-info"))


def test_the_glue_package_imports_and_loads_schemas_from_a_zip(
    synth: Synth, tmp_path: Path
) -> None:
    # GIVEN the package zipped, as CDK uploads it and Glue adds it to sys.path
    import shutil

    from pexlogs_infra.packaging import glue_package_dir

    archive = shutil.make_archive(str(tmp_path / "pexlogs"), "zip", glue_package_dir())
    # WHEN a bare interpreter imports it from the zip and loads the registry
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import pexlogs; "
        "print(json.dumps([pexlogs.__file__, len(pexlogs.load_registry().tables)]))"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, archive], capture_output=True, text=True, cwd=tmp_path
    )
    # THEN it comes from the zip and finds every table
    assert done.returncode == 0, done.stderr[-2000:]
    where, count = json.loads(done.stdout)
    assert ".zip" in where
    assert count == len(load_registry().tables)
