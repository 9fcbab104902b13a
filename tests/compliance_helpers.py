"""Builders for compliance tests: definitions as YAML text, data as small frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from slactl.compliance.engine import compute_compliance
from slactl.compliance.framestore import FrameStore
from slactl.compliance.results import ComplianceReport
from slactl.loader.documents import load_text

HEADER = "apiVersion: slactl/v1\n"


def calendar(id_: str, timezone: str, hours: str = "", holidays: str = "") -> str:
    text = f"{HEADER}kind: Calendar\nmetadata: {{id: {id_}}}\nspec:\n  timezone: {timezone}\n"
    if hours:
        text += "  hours:\n" + "".join(f"    {line}\n" for line in hours.strip().splitlines())
    if holidays:
        text += f"  holidays: [{holidays}]\n"
    return text


def service(id_: str) -> str:
    return f"{HEADER}kind: Service\nmetadata: {{id: {id_}}}\nspec: {{tier: high}}\n"


def source(id_: str, type_: str, extra: str = "") -> str:
    text = f"{HEADER}kind: DataSource\nmetadata: {{id: {id_}}}\nspec:\n  type: {type_}\n  path: data/{id_}/*.csv\n  timezone: UTC\n"
    return text + "".join(f"  {line}\n" for line in extra.strip().splitlines() if line)


def sla(id_: str, objectives: str, services: str = "[svc]", extra: str = "") -> str:
    text = (
        f"{HEADER}kind: SLA\nmetadata: {{id: {id_}}}\nspec:\n  level: service\n  services: {services}\n"
        "  status: active\n  version: 1\n  effective: 2026-01-01\n"
    )
    text += "".join(f"  {line}\n" for line in extra.strip().splitlines() if line)
    text += "  objectives:\n" + "".join(f"    {line}\n" for line in objectives.strip().splitlines())
    return text


def compute(documents: list[str], frames: dict[str, pd.DataFrame], period: str, **kwargs) -> ComplianceReport:
    result = load_text("---\n".join(documents), "defs.yaml")
    assert not result.findings, [f.to_dict() for f in result.findings]
    return compute_compliance(Path("."), result, period, store=FrameStore(frames), **kwargs)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC") if pd.Timestamp(text).tzinfo else pd.Timestamp(text, tz="UTC")


def probes(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame({
        "time": pd.to_datetime([r[0] for r in rows], utc=True),
        "service": [r[1] for r in rows],
        "up": [r[2] for r in rows],
    })


def outages(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "service": [r[0] for r in rows],
        "start": pd.to_datetime([r[1] for r in rows], utc=True),
        "end": pd.to_datetime([r[2] for r in rows], utc=True),
        "impact": [r[3] for r in rows],
    })


def tickets(rows: list[tuple]) -> pd.DataFrame:
    """rows: (id, service, priority, opened_at, responded_at, resolved_at); None for empty."""
    return pd.DataFrame({
        "id": [r[0] for r in rows],
        "service": [r[1] for r in rows],
        "priority": [r[2] for r in rows],
        "opened_at": pd.to_datetime([r[3] for r in rows], utc=True),
        "responded_at": pd.to_datetime([r[4] for r in rows], utc=True),
        "resolved_at": pd.to_datetime([r[5] for r in rows], utc=True),
    })


def pauses(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame({
        "ticket_id": [r[0] for r in rows],
        "state": [r[1] for r in rows],
        "start": pd.to_datetime([r[2] for r in rows], utc=True),
        "end": pd.to_datetime([r[3] for r in rows], utc=True),
    })
