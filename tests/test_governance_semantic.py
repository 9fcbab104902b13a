"""The semantic diff of agreements: what changed, in which direction, and whether it is material."""

from __future__ import annotations

from typing import Any

from governance_support import sla
from slactl.governance.semantic import agreement_changes, credit_direction, deep_diff, material
from slactl.loader.documents import load_text


def _model(text: str) -> Any:
    result = load_text(text, "sla.yaml")
    assert result.findings == [], result.findings
    return result.documents[0].model


def _changes(old: str, new: str) -> dict[str, Any]:
    return {c.path: c for c in agreement_changes(_model(old), _model(new))}


TICKETS = (
    "    - id: p1-resolution\n"
    "      indicator: resolution_time\n"
    "      source: tickets\n"
    "      threshold: {threshold}\n"
    "      target: 95\n"
)


def test_same_meaning_written_differently_is_no_change() -> None:
    old = sla(extra_objective=TICKETS.format(threshold="4h"))
    new = sla(extra_objective=TICKETS.format(threshold="240m")).replace("target: 99.9", "target: 99.90") \
        .replace("      source: probes\n", "      source: probes\n      window: calendar_month\n")
    assert agreement_changes(_model(old), _model(new)) == []


def test_targets_and_thresholds_tightened_or_loosened() -> None:
    changes = _changes(sla(extra_objective=TICKETS.format(threshold="4h")),
                       sla(target=99.95, extra_objective=TICKETS.format(threshold="8h")))
    target = changes["objectives[availability].target"]
    assert (target.direction, target.old, target.new) == ("tightened", 99.9, 99.95)
    threshold = changes["objectives[p1-resolution].threshold"]
    assert threshold.direction == "loosened"
    assert threshold.summary == "objectives[p1-resolution].threshold loosened: 4h -> 8h"
    assert target.new_loc == ("spec", "objectives", 0, "target")
    assert all(c.material for c in changes.values())


def test_objectives_added_and_removed() -> None:
    changes = _changes(sla(), sla(extra_objective=TICKETS.format(threshold="4h")))
    added = changes["objectives[p1-resolution]"]
    assert (added.kind, added.summary, added.new_loc) == ("added", "objective 'p1-resolution' added",
                                                          ("spec", "objectives", 1))
    removed = _changes(sla(extra_objective=TICKETS.format(threshold="4h")), sla())["objectives[p1-resolution]"]
    assert (removed.kind, removed.direction) == ("removed", "loosened")


CREDITS = "      credits:\n" + "".join(f"        - {{below: {b}, credit: {c}}}\n" for b, c in ((99.9, 10), (99.0, 25)))


def test_credit_tiers_are_one_change_with_a_direction() -> None:
    more = CREDITS.replace("credit: 25", "credit: 50")
    changes = _changes(sla(credits=CREDITS), sla(credits=more))
    credit = changes["objectives[availability].credits"]
    assert credit.direction == "raised"
    assert credit.summary.startswith("objectives[availability] credit tiers raised: below 99.9: 10%, below 99: 25%")
    assert credit.new_loc == ("spec", "objectives", 0, "credits")
    assert _changes(sla(credits=more), sla(credits=CREDITS))["objectives[availability].credits"].direction == "reduced"
    assert _changes(sla(), sla(credits=CREDITS))["objectives[availability].credits"].direction == "raised"


def test_credit_direction_compares_every_attainment() -> None:
    old = [{"below": 99.9, "credit": 10.0}]
    assert credit_direction(old, [{"below": 99.5, "credit": 10.0}]) == "reduced"  # fewer attainments earn it
    assert credit_direction(old, [{"below": 99.95, "credit": 10.0}]) == "raised"
    assert credit_direction(old, [{"below": 99.95, "credit": 5.0}]) is None  # mixed


def test_credit_direction_compares_credits_as_paid() -> None:
    old = [{"below": 99.9, "credit": 10.0}]
    # exact comparison: 99.9 written twice is the same tier, not a float a hair apart
    assert credit_direction(old, [{"below": 99.9, "credit": 10.0}]) is None
    # the credit cap limits what a tier pays: a larger tier credit above the cap changes nothing
    assert credit_direction(old, [{"below": 99.9, "credit": 30.0}], old_cap=10.0, new_cap=10.0) is None
    assert credit_direction(old, [{"below": 99.9, "credit": 30.0}], old_cap=10.0, new_cap=20.0) == "raised"


def test_exclusions_status_parties_and_services() -> None:
    exclusion = ("  exclusions:\n    - {id: dc-fire, start: '2026-03-01T10:00:00+00:00', "
                 "end: '2026-03-01T14:00:00+00:00', reason: fire}\n")
    new = sla(status="retired", exclusions=exclusion).replace("Acme Retail", "Acme Group") \
        .replace("services: [payments-api]", "services: [payments-api, payments-web]")
    changes = _changes(sla(), new)
    assert changes["exclusions[dc-fire]"].direction == "loosened"
    assert "exclusion 'dc-fire' added" in changes["exclusions[dc-fire]"].summary
    assert changes["status"].summary == "status active -> retired"
    assert changes["customer"].summary.startswith("party customer")
    assert changes["services"].kind == "added" and changes["services"].new == "payments-web"


def test_editorial_review_and_new_changelog_entries_are_not_material() -> None:
    new = sla(version=2, name="Renamed", review="  review: {cadence: annual, last: 2026-02-01}\n",
              changelog="    - {version: 2, date: 2026-02-02, summary: x}\n")
    changes = agreement_changes(_model(sla()), _model(new))
    assert {c.path for c in changes} == {"version", "review", "changelog[v2]", "metadata.name"}
    assert material(changes) == []


def test_earlier_changelog_entries_are_material() -> None:
    new = sla().replace("summary: First version", "summary: Changed")
    assert [c.summary for c in material(agreement_changes(_model(sla()), _model(new)))] == [
        "changelog entry for version 1 rewritten"]


def test_deep_diff_lists() -> None:
    assert deep_diff({"a": [1, 2]}, {"a": [2, 1]}) == []
    changes = deep_diff({"a": [{"x": 1}]}, {"a": [{"x": 2}, {"x": 3}]})
    assert [(c.path, c.kind) for c in changes] == [("a[0].x", "changed"), ("a[1]", "added")]
