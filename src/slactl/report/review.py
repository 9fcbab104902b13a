"""The monthly service review end to end: compliance for the period and its trend, render, write, archive.

Each trend period is computed once, with one LoadResult, one Store and one jinja Environment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from slactl.compliance.results import ComplianceReport
from slactl.loader.documents import LoadResult
from slactl.report.archive import git_state, input_files, input_paths, write_archive
from slactl.report.render import (
    FORMATS,
    Renderer,
    TemplateProblem,
    render_text,
    report_basename,
    write_text_atomic,
)
from slactl.report.viewmodel import VIEWS, ReportInputs, Scope, ScopeError, build_view

Compute = Callable[..., ComplianceReport]


class ReportError(Exception):
    """The report cannot be made; the message says why and what to do."""


@dataclass
class ReviewOptions:
    period: str
    view: str = "manager"
    formats: list[str] = field(default_factory=lambda: list(FORMATS))
    out: Path | None = None
    trend: int = 6
    templates: Path | None = None
    archive: Path | None = None
    as_of: datetime | None = None
    scope: Scope = field(default_factory=Scope)


@dataclass
class ReviewOutcome:
    files: list[Path]
    view: dict[str, Any]
    archive_folder: Path | None = None
    manifest_sha256: str | None = None
    data_findings: list[Any] = field(default_factory=list)


def collect_inputs(root: Path, result: LoadResult, period: str, *, trend: int = 6, as_of: datetime | None = None,
                   compute: Compute | None = None, store: Any = None) -> ReportInputs:
    """Compliance for the period and the `trend - 1` periods before it (each computed once)."""
    from slactl.compliance.periods import PeriodError, parse_period

    try:
        current_period = parse_period(period)
    except PeriodError as exc:
        raise ReportError(str(exc)) from None
    if trend < 1:
        raise ReportError(f"--trend must be at least 1 (the period itself), not {trend}")
    if compute is None:
        from slactl.compliance.engine import compute_compliance

        compute = compute_compliance
    if store is None:
        from slactl.loader.repository import load_config
        from slactl.store import Store

        store = Store(load_config(root).store_path)
    current = compute(root, result, current_period.label, as_of=as_of, store=store)
    earlier = sorted(current_period.previous(trend - 1), key=lambda p: p.start)
    history = [compute(root, result, p.label, store=store, ingest=False) for p in earlier]
    return ReportInputs(period=current_period.label, current=current, result=result, history=history)


def _data_globs(result: LoadResult, view: dict[str, Any]) -> list[str]:
    used = {row["source"] for a in view["agreements"] for row in a["objectives"] if row["source"]}
    used |= {row["source"] for a in view["agreements"] for u in a["underpinning"] for row in u["objectives"]
             if row["source"]}
    sources = {d.id: d.model.spec for d in result.of_kind("DataSource")}
    for source_id in list(used):
        spec = sources.get(source_id)
        if spec is not None and spec.pauses:
            used.add(spec.pauses)
    return [sources[s].path for s in sorted(used) if s in sources]


def generate(root: Path, result: LoadResult, options: ReviewOptions, *, inputs: ReportInputs | None = None,
             compute: Compute | None = None, store: Any = None, renderer: Renderer | None = None,
             tool_version: str = "") -> ReviewOutcome:
    """Make the report files (and an archived version when asked); returns what was written."""
    if options.view not in VIEWS:
        raise ReportError(f"unknown view '{options.view}'; views: {', '.join(VIEWS)}")
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise ReportError(f"unknown format '{fmt}'; formats: md, html, both")
    if options.templates is not None and not options.templates.is_dir():
        raise ReportError(f"templates folder '{options.templates}' does not exist")
    inputs = inputs or collect_inputs(root, result, options.period, trend=options.trend, as_of=options.as_of,
                                      compute=compute, store=store)
    data_globs = [d.model.spec.path for d in result.of_kind("DataSource")]
    definitions = git_state(root, input_paths(root, list(result.files), data_globs))
    try:
        view = build_view(inputs, options.view, options.scope, with_charts="html" in options.formats,
                          tool_version=tool_version, definitions=definitions)
    except ScopeError as exc:
        raise ReportError(str(exc)) from None
    renderer = renderer or Renderer(options.templates)
    scope = options.scope
    slug = scope.agreement or scope.customer or scope.service
    basename = report_basename(inputs.period, options.view, slug)
    rendered: dict[str, str] = {}
    try:
        for fmt in options.formats:
            rendered[f"{basename}.{fmt}"] = render_text(renderer, view, fmt)
    except TemplateProblem as exc:
        raise ReportError(str(exc)) from None
    out_dir = options.out or (root / "reports")
    files = []
    for name, text in rendered.items():
        path = out_dir / name
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            raise ReportError(f"cannot write {path}: {exc.strerror or exc}; choose another --out folder") from None
        files.append(path)
    outcome = ReviewOutcome(files=files, view=view, data_findings=list(inputs.current.data_findings))
    if options.archive is not None:
        try:
            folder = write_archive(
                options.archive, period=inputs.period, view=options.view, scope=scope.describe(),
                outputs={name: text.encode("utf-8") for name, text in rendered.items()},
                inputs=input_files(root, list(result.files), _data_globs(result, view)),
                git=definitions, generator_version=tool_version,
            )
        except OSError as exc:
            where = exc.filename or options.archive
            raise ReportError(f"cannot write the archive at {where}: {exc.strerror or exc}") from None
        outcome.archive_folder = folder
        outcome.manifest_sha256 = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    return outcome
