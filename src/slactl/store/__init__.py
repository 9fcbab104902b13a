"""The data store: DataSource files ingested into Parquet partitions, read back as pandas frames."""

from slactl.store.report import DataProblem, IngestError, IngestReport
from slactl.store.store import IngestProgress, Store

__all__ = ["DataProblem", "IngestError", "IngestProgress", "IngestReport", "Store"]
