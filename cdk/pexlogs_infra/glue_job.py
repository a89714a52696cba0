"""The Glue job: the thin entry script in ``glue_jobs/`` plus the ``pexlogs`` package, Glue 5.

The job's role reads the raw ``exports/`` prefix, writes the curated bucket (tables and the run
summaries under ``_runs/``), manages partitions of this database's tables only, and writes its own
logs and metrics. Nothing here grants a wildcard action; where AWS offers no resource scoping the
suppression says so.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from pexlogs_infra.config import PexlogsConfig
from pexlogs_infra.nag import acknowledge
from pexlogs_infra.packaging import REPO_ROOT, glue_package_dir
from pexlogs_infra.storage import EXPORT_PREFIX

__all__ = ["GLUE_SCRIPT", "PARTITION_ACTIONS", "EtlJob"]

GLUE_SCRIPT = REPO_ROOT / "glue_jobs" / "pexip_logs_etl.py"

#: What the job does to the catalog: read its tables (and repair one that drifted from
#: ``metadata/``, as ``pexlogs.catalog.ensure_tables`` does), manage their partitions.
PARTITION_ACTIONS = [
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
    "glue:DeletePartition",
    "glue:BatchDeletePartition",
]


class EtlJob(Construct):
    """``job`` (a ``CfnJob`` named ``config.job_name``), its ``role`` and ``job_arn``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        raw_bucket: s3.IBucket,
        curated_bucket: s3.IBucket,
        table_names: list[str],
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if not GLUE_SCRIPT.is_file():
            raise FileNotFoundError(f"the Glue entry script {GLUE_SCRIPT} is missing")
        stack = Stack.of(self)
        script = s3_assets.Asset(self, "Script", path=str(GLUE_SCRIPT))
        package = s3_assets.Asset(self, "Package", path=str(glue_package_dir()))

        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description=f"Glue job {config.job_name}: raw exports in, curated tables out",
        )
        policy = iam.Policy(self, "Policy", roles=[self.role])
        add = policy.add_statements
        add(
            iam.PolicyStatement(
                sid="ReadJobCode",
                actions=["s3:GetObject"],
                resources=[
                    script.bucket.arn_for_objects(script.s3_object_key),
                    package.bucket.arn_for_objects(package.s3_object_key),
                ],
            ),
            iam.PolicyStatement(
                sid="ListRawExports",
                actions=["s3:ListBucket"],
                resources=[raw_bucket.bucket_arn],
                conditions={
                    "StringLike": {"s3:prefix": [EXPORT_PREFIX.rstrip("/"), f"{EXPORT_PREFIX}*"]}
                },
            ),
            iam.PolicyStatement(
                sid="ReadRawExports",
                actions=["s3:GetObject"],
                resources=[raw_bucket.arn_for_objects(f"{EXPORT_PREFIX}*")],
            ),
            iam.PolicyStatement(
                sid="ListCurated",
                actions=["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
                resources=[curated_bucket.bucket_arn],
            ),
            iam.PolicyStatement(
                sid="WriteCurated",
                actions=[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                resources=[curated_bucket.arn_for_objects("*")],
            ),
            iam.PolicyStatement(
                sid="ManagePartitions",
                actions=PARTITION_ACTIONS,
                resources=[
                    stack.format_arn(service="glue", resource="catalog"),
                    stack.format_arn(
                        service="glue", resource="database", resource_name=config.database_name
                    ),
                    *(
                        stack.format_arn(
                            service="glue",
                            resource="table",
                            resource_name=f"{config.database_name}/{name}",
                        )
                        for name in table_names
                    ),
                ],
            ),
            iam.PolicyStatement(
                sid="JobLogs",
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    *(["logs:AssociateKmsKey"] if key else []),
                ],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws-glue/*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            ),
            iam.PolicyStatement(
                sid="JobMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": "Glue"}},
            ),
        )
        if key:
            add(
                iam.PolicyStatement(
                    sid="UseDataKey",
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                )
            )
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "cloudwatch:PutMetricData supports no resource-level permission; the statement is "
            "limited to the Glue metric namespace by condition.",
        )
        for finding, reason in _wildcard_reasons(raw_bucket, curated_bucket).items():
            acknowledge(policy, f"AwsSolutions-IAM5[Resource::{finding}]", reason)

        security = self._security_configuration(config, key)
        arguments = {
            "--job-language": "python",
            "--extra-py-files": package.s3_object_url,
            "--raw_uri": f"s3://{raw_bucket.bucket_name}/",
            "--curated_uri": f"s3://{curated_bucket.bucket_name}/",
            "--database": config.database_name,
            "--families": ",".join(config.families),
            "--enable-auto-scaling": "true",
            "--enable-continuous-cloudwatch-log": "true",
            "--enable-metrics": "true",
            "--enable-observability-metrics": "true",
            "--job-bookmark-option": "job-bookmark-disable",
        }
        self.job = glue.CfnJob(
            self,
            "Job",
            name=config.job_name,
            description="pexlogs: CloudWatch export objects -> shared parser -> Parquet tables",
            role=self.role.role_arn,
            command=glue.CfnJob.JobCommandProperty(
                name="glueetl", python_version="3", script_location=script.s3_object_url
            ),
            glue_version="5.0",
            worker_type=config.glue_worker_type,
            # With auto scaling on, NumberOfWorkers is the maximum Glue may scale out to.
            number_of_workers=config.glue_max_workers,
            execution_class=config.glue_execution_class,
            timeout=config.glue_timeout_minutes,
            max_retries=0,  # the workflow decides about re-runs; a blind retry doubles the cost
            # Runs overwrite their windows' partitions: two at once could write the same hour, so
            # one runs at a time and the others queue (the hourly and catch-up runs can overlap).
            execution_property=glue.CfnJob.ExecutionPropertyProperty(max_concurrent_runs=1),
            job_run_queuing_enabled=True,
            security_configuration=security.ref,
            default_arguments=arguments,
        )
        self.job.node.add_dependency(policy)
        if not key:
            reason = (
                "KMS is off (context kms=false): CloudWatch Logs and bookmark encryption need a "
                "customer-managed key; the logs are still encrypted at rest by CloudWatch, and "
                "bookmarks are disabled. Set kms=true to encrypt with the stack's key."
            )
            acknowledge(self.job, "AwsSolutions-GL1", reason)
            acknowledge(self.job, "AwsSolutions-GL3", reason)
        self.job_name = config.job_name
        self.job_arn = stack.format_arn(
            service="glue", resource="job", resource_name=config.job_name
        )

    def _security_configuration(
        self, config: PexlogsConfig, key: kms.IKey | None
    ) -> glue.CfnSecurityConfiguration:
        if key:
            encryption = glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                s3_encryptions=[
                    glue.CfnSecurityConfiguration.S3EncryptionProperty(
                        s3_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn
                    )
                ],
                cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                    cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn
                ),
                job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=key.key_arn
                ),
            )
        else:
            encryption = glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                s3_encryptions=[
                    glue.CfnSecurityConfiguration.S3EncryptionProperty(s3_encryption_mode="SSE-S3")
                ],
            )
        security = glue.CfnSecurityConfiguration(
            self,
            "SecurityConfiguration",
            name=f"{config.job_name}-{Aws.REGION}",
            encryption_configuration=encryption,
        )
        return security


def _wildcard_reasons(raw_bucket: s3.IBucket, curated_bucket: s3.IBucket) -> dict[str, str]:
    """Findings IAM5 reports for the object/log ARNs that must end in a wildcard, and why."""
    stack = Stack.of(raw_bucket)
    raw = stack.resolve(raw_bucket.bucket_arn)["Fn::GetAtt"][0]
    curated = stack.resolve(curated_bucket.bucket_arn)["Fn::GetAtt"][0]
    return {
        f"<{raw}.Arn>/{EXPORT_PREFIX}*": "Export objects are named by CloudWatch at run time "
        "(task id, log stream); read access is limited to the exports/ prefix.",
        f"<{curated}.Arn>/*": "The job owns the curated bucket: it writes Parquet partitions and "
        "run summaries under names chosen at run time.",
        "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*": "Glue "
        "chooses its job log group and stream names at run time (per run id and security "
        "configuration); the grant stays under the /aws-glue/ prefix.",
    }
