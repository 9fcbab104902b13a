"""`slactl audit`: run the audit rules over the repository and its history, and shape the audit report.

The report groups findings by the regulation or standard they support and by the owner of the
document they are in, with a summary a compliance officer can sign off.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from slactl.findings import Finding, count_by_severity
from slactl.loader.documents import LoadedDocument, LoadResult, load_repository
from slactl.loader.repository import RepositoryConfig, load_config
from slactl.rules.registry import RULES, Context, run_rules

LOAD_STANDARD = "slactl definition files (schema)"


@dataclass
class AuditRun:
    """Findings of one audit with what the report needs to say about them."""

    root: Path
    as_of: date
    result: LoadResult
    findings: list[Finding]
    regulation_of: dict[Finding, str] = field(default_factory=dict)
    commit: str = "not a git repository"
    suppressed: int = 0

    def regulation(self, finding: Finding) -> str:
        if finding in self.regulation_of:
            return self.regulation_of[finding]
        rule = RULES.get(finding.rule)
        if rule is not None:
            return rule.standard
        if finding.rule.startswith("amend-"):
            from slactl.governance.amendments import STANDARD

            return STANDARD
        return LOAD_STANDARD

    def owner(self, finding: Finding) -> str:
        doc = document_at(self.result, finding.file, finding.line)
        if doc is None:
            return "unassigned"
        metadata = doc.raw.get("metadata") if isinstance(doc.raw, dict) else None
        owner = metadata.get("owner") if isinstance(metadata, dict) else None
        return str(owner) if owner else "unassigned"


def document_at(result: LoadResult, file: str, line: int) -> LoadedDocument | None:
    """The document of `file` that contains `line` (the last one starting at or before it)."""
    best: LoadedDocument | None = None
    for doc in result.documents:
        if doc.file == file and doc.line <= line and (best is None or doc.line >= best.line):
            best = doc
    return best


def run_audit(root: Path, as_of: date, options: dict[str, Any] | None = None,
              config: RepositoryConfig | None = None) -> AuditRun:
    """Load the repository, run every audit rule as of `as_of`, apply inline suppressions."""
    from slactl.rules.suppression import apply_suppressions

    config = config or load_config(root)
    result = load_repository(root, config)
    ctx = Context(result=result, root=Path(root), today=as_of, options=dict(options or {}))
    findings = result.findings + run_rules(ctx, "audit")
    kept, suppressed = apply_suppressions(findings, result.sources)
    run = AuditRun(Path(root), as_of, result, sorted(kept), dict(ctx.cache.get("regulation_of", {})),
                   suppressed=suppressed)
    run.commit = _commit_of(Path(root))
    return run


def _commit_of(root: Path) -> str:
    try:
        from slactl.governance.gitrepo import GitError, open_repository

        return open_repository(root).head_description()
    except (GitError, ImportError):
        return "not a git repository"


def _group(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item[key], []).append(item)
    found: list[dict[str, Any]] = []
    rank = {"error": 0, "warning": 1, "info": 2}
    for name, members in groups.items():
        members.sort(key=lambda m: (rank[m["severity"]], m["file"], m["line"], m["column"]))
        counts = Counter(m["severity"] for m in members)
        found.append({"name": name, "errors": counts["error"], "warnings": counts["warning"],
                      "infos": counts["info"], "findings": members})
    found.sort(key=lambda g: (-g["errors"], -g["warnings"], g["name"].casefold()))
    return found


def audit_view(run: AuditRun) -> dict[str, Any]:
    """The audit report's view model (also the `--format md|html` JSON-like source of truth)."""
    items = []
    for finding in run.findings:
        data = finding.to_dict()
        data["regulation"] = run.regulation(finding)
        data["owner"] = run.owner(finding)
        items.append(data)
    counts = count_by_severity(run.findings)
    agreements = run.result.agreements()
    rules_used = Counter(f.rule for f in run.findings)
    rules = [{"id": r.id, "severity": r.severity.value, "standard": r.standard, "summary": r.summary,
              "count": rules_used.get(r.id, 0)}
             for r in sorted(RULES.values(), key=lambda r: r.id) if r.scope == "audit"]
    return {
        "title": "Service level governance audit",
        "repository": run.root.name,
        "as_of": run.as_of.isoformat(),
        "commit": run.commit,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scope": {
            "files": len(run.result.files),
            "documents": run.result.document_count,
            "agreements": len(agreements),
            "agreements_in_force": sum(1 for a in agreements if a.model.spec.status.value in ("active", "suspended")),
            "policies": len(run.result.of_kind("Policy")),
            "rules": len(rules),
        },
        "summary": counts,
        "suppressed": run.suppressed,
        "verdict": ("no errors: nothing blocks sign-off" if counts["errors"] == 0
                    else f"{counts['errors']} error(s) need action before sign-off"),
        "findings": items,
        "by_regulation": _group(items, "regulation"),
        "by_owner": _group(items, "owner"),
        "rules": rules,
    }


def _environment(autoescape: bool) -> Any:
    import jinja2

    folder = Path(__file__).resolve().parent.parent / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(view: dict[str, Any]) -> str:
    env = _environment(autoescape=False)
    env.filters["cell"] = _md_cell
    return str(env.get_template("audit.md.j2").render(**view))


def render_html(view: dict[str, Any]) -> str:
    return str(_environment(autoescape=True).get_template("audit.html.j2").render(**view))
