"""The bundled examples/ repository: loads clean, its CSVs fit its DataSources, its data is reproducible."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.loader import load_repository
from slactl.model.documents import KIND_MODELS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MONTHS = [f"2026-{m:02d}" for m in range(5, 11)]
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

# Columns each DataSource type must find in its files (SPEC 2.5); optional ones are checked
# only when the DataSource maps them explicitly.
REQUIRED = {
    "probes": ["time", "service", "status"],
    "outages": ["service", "start", "end"],
    "events": ["time", "service"],
    "tickets": ["id", "service", "priority", "opened_at"],
    "pauses": ["ticket_id", "state", "start"],
    "csat": ["time", "service", "score"],
    "complaints": ["time", "service"],
    "changes": ["id", "service", "type", "planned_start", "planned_end", "outcome"],
}
OPTIONAL = {
    "outages": ["impact"],
    "events": ["good", "total", "latency_ms"],
    "tickets": ["responded_at", "resolved_at"],
    "pauses": ["end"],
    "csat": ["segment", "customer"],
    "complaints": ["customer", "reference"],
    "changes": ["actual_start", "actual_end", "impact_assessment", "objectives_at_risk", "rollback_plan",
                "cab_approvers", "pir"],
}


@pytest.fixture(scope="module")
def loaded():
    return load_repository(EXAMPLES)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_generator", EXAMPLES / "tools" / "generate_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_examples_load_without_findings(loaded) -> None:
    assert loaded.findings == []
    assert all(doc.model is not None for doc in loaded.documents)


def test_validate_reports_no_problems() -> None:
    result = CliRunner().invoke(app, ["--repo", str(EXAMPLES), "validate", "--fail-on", "warning"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_examples_hold_every_required_piece(loaded) -> None:
    kinds = Counter(doc.kind for doc in loaded.documents)
    assert set(kinds) == set(KIND_MODELS), "one example of every kind"
    levels = Counter(doc.model.spec.level for doc in loaded.of_kind("SLA"))
    assert levels["corporate"] == 1 and levels["customer"] >= 2 and levels["service"] >= 4
    assert kinds["OLA"] >= 3 and kinds["UC"] >= 2
    assert kinds["Improvement"] >= 6 and kinds["Problem"] >= 2
    indicators = {o.indicator.value for doc in loaded.agreements() for o in doc.model.spec.objectives if o.indicator}
    assert indicators == {"availability", "success_ratio", "latency", "response_time", "resolution_time", "csat"}
    types = {doc.model.spec.type for doc in loaded.of_kind("DataSource")}
    assert types == set(REQUIRED)
    statuses = {doc.model.spec.status for doc in loaded.of_kind("Improvement")}
    assert {"failed", "in_progress", "validated", "closed", "rejected"} <= statuses


def test_versions_match_the_last_changelog_entry_and_its_approvals(loaded) -> None:
    for doc in loaded.agreements():
        spec = doc.model.spec
        last = spec.changelog[-1]
        assert last.version == spec.version, doc.id
        for entry in spec.changelog:
            assert {a.by for a in entry.approvals} >= set(spec.approvers), (doc.id, entry.version)


def test_every_yaml_file_names_its_schema() -> None:
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = SCHEMA_LINE.match(first)
        assert match, f"{path}: first line must be the yaml-language-server $schema comment"
        target = (path.parent / match.group(1)).resolve()
        assert target.parent == ROOT / "schemas", path
        kinds = set(re.findall(r"^kind: (\w+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE))
        assert len(kinds) == 1 and target.name == f"{kinds.pop().lower()}.json", path


def test_csv_headers_match_the_datasource_mappings(loaded) -> None:
    for doc in loaded.of_kind("DataSource"):
        spec = doc.model.spec
        files = sorted(EXAMPLES.glob(spec.path))
        assert [f.stem for f in files] == MONTHS, f"{doc.id}: one CSV per month 2026-05..2026-10"
        wanted = REQUIRED[spec.type] + [name for name in OPTIONAL.get(spec.type, []) if name in spec.columns]
        headers = {spec.columns.get(name, name) for name in wanted}
        for name in spec.formats:
            headers.add(spec.columns.get(name, name))
        for path in files:
            found = _header(path)
            missing = headers - set(found)
            assert not missing, f"{path.relative_to(EXAMPLES)}: headers {found} lack {sorted(missing)}"
            for name in spec.value_map:
                assert spec.columns.get(name, name) in found, (doc.id, name)


def test_events_sources_carry_counts_or_latencies(loaded) -> None:
    for doc in loaded.of_kind("DataSource"):
        spec = doc.model.spec
        if spec.type != "events":
            continue
        found = set(_header(sorted(EXAMPLES.glob(spec.path))[0]))
        has_counts = {spec.columns.get("good", "good"), spec.columns.get("total", "total")} <= found
        has_latency = spec.columns.get("latency_ms", "latency_ms") in found
        assert has_counts or has_latency, doc.id


def test_committed_data_is_the_generator_output(tmp_path: Path) -> None:
    _generator().generate(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    committed = sorted(p.relative_to(EXAMPLES / "data") for p in (EXAMPLES / "data").rglob("*.csv"))
    assert written == committed
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (EXAMPLES / "data" / rel).read_bytes(), rel
    assert not list(tmp_path.rglob("*.tmp")), "atomic writes leave no temporary files"


def test_examples_stay_small() -> None:
    size = sum(p.stat().st_size for p in EXAMPLES.rglob("*") if p.is_file() and ".slactl" not in p.parts
               and "reports" not in p.parts)
    assert size < 3_300_000


def test_store_reads_every_csv_without_problems(loaded, tmp_path: Path) -> None:
    from slactl.store import Store

    report = Store(tmp_path / "store").ingest(loaded, EXAMPLES)
    assert report.problems == []
    assert report.rows_skipped == 0 and report.duplicates == 0
    assert len(report.files_ingested) == len(REQUIRED) * len(MONTHS) + len(MONTHS)  # latency is a 2nd events source
    tickets = Store(tmp_path / "store").read("tickets")
    assert set(tickets["priority"]) == {"P1", "P2", "P3", "P4"}
    assert set(tickets["service"]) <= {doc.id for doc in loaded.of_kind("Service")}


def test_ticket_and_change_numbers_quoted_in_the_examples_exist() -> None:
    data = "\n".join(p.read_text(encoding="utf-8") for p in (EXAMPLES / "data").rglob("*.csv"))
    present = set(re.findall(r"\b(?:INC|CHG)\d{7}\b", data))
    texts = [EXAMPLES / "README.md", ROOT / "docs" / "examples.md", *EXAMPLES.rglob("*.yaml")]
    for path in texts:
        quoted = set(re.findall(r"\b(?:INC|CHG)\d{7}\b", path.read_text(encoding="utf-8")))
        assert quoted <= present, f"{path.relative_to(ROOT)} quotes {sorted(quoted - present)}"
