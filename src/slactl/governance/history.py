"""`slactl history ID`: every version of one agreement from git history, followed by id across files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slactl.governance.gitrepo import (
    CommitInfo,
    GitError,
    GitRepository,
    Snapshot,
    commit_info,
    open_repository,
)
from slactl.governance.semantic import Change, agreement_changes, material


@dataclass
class HistoryEntry:
    """One commit that changed the agreement."""

    commit: CommitInfo
    state: str  # created | amended | editorial | removed
    file: str | None
    previous_file: str | None
    version: int | None
    status: str | None
    changes: list[Change] = field(default_factory=list)
    approvals: list[str] = field(default_factory=list)  # from the changelog entry of `version`
    trailers: list[str] = field(default_factory=list)  # Approved-by trailers of the commit
    silent: bool = False  # a material change to an active agreement that kept its version

    @property
    def moved(self) -> bool:
        return self.file is not None and self.previous_file is not None and self.file != self.previous_file

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "date": self.commit.date.isoformat(timespec="seconds"),
            "author": self.commit.author,
            "email": self.commit.email,
            "commit": self.commit.sha,
            "subject": self.commit.subject,
            "state": self.state,
            "status": self.status,
            "file": self.file,
            "previous_file": self.previous_file,
            "moved": self.moved,
            "approvals": self.approvals,
            "trailers": self.trailers,
            "silent_change": self.silent,
            "changes": [c.to_dict() for c in self.changes],
        }


def _same(a: Snapshot, b: Snapshot) -> bool:
    return bool(a.model.model_dump(mode="json") == b.model.model_dump(mode="json"))


def _entry(info: CommitInfo, old: Snapshot | None, new: Snapshot | None) -> HistoryEntry | None:
    trailers = info.trailer_values("Approved-by")
    if new is None:
        assert old is not None
        spec = old.model.spec
        return HistoryEntry(info, "removed", None, old.file, spec.version, spec.status.value, trailers=trailers)
    spec = new.model.spec
    entry_log = next((e for e in spec.changelog if e.version == spec.version), None)
    approvals = [f"{a.by} ({a.on.isoformat()})" for a in entry_log.approvals] if entry_log else []
    if old is None:
        return HistoryEntry(info, "created", new.file, None, spec.version, spec.status.value,
                            approvals=approvals, trailers=trailers)
    changes = agreement_changes(old.model, new.model)
    if not changes and old.file == new.file:
        return None  # formatting or comments only
    significant = material(changes)
    silent = bool(significant) and old.model.spec.status.value == "active" and spec.version == old.model.spec.version
    return HistoryEntry(info, "amended" if significant else "editorial", new.file, old.file, spec.version,
                        spec.status.value, changes, approvals, trailers, silent)


def agreement_history(root: Path, agreement_id: str, repo: GitRepository | None = None) -> list[HistoryEntry]:
    """Every commit reachable from HEAD that created, changed, moved or removed the agreement, newest first.

    A merge is listed only when it changes the agreement beyond what its parents already had
    (a conflict resolution); the branch commits are listed themselves. Raises GitError.
    """
    repo = repo or open_repository(Path(root))
    head = repo.resolve("HEAD")
    entries: list[HistoryEntry] = []
    seen = False
    for commit in repo.all_commits(head):
        parents = list(commit.parents)
        if repo.shallow and parents and not all(repo.has_object(p.hexsha) for p in parents):
            continue  # the shallow boundary: what this commit changed cannot be told (the CLI says so)
        files = repo.changed_files(parents[0] if parents else None, commit)
        if not files:
            continue
        new = repo.agreements_in(commit, files, needle=agreement_id).get(agreement_id)
        old = repo.agreements_in(parents[0], files, needle=agreement_id).get(agreement_id) if parents else None
        if new is None and old is None:
            continue
        seen = True
        if new is not None and len(parents) > 1:
            others = [repo.agreements_in(p, files | {new.file}, needle=agreement_id).get(agreement_id)
                      for p in parents[1:]]
            if any(o is not None and _same(o, new) for o in others):
                continue
        entry = _entry(commit_info(commit), old, new)
        if entry is not None:
            entries.append(entry)
    if not seen:
        raise GitError(
            f"agreement '{agreement_id}' is not in the git history of {repo.root}",
            "check the id (metadata.id of an SLA, OLA or UC) and that its file is committed",
        )
    return list(reversed(entries))
