"""The repository's documents by id and objective references resolved, built once per rule run.

Every rule family looks documents up through one `Catalog` so that a repository of thousands of
files is indexed once, not once per rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from slactl.loader.documents import LoadedDocument, LoadResult
from slactl.model.agreement import Indicator, Objective
from slactl.model.documents import AGREEMENT_KINDS, namespace_of
from slactl.rules.registry import Context

_UNPARSED = {"yaml-syntax", "yaml-duplicate-key"}


@dataclass
class ObjectiveView:
    """An objective with what it inherits from the SLA objective it supports (SPEC 2.2)."""

    doc: LoadedDocument
    index: int
    objective: Objective
    supported: ObjectiveView | None = None

    @property
    def ref(self) -> str:
        return f"{self.doc.id}/{self.objective.id}"

    def _inherit(self, name: str) -> Any:
        value = getattr(self.objective, name)
        if value is None and self.supported is not None and self.supported is not self:
            return getattr(self.supported.objective, name)
        return value

    @property
    def indicator(self) -> Indicator | None:
        return self._inherit("indicator")

    @property
    def target(self) -> float | None:
        return self._inherit("target")

    @property
    def threshold(self) -> float | None:
        return self._inherit("threshold")

    @property
    def source(self) -> str | None:
        return self._inherit("source")

    def path(self, *rest: Any) -> tuple[Any, ...]:
        return ("spec", "objectives", self.index, *rest)


@dataclass
class Catalog:
    """Documents by namespace and id (valid or not), valid models by id, objectives by reference."""

    result: LoadResult
    by_namespace: dict[str, dict[str, LoadedDocument]] = field(default_factory=dict)
    valid: dict[str, dict[str, LoadedDocument]] = field(default_factory=dict)
    objectives: dict[str, ObjectiveView] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, result: LoadResult) -> Catalog:
        catalog = cls(result)
        # files whose YAML could not be parsed: their documents are missing from the indexes
        for finding in result.findings:
            if finding.rule in _UNPARSED and finding.file in result.sources:
                catalog.broken[finding.file] = result.sources[finding.file]
        for doc in result.documents:
            if doc.kind is None or doc.id is None:
                continue
            namespace = namespace_of(doc.kind)
            catalog.by_namespace.setdefault(namespace, {}).setdefault(doc.id, doc)
            if doc.model is not None:
                catalog.valid.setdefault(namespace, {}).setdefault(doc.id, doc)
        for doc in catalog.valid.get("agreement", {}).values():
            for index, objective in enumerate(doc.model.spec.objectives):
                catalog.objectives[f"{doc.id}/{objective.id}"] = ObjectiveView(doc, index, objective)
        for view in catalog.objectives.values():
            ref = view.objective.supports
            if ref is not None:
                target = catalog.objectives.get(ref)
                if target is not None and target is not view:
                    view.supported = target
        return catalog

    def find(self, namespace: str, id_: str) -> LoadedDocument | None:
        """Any document (even one that failed its schema) with that id in that namespace."""
        return self.by_namespace.get(namespace, {}).get(id_)

    def model(self, kind: str, id_: str) -> Any:
        doc = self.valid.get(namespace_of(kind), {}).get(id_)
        if doc is None or (kind in AGREEMENT_KINDS and doc.kind != kind):
            return None
        return doc.model

    def defined_in_broken_file(self, id_: str) -> str | None:
        """The unparsable file that seems to define `id_` (its own error is reported instead)."""
        if not self.broken:
            return None
        pattern = re.compile(r"\bid:\s*['\"]?" + re.escape(id_) + r"['\"]?\s*[,}\n#]")
        for file, text in self.broken.items():
            if pattern.search(text + "\n"):
                return file
        return None

    def elsewhere(self, id_: str, exclude: set[str]) -> list[str]:
        """Kinds of documents with that id outside the namespaces in `exclude`."""
        kinds = []
        for namespace, docs in self.by_namespace.items():
            if namespace in exclude:
                continue
            doc = docs.get(id_)
            if doc is not None and doc.kind is not None:
                kinds.append(doc.kind)
        return sorted(kinds)

    def ids(self, namespace: str) -> list[str]:
        return sorted(self.by_namespace.get(namespace, {}))

    def agreement_views(self, doc: LoadedDocument) -> list[ObjectiveView]:
        return [self.objectives[f"{doc.id}/{o.id}"] for o in doc.model.spec.objectives
                if f"{doc.id}/{o.id}" in self.objectives]

    def zone_of(self, agreement: Any) -> tzinfo:
        """The agreement's calendar time zone (UTC when it has none or it cannot be found)."""
        calendar_id = agreement.spec.calendar
        calendar = self.model("Calendar", calendar_id) if calendar_id else None
        return ZoneInfo(calendar.spec.timezone) if calendar is not None else UTC


def catalog(ctx: Context) -> Catalog:
    """The run's catalog, built on first use."""
    found = ctx.cache.get("catalog")
    if found is None or found.result is not ctx.result:
        found = Catalog.build(ctx.result)
        ctx.cache["catalog"] = found
    return found


def aware(value: datetime, zone: tzinfo) -> datetime:
    """A naive definition timestamp is read in the agreement's calendar time zone (SPEC 2.1)."""
    return value.replace(tzinfo=zone) if value.tzinfo is None else value
