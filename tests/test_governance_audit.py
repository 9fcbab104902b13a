"""`slactl audit`: the audit rules, the history check on real git repositories, and the audit report."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from governance_support import SUPPORT, GitRepoBuilder, changelog_entry, sla
from slactl.cli.main import app
from slactl.findings import Finding, Severity
from slactl.loader import load_repository
from slactl.rules.registry import Context, load_rule_modules, run_rules

load_rule_modules()  # every rule family registers in its usual order before one is imported by name

from slactl.rules.audit import consecutive_breaches, next_review  # noqa: E402
from slactl.rules.policies import closed_periods  # noqa: E402

runner = CliRunner()
AS_OF = date(2026, 6, 15)
REVIEW = "  review: {cadence: quarterly, last: 2026-05-01}\n"


def _audit(root: Path, *rules: str, today: date = AS_OF, **options: object) -> list[Finding]:
    ctx = Context(result=load_repository(root), root=root, today=today, options=dict(options))
    return sorted(run_rules(ctx, "audit", only=rules))


def _brief(findings: list[Finding]) -> list[tuple[str, str, str, int]]:
    return [(f.rule, f.severity.value, f.file, f.line) for f in findings]


def _line(root: Path, finding: Finding) -> str:
    return (root / finding.file).read_text().splitlines()[finding.line - 1].strip()


# -- reviews, expiry, clutter ------------------------------------------------------------------------


def test_review_overdue_and_missing(write, tmp_path: Path) -> None:
    write("a.yaml", sla(id_="on-time", review=REVIEW))
    write("b.yaml", sla(id_="late", review="  review: {cadence: quarterly, last: 2026-01-10}\n"))
    write("c.yaml", sla(id_="never"))
    write("d.yaml", sla(id_="retired-one", status="retired"))
    found = _audit(tmp_path, "audit-review-overdue")
    assert [(f.file, f.severity) for f in found] == [("b.yaml", Severity.WARNING), ("c.yaml", Severity.WARNING)]
    assert "due for its quarterly review on 2026-04-10 (66 days before 2026-06-15)" in found[0].message
    assert _line(tmp_path, found[0]).startswith("review:")
    assert "no review schedule" in found[1].message


def test_next_review_defaults_from_last_and_cadence(write, tmp_path: Path) -> None:
    write("a.yaml", sla(review="  review: {cadence: monthly, last: 2026-01-31}\n"))
    doc = load_repository(tmp_path).agreements()[0]
    assert next_review(doc.model.spec.review) == date(2026, 2, 28)


def test_review_planning_months(write, tmp_path: Path) -> None:
    write("a.yaml", sla(id_="in-plan", review="  review: {cadence: semiannual, next: 2026-09-15}\n"))
    write("b.yaml", sla(id_="off-plan", review="  review: {cadence: annual, next: 2026-06-30}\n"))
    write("policy.yaml", "apiVersion: slactl/v1\nkind: Policy\nmetadata: {id: planning}\n"
                         "spec:\n  regulation: internal\n  planning: {review_months: [3, 9]}\n")
    found = _audit(tmp_path, "audit-review-planning")
    assert [(f.rule, f.severity.value, f.file) for f in found] == [("audit-review-planning", "info", "b.yaml")]
    assert _line(tmp_path, found[0]).startswith("review:")
    assert "(March, September)" in found[0].message
    assert found[0].message.startswith("the next review of SLA 'off-plan' (2026-06-30)")


def test_expired_but_active(write, tmp_path: Path) -> None:
    write("a.yaml", sla(id_="expired", expires="2026-03-31"))
    write("b.yaml", sla(id_="renewed", expires="2027-03-31"))
    write("c.yaml", sla(id_="ended", expires="2026-03-31", status="retired"))
    found = _audit(tmp_path, "audit-expired-active")
    assert [(f.file, f.severity) for f in found] == [("a.yaml", Severity.ERROR)]
    assert _line(tmp_path, found[0]) == "expires: 2026-03-31"


def test_decommissioned_agreement_leaves_clutter(write, tmp_path: Path) -> None:
    write("old.yaml", sla(id_="old-portal", status="decommissioned").replace("payments-api", "portal")
          .replace("source: probes", "source: portal-probes"))
    write("live.yaml", sla())
    write("defs.yaml", SUPPORT + "---\napiVersion: slactl/v1\nkind: DataSource\nmetadata: {id: portal-probes}\n"
          "spec: {type: probes, path: data/portal/*.csv, timezone: UTC}\n---\n"
          "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: portal}\nspec: {monitoring: [portal-probes]}\n")
    found = _audit(tmp_path, "audit-decommissioned-clutter")
    assert [(f.file, _line(tmp_path, f)) for f in found] == [
        ("defs.yaml", "spec: {monitoring: [portal-probes]}"), ("old.yaml", "source: portal-probes")]
    assert "DataSource 'portal-probes' is still declared" in found[1].message


# -- underpinning -----------------------------------------------------------------------------------


SERVICES = """apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {suppliers: [CloudCo, PayGate], depends_on: [ledger, auth]}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: ledger, owner: team-ledger}
spec: {}
---
apiVersion: slactl/v1
kind: Service
metadata: {id: auth, owner: team-payments}
spec: {}
"""

UC = """apiVersion: slactl/v1
kind: UC
metadata: {{id: cloudco-hosting}}
spec:
  supplier: CloudCo
  services: [payments-api]
  status: active
  version: 1
  effective: 2026-01-01
  objectives:
    - id: availability
      supports: payments-gold/availability
      target: {target}
    - id: p1
      supports: payments-gold/p1
      threshold: {threshold}
"""

P1 = "    - id: p1\n      indicator: resolution_time\n      source: tickets\n      threshold: 4h\n      target: 95\n"


def test_dependencies_without_underpinning_contracts(write, tmp_path: Path) -> None:
    write("sla.yaml", sla(extra_objective=P1))
    write("services.yaml", SERVICES)
    write("uc.yaml", UC.format(target=99.95, threshold="2h"))
    found = _audit(tmp_path, "audit-underpinning-missing")
    assert [_line(tmp_path, f) for f in found] == [
        "spec: {suppliers: [CloudCo, PayGate], depends_on: [ledger, auth]}"] * 2
    assert "relies on 'PayGate'" in found[0].message
    assert "depends on 'ledger' (owned by team-ledger)" in found[1].message


def test_underpinning_weaker_than_the_sla(write, tmp_path: Path) -> None:
    write("sla.yaml", sla(extra_objective=P1))
    write("uc.yaml", UC.format(target=99.5, threshold="8h"))
    found = _audit(tmp_path, "audit-underpinning-weaker")
    assert [(f.severity, _line(tmp_path, f)) for f in found] == [
        (Severity.ERROR, "target: 99.5"), (Severity.ERROR, "threshold: 8h")]
    assert "targets 99.5 but the payments-gold/availability it supports targets 99.9" in found[0].message
    write("uc.yaml", UC.format(target=99.9, threshold="4h"))
    assert _audit(tmp_path, "audit-underpinning-weaker") == []


# -- problems and improvement -------------------------------------------------------------------


def test_consecutive_breaches() -> None:
    series = {
        "a/x": [("2026-01", "breached"), ("2026-02", "met"), ("2026-03", "breached")],
        "a/y": [("2026-01", "breached"), ("2026-02", "breached"), ("2026-03", "breached"), ("2026-04", "met")],
        "a/z": [("2026-01", "insufficient_data"), ("2026-02", "breached"), ("2026-03", "breached")],
    }
    assert consecutive_breaches(series) == {"a/y": ["2026-01", "2026-02", "2026-03"], "a/z": ["2026-02", "2026-03"]}


def test_repeated_breaches_need_a_problem_record(write, tmp_path: Path) -> None:
    write("sla.yaml", sla(extra_objective=P1))
    write("defs.yaml", SUPPORT)
    root = tmp_path
    ctx = Context(result=load_repository(root), root=root, today=AS_OF)
    statuses = {"payments-gold/availability": [("2026-04", "breached"), ("2026-05", "breached")],
                "payments-gold/p1": [("2026-04", "breached"), ("2026-05", "met")]}
    ctx.cache["audit-breaches"] = (statuses, None)  # as computed by the compliance engine
    found = run_rules(ctx, "audit", only=["audit-breach-no-problem"])
    assert [(f.rule, f.severity) for f in found] == [("audit-breach-no-problem", Severity.WARNING)]
    assert _line(root, found[0]) == "- id: availability"
    assert "breached in 2 consecutive periods (2026-04, 2026-05)" in found[0].message
    write("problem.yaml", "apiVersion: slactl/v1\nkind: Problem\nmetadata: {id: pr-1}\nspec:\n  breaches:\n"
                          "    - {objective: payments-gold/availability, period: 2026-05}\n  improvements: [imp-1]\n")
    ctx = Context(result=load_repository(root), root=root, today=AS_OF)
    ctx.cache["audit-breaches"] = (statuses, None)
    assert run_rules(ctx, "audit", only=["audit-breach-no-problem"]) == []


def test_breach_rule_without_data_is_skipped_with_an_info(write, tmp_path: Path) -> None:
    write("sla.yaml", sla())
    found = _audit(tmp_path, "audit-breach-no-problem")
    assert [(f.severity, f.file) for f in found] == [(Severity.INFO, ".")]
    assert "no DataSource is declared" in found[0].message


IMPROVEMENT = """apiVersion: slactl/v1
kind: Improvement
metadata: {{id: {id}}}
spec:
  title: Retry budget
  source: problem
  status: {status}
{dates}"""


def test_problems_without_improvements_and_stale_improvements(write, tmp_path: Path) -> None:
    write("problem.yaml", "apiVersion: slactl/v1\nkind: Problem\nmetadata: {id: pr-1}\nspec:\n  root_cause: DNS\n")
    write("i1.yaml", IMPROVEMENT.format(id="stale", status="approved", dates="  updated: 2026-01-02\n"))
    write("i2.yaml", IMPROVEMENT.format(id="fresh", status="in_progress", dates="  started: 2026-05-01\n"))
    write("i3.yaml", IMPROVEMENT.format(id="done", status="closed", dates="  updated: 2025-01-01\n"))
    write("i4.yaml", IMPROVEMENT.format(id="undated", status="identified", dates=""))
    found = _audit(tmp_path, "audit-problem-no-improvement", "audit-improvement-stale")
    assert _brief(found) == [
        ("audit-improvement-stale", "warning", "i1.yaml", 8),
        ("audit-improvement-stale", "info", "i4.yaml", 7),
        ("audit-problem-no-improvement", "warning", "problem.yaml", 4),
    ]
    assert "'approved' for 164 days (since 2026-01-02; allowed 90)" in found[0].message
    assert _audit(tmp_path, "audit-improvement-stale", stale_after_days=200)[0].severity == Severity.INFO


# -- policies -----------------------------------------------------------------------------------------


def _policy(rules: str, applies: str = "{regulations: [GDPR]}", regulation: str = "GDPR") -> str:
    return (f"apiVersion: slactl/v1\nkind: Policy\nmetadata: {{id: gdpr}}\nspec:\n  regulation: {regulation}\n"
            f"  applies_to: {applies}\n  rules:\n{rules}")


GDPR_SERVICE = """apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {data_classification: personal, regulations: [GDPR, SOX]}
"""

BREACH = ("    - id: breach-notification\n      indicator: response_time\n      source: tickets\n"
          "      filter: {category: data-breach}\n      threshold: {threshold}\n      target: 100\n")


def test_policy_rules_apply_to_agreements_of_selected_services(write, tmp_path: Path) -> None:
    write("services.yaml", GDPR_SERVICE)
    write("sla.yaml", sla(approvers=("Jane Doe",), review="  review: {cadence: annual, last: 2025-01-10}\n",
                          extra_objective=BREACH.replace("{threshold}", "96h")))
    write("other.yaml", sla(id_="other", approvers=("Jane Doe",)).replace("payments-api", "internal-wiki"))
    write("policy.yaml", _policy("    review-max-age: {days: 365}\n    min-approvers: {count: 2}\n"
                                 "    breach-notification-max: {hours: 72}\n"))
    found = _audit(tmp_path, "policy-review-max-age", "policy-min-approvers", "policy-breach-notification")
    assert [(f.rule, f.file, _line(tmp_path, f)) for f in found] == [
        ("policy-review-max-age", "sla.yaml", "review: {cadence: annual, last: 2025-01-10}"),
        ("policy-min-approvers", "sla.yaml", "approvers:"),
        ("policy-breach-notification", "sla.yaml", "threshold: 96h"),
    ]
    assert found[0].message.startswith("GDPR policy 'gdpr' (review-max-age): SLA 'payments-gold' was last reviewed")
    assert "allows 4d; at most 3d is allowed" in found[2].message


def test_policy_breach_notification_objective_missing_or_fine(write, tmp_path: Path) -> None:
    write("services.yaml", GDPR_SERVICE)
    write("sla.yaml", sla())
    write("policy.yaml", _policy("    breach-notification-max: {hours: 72}\n"))
    found = _audit(tmp_path, "policy-breach-notification")
    assert len(found) == 1 and "has no data-breach notification objective" in found[0].message
    write("sla.yaml", sla(extra_objective=BREACH.replace("{threshold}", "72h")))
    assert _audit(tmp_path, "policy-breach-notification") == []


def test_policy_change_approval_evidence(write, tmp_path: Path) -> None:
    write("services.yaml", GDPR_SERVICE)
    write("sla.yaml", sla(version=3, changelog=changelog_entry(2, "[]")))
    write("policy.yaml", _policy("    change-approval-evidence: {}\n", "{kind: SLA, regulations: [SOX]}", "SOX"))
    found = _audit(tmp_path, "policy-change-approval-evidence")
    assert [(f.line, f.message.split(": ", 1)[1]) for f in found] == [
        (12, "SLA 'payments-gold' is at version 3 but its changelog has no entry for it"),
        (22, "SLA 'payments-gold' version 2 records no approval"),
    ]


def test_policy_report_archive_per_period(write, tmp_path: Path) -> None:
    write("services.yaml", GDPR_SERVICE)
    write("sla.yaml", sla())  # effective 2026-01-01
    write("policy.yaml", _policy("    report-archive-per-period: {archive: reports/archive}\n"))
    for period in ("2026-01", "2026-02", "2026-04"):
        write(f"reports/archive/{period}/customer/v1/report.md", "x")
    found = _audit(tmp_path, "policy-report-archive")
    assert len(found) == 1
    assert found[0].message.endswith("has no archived report in reports/archive for 2026-03, 2026-05")
    assert closed_periods(date(2026, 1, 20), date(2026, 7, 1), quarter=True) == ["2026-Q1", "2026-Q2"]


def test_policy_unknown_rule_and_bad_parameters(write, tmp_path: Path) -> None:
    write("sla.yaml", sla())
    write("policy.yaml", _policy("    review-maxage: {days: 1}\n    min-approvers: {cout: 2}\n", "{}"))
    found = _audit(tmp_path, "policy-rule-invalid", "policy-min-approvers")
    assert [(f.rule, f.line) for f in found] == [("policy-rule-invalid", 8), ("policy-rule-invalid", 9)]
    assert "did you mean 'review-max-age'?" in (found[0].hint or "")
    assert found[1].message.startswith("Policy 'gdpr' rule min-approvers: ")
    assert found[1].hint == "parameters of min-approvers: count"


# -- amendment history ----------------------------------------------------------------------------


@pytest.fixture
def history_repo(tmp_path: Path) -> GitRepoBuilder:
    b = GitRepoBuilder(tmp_path / "repo")
    b.write("services.yaml", SUPPORT)
    b.write("slas/payments.yaml", sla(review=REVIEW))
    b.commit("Add payments SLA", when="2026-01-10T10:00:00+00:00")
    b.write("slas/payments.yaml", sla(review=REVIEW, version=2, target=99.95, changelog=changelog_entry(2)))
    b.commit("Approved amendment", when="2026-02-05T10:00:00+00:00")
    return b


def test_audit_of_a_clean_history_finds_nothing(history_repo: GitRepoBuilder) -> None:
    assert _audit(history_repo.root, "audit-amendment-unversioned", "audit-amendment-unapproved",
                  "audit-amendment-date") == []


def test_audit_finds_a_silent_target_change_in_history(history_repo: GitRepoBuilder) -> None:
    b = history_repo
    b.write("slas/payments.yaml", sla(review=REVIEW, version=2, target=99.0, changelog=changelog_entry(2)))
    b.commit("Adjust numbers", author="Mallory", email="m@example.com", when="2026-03-01T10:00:00+00:00")
    b.write("slas/payments.yaml", sla(review=REVIEW, version=3, target=98.0, changelog=changelog_entry(2)
                                      + changelog_entry(3, "[{by: Jane Doe, on: 2026-04-01}]", "2026-04-02")))
    b.commit("Lower again", when="2026-04-02T10:00:00+00:00")
    b.write("slas/payments.yaml", sla(review=REVIEW, version=3, target=98.0, name="Renamed",
                                      changelog=changelog_entry(2)
                                      + changelog_entry(3, "[{by: Jane Doe, on: 2026-04-01}]", "2026-04-02")))
    b.commit("Editorial rename", when="2026-04-03T10:00:00+00:00")
    found = _audit(b.root, "audit-amendment-unversioned", "audit-amendment-unapproved")
    assert [(f.rule, f.severity) for f in found] == [
        ("audit-amendment-unapproved", Severity.ERROR), ("audit-amendment-unversioned", Severity.ERROR)]
    unapproved, silent = found
    assert "(2026-03-01, Mallory): SLA 'payments-gold' is active and objectives[availability].target loosened: " \
           "99.95 -> 99, but version is still 2" in silent.message
    assert _line(b.root, silent).startswith("target:")
    assert "version 3 is not approved by 'Raj Patel'" in unapproved.message
    # the as-of date limits the history that is judged
    assert _audit(b.root, "audit-amendment-unversioned", today=date(2026, 2, 20)) == []

    result = runner.invoke(app, ["audit", "--repo", str(b.root), "--as-of", "2026-06-15", "--format", "json"],
                           catch_exceptions=False)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["command"] == "audit" and data["as_of"] == "2026-06-15" and len(data["commit"]) == 10
    assert {"audit-amendment-unversioned", "audit-amendment-unapproved"} <= {f["rule"] for f in data["findings"]}


def test_history_check_outside_git_is_an_info(write, tmp_path: Path) -> None:
    write("sla.yaml", sla())
    found = _audit(tmp_path, "audit-amendment-unversioned")
    assert [(f.severity, f.file) for f in found] == [(Severity.INFO, ".")]
    assert "not inside a git repository" in found[0].message


# -- report archives ------------------------------------------------------------------------------


def test_tampered_report_archive_is_found(write, tmp_path: Path) -> None:
    from slactl.report.archive import write_archive

    write("sla.yaml", sla())
    folder = write_archive(tmp_path / "reports/archive", period="2026-05", view="customer",
                           outputs={"report.md": b"# May\n"}, inputs=[], git={}, generator_version="test")
    assert _audit(tmp_path, "audit-archive-unverified") == []
    os.chmod(folder, stat.S_IRWXU)
    os.chmod(folder / "report.md", stat.S_IRUSR | stat.S_IWUSR)
    (folder / "report.md").write_bytes(b"# May (edited)\n")
    found = _audit(tmp_path, "audit-archive-unverified")
    assert [(f.rule, f.severity, f.file) for f in found] == [
        ("audit-archive-unverified", Severity.ERROR, "reports/archive/2026-05/customer/v1/manifest.json")]
    assert "report.md" in found[0].message


# -- the command and the report -------------------------------------------------------------------


@pytest.fixture
def audit_repo(tmp_path: Path) -> Path:
    root = tmp_path / "defs"
    root.mkdir()
    (root / "services.yaml").write_text(GDPR_SERVICE, encoding="utf-8")
    (root / "sla.yaml").write_text(sla(name="<script>alert(1)</script>", expires="2026-03-31"), encoding="utf-8")
    (root / "policy.yaml").write_text(_policy("    min-approvers: {count: 3}\n"), encoding="utf-8")
    return root


def test_audit_command_text_and_exit_codes(audit_repo: Path) -> None:
    args = ["audit", "--repo", str(audit_repo), "--as-of", "2026-06-15"]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert "audit-expired-active  SLA 'payments-gold' expired on 2026-03-31 but is still active" in result.stdout
    result = runner.invoke(app, [*args, "--format", "sarif"], catch_exceptions=False)
    assert result.exit_code == 1 and json.loads(result.stdout)["runs"][0]["results"]
    result = runner.invoke(app, ["audit", "--repo", str(audit_repo), "--as-of", "June"], catch_exceptions=False)
    assert result.exit_code == 2 and "error: --as-of 'June' is not a date" in result.stderr
    result = runner.invoke(app, [*args, "--format", "both"], catch_exceptions=False)
    assert result.exit_code == 2 and "--out" in result.stderr


def test_audit_report_markdown_and_html(audit_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "audit-2026"
    result = runner.invoke(app, ["audit", "--repo", str(audit_repo), "--as-of", "2026-06-15", "--format", "both",
                                 "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    md = (tmp_path / "out/audit-2026.md").read_text(encoding="utf-8")
    html = (tmp_path / "out/audit-2026.html").read_text(encoding="utf-8")
    assert "| As of | 2026-06-15 |" in md and "| Commit | not a git repository |" in md
    assert "| error | 2 |" in md and "| warning | 1 |" in md
    assert "### GDPR" in md and "policy-min-approvers" in md
    assert "- **team-payments**:" in md
    assert "## Sign-off" in md and "| Compliance officer | | | |" in md
    assert html.startswith("<!DOCTYPE html>") and "<h3>GDPR</h3>" in html
    assert "<script>" not in html
    assert "http://" not in html and "https://" not in html and "<link" not in html  # self-contained
    result = runner.invoke(app, ["audit", "--repo", str(audit_repo), "--as-of", "2026-06-15", "--format", "html"],
                           catch_exceptions=False)
    assert result.stdout.startswith("<!DOCTYPE html>")


def test_html_report_escapes_what_it_shows(audit_repo: Path) -> None:
    from slactl.governance.audit import audit_view, render_html, run_audit

    run = run_audit(audit_repo, AS_OF)
    view = audit_view(run)
    view["findings"][0]["message"] = "<img src=x onerror=alert(1)>"
    view["by_regulation"][0]["findings"][0]["message"] = "<img src=x onerror=alert(1)>"
    html = render_html(view)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# -- with real data: the store and the compliance engine ------------------------------------------


PROBES = """apiVersion: slactl/v1
kind: DataSource
metadata: {{id: {id}}}
spec: {{type: probes, path: data/{id}/*.csv, timezone: UTC, interval: 1h}}
"""


def _probe_csv(down_days: set[tuple[int, int]]) -> str:
    """Hourly probes from March to May 2026; five hours down on each (month, day) given."""
    from datetime import datetime, timedelta, timezone

    rows = ["time,service,status"]
    t = datetime(2026, 3, 1, tzinfo=timezone.utc)
    while t < datetime(2026, 6, 1, tzinfo=timezone.utc):
        down = (t.month, t.day) in down_days and t.hour < 5
        rows.append(f"{t.isoformat()},payments-api,{'down' if down else 'up'}")
        t += timedelta(hours=1)
    return "\n".join(rows) + "\n"


def test_repeated_breaches_from_ingested_data(write, tmp_path: Path) -> None:
    write("sla.yaml", sla(review=REVIEW))
    write("defs.yaml", SUPPORT.split("---")[0] + "---\n" + PROBES.format(id="probes"))
    # 5 hours down in April and May: 99.31% and 99.33% against 99.9; March is clean
    write("data/probes/p.csv", _probe_csv({(4, 10), (5, 10)}))
    result = runner.invoke(app, ["audit", "--repo", str(tmp_path), "--as-of", "2026-06-15", "--format", "json",
                                 "--breach-periods", "3"], catch_exceptions=False)
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "audit-breach-no-problem"]
    assert [(f["severity"], f["file"], f["line"]) for f in findings] == [("warning", "sla.yaml", 24)]
    assert "(2026-04, 2026-05)" in findings[0]["message"]
    write("data/probes/p.csv", _probe_csv({(4, 10)}))  # only April: not repeated
    assert _audit(tmp_path, "audit-breach-no-problem", breach_periods=3) == []


def test_decommissioned_source_still_in_the_store(write, tmp_path: Path) -> None:
    from slactl.loader.repository import load_config
    from slactl.store import Store

    write("old.yaml", sla(id_="old-portal", status="decommissioned").replace("source: probes", "source: old-probes"))
    write("defs.yaml", SUPPORT.split("---")[0] + "---\n" + PROBES.format(id="old-probes"))
    write("data/old-probes/p.csv", _probe_csv(set()))
    Store(load_config(tmp_path).store_path).ingest(load_repository(tmp_path), tmp_path)
    found = _audit(tmp_path, "audit-decommissioned-clutter")
    assert [f.message for f in found] == [
        "SLA 'old-portal' is decommissioned but DataSource 'old-probes' is still declared "
        "and 1 of its files are still in the store"]


# -- odds and ends ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["audit"], ["diff"], ["history"]])
def test_help_has_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0 and "Example: slactl" in result.output


def test_repository_without_commits(tmp_path: Path) -> None:
    b = GitRepoBuilder(tmp_path / "empty")
    b.write("sla.yaml", sla())
    found = _audit(b.root, "audit-amendment-unversioned")
    assert [f.severity for f in found] == [Severity.INFO] and "no commits yet" in found[0].message
    result = runner.invoke(app, ["history", "payments-gold", "--repo", str(b.root)], catch_exceptions=False)
    assert result.exit_code == 2 and "error: the git repository has no commits yet" in result.stderr


@pytest.mark.parametrize("fmt", ["github", "junit"])
def test_audit_ci_formats(audit_repo: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"audit.{fmt}"
    result = runner.invoke(app, ["audit", "--repo", str(audit_repo), "--as-of", "2026-06-15", "--format", fmt,
                                 "--out", str(out), "--fail-on", "info"], catch_exceptions=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert "audit-expired-active" in out.read_text(encoding="utf-8")


def test_audit_ci_paths_are_relative_to_the_current_folder(audit_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(audit_repo.parent)
    result = runner.invoke(app, ["audit", "--repo", "defs", "--as-of", "2026-06-15", "--format", "github"],
                           catch_exceptions=False)
    assert "file=defs/sla.yaml," in result.stdout and "file=sla.yaml," not in result.stdout
    result = runner.invoke(app, ["audit", "--repo", "defs", "--as-of", "2026-06-15", "--format", "sarif"],
                           catch_exceptions=False)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(result.stdout)["runs"][0]["results"]}
    assert "defs/sla.yaml" in uris


def test_other_manifest_files_are_not_archives(write, tmp_path: Path) -> None:
    write("sla.yaml", sla())
    write("web/manifest.json", '{"name": "status page", "icons": []}')
    assert _audit(tmp_path, "audit-archive-unverified") == []
    write("reports/archive/2026-05/customer/v1/manifest.json", "{not json")
    found = _audit(tmp_path, "audit-archive-unverified")
    assert [(f.severity, f.file) for f in found] == [
        (Severity.ERROR, "reports/archive/2026-05/customer/v1/manifest.json")]


def test_an_archived_version_removed_is_found_by_the_audit(write, tmp_path: Path) -> None:
    import shutil

    from slactl.report.archive import write_archive

    write("sla.yaml", sla())
    made = [write_archive(tmp_path / "reports/archive", period="2026-05", view="customer",
                          outputs={"report.md": b"# May\n"}, inputs=[], git={}, generator_version="test")
            for _ in range(2)]
    assert _audit(tmp_path, "audit-archive-unverified") == []
    os.chmod(made[0], stat.S_IRWXU)
    shutil.rmtree(made[0])
    found = _audit(tmp_path, "audit-archive-unverified")
    assert [(f.severity, f.file) for f in found] == [(Severity.ERROR, "reports/archive/2026-05/customer/v1")]
    assert "missing" in found[0].message
