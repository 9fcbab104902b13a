"""Benchmark `slactl compliance` over ten million probe samples against a bare pyarrow CSV read.

Example: python benchmarks/bench_compliance.py --out /tmp/slactl-bench --services 230 --days 30

Steps, each in its own subprocess so peak memory (ru_maxrss) is measured per step:
1. generate the repository with benchmarks/make_probes.py (skipped when it exists);
2. `pyarrow.csv.read_csv` of the CSV alone (the baseline);
3. `slactl ingest` (CSV -> Parquet store);
4. `slactl compliance --period 2026-11 --format json` over the ingested store (its output is checked
   first, and slactl's bytecode compiled, as an installed package has it); then again without the
   definitions parse cache, as the first run after a definitions change is.
Targets (issue): compliance at most 1x the bare read; peak memory at most 3x the CSV size on disk.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_measured(command: list[str], remove: Path | None = None, **kwargs) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a child process (`remove` is deleted first, untimed)."""
    removal = f"os.path.exists({str(remove)!r}) and os.remove({str(remove)!r})\n" if remove is not None else ""
    code = (
        "import os, resource, subprocess, sys, time, json\n"
        + removal +
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "elapsed = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'rc': p.returncode, 'seconds': elapsed, 'peak_mib': peak}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, check=True, **kwargs)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if data["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {data['rc']}")
    return data["seconds"], data["peak_mib"]


def slactl_package() -> str:
    out = subprocess.run([sys.executable, "-c", "import slactl, os; print(os.path.dirname(slactl.__file__))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def best_of(count: int, command: list[str], remove: Path | None = None) -> tuple[float, float]:
    runs = [run_measured(command, remove) for _ in range(count)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/slactl-bench-compliance"))
    parser.add_argument("--services", type=int, default=230)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    repo = args.out
    if not (repo / "slactl.toml").exists() and not any(repo.glob("**/*.csv")):
        subprocess.run([sys.executable, str(HERE / "make_probes.py"), str(repo), "--services", str(args.services),
                        "--days", str(args.days), "--start", "2026-11-01"], check=True)
    csv_files = sorted(repo.glob("**/*.csv"))
    csv_size = sum(p.stat().st_size for p in csv_files) / 2**20
    read = [sys.executable, "-c", f"import pyarrow.csv as c; t = c.read_csv({str(csv_files[0])!r}); print(t.num_rows)"]
    read_s, read_mem = best_of(args.repeat, read)
    subprocess.run(["slactl", "--repo", str(repo), "ingest"], check=False, stdout=subprocess.DEVNULL)
    # an installed package has compiled bytecode; an editable one under PYTHONDONTWRITEBYTECODE has not
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(slactl_package()))], check=False,
                   stdout=subprocess.DEVNULL)
    comp = ["slactl", "--repo", str(repo), "compliance", "--period", "2026-11", "--format", "json"]
    check = subprocess.run(comp, capture_output=True, text=True)
    try:
        results = json.loads(check.stdout)["results"]
    except (ValueError, KeyError):
        raise SystemExit(f"slactl compliance gave no JSON report (exit {check.returncode}): "
                         f"{check.stderr[-500:]}") from None
    print(f"slactl compliance: {len(results)} objective(s) computed")
    comp_s, comp_mem = best_of(args.repeat, comp)
    # the first run after a definitions change parses every YAML file (no parse cache)
    cache = repo / ".slactl" / "store" / "definitions-cache.json"
    cold_s, _ = best_of(args.repeat, comp, remove=cache)
    print(f"CSV: {csv_size:.0f} MiB, {len(csv_files)} file(s)")
    print(f"pyarrow.csv.read_csv     {read_s:7.2f} s   peak {read_mem:7.0f} MiB")
    print(f"slactl compliance        {comp_s:7.2f} s   peak {comp_mem:7.0f} MiB")
    print(f"  first run after a definitions change, no ingest between {cold_s:5.2f} s ({cold_s / read_s:.2f}x the read)")
    print(f"ratio compliance / read  {comp_s / read_s:7.2f}   (target <= 1.0)")
    print(f"memory / CSV size        {comp_mem / csv_size:7.2f}   (target <= 3.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
