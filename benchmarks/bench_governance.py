"""How long the git-history commands take: `audit` (whole history), `history`, `diff` and `validate --base`.

Builds a git repository in a temporary folder with 20 agreements and N commits (four in five are
approved amendments, one in five a silent target change) and prints best-of-R wall times of the
commands run in-process:

    python benchmarks/bench_governance.py [--commits 300] [--repeat 3]

Parsing each changed file version with positions (ruamel.yaml round-trip) dominates: about one
parse per commit, cached by blob.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from typer.testing import CliRunner  # noqa: E402

from governance_support import SUPPORT, GitRepoBuilder, changelog_entry, sla  # noqa: E402
from slactl.cli.main import app  # noqa: E402


def build(root: Path, commits: int, agreements: int = 20) -> None:
    builder = GitRepoBuilder(root)
    builder.write("services.yaml", SUPPORT)
    state = {i: (1, 99.0, "") for i in range(agreements)}
    for i in range(agreements):
        builder.write(f"slas/a{i}.yaml", sla(id_=f"sla-{i}"))
    builder.commit("initial", when="2026-01-01T00:00:00+00:00")
    rnd = random.Random(1)
    for n in range(commits):
        i = rnd.randrange(agreements)
        version, target, log = state[i]
        target = round(target + 0.01, 2)
        if rnd.random() < 0.8:
            version += 1
            log += changelog_entry(version, "[{by: Jane Doe, on: 2026-01-01}, {by: Raj Patel, on: 2026-01-01}]",
                                   "2026-01-02")
        state[i] = (version, target, log)
        builder.write(f"slas/a{i}.yaml", sla(id_=f"sla-{i}", version=version, target=target, changelog=log))
        builder.commit(f"change {n}", when="2026-01-02T00:00:00+00:00")


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        start = time.perf_counter()
        build(root, args.commits)
        print(f"built {args.commits + 1} commits in {time.perf_counter() - start:.1f}s")
        half = f"HEAD~{args.commits // 2}"
        commands = {
            "audit (whole history)": ["audit", "--repo", str(root), "--as-of", "2026-06-01", "--format", "json"],
            "history sla-3": ["history", "sla-3", "--repo", str(root)],
            f"diff {half}": ["diff", half, "--repo", str(root)],
            f"validate --base {half}": ["validate", "--repo", str(root), "--base", half, "--format", "json"],
        }
        for label, argv in commands.items():
            seconds = best(lambda argv=argv: runner.invoke(app, argv, catch_exceptions=False), args.repeat)
            print(f"{label:<28} {seconds:6.2f}s")


if __name__ == "__main__":
    main()
