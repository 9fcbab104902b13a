"""`validate` as a library call: load the repository, run the validate rules, apply suppressions.

The whole repository is always loaded (references cross files); PATHs only select which files'
findings are reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from slactl.findings import Finding
from slactl.loader.documents import LoadResult, load_repository
from slactl.loader.repository import RepositoryConfig, find_definition_files, load_config, read_start
from slactl.model.common import API_VERSION
from slactl.rules.registry import Context, run_rules
from slactl.rules.suppression import apply_suppressions


class PathSelectionError(ValueError):
    """A PATH given to validate does not exist or lies outside the repository."""


class NotARepositoryError(ValueError):
    """The folder has no slactl settings and not one slactl document: it is not a definitions repository."""

    def __init__(self, root: Path, files: int) -> None:
        self.root = root
        self.files = files
        read = f"none of the {files} YAML file(s) read holds" if files else "it holds no YAML file with"
        super().__init__(
            f"'{root}' does not look like a slactl definitions repository: no slactl.toml, no [tool.slactl] "
            f"in pyproject.toml, and {read} an 'apiVersion: {API_VERSION}' document"
        )


def is_definitions_repository(config: RepositoryConfig, result: LoadResult) -> bool:
    """True when the folder has slactl settings or at least one document with an `apiVersion: slactl/...`."""
    if config.source is not None:
        return True
    return any(
        isinstance(doc.raw, dict) and str(doc.raw.get("apiVersion", "")).startswith("slactl/")
        for doc in result.documents
    )


_SLACTL_API = re.compile(r"""apiVersion['"]?\s*:\s*['"]?slactl/""")


def looks_like_repository(config: RepositoryConfig) -> bool:
    """Like `is_definitions_repository`, from the files' text alone (for commands that read only some files)."""
    if config.source is not None:
        return True
    return any(_SLACTL_API.search(read_start(path)) for path in find_definition_files(config))


@dataclass
class ValidationRun:
    """What `slactl validate` found: the loaded repository, the findings, and what was selected."""

    result: LoadResult
    findings: list[Finding]
    files: list[str]
    suppressed: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        selected = set(self.files)
        return sum(1 for doc in self.result.documents if doc.file in selected)


def select(root: Path, paths: list[Path]) -> list[str]:
    """Repository-relative prefixes for the PATHs (files or folders); raises PathSelectionError."""
    root = root.resolve()
    selected = []
    for path in paths:
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not full.exists():
            raise PathSelectionError(f"'{path}' does not exist")
        try:
            rel = full.relative_to(root).as_posix()
        except ValueError:
            raise PathSelectionError(f"'{path}' is not inside the repository {root}") from None
        selected.append("" if rel == "." else rel)
    return selected


def _within(file: str, prefixes: list[str]) -> bool:
    return any(p == "" or file == p or file.startswith(p.rstrip("/") + "/") for p in prefixes)


def run_validation(
    root: Path,
    paths: list[Path] | None = None,
    *,
    today: date | None = None,
    config: RepositoryConfig | None = None,
    extra_checks: list[Callable[[LoadResult], list[Finding]]] | None = None,
) -> ValidationRun:
    """Validate the repository at `root`; with `paths`, report only findings in those files or folders.

    `extra_checks` (such as the amendment check of `--base`) add findings about the loaded repository.
    Raises `ConfigError` (unreadable settings), `PathSelectionError` (bad PATH), `NotARepositoryError`
    (no slactl settings and not one slactl document: the wrong folder) and whatever an extra check raises.
    """
    config = config or load_config(Path(root))
    prefixes = select(config.root, list(paths)) if paths else None
    result = load_repository(config.root, config)
    if not is_definitions_repository(config, result):
        raise NotARepositoryError(config.root.resolve(), len(result.files))
    ctx = Context(result=result, root=config.root.resolve(), today=today or date.today())
    findings = list(result.findings) + run_rules(ctx, "validate")
    for check in extra_checks or ():
        findings += check(result)
    files = list(result.files)
    if prefixes is not None:
        files = [f for f in files if _within(f, prefixes)]
        findings = [f for f in findings if _within(f.file, prefixes) or f.rule == "rule-crashed"]
    findings, suppressed = apply_suppressions(findings, result.sources)
    return ValidationRun(result=result, findings=sorted(findings), files=files, suppressed=suppressed)
