"""Golden validate cases as data: tests/cases/validate/<rule-id>/{bad,good}*.yaml.

Each case file is validated together with `_base.yaml`; its `# expect: RULE LINE:COLUMN` header
lines list every finding it must produce (none for good cases); `# ignore: RULE` lines name rules
whose findings the case does not check (e.g. `underpin-unlisted` for OLAs supporting `_base.yaml` SLAs). Run this module as a script to
print the findings of a case (`python tests/validate_cases.py CASE.yaml`).
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from slactl.findings import Finding
from slactl.loader.documents import load_paths
from slactl.rules.registry import Context, run_rules
from slactl.rules.suppression import apply_suppressions

CASES = Path(__file__).parent / "cases" / "validate"
BASE = CASES / "_base.yaml"
TODAY = date(2026, 6, 15)
_EXPECT = re.compile(r"^# expect: ([a-z0-9-]+) (\d+):(\d+)\s*$")
_IGNORE = re.compile(r"^# ignore: ([a-z0-9-]+)\s*$")


def case_files() -> list[Path]:
    return sorted(p for p in CASES.glob("*/*.yaml"))


def expected(path: Path) -> list[tuple[str, int, int]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found.append((match.group(1), int(match.group(2)), int(match.group(3))))
    return sorted(found)


def ignored(path: Path) -> set[str]:
    return {m.group(1) for line in path.read_text(encoding="utf-8").splitlines() if (m := _IGNORE.match(line))}


def findings_of(path: Path) -> list[Finding]:
    result = load_paths([BASE, path], CASES)
    ctx = Context(result=result, root=CASES, today=TODAY)
    findings = list(result.findings) + run_rules(ctx, "validate")
    findings, _ = apply_suppressions(findings, result.sources)
    rel = path.relative_to(CASES).as_posix()
    skip = ignored(path)
    return sorted(f for f in findings if f.file in (rel, ".") and f.rule not in skip)


def actual(path: Path) -> list[tuple[str, int, int]]:
    return sorted((f.rule, f.line, f.column) for f in findings_of(path))


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        for f in findings_of(Path(arg).resolve()):
            print(f"# expect: {f.rule} {f.line}:{f.column}    | {f.message}")
