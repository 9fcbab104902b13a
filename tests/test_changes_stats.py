"""Change failure rate and downtime attributed to changes, against hand-worked and naive references."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from slactl.changes.records import records_from_rows
from slactl.changes.stats import change_impact, change_stats, merge, overlap_seconds
from slactl.compliance.framestore import FrameStore
from slactl.loader.documents import load_text

DEFINITIONS = """\
apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {}
---
apiVersion: slactl/v1
kind: SLA
metadata: {id: payments-gold}
spec:
  level: service
  services: [payments-api, ledger]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - {id: availability, indicator: availability, source: probes, target: 99.9}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: changes}
spec: {type: changes, path: data/changes/*.csv}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: outages}
spec: {type: outages, path: data/outages/*.csv}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: probes}
spec: {type: probes, path: data/probes/*.csv, interval: 60s}
"""


def _change(id_: str, outcome: str, start: str, end: str, service: str = "payments-api", type_: str = "normal") -> dict:
    return {"id": id_, "service": service, "type": type_, "planned_start": start, "planned_end": end,
            "actual_start": start, "actual_end": end, "outcome": outcome}


CHANGES = [
    _change("C1", "successful", "2026-10-02T10:00:00+00:00", "2026-10-02T11:00:00+00:00"),
    _change("C2", "failed", "2026-10-05T10:00:00+00:00", "2026-10-05T11:00:00+00:00"),
    _change("C3", "rolled_back", "2026-10-09T22:00:00+00:00", "2026-10-09T23:00:00+00:00", type_="emergency"),
    _change("C4", "successful", "2026-10-31T23:30:00+00:00", "2026-11-01T00:30:00+00:00"),  # ends in November
    _change("C5", "", "2026-10-20T10:00:00+00:00", "2026-10-20T11:00:00+00:00"),  # not completed yet
    _change("C6", "failed", "2026-10-12T10:00:00+00:00", "2026-10-12T10:30:00+00:00", service="ledger"),
]


def test_failure_rate_per_service_hand_worked() -> None:
    rows = {r.service: r for r in change_stats(records_from_rows(CHANGES), "2026-10")}
    pay = rows["payments-api"]
    # C1..C5 touch October; completed in October: C1, C2, C3 (C4 ends in November, C5 has no outcome)
    assert (pay.changes, pay.completed, pay.successful, pay.failed, pay.rolled_back, pay.emergency) == (5, 3, 1, 1, 1, 1)
    assert pay.failure_rate == 2 / 3
    assert rows["ledger"].failure_rate == 1.0
    november = {r.service: r for r in change_stats(records_from_rows(CHANGES), "2026-11")}
    assert november["payments-api"].completed == 1 and november["payments-api"].failure_rate == 0.0


def test_service_without_completed_changes_has_no_rate() -> None:
    rows = change_stats([], "2026-10", services=["payments-api"])
    assert rows[0].failure_rate is None and rows[0].to_dict()["failure_rate"] is None


def test_downtime_during_failed_changes_hand_worked() -> None:
    t = pd.Timestamp("2026-10-05T10:00:00Z").timestamp()
    # down 10:30-11:30 on the day of failed change C2 (10:00-11:00): 30 minutes fall inside it
    downtime = {"payments-api": [(t + 1800, t + 5400)]}
    rows = {r.service: r for r in change_stats(records_from_rows(CHANGES), "2026-10", downtime)}
    assert rows["payments-api"].downtime_seconds == 3600
    assert rows["payments-api"].change_downtime_seconds == 1800


def test_change_impact_reads_the_store() -> None:
    result = load_text(DEFINITIONS, "defs.yaml")
    assert not result.findings
    utc = "datetime64[ns, UTC]"
    changes = pd.DataFrame(CHANGES)
    for column in ("planned_start", "planned_end", "actual_start", "actual_end"):
        changes[column] = pd.to_datetime(changes[column], utc=True).astype(utc)
    changes["_file"], changes["_line"] = "data/changes/c.csv", range(2, 2 + len(changes))
    outages = pd.DataFrame({
        "service": ["payments-api", "payments-api"],
        "start": pd.to_datetime(["2026-10-09T22:30:00Z", "2026-10-15T00:00:00Z"], utc=True).astype(utc),
        "end": pd.to_datetime(["2026-10-09T23:30:00Z", "2026-10-15T00:10:00Z"], utc=True).astype(utc),
        "impact": [1.0, 0.0],
    })
    probes = pd.DataFrame({
        "time": pd.to_datetime(["2026-10-12T10:10:00Z", "2026-10-12T10:11:00Z", "2026-10-12T10:12:00Z"],
                               utc=True).astype(utc),
        "service": ["ledger"] * 3, "up": [False, True, False],
    })
    store = FrameStore({"changes": changes, "outages": outages, "probes": probes})
    rows = {r["service"]: r for r in change_impact(result.root, result, "2026-10", store)}
    assert rows["payments-api"]["downtime_seconds"] == 3600  # the zero-impact outage does not count
    assert rows["payments-api"]["change_downtime_seconds"] == 1800  # C3 ran 22:00-23:00
    assert rows["ledger"]["downtime_seconds"] == 120 and rows["ledger"]["change_downtime_seconds"] == 120
    assert rows["ledger"]["attainment"] == []


def _naive(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    in_a = {s for start, end in a for s in range(start, end)}
    in_b = {s for start, end in b for s in range(start, end)}
    return len(in_a & in_b)


spans = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 60)).map(lambda p: (p[0], p[0] + p[1])), max_size=8)


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_overlap_matches_a_second_by_second_reference(a: list, b: list) -> None:
    assert overlap_seconds(a, b) == _naive(a, b)
    assert sum(e - s for s, e in merge(a)) == _naive(a, a)


def test_records_from_a_store_frame_treat_nat_as_missing() -> None:
    from slactl.changes.records import records_from_frame

    frame = pd.DataFrame({"id": ["C"], "service": ["s"], "outcome": ["successful"],
                          "planned_start": pd.to_datetime(["2026-10-01T10:00Z"], utc=True),
                          "planned_end": pd.to_datetime(["2026-10-01T11:00Z"], utc=True),
                          "actual_start": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"),
                          "actual_end": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]")})
    change = records_from_frame(frame)[0]
    assert change.actual_start is None and change.actual_end is None
    assert change.end == pd.Timestamp("2026-10-01T11:00Z")
