"""The repository walk: settings from slactl.toml or pyproject.toml, include/exclude globs, .gitignore."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

DEFAULT_INCLUDE = ["*.yaml", "*.yml"]
DEFAULT_STORE = ".slactl/store"


class ConfigError(Exception):
    """slactl.toml or [tool.slactl] cannot be read; the message names the file and the fix."""


@dataclass
class RepositoryConfig:
    root: Path
    include: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = field(default_factory=list)
    store: str = DEFAULT_STORE
    scoring: dict = field(default_factory=dict)
    source: str | None = None

    @property
    def store_path(self) -> Path:
        return (self.root / self.store).resolve()

    @property
    def parse_cache_path(self) -> Path:
        """The definitions parse cache (slactl.loader.parsecache), kept in the store."""
        return self.store_path / "definitions-cache.json"


_KNOWN_KEYS = {"include", "exclude", "store", "scoring"}


def load_config(root: Path) -> RepositoryConfig:
    """Settings from `slactl.toml`, else `[tool.slactl]` in `pyproject.toml`, else defaults."""
    root = Path(root)
    for name, table_path in (("slactl.toml", ()), ("pyproject.toml", ("tool", "slactl"))):
        path = root / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{name}: cannot be read as TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{name}: cannot be read: {exc.strerror}") from None
        for key in table_path:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if name == "pyproject.toml" and not data:
            continue
        if "slactl" in data and name == "slactl.toml" and isinstance(data["slactl"], dict):
            data = data["slactl"]
        unknown = set(data) - _KNOWN_KEYS
        if unknown:
            raise ConfigError(
                f"{name}: unknown setting(s) {', '.join(sorted(unknown))}; known are {', '.join(sorted(_KNOWN_KEYS))}"
            )
        config = RepositoryConfig(root=root, source=name)
        for key in ("include", "exclude"):
            if key in data:
                value = data[key]
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{name}: '{key}' must be a list of glob patterns")
                setattr(config, key, value)
        if "store" in data:
            if not isinstance(data["store"], str):
                raise ConfigError(f"{name}: 'store' must be a path")
            config.store = data["store"]
        if "scoring" in data:
            config.scoring = dict(data["scoring"])
        return config
    return RepositoryConfig(root=root)


def read_start(path: Path, limit: int = 1024 * 1024) -> str:
    """The start of a regular file as text; empty for pipes, devices, link loops and unreadable files."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ""
        with path.open("rb") as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
    except (OSError, RuntimeError):
        return ""


def _gitignore_spec(root: Path) -> pathspec.GitIgnoreSpec | None:
    lines: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if ".gitignore" in filenames:
            rel = Path(dirpath).relative_to(root).as_posix()
            prefix = "" if rel == "." else rel + "/"
            for raw in read_start(Path(dirpath) / ".gitignore").splitlines():
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                negate = line.startswith("!")
                body = line[1:] if negate else line
                if prefix and "/" in body.rstrip("/"):
                    body = prefix + body.lstrip("/")
                elif prefix:
                    body = prefix + "**/" + body
                lines.append(("!" if negate else "") + body)
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def find_definition_files(config: RepositoryConfig) -> list[Path]:
    """Every definition file under the root, sorted, as absolute paths.

    Hidden folders (.git, .github, .slactl) are never walked; `.gitignore` and the
    configured include/exclude globs decide the rest.
    """
    root = config.root
    chosen = _selector(config)
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for name in filenames:
            if name.startswith("."):
                continue
            if chosen((Path(dirpath) / name).relative_to(root).as_posix()):
                found.append(Path(dirpath) / name)
    return sorted(found)


def _selector(config: RepositoryConfig) -> Callable[[str], bool]:
    include = pathspec.GitIgnoreSpec.from_lines(config.include)
    exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude) if config.exclude else None
    ignored = _gitignore_spec(config.root)

    def chosen(rel: str) -> bool:
        return (include.match_file(rel) and not (exclude is not None and exclude.match_file(rel))
                and not (ignored is not None and ignored.match_file(rel)))

    return chosen


def is_definition_path(config: RepositoryConfig, rel: str) -> bool:
    """Whether a file at `rel` (relative to the root) would be read as definitions (include, exclude,
    .gitignore, no hidden folder): where a new register entry may be written."""
    parts = rel.split("/")
    return not any(part.startswith(".") for part in parts) and "node_modules" not in parts[:-1] \
        and _selector(config)(rel)


def _has_settings(folder: Path) -> bool:
    """A folder that says it is a definitions repository: a slactl.toml or a `[tool.slactl]` table."""
    if (folder / "slactl.toml").is_file():
        return True
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            return "slactl" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return False
    return False


def _holds_definitions(folder: Path, depth: int = 3, budget: int = 500) -> bool:
    """Whether slactl documents lie within a few levels of `folder` (looked at cheaply)."""
    seen = 0
    for pattern in ("*.y*ml", "*/*.y*ml", "*/*/*.y*ml")[:depth]:
        for path in folder.glob(pattern):
            seen += 1
            if seen > budget:
                return False
            if "apiVersion: slactl/" in read_start(path, 4096):
                return True
    return False


class RepositoryNotFound(ValueError):
    """PATHs given without --repo that belong to no one repository."""


def repository_root_of(paths: list[Path]) -> Path:
    """The repository that files or folders given on the command line belong to.

    In order: the nearest folder at or above them with a slactl.toml or `[tool.slactl]`; a single
    folder given on its own; the current folder when it holds them all and holds definitions;
    else the folder the paths share. So `slactl validate path/to/repo` reads that repository
    wherever it is run from, and `slactl validate slas/x.yaml` run in a repository reads all of it.
    """
    resolved = [p.resolve() for p in paths]
    folders = [p if p.is_dir() else p.parent for p in resolved]
    common = Path(os.path.commonpath([str(f) for f in folders])) if folders else Path.cwd().resolve()
    for candidate in (common, *common.parents):
        if _has_settings(candidate):
            return candidate
    if len(resolved) == 1 and resolved[0].is_dir():
        return resolved[0]
    cwd = Path.cwd().resolve()
    if all(p.is_relative_to(cwd) for p in resolved) and cwd != Path(cwd.anchor) and _holds_definitions(cwd):
        return cwd
    if common == Path(common.anchor):
        raise RepositoryNotFound("the paths lie in different places and belong to no one repository")
    return common
