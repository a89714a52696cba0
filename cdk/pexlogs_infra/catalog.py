"""Catalog and Athena: the Glue database, one table per log type, the workgroup, named queries.

Tables come from the schema registry (``metadata/tables``) through ``pexlogs.catalog.table_input``,
the same TableInput the Glue job and the local runner use; named queries are the files in
``metadata/queries/*.sql``, one ``CfnNamedQuery`` each, named after the file.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from pexlogs._paths import metadata_dir
from pexlogs.catalog import table_input
from pexlogs.schema import load_registry
from pexlogs_infra.config import PexlogsConfig

__all__ = ["Catalog", "named_query_files", "query_description"]

ATHENA_RESULTS_PREFIX = "athena/"
DEFAULT_DATABASE = "pexip_logs"


def named_query_files(folder: Path | None = None) -> list[Path]:
    """The shipped Athena queries, ``metadata/queries/<name>.sql``, sorted by name."""
    return sorted(((folder or metadata_dir()) / "queries").glob("*.sql"))


def query_description(sql: str, name: str) -> str:
    """The query's description: its leading ``--`` comment lines, else its name."""
    lines = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        lines.append(stripped.lstrip("-").strip())
    text = " ".join(part for part in lines if part) or name.replace("_", " ")
    return text[:1024]


class Catalog(Construct):
    """``database``, ``tables[name]``, ``workgroup`` and ``named_queries[name]``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        curated_bucket: s3.IBucket,
        results_bucket: s3.IBucket,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        registry = load_registry()
        self.database_name = config.database_name
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=config.database_name,
                description="Pexip Infinity logs as tables (pexlogs): one table per log type.",
            ),
        )
        curated_uri = f"s3://{curated_bucket.bucket_name}"
        self.tables: dict[str, glue.CfnTable] = {}
        for name in config.tables:
            table = glue.CfnTable(
                self,
                f"Table_{name}",
                catalog_id=Aws.ACCOUNT_ID,
                database_name=config.database_name,
                # Replaced wholesale below by the registry's TableInput (CloudFormation's
                # property names are the Glue API's, so the same dict serves both).
                table_input=glue.CfnTable.TableInputProperty(name=name),
            )
            table.add_property_override(
                "TableInput", dict(table_input(registry.table(name), curated_uri))
            )
            table.node.add_dependency(self.database)
            self.tables[name] = table

        stack = Stack.of(self)
        self.workgroup_name = stack.stack_name.lower()
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.workgroup_name,
            description="pexlogs: queries over the Pexip log tables",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=config.athena_bytes_scanned_cutoff_mb * 1024 * 1024,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=results_bucket.s3_url_for_object(ATHENA_RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS" if key else "SSE_S3",
                        kms_key=key.key_arn if key else None,
                    ),
                    expected_bucket_owner=Aws.ACCOUNT_ID,
                ),
            ),
        )

        self.named_queries: dict[str, athena.CfnNamedQuery] = {}
        for path in named_query_files():
            sql = path.read_text(encoding="utf-8")
            if config.database_name != DEFAULT_DATABASE:
                # The shipped SQL names its tables pexip_logs.<table>: follow a renamed database.
                sql = sql.replace(f"{DEFAULT_DATABASE}.", f"{config.database_name}.")
            query = athena.CfnNamedQuery(
                self,
                f"Query_{path.stem}",
                name=path.stem,
                description=query_description(sql, path.stem),
                database=config.database_name,
                query_string=sql,
                work_group=self.workgroup.ref,
            )
            query.node.add_dependency(self.database)
            self.named_queries[path.stem] = query
