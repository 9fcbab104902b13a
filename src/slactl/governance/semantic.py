"""Semantic differences between two versions of an agreement, in a service manager's words.

Agreements are compared as validated models, not as text: `240m` and `4h` are the same threshold,
an omitted default equals the default written out, objectives and exclusions are matched by id and
lists of ids (services, approvers) by membership. Each difference knows where it is in the old and
the new YAML so findings can point at the changed line, and whether it tightens or loosens the
promise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slactl.durations import format_duration

# Fields under `spec` that are not material (SPEC 2.7): the review schedule, the version itself and
# the changelog (whose entries are judged separately: only entries for the new version may be added).
NOT_MATERIAL = ("review", "version", "changelog")
PARTY_FIELDS = ("customer", "provider", "supplier", "contract_ref")
DURATION_FIELDS = {"threshold", "min_downtime", "slice", "duration", "notice", "long", "short"}


@dataclass
class Change:
    """One difference between two versions of a document's spec."""

    path: str  # readable: objectives[availability].target
    kind: str  # added | removed | changed
    old: Any = None
    new: Any = None
    old_loc: tuple[Any, ...] = ()  # YAML path in the old document (from `spec`)
    new_loc: tuple[Any, ...] = ()  # YAML path in the new document
    direction: str | None = None  # tightened | loosened | raised | reduced | extended | shortened
    summary: str = ""
    material: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "change": self.kind,
            "direction": self.direction,
            "old": self.old,
            "new": self.new,
            "summary": self.summary,
            "material": self.material,
        }


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _keyed(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items)


def deep_diff(
    old: Any,
    new: Any,
    path: str = "",
    old_loc: tuple[Any, ...] = (),
    new_loc: tuple[Any, ...] = (),
) -> list[Change]:
    """Leaf differences between two plain (JSON-like) values.

    Lists of mappings with an `id` are matched by id; lists of scalars are compared as sets; other
    lists position by position.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        keys = list(new) + [key for key in old if key not in new]
        for key in keys:
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                if new[key] not in (None, [], {}):
                    changes.append(Change(sub, "added", None, new[key], old_loc, new_loc + (key,)))
            elif key not in new:
                if old[key] not in (None, [], {}):
                    changes.append(Change(sub, "removed", old[key], None, old_loc + (key,), new_loc))
            else:
                changes.extend(deep_diff(old[key], new[key], sub, old_loc + (key,), new_loc + (key,)))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        return _list_diff(old, new, path, old_loc, new_loc)
    if old != new:
        return [Change(path, "changed", old, new, old_loc, new_loc)]
    return []


def _list_diff(old: list[Any], new: list[Any], path: str, old_loc: tuple[Any, ...],
               new_loc: tuple[Any, ...]) -> list[Change]:
    changes: list[Change] = []
    if (_keyed(old) or not old) and (_keyed(new) or not new) and (old or new):
        old_by = {item["id"]: (i, item) for i, item in enumerate(old)}
        new_by = {item["id"]: (i, item) for i, item in enumerate(new)}
        for key, (i, item) in new_by.items():
            sub = f"{path}[{key}]"
            if key not in old_by:
                changes.append(Change(sub, "added", None, item, old_loc, new_loc + (i,)))
            else:
                j, before = old_by[key]
                changes.extend(deep_diff(before, item, sub, old_loc + (j,), new_loc + (i,)))
        for key, (j, item) in old_by.items():
            if key not in new_by:
                changes.append(Change(f"{path}[{key}]", "removed", item, None, old_loc + (j,), new_loc))
        return changes
    if all(_is_scalar(item) for item in old + new):
        new_index = {repr(item): i for i, item in enumerate(new)}
        old_index = {repr(item): i for i, item in enumerate(old)}
        for key, i in new_index.items():
            if key not in old_index:
                changes.append(Change(path, "added", None, new[i], old_loc, new_loc + (i,)))
        for key, j in old_index.items():
            if key not in new_index:
                changes.append(Change(path, "removed", old[j], None, old_loc + (j,), new_loc))
        return changes
    for i in range(max(len(old), len(new))):
        sub = f"{path}[{i}]"
        if i >= len(old):
            changes.append(Change(sub, "added", None, new[i], old_loc, new_loc + (i,)))
        elif i >= len(new):
            changes.append(Change(sub, "removed", old[i], None, old_loc + (i,), new_loc))
        else:
            changes.extend(deep_diff(old[i], new[i], sub, old_loc + (i,), new_loc + (i,)))
    return changes


# -- the agreement layer -------------------------------------------------------------------------------


def spec_data(model: Any) -> dict[str, Any]:
    """An agreement model's spec as plain data, defaults filled in (so omitting a default is no change)."""
    data: dict[str, Any] = model.spec.model_dump(mode="json")
    return data


def credit_direction(old: list[dict[str, Any]], new: list[dict[str, Any]],
                     old_cap: float = 100.0, new_cap: float = 100.0) -> str | None:
    """raised when every attainment earns at least as much credit as before (and some more), etc.

    Credits are compared as `slactl.compliance.credits.credit_for` pays them: exact, capped at the credit cap.
    """
    from slactl.compliance.credits import credit_for, exact
    from slactl.model.agreement import CreditTier

    old_tiers = [CreditTier.model_validate(t) for t in old]
    new_tiers = [CreditTier.model_validate(t) for t in new]
    points = {100.0}
    for tier in old + new:
        points.update({tier["below"], tier["below"] - 1e-9})
    more = less = False
    for point in points:
        before = credit_for(exact(point), old_tiers, old_cap) or 0
        after = credit_for(exact(point), new_tiers, new_cap) or 0
        more = more or after > before
        less = less or after < before
    if more and not less:
        return "raised"
    if less and not more:
        return "reduced"
    return None


def _fmt(value: Any, key: str = "") -> str:
    if isinstance(value, float) and key in DURATION_FIELDS:
        return format_duration(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list) and key == "credits":
        return ", ".join(f"below {t['below']:g}: {t['credit']:g}%" for t in value) or "none"
    if isinstance(value, dict) and "id" in value:
        return str(value["id"])
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _direction(field_name: str, old: Any, new: Any) -> str | None:
    if not isinstance(old, (int, float)) or not isinstance(new, (int, float)) or isinstance(old, bool):
        return None
    if field_name in ("target", "warning", "slice_target", "min_coverage"):
        return "tightened" if new > old else "loosened"
    if field_name == "threshold":
        return "tightened" if new < old else "loosened"
    if field_name == "min_downtime":
        return "loosened" if new > old else "tightened"
    if field_name == "credit_cap":
        return "raised" if new > old else "reduced"
    return None


def _describe(change: Change) -> Change:
    """Fill in the direction and a one-line summary of a leaf change."""
    leaf = change.path.rsplit(".", 1)[-1]
    leaf_name = leaf.split("[", 1)[0]
    old_text, new_text = _fmt(change.old, leaf_name), _fmt(change.new, leaf_name)
    if change.path.startswith("objectives[") and change.path.count(".") == 0:
        ident = change.path[len("objectives["):-1]
        change.summary = f"objective '{ident}' {change.kind}"
        change.direction = "loosened" if change.kind == "removed" else None
        return change
    if change.path.startswith(("exclusions[", "maintenance[")) and "." not in change.path:
        what = "exclusion" if change.path.startswith("exclusions") else "maintenance window"
        item = change.new if change.kind == "added" else change.old
        detail = ""
        if isinstance(item, dict) and item.get("start"):
            detail = f" ({item.get('start')} to {item.get('end')}" + (f": {item['reason']}" if item.get("reason") else "") + ")"
        change.summary = f"{what} '{change.path.split('[', 1)[1][:-1]}' {change.kind}{detail}"
        if change.kind == "added":
            change.direction = "loosened"
        elif change.kind == "removed":
            change.direction = "tightened"
        return change
    if change.kind == "changed":
        change.direction = _direction(leaf_name, change.old, change.new)
        if leaf_name == "expires" and change.old and change.new:
            change.direction = "extended" if str(change.new) > str(change.old) else "shortened"
        if leaf_name == "clock":
            change.direction = "tightened" if change.new == "wall" else "loosened"
        verb = change.direction or "changed"
        change.summary = f"{change.path} {verb}: {old_text} -> {new_text}"
    elif change.kind == "added":
        if leaf_name == "pause_states":
            change.direction = "loosened"
        change.summary = f"{change.path} added: {new_text}"
    else:
        if leaf_name == "pause_states":
            change.direction = "tightened"
        change.summary = f"{change.path} removed: {old_text}"
    if leaf_name in PARTY_FIELDS:
        change.summary = f"party {change.summary}"
    if leaf_name == "status":
        change.summary = f"status {old_text} -> {new_text}"
    return change


def _upto(loc: tuple[Any, ...], key: str) -> tuple[Any, ...]:
    return loc[: loc.index(key) + 1] if key in loc else loc


def _group_credits(changes: list[Change], old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """All changes inside one objective's credit tiers become one change: the tiers before and after."""
    grouped: list[Change] = []
    seen: set[str] = set()
    for change in changes:
        marker = ".credits"
        if marker not in change.path:
            grouped.append(change)
            continue
        head = change.path.split(marker, 1)[0]
        if head in seen:
            continue
        seen.add(head)
        ident = head[len("objectives["):-1]
        old_obj: dict[str, Any] = next((o for o in old.get("objectives", []) if o["id"] == ident), {})
        new_obj: dict[str, Any] = next((o for o in new.get("objectives", []) if o["id"] == ident), {})
        before, after = old_obj.get("credits", []), new_obj.get("credits", [])
        new_loc, old_loc = _upto(change.new_loc, "credits"), _upto(change.old_loc, "credits")
        direction = credit_direction(before, after, old.get("credit_cap", 100.0), new.get("credit_cap", 100.0))
        grouped.append(Change(
            f"{head}.credits", "changed", before, after, old_loc, new_loc, direction,
            f"{head} credit tiers {direction or 'changed'}: {_fmt(before, 'credits')} -> {_fmt(after, 'credits')}",
        ))
    return grouped


def agreement_changes(old_model: Any, new_model: Any) -> list[Change]:
    """Every semantic change between two versions of an agreement, with summaries and materiality.

    `old_loc`/`new_loc` are YAML paths from the document root (they start with `spec`).
    """
    old, new = spec_data(old_model), spec_data(new_model)
    changes: list[Change] = []
    body_old = {k: v for k, v in old.items() if k not in NOT_MATERIAL}
    body_new = {k: v for k, v in new.items() if k not in NOT_MATERIAL}
    changes.extend(_describe(c) for c in deep_diff(body_old, body_new))
    changes = _group_credits(changes, old, new)
    if old.get("version") != new.get("version"):
        changes.append(Change("version", "changed", old.get("version"), new.get("version"), ("version",), ("version",),
                              summary=f"version {old.get('version')} -> {new.get('version')}", material=False))
    for change in deep_diff(old.get("review"), new.get("review"), "review", ("review",), ("review",)):
        change.material = False
        changes.append(_describe(change))
    changes.extend(changelog_changes(old, new))
    for change in changes:
        change.old_loc = ("spec",) + change.old_loc
        change.new_loc = ("spec",) + change.new_loc
    changes.extend(_metadata_changes(old_model, new_model))
    return changes


def changelog_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changelog entries: new entries for a version above the old one are editorial; anything else is material."""
    old_version = old.get("version") or 0
    old_entries = {e["version"]: (i, e) for i, e in enumerate(old.get("changelog") or [])}
    new_entries = {e["version"]: (i, e) for i, e in enumerate(new.get("changelog") or [])}
    changes: list[Change] = []
    for version, (i, entry) in new_entries.items():
        loc = ("changelog", i)
        if version not in old_entries:
            if version > old_version:
                changes.append(Change(f"changelog[v{version}]", "added", None, entry, ("changelog",), loc,
                                      summary=f"changelog entry for version {version} added", material=False))
            else:
                changes.append(Change(f"changelog[v{version}]", "added", None, entry, ("changelog",), loc,
                                      summary=f"changelog entry for earlier version {version} added afterwards"))
        elif old_entries[version][1] != entry:
            changes.append(Change(f"changelog[v{version}]", "changed", old_entries[version][1], entry,
                                  ("changelog", old_entries[version][0]), loc,
                                  summary=f"changelog entry for version {version} rewritten"))
    for version, (j, entry) in old_entries.items():
        if version not in new_entries:
            changes.append(Change(f"changelog[v{version}]", "removed", entry, None, ("changelog", j), ("changelog",),
                                  summary=f"changelog entry for version {version} removed"))
    return changes


def _metadata_changes(old_model: Any, new_model: Any) -> list[Change]:
    old = old_model.metadata.model_dump(mode="json")
    new = new_model.metadata.model_dump(mode="json")
    changes = []
    for change in deep_diff(old, new, "metadata", ("metadata",), ("metadata",)):
        change.material = False
        value = change.new if change.kind != "removed" else change.old
        change.summary = f"{change.path} {change.kind}: {_fmt(change.old)} -> {_fmt(change.new)}" \
            if change.kind == "changed" else f"{change.path} {change.kind}: {_fmt(value)}"
        changes.append(change)
    if old_model.kind != new_model.kind:
        changes.append(Change("kind", "changed", old_model.kind, new_model.kind, ("kind",), ("kind",),
                              summary=f"kind {old_model.kind} -> {new_model.kind}"))
    return changes


def material(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.material]


@dataclass
class AgreementDiff:
    """How one agreement differs between two revisions."""

    id: str
    kind: str
    state: str  # added | removed | changed | unchanged
    old_file: str | None = None
    new_file: str | None = None
    old_version: int | None = None
    new_version: int | None = None
    old_status: str | None = None
    new_status: str | None = None
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.id,
            "kind": self.kind,
            "state": self.state,
            "old_file": self.old_file,
            "new_file": self.new_file,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "moved": self.old_file is not None and self.new_file is not None and self.old_file != self.new_file,
            "changes": [c.to_dict() for c in self.changes],
        }
