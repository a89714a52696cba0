"""End-to-end tier: the whole local pipeline (moto + the real job on local Spark)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark session for the whole test process (getOrCreate: shared with any other
    tier's fixture in the same process)."""
    pytest.importorskip("pyspark")
    from pexlogs.etl._spark import local_session

    session = local_session("local[2]", shuffle_partitions=4)
    yield session
