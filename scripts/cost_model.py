"""The monthly cost model behind docs/COST.md: prints its tables (Markdown).

    python scripts/cost_model.py

Every unit price is a list price (USD, us-east-1/eu-west-1 level) to verify on the AWS pricing
pages before relying on a figure; every volume ratio is stated in PRICES/ASSUMPTIONS below, and
the two size ratios were measured on generated logs (see docs/COST.md).
"""

from __future__ import annotations

DAYS = 30
HOURS = DAYS * 24

PRICES = {
    "cwl_ingest_gb": 0.50,  # CloudWatch Logs Standard ingestion, per GB
    "cwl_ingest_ia_gb": 0.25,  # Infrequent Access log class ingestion, per GB
    "cwl_store_gb_month": 0.03,  # CloudWatch Logs archival storage, per GB-month (compressed)
    "s3_gb_month": 0.023,  # S3 Standard storage, per GB-month
    "s3_put_1000": 0.005,  # S3 PUT/COPY/POST/LIST, per 1,000 requests
    "glue_dpu_hour": 0.44,  # Glue Spark job, per DPU-hour (per second, 1-minute minimum)
    "athena_tb": 5.00,  # Athena SQL, per TB scanned (10 MB minimum per query)
    "sfn_1000_transitions": 0.025,  # Step Functions Standard, per 1,000 state transitions
    "firehose_gb": 0.029,  # Data Firehose ingestion, first 500 TB/month, per GB
    "firehose_dynpart_gb": 0.020,  # dynamic partitioning, per GB
    "firehose_dynpart_1000_objects": 0.005,  # dynamic partitioning, per 1,000 S3 objects
    "lambda_gb_s": 0.0000166667,  # Lambda x86, per GB-second
    "lambda_1m_requests": 0.20,  # Lambda, per million requests
}

ASSUMPTIONS = {
    "event_overhead": 1.06,  # CloudWatch bills 26 bytes per event on top (~420-byte lines)
    "gzip_ratio": 0.15,  # gzip size / raw size (measured: 6.8:1 on generated logs)
    "parquet_ratio": 0.25,  # Parquet (snappy) size / raw size (measured: 4.1:1)
    "json_gz_ratio": 0.20,  # gzip JSON records / raw size (keys repeated in every record)
    "cwl_retention_days": 7,  # the pipeline needs a day; keep a week for Logs Insights
    "raw_retention_days": 30,  # S3 lifecycle on the raw exports
    "curated_months": 12,  # storage shown is month 12 of keeping the Parquet tables
    "glue_mb_s_per_worker": 32.0,  # raw MB/s one G.1X executor parses (4 cores x ~8 MB/s)
    "glue_overhead_s": 60.0,  # billed seconds per run besides parsing (start, catalog calls)
    "hourly_workers": 2,  # G.1X workers of an hourly run (1 driver + 1 executor)
    "catchup_workers": 10,  # workers of the daily 24-hour catch-up run (auto scaling)
    "queries_per_day": 20,  # Athena queries by administrators
    "query_scan_share": 0.10,  # share of one day's Parquet a typical query reads
    "json_scan_factor": 5.0,  # JSON (no column pruning) scans ~5x the Parquet bytes
    "sfn_transitions_per_run": 40,  # 3 exports x (create + polls) + job + bookkeeping
    "lambda_mb_s": 14.0,  # raw MB/s the parser does on one Lambda vCPU (1,769 MB)
    "firehose_objects_per_hour": 60,  # S3 objects dynamic partitioning writes per hour
}


def glue_cost(gb_day: float) -> float:
    a, p = ASSUMPTIONS, PRICES
    hourly_mb = gb_day * 1024 / 24
    hourly_s = max(60.0, a["glue_overhead_s"] + hourly_mb / a["glue_mb_s_per_worker"])
    hourly = HOURS * a["hourly_workers"] * hourly_s / 3600
    executors = a["catchup_workers"] - 1
    daily_s = max(
        60.0, a["glue_overhead_s"] + gb_day * 1024 / (a["glue_mb_s_per_worker"] * executors)
    )
    daily = DAYS * a["catchup_workers"] * daily_s / 3600
    return (hourly + daily) * p["glue_dpu_hour"]


def athena_cost(gb_day: float, scan_factor: float = 1.0) -> float:
    a, p = ASSUMPTIONS, PRICES
    per_query_gb = max(0.01, gb_day * a["parquet_ratio"] * a["query_scan_share"] * scan_factor)
    return DAYS * a["queries_per_day"] * per_query_gb / 1024 * p["athena_tb"]


def pexlogs(gb_day: float) -> dict[str, float]:
    """This project: CloudWatch Logs -> CreateExportTask -> Glue job -> Parquet -> Athena."""
    a, p = ASSUMPTIONS, PRICES
    month_gb = gb_day * DAYS
    return {
        "CloudWatch Logs ingestion": month_gb * a["event_overhead"] * p["cwl_ingest_gb"],
        "CloudWatch Logs storage": gb_day
        * a["cwl_retention_days"]
        * a["gzip_ratio"]
        * p["cwl_store_gb_month"],
        "Exports (CreateExportTask) + S3 PUTs": HOURS * 3 * 5 * 1.1 / 1000 * p["s3_put_1000"],
        "S3 raw exports": gb_day * a["raw_retention_days"] * a["gzip_ratio"] * p["s3_gb_month"],
        "S3 Parquet tables (month 12)": month_gb
        * a["curated_months"]
        * a["parquet_ratio"]
        * p["s3_gb_month"],
        "Glue ETL job": glue_cost(gb_day),
        "Glue Data Catalog": 0.0,
        "Step Functions + Scheduler": max(0.0, (HOURS + DAYS) * a["sfn_transitions_per_run"] - 4000)
        / 1000
        * p["sfn_1000_transitions"],
        "Athena queries": athena_cost(gb_day),
    }


def firehose(gb_day: float) -> dict[str, float]:
    """Alternative: CloudWatch Logs subscription -> Firehose (Lambda parses, dynamic
    partitioning by table/dt/hour) -> gzip JSON on S3 -> Athena (partition projection)."""
    a, p = ASSUMPTIONS, PRICES
    month_gb = gb_day * DAYS
    lambda_s = month_gb * 1024 / a["lambda_mb_s"]
    return {
        "CloudWatch Logs ingestion": month_gb * a["event_overhead"] * p["cwl_ingest_gb"],
        "CloudWatch Logs storage": gb_day * 1 * a["gzip_ratio"] * p["cwl_store_gb_month"],
        "Firehose ingestion": month_gb * p["firehose_gb"],
        "Firehose dynamic partitioning": month_gb * p["firehose_dynpart_gb"]
        + HOURS * a["firehose_objects_per_hour"] / 1000 * p["firehose_dynpart_1000_objects"],
        "Lambda transform (parser)": lambda_s * 1.769 * p["lambda_gb_s"]
        + month_gb * 1024 / 3 / 1e6 * p["lambda_1m_requests"],
        "S3 JSON tables (month 12)": month_gb
        * a["curated_months"]
        * a["json_gz_ratio"]
        * p["s3_gb_month"],
        "Athena queries": athena_cost(gb_day, a["json_scan_factor"]),
    }


def table(title: str, model: object, volumes: tuple[float, ...]) -> str:
    rows = {v: model(v) for v in volumes}  # type: ignore[operator]
    names = list(rows[volumes[0]])
    out = [f"**{title}** (USD per month)", ""]
    out.append("| item | " + " | ".join(f"{v:g} GB/day" for v in volumes) + " |")
    out.append("|---|" + "---:|" * len(volumes))
    for name in names:
        out.append(f"| {name} | " + " | ".join(f"{rows[v][name]:,.2f}" for v in volumes) + " |")
    totals = [sum(rows[v].values()) for v in volumes]
    out.append("| **total** | " + " | ".join(f"**{t:,.2f}**" for t in totals) + " |")
    without = [
        t - rows[v]["CloudWatch Logs ingestion"] for t, v in zip(totals, volumes, strict=True)
    ]
    out.append(
        "| total without CloudWatch ingestion | " + " | ".join(f"{t:,.2f}" for t in without) + " |"
    )
    return "\n".join(out)


def main() -> None:
    volumes = (1.0, 10.0, 100.0)
    print(table("pexlogs (exports + Glue)", pexlogs, volumes))
    print()
    print(table("Firehose alternative", firehose, volumes))


if __name__ == "__main__":
    main()
