"""Reference rules: every id a document names must exist, and be of the kind the field expects."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from slactl.findings import Finding, Severity
from slactl.loader.documents import LoadedDocument
from slactl.rules.catalog import Catalog, catalog
from slactl.rules.registry import Context, rule

_AN = {"SLA", "OLA", "EscalationPolicy", "Improvement", "agreement"}


def _a(kind: str) -> str:
    return f"an {kind}" if kind in _AN else f"a {kind}"


def _or(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _expected(kinds: tuple[str, ...]) -> str:
    return " or ".join(_a(k) for k in kinds)


class _Checker:
    """Collects reference findings for one run; both reference rules share its output."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.findings: list[Finding] = []

    def id(self, doc: LoadedDocument, path: tuple[Any, ...], value: str | None, field: str,
           namespace: str, kinds: tuple[str, ...]) -> LoadedDocument | None:
        """Check one id reference; return the referenced document when it is of an expected kind."""
        if value is None:
            return None
        found = self.cat.find(namespace, value)
        if found is not None and found.kind in kinds:
            return found
        if found is not None:
            self.findings.append(doc.finding(
                "ref-wrong-kind", Severity.ERROR,
                f"{field} '{value}' is {_a(str(found.kind))} ({found.file}); expected {_expected(kinds)}",
                *path, hint=f"{field} must name {_expected(kinds)}",
            ))
            return None
        others = self.cat.elsewhere(value, {namespace})
        if others:
            self.findings.append(doc.finding(
                "ref-wrong-kind", Severity.ERROR,
                f"{field} '{value}' is {' and '.join(_a(k) for k in others)}; expected {_expected(kinds)}",
                *path, hint=f"{field} must name {_expected(kinds)}",
            ))
            return None
        if self.cat.defined_in_broken_file(value) is not None:
            return None  # the definition is in a file that could not be parsed; that file's error says so
        candidates = [i for i in self.cat.ids(namespace) if getattr(self.cat.find(namespace, i), "kind", None) in kinds]
        close = difflib.get_close_matches(value, candidates, n=1)
        hint = f"did you mean '{close[0]}'?" if close else (
            f"define {_expected(kinds)} with metadata.id '{value}', or fix the id")
        self.findings.append(doc.finding(
            "ref-unknown", Severity.ERROR, f"{field} '{value}': no {_or(kinds)} has this id",
            *path, hint=hint,
        ))
        return None

    def ids(self, doc: LoadedDocument, path: tuple[Any, ...], values: Iterable[str] | None, field: str,
            namespace: str, kinds: tuple[str, ...]) -> None:
        for index, value in enumerate(values or ()):
            self.id(doc, (*path, index), value, field, namespace, kinds)

    def objective(self, doc: LoadedDocument, path: tuple[Any, ...], ref: str | None, field: str,
                  kinds: tuple[str, ...]) -> None:
        """Check an AGREEMENT/OBJECTIVE reference."""
        if ref is None or "/" not in ref:
            return
        agreement_id, objective_id = ref.split("/", 1)
        agreement = self.id(doc, path, agreement_id, f"{field} agreement", "agreement", kinds)
        if agreement is None or agreement.model is None:
            return
        names = [o.id for o in agreement.model.spec.objectives]
        if objective_id in names:
            return
        close = difflib.get_close_matches(objective_id, names, n=1)
        self.findings.append(doc.finding(
            "ref-unknown", Severity.ERROR,
            f"{field} '{ref}': {agreement.kind} '{agreement_id}' has no objective '{objective_id}'",
            *path,
            hint=f"did you mean '{agreement_id}/{close[0]}'?" if close
            else f"its objectives are: {', '.join(names)}",
        ))


def _collect(ctx: Context) -> list[Finding]:
    cached = ctx.cache.get("references")
    if cached is not None:
        return cached
    cat = catalog(ctx)
    check = _Checker(cat)
    agreements = ("SLA", "OLA", "UC")
    for doc in ctx.result.documents:
        if doc.model is None:
            continue
        spec = doc.model.spec
        if doc.kind in agreements:
            check.id(doc, ("spec", "parent"), spec.parent, "parent", "agreement", ("SLA",))
            check.ids(doc, ("spec", "services"), spec.services, "services", "Service", ("Service",))
            check.id(doc, ("spec", "calendar"), spec.calendar, "calendar", "Calendar", ("Calendar",))
            check.id(doc, ("spec", "escalation"), spec.escalation, "escalation", "EscalationPolicy",
                     ("EscalationPolicy",))
            check.ids(doc, ("spec", "underpinned_by"), spec.underpinned_by, "underpinned_by", "agreement",
                      ("OLA", "UC"))
            for index, objective in enumerate(spec.objectives):
                path = ("spec", "objectives", index)
                check.objective(doc, (*path, "supports"), objective.supports, "supports", ("SLA",))
                check.id(doc, (*path, "source"), objective.source, "source", "DataSource", ("DataSource",))
        elif doc.kind == "DataSource" and spec.pauses is not None:
            found = check.id(doc, ("spec", "pauses"), spec.pauses, "pauses", "DataSource", ("DataSource",))
            if found is not None and found.model is not None and found.model.spec.type != "pauses":
                check.findings.append(doc.finding(
                    "ref-wrong-kind", Severity.ERROR,
                    f"pauses '{spec.pauses}' is a DataSource of type {found.model.spec.type}; "
                    "expected a DataSource of type pauses",
                    "spec", "pauses", hint="name the status-history source (type: pauses) of these tickets",
                ))
        elif doc.kind == "Service":
            check.ids(doc, ("spec", "depends_on"), spec.depends_on, "depends_on", "Service", ("Service",))
            check.ids(doc, ("spec", "monitoring"), spec.monitoring, "monitoring", "DataSource", ("DataSource",))
        elif doc.kind == "Improvement":
            check.ids(doc, ("spec", "services"), spec.services, "services", "Service", ("Service",))
            check.ids(doc, ("spec", "agreements"), spec.agreements, "agreements", "agreement", agreements)
            if spec.expected is not None:
                check.objective(doc, ("spec", "expected", "objective"), spec.expected.objective,
                                "expected.objective", agreements)
        elif doc.kind == "Problem":
            for index, breach in enumerate(spec.breaches):
                check.objective(doc, ("spec", "breaches", index, "objective"), breach.objective,
                                "breaches.objective", agreements)
            check.ids(doc, ("spec", "improvements"), spec.improvements, "improvements", "Improvement",
                      ("Improvement",))
        elif doc.kind == "Policy":
            selector = spec.applies_to
            if selector.ids:
                if selector.kind is None:
                    _any_of(check, doc, selector.ids)
                else:
                    namespace = "Service" if selector.kind == "Service" else "agreement"
                    check.ids(doc, ("spec", "applies_to", "ids"), selector.ids, "applies_to.ids", namespace,
                              (selector.kind,))
        elif doc.kind == "Freeze":
            check.ids(doc, ("spec", "services"), spec.services, "services", "Service", ("Service",))
    ctx.cache["references"] = check.findings
    return check.findings


def _any_of(check: _Checker, doc: LoadedDocument, ids: list[str]) -> None:
    """A selector without `kind` may name Services and agreements alike."""
    for index, value in enumerate(ids):
        if check.cat.find("Service", value) is None:
            if check.cat.find("agreement", value) is None:
                check.id(doc, ("spec", "applies_to", "ids", index), value, "applies_to.ids", "Service",
                         ("Service", "SLA", "OLA", "UC"))


def _only(findings: list[Finding], rule_id: str) -> Iterator[Finding]:
    return (f for f in findings if f.rule == rule_id)


@rule("ref-unknown", Severity.ERROR, standard="ITIL 4 Service Level Management")
def ref_unknown(ctx: Context) -> Iterator[Finding]:
    """A reference names an id that no document defines.

    Every id named in `parent`, `services`, `calendar`, `escalation`, `underpinned_by`,
    `supports`, `source`, `pauses`, `depends_on`, `monitoring`, an Improvement's `services`,
    `agreements` and `expected.objective`, a Problem's `breaches` and `improvements`, a Policy's
    `applies_to.ids` and a Freeze's `services` must be defined somewhere in the repository.
    For `AGREEMENT/OBJECTIVE` references the objective must exist on that agreement.

    Bad:

        kind: SLA
        spec:
          services: [payments-apii]      # typo: no Service has this id

    Good:

        kind: SLA
        spec:
          services: [payments-api]
    """
    return _only(_collect(ctx), "ref-unknown")


@rule("ref-wrong-kind", Severity.ERROR, standard="ITIL 4 Service Level Management")
def ref_wrong_kind(ctx: Context) -> Iterator[Finding]:
    """A reference names a document of the wrong kind.

    The message says which kind was found and which was expected: `parent` and `supports`
    name SLAs, `underpinned_by` names OLAs or UCs, `calendar` a Calendar, `source` a
    DataSource, and a tickets source's `pauses` a DataSource of type `pauses`.

    Bad:

        kind: SLA
        spec:
          underpinned_by: [retail-gold]   # retail-gold is an SLA

    Good:

        kind: SLA
        spec:
          underpinned_by: [platform-ola]  # an OLA
    """
    return _only(_collect(ctx), "ref-wrong-kind")
