"""The CSI register as YAML: list, show, add and edit Improvement documents in place.

Edits go through ruamel's round-trip loader so comments, key order and formatting of the rest of
the file survive; the new text is validated before it replaces the file, and the write is atomic.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slactl.atomic import write_text_atomic
from slactl.findings import Severity
from slactl.loader.documents import LoadedDocument, LoadResult, load_text
from slactl.loader.yamlpos import new_yaml, parse_documents
from slactl.model.kinds import ImprovementSpec

OPEN_STATUSES = ("identified", "approved", "in_progress", "implemented")
METADATA_FIELDS = ("name", "owner", "description")
LIST_FIELDS = ("services", "agreements")
DATE_FIELDS = ("started", "implemented", "updated")
NUMBER_FIELDS = ("investment", "score.impact", "score.recurrence", "score.cost", "expected.baseline", "expected.target")


class RegisterError(Exception):
    """An edit of the register that cannot be made; the message says why and the hint what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class RegisterEntry:
    """One Improvement as listed: where it is and its main fields."""

    id: str
    file: str
    line: int
    title: str
    status: str
    phase: str
    source: str
    services: list[str]
    agreements: list[str]
    objective: str | None
    investment: float | None
    started: str | None
    implemented: str | None
    lessons_learned: str | None
    outcome: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class EditResult:
    """What an edit wrote, and what the user should know about it."""

    id: str
    file: str
    changed: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def sanitise_id(text: str) -> str:
    """A safe id (and file name stem): lower-case letters, digits and '-', at most 63 characters."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", str(text).lower()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:63].strip("-")
    return cleaned or "improvement"


def entry_of(doc: LoadedDocument) -> RegisterEntry:
    spec: ImprovementSpec = doc.model.spec
    return RegisterEntry(
        id=str(doc.id),
        file=doc.file,
        line=doc.line,
        title=spec.title,
        status=spec.status,
        phase=spec.phase,
        source=spec.source,
        services=list(spec.services),
        agreements=list(spec.agreements),
        objective=spec.expected.objective if spec.expected else None,
        investment=spec.investment,
        started=spec.started.isoformat() if spec.started else None,
        implemented=spec.implemented.isoformat() if spec.implemented else None,
        lessons_learned=spec.lessons_learned,
        outcome=spec.outcome,
    )


def list_entries(
    result: LoadResult,
    *,
    status: list[str] | None = None,
    service: str | None = None,
    agreement: str | None = None,
) -> list[RegisterEntry]:
    """Register entries, filtered by status (any of), service and agreement, sorted by id."""
    entries = []
    for doc in result.of_kind("Improvement"):
        entry = entry_of(doc)
        if status and entry.status not in status:
            continue
        if service and service not in entry.services:
            continue
        if agreement and agreement not in entry.agreements and not (
            entry.objective and entry.objective.split("/")[0] == agreement
        ):
            continue
        entries.append(entry)
    return sorted(entries, key=lambda e: e.id)


def get_improvement(result: LoadResult, improvement_id: str) -> LoadedDocument:
    doc = result.get("Improvement", improvement_id)
    if doc is None:
        known = ", ".join(sorted(d.id for d in result.of_kind("Improvement") if d.id)) or "none"
        raise RegisterError(
            f"no Improvement with id '{improvement_id}'",
            f"known ids: {known}; `slactl csi list` shows the register",
        )
    return doc


def failed_predecessors(result: LoadResult, spec: ImprovementSpec, exclude_id: str | None = None) -> list[str]:
    """Warnings quoting lessons learned of failed entries that targeted the same gap."""
    warnings = []
    for doc in result.of_kind("Improvement"):
        other: ImprovementSpec = doc.model.spec
        if doc.id == exclude_id or other.status != "failed":
            continue
        same_objective = bool(spec.expected and other.expected and spec.expected.objective == other.expected.objective)
        same_scope = bool(
            (spec.services or spec.agreements)
            and set(spec.services) == set(other.services)
            and set(spec.agreements) == set(other.agreements)
        )
        if not (same_objective or same_scope):
            continue
        why = f"the same objective {spec.expected.objective}" if same_objective and spec.expected else "the same services and agreements"
        lessons = other.lessons_learned or "(no lessons learned recorded)"
        warnings.append(
            f"'{doc.id}' ({doc.file}:{doc.line}) targeted {why} and failed; lessons learned: {lessons}"
        )
    return warnings


# ---------------------------------------------------------------- values from the command line


def _parse_value(name: str, text: str) -> Any:
    leaf = name.split(".")[-1]
    if name in LIST_FIELDS:  # an empty value removes the field, as for every other field
        return [part.strip() for part in text.split(",") if part.strip()] or None
    if leaf in DATE_FIELDS:
        if text.strip().lower() in {"", "none", "null"}:
            return None
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise RegisterError(f"{name}: '{text}' is not a date", "write YYYY-MM-DD, for example 2026-10-01") from None
    if name in NUMBER_FIELDS:
        if text.strip().lower() in {"", "none", "null"}:
            return None
        try:
            number = float(text)
        except ValueError:
            raise RegisterError(f"{name}: '{text}' is not a number", f"write a number, for example {name}=3") from None
        return int(number) if number.is_integer() and name.startswith("score.") else number
    return text


def _settable_fields() -> list[str]:
    names = [n for n in ImprovementSpec.model_fields if n not in {"score", "expected"}]
    names += ["score.impact", "score.recurrence", "score.cost", "expected.objective", "expected.baseline", "expected.target"]
    return sorted(names) + list(METADATA_FIELDS)


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """`field=value` pairs -> {field: typed value}; unknown fields are refused with the list of known ones."""
    allowed = _settable_fields()
    values: dict[str, Any] = {}
    for item in assignments:
        if "=" not in item:
            raise RegisterError(f"'{item}' is not FIELD=VALUE", "for example: status=in_progress phase=do")
        name, _, text = item.partition("=")
        name = name.strip()
        if name not in allowed:
            import difflib

            close = difflib.get_close_matches(name, allowed, n=1)
            raise RegisterError(
                f"'{name}' is not a field of an Improvement",
                (f"did you mean '{close[0]}'? " if close else "") + "fields: " + ", ".join(allowed),
            )
        values[name] = _parse_value(name, text)
    return values


# ---------------------------------------------------------------- writing


def _sequence_style(text: str) -> tuple[int, int]:
    """(sequence, offset) indentation of block lists as the file writes them: `- x` under or inside its key."""
    lines = text.splitlines()
    for number, line in enumerate(lines[1:], start=1):
        match = re.match(r"^(\s*)- ", line)
        previous = lines[number - 1]
        if match and re.match(r"^\s*[^\s#-][^:]*:\s*(#.*)?$", previous):
            parent = len(previous) - len(previous.lstrip())
            dash = len(match.group(1)) - parent
            return (2, 0) if dash <= 0 else (dash + 2, dash)
    return 4, 2


def _dump(documents: list[Any], explicit_start: bool, original: str = "") -> str:
    yaml = new_yaml()
    yaml.explicit_start = explicit_start
    yaml.width = 4096
    sequence, offset = _sequence_style(original)
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()


def _as_written(text: str, original: str) -> str:
    """`text` with the line ends (CRLF or LF) and byte-order mark of the file it replaces or extends."""
    if "\r\n" in original:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if original.startswith("\ufeff") and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    return text


def _writable(path: Path, rel: str) -> None:
    """Refuse to replace a file marked read-only (the atomic rename would not ask)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & 0o222:
        raise RegisterError(f"{rel} is read-only, so nothing was changed", "make it writable first (chmod u+w)")


def _read_text(path: Path, rel: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")  # line ends as written (CRLF files stay CRLF)
    except UnicodeDecodeError:
        raise RegisterError(f"{rel} is not UTF-8 text", "save the file as UTF-8, or choose another --file") from None
    except OSError as exc:
        raise RegisterError(f"cannot read {rel}: {exc.strerror}") from None


def _document_header(text: str) -> tuple[str, bool]:
    """Comment lines before a leading `---` (ruamel drops them) and whether the file starts with `---`."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("---"):
            return "".join(lines[:number]), True
        if stripped and not stripped.startswith("#"):
            return "", False
    return "", False


def _check_text(text: str, rel: str, improvement_id: str, before: str = "") -> None:
    """Run the loader over the new text; refuse the edit when it brings an error the file did not have."""
    from collections import Counter

    checked = load_text(text, rel)
    known = Counter((f.rule, f.message) for f in load_text(before, rel).findings
                    if f.severity == Severity.ERROR) if before.strip() else Counter()
    errors = []
    for finding in checked.findings:
        key = (finding.rule, finding.message)
        if finding.severity != Severity.ERROR:
            continue
        if known[key]:
            known[key] -= 1
            continue
        errors.append(finding)
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RegisterError(
            f"the edit would make {rel} invalid, so nothing was written: line {first.line}, column "
            f"{first.column}: {first.message}{more}",
            first.hint or "fix the value and run the command again",
        )
    if checked.get("Improvement", improvement_id) is None:
        raise RegisterError(f"the edit would lose Improvement '{improvement_id}', so nothing was written")


def _check_references(result: LoadResult, spec: ImprovementSpec) -> None:
    services = result.index("Service")
    agreements = result.index("agreement")
    for service in spec.services:
        if service not in services:
            raise RegisterError(f"service '{service}' is not defined", "use a Service id from the repository")
    for agreement in spec.agreements:
        if agreement not in agreements:
            raise RegisterError(f"agreement '{agreement}' is not defined", "use an SLA, OLA or UC id")
    if spec.expected:
        agreement_id, _, objective_id = spec.expected.objective.partition("/")
        doc = agreements.get(agreement_id)
        if doc is None or objective_id not in {o.id for o in doc.model.spec.objectives}:
            raise RegisterError(
                f"expected.objective '{spec.expected.objective}' does not name an objective of an agreement",
                "write AGREEMENT/OBJECTIVE, for example payments-gold/availability",
            )


def _resolve_inside(root: Path, rel: str) -> Path:
    path = (root / rel).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        raise RegisterError(f"'{rel}' is outside the repository", "give a path relative to the repository") from None
    if path.suffix not in {".yaml", ".yml"}:
        raise RegisterError(f"'{rel}' is not a .yaml file", "register files end in .yaml")
    return path


def add_improvement(
    root: Path,
    result: LoadResult,
    improvement_id: str,
    values: dict[str, Any],
    file: str | None = None,
) -> EditResult:
    """Append a new Improvement document (to `file`, default improvements/<id>.yaml) and validate it."""
    with register_lock(root):
        return _add_improvement(root, result, improvement_id, values, file)


def _add_improvement(root: Path, result: LoadResult, improvement_id: str, values: dict[str, Any],
                     file: str | None) -> EditResult:
    root = Path(root)
    clean_id = sanitise_id(improvement_id)
    if clean_id != improvement_id:
        raise RegisterError(
            f"'{improvement_id}' is not a valid id", f"use lower-case letters, digits and '-', for example '{clean_id}'"
        )
    if result.get("Improvement", improvement_id) is not None:
        existing = result.get("Improvement", improvement_id)
        assert existing is not None
        raise RegisterError(
            f"Improvement '{improvement_id}' already exists at {existing.file}:{existing.line}",
            "choose another id, or change it with `slactl csi set`",
        )
    rel = file or f"improvements/{clean_id}.yaml"
    path = _resolve_inside(root, rel)
    rel = path.relative_to(root.resolve()).as_posix()
    from slactl.loader.repository import is_definition_path, load_config

    config = load_config(root)
    if not is_definition_path(config, rel):
        where = f" ({config.source})" if config.source else ""
        raise RegisterError(
            f"'{rel}' is not read as definitions: the include/exclude settings{where} or .gitignore leave it out, "
            "so the entry would be written where no command finds it",
            f"choose a file they include (include: {', '.join(config.include)}), or change the settings")

    metadata = CommentedMap()
    metadata["id"] = improvement_id
    for key in METADATA_FIELDS:
        if values.get(key) is not None:
            metadata[key] = values[key]
    spec = CommentedMap()
    _apply(spec, {k: v for k, v in values.items() if k not in METADATA_FIELDS})
    if "status" in values and "updated" not in values:
        spec["updated"] = date.today()
    document = CommentedMap()
    document["apiVersion"] = "slactl/v1"
    document["kind"] = "Improvement"
    document["metadata"] = metadata
    document["spec"] = spec
    existing_text = _read_text(path, rel) if path.is_file() else ""
    if path.exists() and not path.is_file():
        raise RegisterError(f"'{rel}' is not a file", "give the path of a .yaml file")
    new_doc_text = _dump([document], explicit_start=False, original=existing_text)

    if path.exists():
        sep = "" if existing_text.endswith("\n") or not existing_text else "\n"
        addition = _as_written(sep + "---\n" + new_doc_text, existing_text).removeprefix("\ufeff")
        text = existing_text + addition if existing_text.strip() else new_doc_text
    else:
        text = new_doc_text
    _check_text(text, rel, improvement_id, existing_text)
    model = load_text(text, rel).get("Improvement", improvement_id)
    assert model is not None
    new_spec: ImprovementSpec = model.model.spec
    _check_status_rules(new_spec)
    _check_references(result, new_spec)
    warnings = failed_predecessors(result, new_spec, exclude_id=improvement_id)
    _writable(path, rel)
    write_text_atomic(path, text, keep_mode=True)
    return EditResult(id=improvement_id, file=rel, changed=dict(values), warnings=warnings)


def _check_status_rules(spec: ImprovementSpec) -> None:
    if spec.status == "failed" and not (spec.lessons_learned or "").strip():
        raise RegisterError(
            "a failed improvement must record its lessons learned, so nothing was written",
            "add lessons_learned=\"what went wrong and what to do differently\" to the same command",
        )


def _apply(spec: CommentedMap, values: dict[str, Any]) -> None:
    order = list(ImprovementSpec.model_fields)
    for name, value in values.items():
        parts = name.split(".")
        target = spec
        for part in parts[:-1]:
            if not isinstance(target.get(part), CommentedMap):
                target[part] = CommentedMap()
            target = target[part]
        leaf = parts[-1]
        if value is None:
            target.pop(leaf, None)
            continue
        if isinstance(value, list):
            seq = CommentedSeq(value)
            seq.fa.set_flow_style()
            value = seq
        if leaf not in target and target is spec and leaf in order:
            # keep the schema's field order for new keys
            position = sum(1 for key in target if key in order and order.index(key) < order.index(leaf))
            target.insert(position, leaf, value)
        else:
            target[leaf] = value


@contextlib.contextmanager
def register_lock(root: Path) -> Iterator[None]:
    """One register edit at a time in a repository (a lock file in the store): two `csi set` run at
    once would each read the file, change it and replace it, and the first change would be lost."""
    from slactl.derived import ensure_ignored_folder
    from slactl.loader.repository import load_config

    folder = load_config(Path(root)).store_path
    try:
        ensure_ignored_folder(folder)
        handle = open(folder / "register.lock", "a+b")  # noqa: SIM115 - held for the whole edit
    except OSError:
        yield  # a read-only store: no lock to take, edits are still atomic
        return
    with handle:
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):
            pass
        yield


def set_fields(root: Path, result: LoadResult, improvement_id: str, values: dict[str, Any]) -> EditResult:
    """Change fields of one Improvement in its file, keeping everything else of the file as it was."""
    with register_lock(root):
        return _set_fields(root, result, improvement_id, values)


def _set_fields(root: Path, result: LoadResult, improvement_id: str, values: dict[str, Any]) -> EditResult:
    doc = get_improvement(result, improvement_id)
    copies = [d for d in result.documents if d.kind == "Improvement" and d.id == improvement_id]
    if len(copies) > 1:
        raise RegisterError(
            f"Improvement '{improvement_id}' is defined {len(copies)} times ("
            + ", ".join(f"{d.file}:{d.line}" for d in copies) + "); nothing was changed",
            "keep one of them (slactl validate reports this as id-duplicate)")
    path = Path(root) / doc.file
    original = _read_text(path, doc.file)
    _, problem = parse_documents(original)
    if problem is not None:
        raise RegisterError(f"{doc.file}:{problem.line}:{problem.column}: {problem.message}; nothing was changed",
                            problem.hint or "fix the file first (`slactl validate` lists every problem)")
    yaml = new_yaml()
    yaml.preserve_quotes = True
    documents = list(yaml.load_all(original))
    target = documents[doc.index]
    if not isinstance(target, CommentedMap) or not isinstance(target.get("spec"), CommentedMap):
        raise RegisterError(f"{doc.file}:{doc.line}: the Improvement has no spec mapping to edit")
    old_spec: ImprovementSpec = doc.model.spec
    updates = dict(values)
    if "status" in updates and updates["status"] != old_spec.status and "updated" not in updates:
        updates["updated"] = date.today()
    meta = {k: v for k, v in updates.items() if k in METADATA_FIELDS}
    for key, value in meta.items():
        if value is None:
            target["metadata"].pop(key, None)
        else:
            target["metadata"][key] = value
    _apply(target["spec"], {k: v for k, v in updates.items() if k not in METADATA_FIELDS})
    header, explicit = _document_header(original.removeprefix("\ufeff"))
    text = _dump(documents, explicit_start=explicit, original=original)
    if header and not text.startswith(header):
        text = header + text
    text = _as_written(text, original)
    _check_text(text, doc.file, improvement_id, original)
    new_doc = load_text(text, doc.file).get("Improvement", improvement_id)
    assert new_doc is not None
    new_spec: ImprovementSpec = new_doc.model.spec
    _check_status_rules(new_spec)
    _check_references(result, new_spec)
    warnings = []
    if new_spec.status == "failed" and old_spec.status != "failed":
        warnings.append("recorded as failed with its lessons learned; `csi add` will quote them for the same gap")
    _writable(path, doc.file)
    write_text_atomic(path, text, keep_mode=True)
    return EditResult(id=improvement_id, file=doc.file, changed=updates, warnings=warnings)
