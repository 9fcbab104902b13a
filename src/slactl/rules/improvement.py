"""CSI register rules: failed remediations keep their lessons, and dates that make effect measurable."""

from __future__ import annotations

from collections.abc import Iterator

from slactl.findings import Finding, Severity
from slactl.rules.registry import Context, rule

_CSI = "ITIL 4 Continual Improvement"
_DONE = ("implemented", "validated", "closed")


@rule("improvement-failed-lessons", Severity.ERROR, standard=_CSI)
def failed_lessons(ctx: Context) -> Iterator[Finding]:
    """A failed improvement records no lessons learned, so the next attempt cannot learn from it.

    Bad:  `status: failed` with no `lessons_learned`.
    Good: `status: failed` and `lessons_learned: "Pool size was not the bottleneck; measure failover first."`
    """
    for doc in ctx.result.of_kind("Improvement"):
        spec = doc.model.spec
        if spec.status == "failed" and not (spec.lessons_learned or "").strip():
            yield doc.finding(
                "improvement-failed-lessons", Severity.ERROR,
                f"Improvement '{doc.id}' failed but records no lessons learned", "spec", "status",
                hint="add lessons_learned: what went wrong and what to do differently "
                     "(slactl csi set ID lessons_learned=\"...\")",
            )


@rule("improvement-dates", Severity.ERROR, standard=_CSI)
def improvement_dates(ctx: Context) -> Iterator[Finding]:
    """An improvement is implemented before it started.

    Bad:  `started: 2026-07-15` and `implemented: 2026-07-01`.
    Good: `started: 2026-07-01` and `implemented: 2026-07-15`.
    """
    for doc in ctx.result.of_kind("Improvement"):
        spec = doc.model.spec
        if spec.started and spec.implemented and spec.implemented < spec.started:
            yield doc.finding(
                "improvement-dates", Severity.ERROR,
                f"Improvement '{doc.id}' is implemented ({spec.implemented}) before it started ({spec.started})",
                "spec", "implemented", hint="correct started or implemented",
            )


@rule("improvement-unmeasurable", Severity.WARNING, standard=_CSI)
def improvement_unmeasurable(ctx: Context) -> Iterator[Finding]:
    """An implemented improvement lacks what `slactl csi effect` needs to check that it worked.

    Bad:  `status: implemented` with no `implemented` date, `started` date or `expected.objective`.
    Good: `started: 2026-07-01`, `implemented: 2026-07-15`, `expected: {objective: payments-gold/availability}`.
    """
    for doc in ctx.result.of_kind("Improvement"):
        spec = doc.model.spec
        if spec.status not in _DONE:
            continue
        missing = [name for name, value in (("started", spec.started), ("implemented", spec.implemented),
                                            ("expected.objective", spec.expected)) if value is None]
        if missing:
            yield doc.finding(
                "improvement-unmeasurable", Severity.WARNING,
                f"Improvement '{doc.id}' is {spec.status} but has no {', '.join(missing)}: its effect cannot be measured",
                "spec", "status", hint="record them with slactl csi set so slactl csi effect can compare before and after",
            )
