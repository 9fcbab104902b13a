"""Helpers for the data store tests: a repository with Services, DataSources and data files."""

from __future__ import annotations

from pathlib import Path

from slactl.loader import load_repository
from slactl.loader.repository import load_config
from slactl.store import IngestReport, Store

SERVICES = """apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api}
spec: {tier: critical}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: web}
spec: {tier: high}
"""


def datasource(id_: str, type_: str, path: str, **spec: object) -> str:
    """A DataSource document; extra spec fields are given as YAML flow text or plain values."""
    lines = [
        "apiVersion: slactl/v1",
        "kind: DataSource",
        f"metadata: {{id: {id_}}}",
        "spec:",
        f"  type: {type_}",
        f"  path: {path}",
    ]
    for key, value in spec.items():
        lines.append(f"  {key}: {value}")
    return "\n".join(lines) + "\n"


class Repo:
    """A temporary definitions repository with data files, and the store under it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "services.yaml").write_text(SERVICES, encoding="utf-8")

    def source(self, id_: str, type_: str, path: str, **spec: object) -> None:
        (self.root / "sources").mkdir(exist_ok=True)
        (self.root / "sources" / f"{id_}.yaml").write_text(datasource(id_, type_, path, **spec), encoding="utf-8")

    def data(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    @property
    def store(self) -> Store:
        return Store(load_config(self.root).store_path)

    def ingest(self, **kwargs: object) -> IngestReport:
        return self.store.ingest(load_repository(self.root), self.root, **kwargs)  # type: ignore[arg-type]


def problems(report: IngestReport) -> list[tuple[str, int, str, str]]:
    """(file, line, rule, severity) of every problem, sorted."""
    return sorted((p.file, p.line, p.rule, p.severity) for p in report.problems)
