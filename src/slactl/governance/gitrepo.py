"""The definitions repository as git sees it: revisions, commits, trailers and documents at a revision.

gitpython is imported inside functions so that `slactl validate` without `--base` never loads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pathspec

from slactl.loader.documents import MAX_FILE_BYTES, LoadedDocument, LoadResult, load_text
from slactl.loader.repository import RepositoryConfig, load_config
from slactl.model.documents import AGREEMENT_KINDS

_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.+?)\s*$")


class GitError(Exception):
    """A git problem a person can fix: not a repository, unknown revision, shallow history."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class CommitInfo:
    """What governance needs to know about one commit."""

    sha: str
    author: str
    email: str
    date: datetime
    subject: str
    trailers: tuple[tuple[str, str], ...]
    parents: tuple[str, ...]

    @property
    def short(self) -> str:
        return self.sha[:10]

    def trailer_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.trailers if key.lower() == wanted]


def parse_trailers(message: str) -> tuple[tuple[str, str], ...]:
    """`Key: value` lines of the message's last paragraph (git's trailer block)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return ()
    found: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        match = _TRAILER.match(line.strip())
        if match is None:
            if line.startswith((" ", "\t")) and found:  # folded continuation line
                continue
            return ()  # not a trailer block
        found.append((match.group(1), match.group(2)))
    return tuple(found)


def commit_info(commit: Any) -> CommitInfo:
    message = commit.message if isinstance(commit.message, str) else commit.message.decode("utf-8", "replace")
    return CommitInfo(
        sha=commit.hexsha,
        author=commit.author.name or "",
        email=commit.author.email or "",
        date=commit.authored_datetime.astimezone(UTC),
        subject=message.strip().splitlines()[0] if message.strip() else "",
        trailers=parse_trailers(message),
        parents=tuple(p.hexsha for p in commit.parents),
    )


@dataclass
class Snapshot:
    """One document as it was at one revision (or in the working tree)."""

    doc: LoadedDocument
    file: str  # relative to the definitions root

    @property
    def id(self) -> str:
        return self.doc.id or ""

    @property
    def kind(self) -> str:
        return self.doc.kind or ""

    @property
    def model(self) -> Any:
        return self.doc.model


def agreements_of(result: LoadResult) -> dict[str, Snapshot]:
    """Valid agreements of a load result by id (the first one wins on duplicates)."""
    found: dict[str, Snapshot] = {}
    for doc in result.documents:
        if doc.kind in AGREEMENT_KINDS and doc.model is not None and doc.id and doc.id not in found:
            found[doc.id] = Snapshot(doc, doc.file)
    return found


@dataclass
class GitRepository:
    """A git working tree and the definitions root inside it (which may be a sub-folder)."""

    repo: Any
    root: Path
    prefix: str  # the definitions root relative to the working tree, '' or 'sub/dir/'
    config: RepositoryConfig
    _parsed: dict[str, list[LoadedDocument]] = field(default_factory=dict, repr=False)
    _specs: tuple[pathspec.PathSpec, pathspec.PathSpec | None] | None = field(default=None, repr=False)

    # -- revisions -----------------------------------------------------------------------------------

    @property
    def shallow(self) -> bool:
        return (Path(self.repo.git_dir) / "shallow").exists()

    def has_object(self, sha: str) -> bool:
        """Whether the object is in this clone (a shallow clone lacks the parents of its oldest commits)."""
        try:
            self.repo.git.cat_file("-e", sha)
        except Exception:  # noqa: BLE001 - git says no by failing
            return False
        return True

    def resolve(self, rev: str) -> Any:
        """The commit a revision names; GitError with what to do when it names none."""
        import git

        if not rev or rev.startswith("-") or any(ch in rev for ch in "\n\r\0 "):
            raise GitError(f"'{rev}' is not a revision", "name a branch, tag or commit, for example origin/main")
        try:
            commit = self.repo.commit(rev)
            _ = commit.tree  # force the object to be read
            return commit
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError, IndexError, KeyError) as exc:
            if rev == "HEAD" or "does not exist" in str(exc):
                if not self.has_commits():
                    raise GitError("the git repository has no commits yet", "commit the definitions first") from None
            hint = "check the name with `git log --oneline` or `git branch -a`"
            if self.shallow:
                hint = ("the clone is shallow, so older revisions are missing: fetch the full history "
                        "(`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)")
            raise GitError(f"unknown revision '{rev}'", hint) from None

    def has_commits(self) -> bool:
        try:
            self.repo.head.commit  # noqa: B018 - raises when there is none
        except ValueError:
            return False
        return True

    def merge_base(self, base: Any, head: Any) -> Any:
        bases = self.repo.merge_base(base, head)
        if not bases:
            hint = "the two revisions share no history"
            if self.shallow:
                hint = ("the clone is shallow: fetch the full history (`git fetch --unshallow`, "
                        "or `fetch-depth: 0` in actions/checkout)")
            raise GitError(f"'{base.hexsha[:10]}' and '{head.hexsha[:10]}' have no common ancestor", hint)
        return bases[0]

    def approvals_between(self, base: Any, head: Any) -> dict[str, list[str]]:
        """`Approved-by` trailer values of the commits between `base` and `head`, by the definition files
        each commit changed (a trailer approves only what its own commit touched)."""
        found: dict[str, list[str]] = {}
        for commit in self.repo.iter_commits(f"{base.hexsha}..{head.hexsha}"):
            values = commit_info(commit).trailer_values("Approved-by")
            if not values:
                continue
            parent = commit.parents[0] if commit.parents else None
            for rel in self.changed_files(parent, commit):
                found.setdefault(rel, []).extend(values)
        return found

    # -- files ---------------------------------------------------------------------------------------

    def _spec(self) -> tuple[pathspec.PathSpec, pathspec.PathSpec | None]:
        if self._specs is None:
            include = pathspec.PathSpec.from_lines("gitwildmatch", self.config.include)
            exclude = pathspec.PathSpec.from_lines("gitwildmatch", self.config.exclude) if self.config.exclude else None
            self._specs = (include, exclude)
        return self._specs

    def relative(self, git_path: str) -> str | None:
        """A path in git -> the path relative to the definitions root, or None when it is not a definition file."""
        if self.prefix and not git_path.startswith(self.prefix):
            return None
        rel = git_path[len(self.prefix):]
        if any(part.startswith(".") or part == "node_modules" for part in rel.split("/")):
            return None
        include, exclude = self._spec()
        if not include.match_file(rel) or (exclude is not None and exclude.match_file(rel)):
            return None
        return rel

    def definition_blobs(self, commit: Any) -> dict[str, Any]:
        """Definition files at a commit: path relative to the root -> blob."""
        tree = commit.tree
        if self.prefix:
            try:
                tree = tree / self.prefix.rstrip("/")
            except KeyError:
                return {}
        found: dict[str, Any] = {}
        for item in tree.traverse():
            if item.type != "blob":
                continue
            rel = self.relative(item.path)
            if rel is not None:
                found[rel] = item
        return found

    def blob_at(self, commit: Any, rel: str) -> Any | None:
        try:
            item = commit.tree / (self.prefix + rel)
        except KeyError:
            return None
        return item if item.type == "blob" else None

    def documents_of_blob(self, blob: Any, rel: str) -> list[LoadedDocument]:
        """The documents of one file version, parsed with positions (cached by blob and path)."""
        key = f"{blob.hexsha}:{rel}"
        found = self._parsed.get(key)
        if found is None and blob.size > MAX_FILE_BYTES:
            found = []  # the loader refuses such files too
        if found is None:
            data = blob.data_stream.read()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = ""
            found = load_text(text, rel).documents if text and b"\x00" not in data else []
            self._parsed[key] = found
        return found

    def load_at(self, commit: Any, only: set[str] | None = None) -> LoadResult:
        """The definitions at a commit as a LoadResult (every file, or only the given paths)."""
        result = LoadResult(root=self.root)
        for rel, blob in sorted(self.definition_blobs(commit).items()):
            if only is not None and rel not in only:
                continue
            result.files.append(rel)
            result.documents.extend(self.documents_of_blob(blob, rel))
        return result

    def agreements_at(self, commit: Any, only: set[str] | None = None) -> dict[str, Snapshot]:
        return agreements_of(self.load_at(commit, only))

    def changed_files(self, old: Any | None, new: Any) -> set[str]:
        """Definition files (relative to the root) that differ between two commits (old None: the empty tree)."""
        if old is None:
            return set(self.definition_blobs(new))
        changed: set[str] = set()
        for diff in old.diff(new):
            for path in (diff.a_path, diff.b_path):
                if path:
                    rel = self.relative(path)
                    if rel is not None:
                        changed.add(rel)
        return changed

    def agreements_in(self, commit: Any, files: set[str], needle: str | None = None) -> dict[str, Snapshot]:
        """Valid agreements in the given files at a commit (files missing there are skipped).

        With `needle`, files whose text does not contain it are not parsed at all.
        """
        result = LoadResult(root=self.root)
        for rel in sorted(files):
            blob = self.blob_at(commit, rel)
            if blob is None:
                continue
            if needle is not None and f"{blob.hexsha}:{rel}" not in self._parsed:
                if needle.encode("utf-8") not in blob.data_stream.read():
                    continue
            result.documents.extend(self.documents_of_blob(blob, rel))
        return agreements_of(result)

    def first_parent_chain(self, head: Any) -> list[Any]:
        """The main line from the root to `head`, oldest first."""
        return list(reversed(list(self.repo.iter_commits(head.hexsha, first_parent=True))))

    def all_commits(self, head: Any) -> Iterator[Any]:
        """Every commit reachable from `head`, parents before children."""
        yield from self.repo.iter_commits(head.hexsha, topo_order=True, reverse=True)

    def head_description(self) -> str:
        """HEAD's commit id, with '+ uncommitted changes' when the working tree differs."""
        if not self.has_commits():
            return "no commits"
        sha = self.repo.head.commit.hexsha[:10]
        try:
            dirty = self.repo.is_dirty(untracked_files=False, path=self.prefix or None)
        except Exception:  # noqa: BLE001 - the description is informative only
            dirty = False
        return f"{sha} + uncommitted changes" if dirty else sha


def open_repository(root: Path, config: RepositoryConfig | None = None) -> GitRepository:
    """The git repository holding the definitions root; GitError when there is none."""
    import git

    root = Path(root).resolve()
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(
            f"'{root}' is not inside a git repository",
            "amendments, diff, history and the history audit read git history: run slactl inside a clone",
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        raise GitError(f"'{root}' is a bare git repository", "run slactl in a clone with a working tree")
    worktree = Path(repo.working_tree_dir).resolve()
    try:
        rel = root.relative_to(worktree).as_posix()
    except ValueError:
        rel = "."
    prefix = "" if rel in ("", ".") else rel.rstrip("/") + "/"
    return GitRepository(repo=repo, root=root, prefix=prefix, config=config or load_config(root))
