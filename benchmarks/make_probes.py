"""Generate a benchmark repository: services, a probes DataSource, one SLA per service and a large probe CSV.

Example: python benchmarks/make_probes.py /tmp/bench --services 230 --days 30

The CSV has one sample per service per minute (230 services x 30 days = 9,936,000 rows), ISO 8601
timestamps with `Z`, sorted by time. Every service has a few short outages (status `down`) at random
minutes, drawn from a fixed seed so two runs write the same file. Generation is vectorised
(numpy + pyarrow), so ten million rows take seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timezone
from pathlib import Path

SERVICE_TEMPLATE = """apiVersion: slactl/v1
kind: Service
metadata:
  id: {id}
  name: Benchmark service {n}
  owner: team-bench
spec:
  tier: medium
  monitoring: [probes]
"""

SLA_TEMPLATE = """apiVersion: slactl/v1
kind: SLA
metadata:
  id: {id}-sla
  name: Benchmark agreement for {id}
  owner: team-bench
spec:
  level: service
  services: [{id}]
  status: active
  version: 1
  effective: {effective}
  objectives:
    - id: availability
      indicator: availability
      source: probes
      service: {id}
      target: 99.9
      window: calendar_month
"""

DATASOURCE = """apiVersion: slactl/v1
kind: DataSource
metadata:
  id: probes
  name: Synthetic availability probes
spec:
  type: probes
  path: data/probes/*.csv
  timezone: UTC
  up_values: [up]
  interval: 60s
"""


def service_ids(count: int) -> list[str]:
    width = max(3, len(str(count)))
    return [f"svc-{i:0{width}d}" for i in range(1, count + 1)]


def write_probe_csv(path: Path, services: list[str], days: int, start: date, seed: int = 7,
                    outages_per_service: int = 3) -> int:
    """Write the probe CSV; returns the number of samples."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    minutes = days * 24 * 60
    n_services = len(services)
    down = np.zeros((minutes, n_services), dtype=bool)
    for column in range(n_services):
        starts = rng.integers(0, minutes, size=outages_per_service)
        lengths = rng.integers(1, 30, size=outages_per_service)
        for begin, length in zip(starts, lengths, strict=True):
            down[begin:begin + length, column] = True
    origin = int(datetime(start.year, start.month, start.day, tzinfo=timezone.utc).timestamp())
    seconds = origin + np.repeat(np.arange(minutes, dtype=np.int64) * 60, n_services)
    times = pc.strftime(pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s")),
                        format="%Y-%m-%dT%H:%M:%SZ")
    codes = np.tile(np.arange(n_services, dtype=np.int32), minutes)
    service = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(services)).cast(pa.string())
    status = pa.DictionaryArray.from_arrays(
        pa.array(down.reshape(-1).astype(np.int8)), pa.array(["up", "down"])
    ).cast(pa.string())
    table = pa.table({"time": times, "service": service, "status": status})
    path.parent.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(quoting_style="none")
    pacsv.write_csv(table, path, write_options=options)
    return table.num_rows


def make_repository(out: Path, services: int, days: int, start: date) -> Path:
    """Write the whole repository under `out`; returns the CSV path."""
    ids = service_ids(services)
    (out / "services").mkdir(parents=True, exist_ok=True)
    (out / "agreements").mkdir(parents=True, exist_ok=True)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    (out / "services" / "services.yaml").write_text(
        "---\n".join(SERVICE_TEMPLATE.format(id=sid, n=n) for n, sid in enumerate(ids, 1)), encoding="utf-8"
    )
    (out / "agreements" / "agreements.yaml").write_text(
        "---\n".join(SLA_TEMPLATE.format(id=sid, effective=start.isoformat()) for sid in ids), encoding="utf-8"
    )
    (out / "sources" / "probes.yaml").write_text(DATASOURCE, encoding="utf-8")
    (out / ".gitignore").write_text(".slactl/\n", encoding="utf-8")
    csv_path = out / "data" / "probes" / "probes.csv"
    write_probe_csv(csv_path, ids, days, start)
    return csv_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the repository into")
    parser.add_argument("--services", type=int, default=230)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 10, 1),
                        help="first day of the samples (UTC), default 2026-10-01")
    args = parser.parse_args(argv)
    csv_path = make_repository(args.out, args.services, args.days, args.start)
    size = csv_path.stat().st_size
    sys.stdout.write(f"wrote {csv_path} ({size / 1e6:.1f} MB)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
