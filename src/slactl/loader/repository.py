"""The repository walk: settings from slactl.toml or pyproject.toml, include/exclude globs, .gitignore."""

from __future__ import annotations

import os
import tomllib
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


def _gitignore_spec(root: Path) -> pathspec.GitIgnoreSpec | None:
    lines: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if ".gitignore" in filenames:
            rel = Path(dirpath).relative_to(root).as_posix()
            prefix = "" if rel == "." else rel + "/"
            for raw in (Path(dirpath) / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines():
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
    include = pathspec.GitIgnoreSpec.from_lines(config.include)
    exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude) if config.exclude else None
    ignored = _gitignore_spec(root)
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for name in filenames:
            if name.startswith("."):
                continue
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if not include.match_file(rel):
                continue
            if exclude is not None and exclude.match_file(rel):
                continue
            if ignored is not None and ignored.match_file(rel):
                continue
            found.append(Path(dirpath) / name)
    return sorted(found)


def _is_marked(folder: Path) -> bool:
    """A folder that says it is a definitions repository: slactl.toml, [tool.slactl] or a git work tree."""
    if (folder / "slactl.toml").is_file() or (folder / ".git").exists():
        return True
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            return "slactl" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return False
    return False


def repository_root_of(paths: list[Path]) -> Path:
    """The repository that files or folders given on the command line belong to.

    The nearest folder above them (or a given folder itself) with a slactl.toml, a
    `[tool.slactl]` table or a `.git`; without any, the folder given (or the folder the
    files share). So `slactl validate some/repo` reads that repository, not the current folder.
    """
    resolved = [p.resolve() for p in paths]
    folders = [p if p.is_dir() else p.parent for p in resolved]
    common = Path(os.path.commonpath([str(f) for f in folders])) if folders else Path.cwd()
    for candidate in (common, *common.parents):
        if _is_marked(candidate):
            return candidate
    return common
