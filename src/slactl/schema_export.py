"""JSON Schema for every kind, generated from the models: `schemas/<kind>.json` and `schemas/slactl.json`.

Editors use them through `# yaml-language-server: $schema=...`; the committed copies are tested to
match the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slactl.atomic import write_text_atomic
from slactl.model.documents import KIND_MODELS, json_schema_for

BASE_URI = "https://slactl.dev/schemas/v1/"


def schema_file(kind: str) -> str:
    return f"{kind.lower()}.json"


def build_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema: one per kind plus `slactl.json`, any document (oneOf by kind)."""
    schemas = {schema_file(kind): json_schema_for(kind) for kind in KIND_MODELS}
    schemas["slactl.json"] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}slactl.json",
        "title": "slactl definition document",
        "description": "Any slactl definition document; `kind` selects the schema.",
        "oneOf": [{"$ref": schema_file(kind)} for kind in KIND_MODELS],
    }
    return schemas


def render(schema: dict[str, Any]) -> str:
    """Stable, commit-ready text: sorted keys, two-space indent, final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> list[Path]:
    """Write every schema into `out` (atomically, only files whose text changed); return the paths written."""
    written = []
    for name, schema in build_schemas().items():
        path = Path(out) / name
        text = render(schema)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        write_text_atomic(path, text)
        written.append(path)
    return written


def stale_schemas(out: Path) -> list[str]:
    """Schema files in `out` that are missing or differ from the models."""
    stale = []
    for name, schema in build_schemas().items():
        path = Path(out) / name
        if not path.is_file() or path.read_text(encoding="utf-8") != render(schema):
            stale.append(name)
    return stale
