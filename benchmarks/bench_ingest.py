"""Benchmark `slactl ingest` against a bare `pyarrow.csv.read_csv` of the same probe CSV.

Example: python benchmarks/bench_ingest.py --services 230 --days 30 --repeat 3

Writes a repository with benchmarks/make_probes.py (230 services x 30 days of 1-minute samples:
9,936,000 rows, ISO timestamps with Z) into a temporary folder, then runs, each in its own
subprocess and alternating, `repeat` times:

- `read_csv`: `pyarrow.csv.read_csv(csv)` alone (type inference, as a user would call it);
- `slactl ingest`: the CLI (`slactl ingest --repo DIR`) on an empty store, start to finish;
- `Store.ingest`: the same ingest timed inside Python, without interpreter start and YAML loading.

Wall time is measured around the subprocess; peak memory is the child's ru_maxrss from os.wait4.
Targets: ingest at most 2x the bare read, peak memory at most 3x the CSV's size on disk.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_probes import make_repository  # noqa: E402

READ_CSV = """
import sys, time
t = time.perf_counter()
import pyarrow.csv
table = pyarrow.csv.read_csv(sys.argv[1])
print(f"{time.perf_counter() - t:.3f} {table.num_rows}")
"""

STORE_INGEST = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from slactl.loader import load_repository
from slactl.loader.repository import load_config
from slactl.store import Store
root = Path(sys.argv[1])
result = load_repository(root)
t1 = time.perf_counter()
report = Store(load_config(root).store_path).ingest(result, root)
t2 = time.perf_counter()
print(f"{t2 - t1:.3f} {report.rows_added} load={t1 - t0:.3f}")
"""


def measure_child(argv: list[str]) -> tuple[float, float, str]:
    """Like measure, reading the child's own rusage (Popen reaps the child, so wait4 is done here)."""
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, OUT, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, ERR, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    out = Path(OUT).read_text(encoding="utf-8").strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{Path(ERR).read_text(encoding='utf-8')}")
    return wall, usage.ru_maxrss / 1024, out


OUT = ERR = ""


def main(argv: list[str] | None = None) -> int:
    global OUT, ERR
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=230)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="reuse or keep the repository in this folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    work = args.dir or Path(tempfile.mkdtemp(prefix="slactl-bench-ingest-"))
    OUT, ERR = str(work / "bench.out"), str(work / "bench.err")
    csv_path = work / "data" / "probes" / "probes.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        make_repository(work, args.services, args.days, date(2026, 10, 1))
        sys.stderr.write(f"generated {csv_path} in {time.perf_counter() - started:.1f}s\n")
    size_mb = csv_path.stat().st_size / 1e6 * (1e6 / 2**20)
    # an installed package has compiled bytecode; an editable one under PYTHONDONTWRITEBYTECODE has not
    import slactl as package

    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.dirname(package.__file__)], check=False,
                   stdout=subprocess.DEVNULL)
    slactl = shutil.which("slactl")
    cli = [slactl, "ingest", "--repo", str(work), "--format", "json"] if slactl else [
        sys.executable, "-c", "from slactl.cli.main import run; run()", "ingest", "--repo", str(work), "--format", "json"]
    figures: dict[str, list[tuple[float, float, str]]] = {"read_csv": [], "slactl ingest": [], "Store.ingest": []}
    for _ in range(args.repeat):
        figures["read_csv"].append(measure_child([sys.executable, "-c", READ_CSV, str(csv_path)]))
        shutil.rmtree(work / ".slactl", ignore_errors=True)
        figures["slactl ingest"].append(measure_child(cli))
        shutil.rmtree(work / ".slactl", ignore_errors=True)
        figures["Store.ingest"].append(measure_child([sys.executable, "-c", STORE_INGEST, str(work)]))
    rows = json.loads(figures["slactl ingest"][-1][2])["rows_added"]
    summary = {"csv": str(csv_path), "csv_mb": round(size_mb, 1), "rows": rows, "repeat": args.repeat}
    for name, runs in figures.items():
        walls = [w for w, _, _ in runs]
        summary[name] = {"wall_min_s": round(min(walls), 3), "wall_median_s": round(statistics.median(walls), 3),
                         "peak_rss_mb": round(max(r for _, r, _ in runs), 1),
                         "inner_s": [float(out.split()[0]) for _, _, out in runs] if name != "slactl ingest" else None}
    base = summary["read_csv"]["wall_min_s"]
    summary["ratio_cli_to_read"] = round(summary["slactl ingest"]["wall_min_s"] / base, 2)
    summary["ratio_store_to_read_inner"] = round(min(summary["Store.ingest"]["inner_s"]) / min(summary["read_csv"]["inner_s"]), 2)
    summary["memory_ratio_cli"] = round(summary["slactl ingest"]["peak_rss_mb"] / size_mb, 2)
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        sys.stdout.write(f"CSV {csv_path} ({size_mb:.0f} MiB, {rows} rows), best of {args.repeat}\n")
        for name in figures:
            item = summary[name]
            inner = f", in-process {min(item['inner_s']):.2f}s" if item["inner_s"] else ""
            sys.stdout.write(f"  {name:14} wall {item['wall_min_s']:.2f}s (median {item['wall_median_s']:.2f}s)"
                             f"{inner}, peak {item['peak_rss_mb']:.0f} MiB\n")
        sys.stdout.write(f"  slactl ingest / read_csv (wall): {summary['ratio_cli_to_read']}x (target <= 2)\n")
        sys.stdout.write(f"  Store.ingest / read_csv (in-process): {summary['ratio_store_to_read_inner']}x\n")
        sys.stdout.write(f"  slactl ingest peak memory / CSV size: {summary['memory_ratio_cli']}x (target <= 3)\n")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
