"""Storage construct: four private, TLS-only, encrypted buckets; the raw bucket's export policy."""

from __future__ import annotations

from typing import Any

import pytest
from cfn_helpers import as_list, policy_statements, ref_id, render, resources

EXPECTED_BUCKETS = {"StorageAccessLogs", "StorageRaw", "StorageCurated", "StorageAthenaResults"}


def _buckets(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = resources(template, "AWS::S3::Bucket")
    # Logical ids are the construct path + a hash suffix.
    return {next(p for p in EXPECTED_BUCKETS if lid.startswith(p)): r for lid, r in found.items()}


def _from_cloudwatch_logs(statement: dict[str, Any]) -> bool:
    service = statement.get("Principal", {}).get("Service")
    return render(service) == "logs.${AWS::Region}.amazonaws.com" if service else False


def _bucket_id(template: dict[str, Any], prefix: str) -> str:
    return next(lid for lid in resources(template, "AWS::S3::Bucket") if lid.startswith(prefix))


@pytest.mark.parametrize("stack", ["Default", "Full"])
def test_every_bucket_is_private_tls_only_and_encrypted(
    templates: dict[str, dict[str, Any]], stack: str
) -> None:
    template = templates[stack]
    buckets = _buckets(template)
    assert set(buckets) == EXPECTED_BUCKETS
    kms = stack == "Full"
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, name
        sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        algorithm = sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
        # Server access logs can only be delivered to an SSE-S3 bucket.
        expected = "aws:kms" if kms and name != "StorageAccessLogs" else "AES256"
        assert algorithm == expected, name
        assert bucket["DeletionPolicy"] == "Retain", name
    for name in EXPECTED_BUCKETS - {"StorageAccessLogs"}:
        logging = buckets[name]["Properties"]["LoggingConfiguration"]
        assert ref_id(logging["DestinationBucketName"]).startswith("StorageAccessLogs")

    # Every bucket policy denies plain HTTP.
    denies = {
        ref_id(res["Properties"]["Bucket"])
        for res in resources(template, "AWS::S3::BucketPolicy").values()
        for st in res["Properties"]["PolicyDocument"]["Statement"]
        if st["Effect"] == "Deny"
        and st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        and st["Action"] == "s3:*"
    }
    assert denies == set(resources(template, "AWS::S3::Bucket"))


def test_raw_bucket_policy_lets_cloudwatch_export_to_exports_only(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Default"]
    raw = _bucket_id(template, "StorageRaw")
    allows = [
        st
        for lid, type_, st in policy_statements(template)
        if type_ == "AWS::S3::BucketPolicy" and st["Effect"] == "Allow"
    ]
    by_action = {st["Action"]: st for st in allows if _from_cloudwatch_logs(st)}
    assert set(by_action) == {"s3:GetBucketAcl", "s3:PutObject"}
    acl, put = by_action["s3:GetBucketAcl"], by_action["s3:PutObject"]
    for st in (acl, put):
        assert render(st["Principal"]["Service"]) == "logs.${AWS::Region}.amazonaws.com"
        assert st["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
        source_arns = {render(a) for a in st["Condition"]["ArnLike"]["aws:SourceArn"]}
        base = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
        assert source_arns == {
            f"{base}/pexip/{f}{suffix}"
            for f in ("support", "audit", "web")
            for suffix in ("", ":*")
        }
    assert ref_id(acl["Resource"]) == raw
    assert render(put["Resource"]) == f"<{raw}.Arn>/exports/*"
    assert put["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


def test_raw_exports_expire_and_curated_keeps_versions(
    templates: dict[str, dict[str, Any]],
) -> None:
    buckets = _buckets(templates["Default"])
    (rule,) = buckets["StorageRaw"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Prefix"] == "exports/"
    assert rule["ExpirationInDays"] == 30
    assert "VersioningConfiguration" not in buckets["StorageRaw"]["Properties"]
    curated = buckets["StorageCurated"]["Properties"]
    assert curated["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = curated["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert "Transitions" not in rule  # STANDARD by default
    results = buckets["StorageAthenaResults"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert results[0]["ExpirationInDays"] == 30


def test_full_options_use_the_key_and_intelligent_tiering(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Full"]
    (key_id,) = resources(template, "AWS::KMS::Key")
    buckets = _buckets(template)
    for name in EXPECTED_BUCKETS - {"StorageAccessLogs"}:
        sse = buckets[name]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert ref_id(sse[0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]) == key_id
        assert sse[0]["BucketKeyEnabled"] is True
    (rule,) = buckets["StorageCurated"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Transitions"] == [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}]
    # Only the configured families may export, under their configured names.
    (put,) = [
        st
        for _, type_, st in policy_statements(template)
        if type_ == "AWS::S3::BucketPolicy"
        and st.get("Action") == "s3:PutObject"
        and _from_cloudwatch_logs(st)
    ]
    source_arns = as_list(put["Condition"]["ArnLike"]["aws:SourceArn"])
    names = {render(a).split("log-group:")[1] for a in source_arns}
    assert names == {"/custom/support", "/custom/support:*", "/pexip/audit", "/pexip/audit:*"}


def test_key_policy_lets_cloudwatch_logs_use_the_key_for_exports(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Full"]
    (key,) = resources(template, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = {st.get("Sid"): st for st in key["Properties"]["KeyPolicy"]["Statement"]}
    export = statements["CloudWatchLogsExportToBucket"]
    assert render(export["Principal"]["Service"]) == "logs.${AWS::Region}.amazonaws.com"
    assert set(export["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert "aws:SourceArn" in export["Condition"]["ArnLike"]
    encrypt = statements["CloudWatchLogsEncryptLogGroups"]
    assert "kms:EncryptionContext:aws:logs:arn" in encrypt["Condition"]["ArnLike"]
    alerts = statements["AlertPublishersUseTopicKey"]
    assert set(alerts["Principal"]["Service"]) == {
        "cloudwatch.amazonaws.com",
        "events.amazonaws.com",
    }
