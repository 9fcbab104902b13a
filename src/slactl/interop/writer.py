"""Writing imported and exported documents: YAML through ruamel, checked by the loader, one file each, atomically."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import LiteralScalarString

from slactl.atomic import write_text_atomic
from slactl.findings import Finding, Severity
from slactl.interop.documents import OutputDocument, make_id
from slactl.loader.documents import display_path, load_text
from slactl.loader.yamlpos import new_yaml

SCHEMA_URL = "https://slactl.dev/schemas/v1/{kind}.json"

FOLDERS = {
    "SLA": "slas",
    "OLA": "olas",
    "UC": "ucs",
    "Service": "services",
    "Calendar": "calendars",
    "DataSource": "datasources",
    "EscalationPolicy": "escalation",
}


def _literal_blocks(value: Any) -> Any:
    """Multi-line text as `|` blocks, which stay readable in review."""
    if isinstance(value, dict):
        return {k: _literal_blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value.strip():
        return LiteralScalarString(value.strip() + "\n")
    return value


def dump_yaml(data: Any) -> str:
    """Block-style YAML for one document."""
    data = _literal_blocks(data)
    yaml = new_yaml()
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def render_document(doc: OutputDocument) -> str:
    """The file text of a slactl document, with the editor's schema line first."""
    header = f"# yaml-language-server: $schema={SCHEMA_URL.format(kind=doc.kind.lower())}\n"
    if doc.origin:
        header += f"# Imported from {doc.origin}\n"
    return header + dump_yaml(doc.data)


def render_stream(texts: Iterable[str]) -> str:
    """Several documents as one YAML stream separated by `---`."""
    return "---\n".join(texts)


def check_documents(documents: list[OutputDocument]) -> list[Finding]:
    """Load every document back with the slactl loader; anything it reports is a bug worth surfacing."""
    findings: list[Finding] = []
    for doc in documents:
        text = render_document(doc)
        loaded = load_text(text, relative_path(doc).as_posix())
        for finding in loaded.findings:
            findings.append(Finding(
                finding.file, finding.line, finding.column, "import-invalid-output", Severity.ERROR,
                f"the converted {doc.kind} '{doc.id}' does not validate: {finding.message} ({finding.rule})",
                "please report this with the input file; the document was not written",
            ))
    return findings


def relative_path(doc: OutputDocument) -> Path:
    """`slas/payments-gold.yaml`: a folder per kind, the file named after the sanitised id."""
    return Path(FOLDERS.get(doc.kind, make_id(doc.kind))) / f"{make_id(doc.id)}.yaml"


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    text: str
    kind: str
    id: str
    exists: bool


def plan_files(out: Path, named_texts: Iterable[tuple[Path, str, str, str]]) -> list[PlannedFile]:
    """Where each (relative path, text, kind, id) goes under `out`, and whether a file is already there."""
    planned = []
    for rel, text, kind, id_ in named_texts:
        path = out / rel
        planned.append(PlannedFile(path, text, kind, id_, path.exists()))
    return planned


def conflicts(planned: list[PlannedFile], display_root: Path) -> list[Finding]:
    """One error per file that exists already (nothing is written then, unless --force)."""
    findings = []
    for item in planned:
        if item.exists:
            findings.append(Finding(
                display_path(item.path, display_root), 1, 1, "import-exists", Severity.ERROR,
                f"{item.kind} '{item.id}' would overwrite an existing file",
                "remove or rename the file, choose another --out, or pass --force to overwrite",
            ))
    return findings


def write_planned(planned: list[PlannedFile]) -> list[Path]:
    written = []
    for item in planned:
        write_text_atomic(item.path, item.text)
        written.append(item.path)
    return written
