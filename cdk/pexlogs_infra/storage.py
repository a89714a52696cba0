"""Storage: the raw export, curated table and Athena results buckets (+ their access-log bucket).

All four block public access, refuse plain HTTP and default-encrypt (S3-managed keys, or the
optional customer-managed key). The raw bucket's policy lets CloudWatch Logs ``CreateExportTask``
write under ``exports/`` only, for this account's configured log groups only.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from pexlogs_infra.config import PexlogsConfig
from pexlogs_infra.encryption import export_source_arns

__all__ = ["EXPORT_PREFIX", "Storage"]

EXPORT_PREFIX = "exports/"

_TRANSITIONS = {
    "STANDARD": None,
    "INTELLIGENT_TIERING": (s3.StorageClass.INTELLIGENT_TIERING, 0),
    # S3 refuses transitions to Standard-IA before 30 days.
    "STANDARD_IA": (s3.StorageClass.INFREQUENT_ACCESS, 30),
}


class Storage(Construct):
    """The pipeline's buckets: ``raw_bucket``, ``curated_bucket``, ``results_bucket``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging can only deliver to an SSE-S3 bucket.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(365))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # No access logs for the access-log bucket itself (cdk-nag S1 knows a log target).

        self.raw_bucket = self._bucket(
            "Raw",
            "raw/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-exports",
                    prefix=EXPORT_PREFIX,
                    expiration=Duration.days(config.raw_export_expiry_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            # Exports are copies of CloudWatch data, re-exportable while the log groups keep it:
            # versions would only keep expired copies alive.
            versioned=False,
        )
        self._allow_cloudwatch_exports(config)

        transition = _TRANSITIONS[config.curated_storage_class]
        self.curated_bucket = self._bucket(
            "Curated",
            "curated/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="curated-storage",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                    # Re-runs overwrite partitions: keep replaced files a while, then drop them.
                    noncurrent_version_expiration=Duration.days(30),
                    transitions=[
                        s3.Transition(
                            storage_class=transition[0],
                            transition_after=Duration.days(transition[1]),
                        )
                    ]
                    if transition
                    else None,
                )
            ],
            versioned=True,
        )
        self.results_bucket = self._bucket(
            "AthenaResults",
            "athena-results/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-query-results",
                    expiration=Duration.days(config.results_expiry_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            versioned=False,
        )

    def _bucket(
        self,
        construct_id: str,
        log_prefix: str,
        *,
        lifecycle_rules: list[s3.LifecycleRule],
        versioned: bool,
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS if self.key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=self.key,
            bucket_key_enabled=True if self.key else None,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=versioned,
            lifecycle_rules=lifecycle_rules,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=log_prefix,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _allow_cloudwatch_exports(self, config: PexlogsConfig) -> None:
        """The bucket policy CloudWatch Logs export tasks need, and nothing more."""
        logs_service = iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")
        source = {
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {"aws:SourceArn": export_source_arns(self, config)},
        }
        self.raw_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsExportGetBucketAcl",
                principals=[logs_service],
                actions=["s3:GetBucketAcl"],
                resources=[self.raw_bucket.bucket_arn],
                conditions=source,
            )
        )
        self.raw_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsExportPutObject",
                principals=[logs_service],
                actions=["s3:PutObject"],
                resources=[self.raw_bucket.arn_for_objects(f"{EXPORT_PREFIX}*")],
                conditions={
                    "StringEquals": {
                        **source["StringEquals"],
                        "s3:x-amz-acl": "bucket-owner-full-control",
                    },
                    "ArnLike": source["ArnLike"],
                },
            )
        )
