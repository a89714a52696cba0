"""Everything that runs the pipeline on one machine: the embedded AWS (moto) with its adaptations,
the local runner behind ``pexlogs run`` / ``pexlogs backfill``, ingestion and staging helpers.

Heavy imports (moto, Spark) happen inside functions, so importing this package stays cheap.
"""
