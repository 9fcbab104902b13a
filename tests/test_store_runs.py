"""Probe runs kept beside the partitions: exact unions of the samples, and the same figures as the samples."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.store_helpers import Repo

from slactl.compliance.engine import compute_compliance
from slactl.loader import load_repository
from slactl.store import runs as runs_module
from slactl.store.runs import ProbeRuns, probe_runs
from slactl.timeline.intervals import IntervalSet

MINUTE = 60 * 10**9
SERVICES = ["payments-api", "web", "search"]


def samples_table(samples: list[tuple[int, str | None, bool]]) -> pa.Table:
    return pa.table({
        "time": pa.array([t for t, _, _ in samples], type=pa.timestamp("ns", tz="UTC")),
        "service": pa.array([s for _, s, _ in samples], type=pa.string()).dictionary_encode(),
        "up": pa.array([u for _, _, u in samples], type=pa.bool_()),
    })


def union(times: list[int], interval: int) -> IntervalSet:
    return IntervalSet.from_arrays(times, [t + interval for t in times])


def same(a: IntervalSet, b: IntervalSet) -> bool:
    return a.starts.tolist() == b.starts.tolist() and a.ends.tolist() == b.ends.tolist()


sample_lists = st.lists(
    st.tuples(st.integers(0, 400).map(lambda s: s * 15 * 10**9), st.sampled_from(SERVICES + [None]), st.booleans()),
    max_size=80)


@settings(max_examples=200, deadline=None)
@given(sample_lists, st.sampled_from([MINUTE, 30 * 10**9, 90 * 10**9]), st.integers(0, 7000 * 10**9),
       st.sampled_from([3, 7, 1 << 16]))
def test_runs_are_the_union_of_the_samples(samples, interval, before, block):
    runs_module.BLOCK_ROWS, saved = block, runs_module.BLOCK_ROWS  # small blocks: runs merged across blocks
    try:
        runs = ProbeRuns(probe_runs(samples_table(samples), interval))
    finally:
        runs_module.BLOCK_ROWS = saved
    for service in SERVICES:
        mine = [(t, up) for t, s, up in samples if s == service and t < before]
        covered_starts, covered_ends, down_starts, down_ends = runs.of(service, before)
        # samples taken before `before` cover up to it: runs cut there say the same
        assert same(IntervalSet.from_arrays(covered_starts, covered_ends),
                    union([t for t, _ in mine], interval).clip(-(2**62), before))
        assert same(IntervalSet.from_arrays(down_starts, down_ends),
                    union([t for t, up in mine if not up], interval).clip(-(2**62), before))


def test_runs_of_ten_thousand_samples_are_few():
    start = 1_790_000_000 * 10**9
    samples = [(start + i * MINUTE, service, not (5000 <= i < 5003)) for i in range(10_000) for service in SERVICES]
    table = probe_runs(samples_table(samples), MINUTE)
    assert table.num_rows == 3 + 3  # one covered run and one down run per service
    down = ProbeRuns(table).of("web", start + 20_000 * MINUTE)[2:]
    assert (down[0].tolist(), down[1].tolist()) == ([start + 5000 * MINUTE], [start + 5003 * MINUTE])


# -- the engine gives the same figures from runs as from the samples ---------------------------------

SLA = """apiVersion: slactl/v1
kind: SLA
metadata: {{id: shop}}
spec:
  level: service
  services: [payments-api, web]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - {{id: availability, indicator: availability, source: probes, target: 99.5{extra}}}
"""


class SamplesOnly:
    """The store without its runs: the engine reads the samples, as for a store written before runs."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name == "read_runs":
            raise AttributeError(name)
        return getattr(self._store, name)


def write_probes(repo: Repo, seed: int, files: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 10, 30, 22, 0, tzinfo=timezone.utc)
    for number in range(files):
        lines = ["time,service,status"]
        for step in range(rng.randint(200, 2500)):
            moment = start + timedelta(seconds=rng.choice([60, 60, 60, 45, 600]) * step + rng.randint(0, 5) * 30)
            for service in ("payments-api", "web"):
                if rng.random() < 0.97:
                    status = "down" if rng.random() < 0.04 else "up"
                    lines.append(f"{moment.isoformat()},{service},{status}")
        if rng.random() < 0.5:
            lines[1:] = rng.sample(lines[1:], len(lines) - 1)  # out of order
        repo.data(f"data/probes/export-{number}.csv", "\n".join(lines) + "\n")


@pytest.mark.parametrize(("seed", "extra", "as_of"), [
    (1, "", None),
    (2, ", min_downtime: 3m", None),
    (3, ", budgeting: timeslices, slice: 5m, slice_target: 99", None),
    (4, "", "2026-11-01T12:34:56+00:00"),
    (5, ", min_downtime: 2m", "2026-11-01T07:00:30+00:00"),
    (6, ", budgeting: timeslices, slice: 1m, slice_target: 95", "2026-11-01T20:00:00+00:00"),
])
def test_runs_and_samples_give_the_same_figures(tmp_path: Path, seed: int, extra: str, as_of: str | None):
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC", interval="1m")
    (tmp_path / "sla.yaml").write_text(SLA.format(extra=extra), encoding="utf-8")
    write_probes(repo, seed, files=2)
    result = load_repository(tmp_path)
    assert not [f for f in result.findings if f.severity.value == "error"]
    store = repo.store
    store.ingest(result, tmp_path)
    assert all(part.get("runs") for entry in store.manifest()["files"].values() for part in entry["parts"])
    when = datetime.fromisoformat(as_of) if as_of else None
    for period in ("2026-10", "2026-11"):
        from_runs = compute_compliance(tmp_path, result, period, as_of=when, store=store, ingest=False)
        from_samples = compute_compliance(tmp_path, result, period, as_of=when, store=SamplesOnly(store), ingest=False)
        assert json.dumps(from_runs.to_dict(), default=str) == json.dumps(from_samples.to_dict(), default=str)


def test_a_store_without_runs_is_read_again_to_write_them(tmp_path: Path):
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC")
    repo.data("data/probes/a.csv", "time,service,status\n2026-11-01T00:00:00Z,web,up\n2026-11-01T00:01:00Z,web,down\n")
    repo.ingest()
    manifest_path = repo.store.root / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    runs_files = []
    for entry in manifest["files"].values():
        for part in entry["parts"]:
            runs_files.append(repo.store.root / part.pop("runs")["path"])
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")  # as an earlier slactl wrote it
    for path in runs_files:
        path.unlink()
    report = repo.ingest()
    assert report.files_ingested == ["data/probes/a.csv"]
    parts = [p for e in repo.store.manifest()["files"].values() for p in e["parts"]]
    assert parts and all((repo.store.root / p["runs"]["path"]).is_file() for p in parts)
    assert repo.ingest().files_unchanged == ["data/probes/a.csv"]


def test_runs_of_a_removed_file_are_swept(tmp_path: Path):
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC")
    data = repo.data("data/probes/a.csv", "time,service,status\n2026-11-01T00:00:00Z,web,up\n")
    repo.ingest()
    assert list(repo.store.root.glob("probes/*/*.runs.parquet"))
    data.unlink()
    repo.ingest()
    assert not list(repo.store.root.glob("probes/*/*.parquet"))


def test_a_changed_interval_is_never_read_from_runs_of_another(tmp_path: Path):
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC", interval="1m")
    repo.data("data/probes/a.csv", "time,service,status\n2026-11-01T00:00:00Z,web,up\n")
    repo.ingest()
    store = repo.store
    start, end = datetime(2026, 11, 1, tzinfo=timezone.utc), datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert store.read_runs("probes", start, end, MINUTE) is not None
    assert store.read_runs("probes", start, end, 2 * MINUTE) is None  # the engine then reads the samples


def test_a_long_down_run_before_the_window_is_measured_the_same_both_ways(tmp_path: Path):
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC", interval="1m")
    (tmp_path / "sla.yaml").write_text(SLA.format(extra=", min_downtime: 20h"), encoding="utf-8")
    start = datetime(2026, 10, 29, 0, 0, 30, tzinfo=timezone.utc)  # off the minute: runs cross the lookback
    lines = ["time,service,status"]
    for minute in range(6 * 24 * 60):
        moment = start + timedelta(minutes=minute)
        down = datetime(2026, 10, 30, tzinfo=timezone.utc) <= moment < datetime(2026, 11, 1, 3, tzinfo=timezone.utc)
        lines += [f"{moment.isoformat()},web,{'down' if down else 'up'}", f"{moment.isoformat()},payments-api,up"]
    repo.data("data/probes/a.csv", "\n".join(lines) + "\n")
    result = load_repository(tmp_path)
    store = repo.store
    store.ingest(result, tmp_path)
    for as_of in (None, datetime(2026, 11, 1, 2, tzinfo=timezone.utc)):
        from_runs = compute_compliance(tmp_path, result, "2026-11", as_of=as_of, store=store, ingest=False)
        from_samples = compute_compliance(tmp_path, result, "2026-11", as_of=as_of, store=SamplesOnly(store),
                                          ingest=False)
        assert json.dumps(from_runs.to_dict(), default=str) == json.dumps(from_samples.to_dict(), default=str)
    # seen from a day before November, web was down 27h (Oct 31 00:00 to the end of the 02:59:30 sample,
    # 03:00:30): more than 20h, so its 3h 30s in November count
    figures = compute_compliance(tmp_path, result, "2026-11", store=store, ingest=False).results[0]
    assert figures.bad_seconds == 3 * 3600 + 30
