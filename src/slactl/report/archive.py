"""The report archive: versioned, never-overwritten copies of each report with a manifest of hashes.

Layout: `ARCHIVE/<period>/<view>/v<N>/` holding the report files and `manifest.json`. A new run for
the same period and view makes `v<N+1>` beside the others. The manifest records the generator, the
git commit of the definitions, and the sha256 of every input and output, so `verify_archive` can
say exactly what changed.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath
from typing import Any

from slactl.display import shorten
from slactl.report.render import safe_filename, write_bytes_atomic

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "1.0"
_VERSION_DIR = re.compile(r"^v(\d+)$")
_STAGING = ".staging-"  # prefix of a version folder being written
_READ_ONLY_FILE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_READ_ONLY_DIR = _READ_ONLY_FILE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def git_state(root: Path, inputs: Iterable[str] | None = None) -> dict[str, Any]:
    """The commit the definitions are at, and whether the working tree has uncommitted changes.

    With `inputs` (paths relative to root: the report's definition and data files), files git does
    not track count only when they are inputs: the reports written beside the definitions, or an
    archive, do not make the definitions "uncommitted". Changes to tracked files always count.
    """
    try:
        import git
    except ImportError:  # pragma: no cover - gitpython is a dependency
        return {"commit": None, "dirty": None, "note": "gitpython is not installed"}
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return {"commit": None, "dirty": None, "note": "the definitions are not in a git repository"}
    try:
        rel = Path(root).resolve().relative_to(Path(repo.working_tree_dir or root).resolve()).as_posix()
    except ValueError:
        rel = "."
    path = None if rel in ("", ".") else rel
    try:
        commit: str | None = repo.head.commit.hexsha
    except ValueError:
        commit = None
    try:
        if inputs is None:
            dirty = repo.is_dirty(untracked_files=True, path=path)
        else:
            prefix = "" if path is None else path.rstrip("/") + "/"
            wanted = {prefix + rel for rel in inputs}
            dirty = repo.is_dirty(untracked_files=False, path=path) or any(
                name in wanted for name in repo.untracked_files)
    except git.GitCommandError:
        dirty = None
    state: dict[str, Any] = {"commit": commit, "dirty": dirty}
    if commit is None:
        state["note"] = "the git repository has no commit yet"
    elif dirty:
        state["note"] = "uncommitted changes: the report does not match any commit exactly"
    return state


def input_paths(root: Path, definition_files: list[str], data_globs: list[str]) -> dict[str, str]:
    """Every definition file and data file behind a report (paths relative to root) and its role."""
    roles: dict[str, str] = {}
    for rel in definition_files:
        if (root / rel).is_file():
            roles[rel] = "definition"
    base = root.resolve()
    for pattern in data_globs:
        if _outside_reason(pattern) is not None:
            continue  # the store never reads these either (datasource-path-outside, data-path-outside)
        for found in sorted(glob.glob(str(root / pattern), recursive=True)):
            path = Path(found)
            if not path.is_file() or not path.resolve().is_relative_to(base):
                continue
            roles.setdefault(path.resolve().relative_to(base).as_posix(), "data")
    return roles


def input_files(root: Path, definition_files: list[str], data_globs: list[str]) -> list[dict[str, Any]]:
    """Every definition file and data file behind a report, with its sha256 (paths relative to root)."""
    roles = input_paths(root, definition_files, data_globs)
    return [{"path": rel, "role": roles[rel], "sha256": sha256_file(root / rel)} for rel in sorted(roles)]


def write_archive(
    archive: Path,
    *,
    period: str,
    view: str,
    outputs: dict[str, bytes],
    inputs: list[dict[str, Any]],
    git: dict[str, Any],
    generator_version: str,
    scope: str = "all agreements",
    created_at: datetime | None = None,
) -> Path:
    """Write one archived version of a report; returns its folder. Nothing existing is touched."""
    parent = Path(archive) / safe_filename(period) / safe_filename(view)
    parent.mkdir(parents=True, exist_ok=True)
    # written in a staging folder and renamed to v<N> whole, so a run killed half-way never leaves a
    # version without its manifest (which `report verify` would rightly call altered)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=parent))
    out_entries = []
    for name in sorted(outputs):
        clean = safe_filename(name)
        path = staging / clean
        write_bytes_atomic(path, outputs[name])
        os.chmod(path, _READ_ONLY_FILE)
        out_entries.append({"path": clean, "sha256": hashlib.sha256(outputs[name]).hexdigest(),
                            "bytes": len(outputs[name])})
    version = max((n for p in parent.iterdir() if (n := _version_number(p.name)) is not None), default=0) + 1
    while True:
        _write_manifest(staging, version, period, view, scope, generator_version, created_at, git, inputs,
                        out_entries)
        try:
            os.rename(staging, parent / f"v{version}")  # fails if another run took this number meanwhile
        except OSError as exc:
            if not (parent / f"v{version}").exists():
                raise exc from None
            version += 1
            continue
        break
    folder = parent / f"v{version}"
    os.chmod(folder, _READ_ONLY_DIR)
    return folder


def _write_manifest(folder: Path, version: int, period: str, view: str, scope: str, generator_version: str,
                    created_at: datetime | None, git: dict[str, Any], inputs: list[dict[str, Any]],
                    out_entries: list[dict[str, Any]]) -> None:
    manifest = {
        "schema_version": MANIFEST_SCHEMA,
        "period": period,
        "view": view,
        "scope": scope,
        "version": version,
        "generator": {"name": "slactl", "version": generator_version},
        "created_at": (created_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "definitions": git,
        "inputs": inputs,
        "outputs": out_entries,
    }
    path = folder / MANIFEST
    if path.exists():
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)  # a retry under the next version number
    write_bytes_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    os.chmod(path, _READ_ONLY_FILE)


@dataclass
class ArchiveProblem:
    kind: str  # modified | missing | extra | tampered | unreadable
    path: str
    message: str
    expected: str | None = None
    actual: str | None = None


@dataclass
class ArchiveCheck:
    """What verifying an archive found: the version folders checked and every difference."""

    folders: list[str] = field(default_factory=list)
    problems: list[ArchiveProblem] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        return any(p.kind == "unreadable" for p in self.problems)

    @property
    def intact(self) -> bool:
        return not self.problems


def _outside_reason(name: str) -> str | None:
    """Why an output name of a manifest would point outside its version folder, or None.

    write_archive only writes plain relative names; an absolute name, a drive, a `..` component or
    an empty name can only come from an edited manifest.
    """
    if not name or name[:1] in "/\\" or PureWindowsPath(name).drive:
        return "is not a relative path inside the archived version"
    if any(part == ".." for part in re.split(r"[/\\]", name)):
        return "has a '..' component (outside the archived version)"
    return None


def _version_number(name: str) -> int | None:
    """N for a folder named `v<N>`, else None."""
    match = _VERSION_DIR.match(name)
    return int(match.group(1)) if match else None


def _check_placement(folder: Path, label: str, manifest: dict[str, Any], depth: int | None,
                     check: ArchiveCheck) -> None:
    """The folder must be named `v<version>` of its manifest (and sit under its period and view).

    `depth` is how many folders above this one lie inside the archive being verified (None: a single
    version was named, so only a `v<N>` name is compared; a copy under another name is not judged).
    """
    prefix = f"{label}/" if label not in ("", ".") else ""
    shown = label if label not in ("", ".") else folder.name
    version = manifest.get("version")
    if depth is None and _version_number(folder.name) is None:
        return
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        check.problems.append(ArchiveProblem(
            "tampered", prefix + MANIFEST,
            f"{prefix}{MANIFEST}: manifest tampered: 'version' is not a whole number from 1; "
            f"the folder {shown} cannot be matched to a version"))
        return
    if folder.name != f"v{version}":
        check.problems.append(ArchiveProblem(
            "tampered", label if label not in ("", ".") else folder.name,
            f"{shown}: folder name differs from the manifest's version {version} (expected v{version}); "
            "an archived version was renamed or moved"))
    for level, key in ((1, "view"), (2, "period")):
        if depth is None or depth < level:
            break
        above = folder.parents[level - 1].name
        value = manifest.get(key)
        if isinstance(value, str) and above != safe_filename(value):
            check.problems.append(ArchiveProblem(
                "tampered", label,
                f"{shown}: the manifest's {key} '{value}' does not match the folder it is archived under "
                f"('{above}'); an archived version was moved"))


def _check_version(folder: Path, label: str, check: ArchiveCheck, depth: int | None = None) -> None:
    prefix = f"{label}/" if label not in ("", ".") else ""
    manifest_path = folder / MANIFEST
    if manifest_path.is_symlink():
        check.problems.append(ArchiveProblem(
            "tampered", prefix + MANIFEST,
            f"{prefix}{MANIFEST}: manifest tampered: it is a link, not a file of the archived version; "
            "it was not read"))
        return
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
        expected = {str(o["path"]): str(o["sha256"]) for o in outputs}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else (
            f"missing key {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0])
        check.problems.append(ArchiveProblem(
            "unreadable", prefix + MANIFEST, f"{prefix}{MANIFEST}: manifest unreadable ({reason})"))
        return
    _check_placement(folder, label, manifest, depth, check)
    base = folder.resolve()
    for name, sha in sorted(expected.items()):
        reason = _outside_reason(name)
        path = folder / name
        if reason is None and path.exists() and not path.resolve().is_relative_to(base):
            reason = "is a link to a file outside the archived version"
        if reason is not None:
            shown = shorten(name, 80)
            check.problems.append(ArchiveProblem(
                "tampered", prefix + MANIFEST,
                f"{prefix}{MANIFEST}: manifest tampered: output '{shown}' {reason}; it was not read"))
            continue
        if not path.is_file():
            check.problems.append(ArchiveProblem("missing", prefix + name, f"{prefix}{name}: file missing",
                                                 expected=sha))
            continue
        actual = sha256_file(path)
        if actual != sha:
            check.problems.append(ArchiveProblem(
                "modified", prefix + name,
                f"{prefix}{name}: file modified (expected sha256 {sha}, actual {actual})", expected=sha, actual=actual))
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in expected:
            inside = path.resolve().is_relative_to(base)  # a link out of the archive is reported, never read
            check.problems.append(ArchiveProblem(
                "extra", prefix + rel,
                f"{prefix}{rel}: extra file not in the manifest" + ("" if inside else " (a link to outside the archive)"),
                actual=sha256_file(path) if inside else None))


def _missing_versions(prefix: str, numbers: set[int]) -> list[ArchiveProblem]:
    """Versions are numbered from v1 without gaps: one problem per run of missing numbers."""
    problems = []
    present = sorted(numbers)
    previous = 0
    for number in present:
        if number > previous + 1:
            first, last = previous + 1, number - 1
            where = f"{prefix}v{first}" if first == last else f"{prefix}v{first}..v{last}"
            what = "archived version" if first == last else f"{last - first + 1} archived versions"
            problems.append(ArchiveProblem(
                "missing", where,
                f"{where}: {what} missing (versions are numbered from v1 without gaps; v{number} exists)"))
        previous = number
    return problems


def _check_tree(root: Path, folder: Path, check: ArchiveCheck) -> bool:
    """Check every version under `folder` (a real folder inside the archive, not a version itself).

    Returns whether anything that belongs to an archive (a version folder or a manifest) was found.
    Links are never followed: a version folder, or any folder of the archive, must be a real folder.
    Hidden entries (a `.git` beside the archive) are skipped unless they hold a manifest.
    """
    rel = folder.relative_to(root).as_posix()
    prefix = "" if rel == "." else rel + "/"
    try:
        entries = sorted(os.scandir(folder), key=lambda e: (_version_number(e.name) is None,
                                                            _version_number(e.name) or 0, e.name))
    except OSError as exc:
        check.problems.append(ArchiveProblem(
            "unreadable", rel, f"{rel}: cannot be read ({exc.strerror or exc})"))
        return True
    found = False
    numbers: set[int] = set()
    for entry in entries:
        number = _version_number(entry.name)
        label = prefix + entry.name
        real_dir = entry.is_dir(follow_symlinks=False)
        has_manifest = real_dir and os.path.lexists(os.path.join(entry.path, MANIFEST))
        if entry.name.startswith(_STAGING) or (entry.name.startswith(".") and not has_manifest):
            continue  # a version being written (or left by a run that was killed), not yet archived
        if number is not None:
            numbers.add(number)
            found = True
        if entry.is_symlink():
            if number is not None or entry.is_dir():
                check.problems.append(ArchiveProblem(
                    "tampered", label, f"{label}: is a link, not a real folder inside the archive; it was not read"))
        elif not real_dir:
            if number is not None:
                check.problems.append(ArchiveProblem(
                    "tampered", label, f"{label}: is not a folder; an archived version must be a folder"))
        elif has_manifest:
            found = True
            check.folders.append(label)
            _check_version(Path(entry.path), label, check, depth=len(Path(label).parts) - 1)
        elif number is not None:
            check.problems.append(ArchiveProblem(
                "missing", label + "/" + MANIFEST,
                f"{label}: archived version has no {MANIFEST}; its files are unverified"))
        else:
            found = _check_tree(root, Path(entry.path), check) or found
    check.problems.extend(_missing_versions(prefix, numbers))
    return found


def check_archive(path: Path) -> ArchiveCheck:
    """Verify one archived version (a folder with manifest.json) or every version under a folder.

    Under a folder, each `v<N>` must be a real folder (not a link) with a manifest whose `version` is
    N, and the versions of a period and view are numbered from v1 without gaps: a version removed,
    renamed or replaced by a link is reported, not silently skipped.
    """
    path = Path(path)
    check = ArchiveCheck()
    if not path.exists():
        check.problems.append(ArchiveProblem("unreadable", str(path), f"{path}: does not exist"))
        return check
    if not path.is_dir():
        check.problems.append(ArchiveProblem("unreadable", str(path), f"{path}: is not a folder"))
        return check
    if os.path.lexists(path / MANIFEST):
        check.folders.append(".")
        if path.is_symlink() and _version_number(path.name) is not None:
            check.problems.append(ArchiveProblem(
                "tampered", str(path), f"{path}: is a link, not a real archived version folder; it was not read"))
            return check
        _check_version(path, ".", check)
        return check
    if not _check_tree(path, path, check):
        check.problems.append(ArchiveProblem(
            "unreadable", str(path), f"{path}: no {MANIFEST} found; this is not a report archive"))
    return check


def verify_archive(path: Path) -> list[str]:
    """Differences between an archived report (or every version under a folder) and its manifest.

    An empty list means intact; otherwise one line per difference: file modified (expected and actual
    sha256), file missing, extra file, or manifest unreadable.
    """
    return [p.message for p in check_archive(path).problems]
