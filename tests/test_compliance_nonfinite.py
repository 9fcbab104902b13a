"""Non-finite counts and latencies in the store never crash the request-based objectives."""

from __future__ import annotations

import pandas as pd
import pytest

from compliance_helpers import compute, service, sla, source

NAN, INF = float("nan"), float("inf")


def test_rows_with_non_finite_values_are_left_out_of_the_sums() -> None:
    docs = [service("svc"), source("events", "events"),
            sla("a", """
- {id: success, indicator: success_ratio, source: events, target: 99}
- {id: fast, indicator: latency, source: events, threshold: 300ms, target: 90}
""")]
    times = ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "2026-10-03T00:00:00Z", "2026-10-04T00:00:00Z",
             "2026-10-05T00:00:00Z", "2026-10-06T00:00:00Z"]
    data = {"events": pd.DataFrame({
        "time": pd.to_datetime(times, utc=True),
        "service": "svc",
        "good": [990.0, 1.0, INF, 5.0, NAN, NAN],
        "total": [1000.0, INF, INF, -INF, NAN, NAN],
        "latency_ms": [NAN, NAN, NAN, NAN, 100.0, INF],
    })}
    success, fast = compute(docs, data, "2026-10").results
    assert (success.counted, success.within) == (1000, 990)
    assert success.attained == pytest.approx(99.0)
    assert (fast.counted, fast.within) == (1, 1)
    assert fast.percentiles["p99"] == pytest.approx(100)
