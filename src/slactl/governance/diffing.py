"""`slactl diff`: what changed in the agreements between two revisions, in a service manager's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slactl.governance.gitrepo import Snapshot, agreements_of, open_repository
from slactl.governance.semantic import AgreementDiff, agreement_changes
from slactl.loader.documents import load_repository


@dataclass
class DiffReport:
    """The agreements that differ between `old` and `new` (the working tree when `new_commit` is None)."""

    old: str
    new: str
    old_commit: str
    new_commit: str | None
    agreements: list[AgreementDiff] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        counts = {state: sum(1 for a in self.agreements if a.state == state) for state in ("added", "removed", "changed")}
        return {
            "old": {"rev": self.old, "commit": self.old_commit},
            "new": {"rev": self.new, "commit": self.new_commit},
            "agreements": [a.to_dict() for a in self.agreements],
            "summary": counts,
        }


def diff_snapshots(old: dict[str, Snapshot], new: dict[str, Snapshot]) -> list[AgreementDiff]:
    """Per agreement id: added, removed, or changed (with its semantic changes); unchanged ones are left out."""
    found: list[AgreementDiff] = []
    for id_ in sorted(set(old) | set(new)):
        before, after = old.get(id_), new.get(id_)
        if before is None and after is not None:
            spec = after.model.spec
            found.append(AgreementDiff(id_, after.kind, "added", None, after.file, None, spec.version,
                                       None, spec.status.value))
        elif after is None and before is not None:
            spec = before.model.spec
            found.append(AgreementDiff(id_, before.kind, "removed", before.file, None, spec.version, None,
                                       spec.status.value, None))
        elif before is not None and after is not None:
            changes = agreement_changes(before.model, after.model)
            if not changes and before.file == after.file:
                continue
            found.append(AgreementDiff(
                id_, after.kind, "changed", before.file, after.file,
                before.model.spec.version, after.model.spec.version,
                before.model.spec.status.value, after.model.spec.status.value, changes,
            ))
    return found


def diff_revisions(root: Path, old_rev: str, new_rev: str | None = None) -> DiffReport:
    """Compare the agreements at `old_rev` with those at `new_rev` (default: the working tree).

    Raises GitError when the repository or a revision cannot be read.
    """
    repo = open_repository(Path(root))
    old_commit = repo.resolve(old_rev)
    old = repo.agreements_at(old_commit)
    if new_rev is None:
        new = agreements_of(load_repository(repo.root, repo.config))
        new_sha = None
    else:
        new_commit = repo.resolve(new_rev)
        new = repo.agreements_at(new_commit)
        new_sha = new_commit.hexsha
    return DiffReport(old_rev, new_rev or "working tree", old_commit.hexsha, new_sha, diff_snapshots(old, new))
