"""Hierarchy rules: multi-level SLAs (service -> customer -> corporate) and acyclic parent chains."""

from __future__ import annotations

from collections.abc import Iterator

from slactl.findings import Finding, Severity
from slactl.rules.catalog import catalog
from slactl.rules.registry import Context, rule

# The level a parent must have, by the child's level.
_PARENT_LEVEL = {"service": "customer", "customer": "corporate"}


@rule("hierarchy-level", Severity.ERROR, standard="ITIL 4 Service Level Management (multi-level SLAs)")
def hierarchy_level(ctx: Context) -> Iterator[Finding]:
    """An SLA's parent is not exactly one level up.

    A service-level SLA's parent is a customer-level SLA, a customer-level SLA's parent is the
    corporate SLA, and the corporate SLA has no parent. OLAs and UCs are not part of this
    hierarchy: link them from the SLA with `underpinned_by` and from objectives with `supports`.

    Bad:

        kind: SLA
        metadata: {id: payments-api-gold}
        spec:
          level: service
          parent: corporate-sla          # skips the customer level

    Good:

        kind: SLA
        metadata: {id: payments-api-gold}
        spec:
          level: service
          parent: retail-customers       # a customer-level SLA whose parent is corporate-sla
    """
    cat = catalog(ctx)
    for doc in ctx.result.agreements():
        spec = doc.model.spec
        if spec.parent is None:
            continue
        if doc.kind != "SLA":
            yield doc.finding(
                "hierarchy-level", Severity.ERROR,
                f"{doc.kind} '{doc.id}' has a parent, but only SLAs form the service/customer/corporate hierarchy",
                "spec", "parent",
                hint=f"remove parent and list '{doc.id}' in the SLA's underpinned_by instead",
            )
            continue
        if spec.level == "corporate":
            yield doc.finding(
                "hierarchy-level", Severity.ERROR,
                f"corporate SLA '{doc.id}' has parent '{spec.parent}'; the corporate level is the top",
                "spec", "parent", hint="remove parent, or change level to customer or service",
            )
            continue
        parent = cat.model("SLA", spec.parent)
        if parent is None or spec.parent == doc.id:
            continue  # unknown or wrong-kind parents are reported by the reference rules
        wanted = _PARENT_LEVEL[spec.level]
        if parent.spec.level != wanted:
            yield doc.finding(
                "hierarchy-level", Severity.ERROR,
                f"{spec.level}-level SLA '{doc.id}' has parent '{spec.parent}' at level {parent.spec.level}; "
                f"its parent must be a {wanted}-level SLA",
                "spec", "parent",
                hint=f"point parent at a {wanted}-level SLA (service -> customer -> corporate)",
            )


@rule("hierarchy-cycle", Severity.ERROR, standard="ITIL 4 Service Level Management (multi-level SLAs)")
def hierarchy_cycle(ctx: Context) -> Iterator[Finding]:
    """Parent chains loop back on themselves.

    Following `parent` from any agreement must end at an agreement without one. The finding
    names the whole cycle and points at the `parent` of its first member (by id).

    Bad:

        # a.yaml: {metadata: {id: a}, spec: {level: customer, parent: b}}
        # b.yaml: {metadata: {id: b}, spec: {level: customer, parent: a}}

    Good:

        # a.yaml: {metadata: {id: a}, spec: {level: customer, parent: corp}}
        # corp.yaml: {metadata: {id: corp}, spec: {level: corporate}}
    """
    cat = catalog(ctx)
    agreements = cat.valid.get("agreement", {})
    parents = {id_: doc.model.spec.parent for id_, doc in agreements.items()}
    reported: set[frozenset[str]] = set()
    done: set[str] = set()
    for start in sorted(parents):
        chain: list[str] = []
        seen: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in parents and current not in done:
            if current in seen:
                cycle = chain[seen[current]:]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = min(cycle)
                    at = cycle.index(first)
                    ordered = cycle[at:] + cycle[:at] + [first]
                    yield agreements[first].finding(
                        "hierarchy-cycle", Severity.ERROR,
                        f"parent chain loops: {' -> '.join(ordered)}",
                        "spec", "parent", hint="the hierarchy must end at a corporate SLA without a parent",
                    )
                break
            seen[current] = len(chain)
            chain.append(current)
            current = parents[current]
        done.update(chain)
