"""Fixtures of the functional tier (local Spark, moto)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark session for the whole test run (starting one costs seconds).

    ``local[2]``, UTC session time zone, few shuffle partitions, no UI; workers run this
    interpreter (``PYSPARK_PYTHON``), so they import the pexlogs under test.
    """
    pytest.importorskip("pyspark")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pexlogs.etl import local_session

    session = local_session("local[2]", app_name="pexlogs-tests", shuffle_partitions=2)
    yield session
    session.stop()
