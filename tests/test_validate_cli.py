"""`slactl validate`, `init`, `schema export` and `rules` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.validate_fixtures import PROBES, SERVICE, SLA
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.rules.listing import rules_markdown
from slactl.schema_export import stale_schemas

ROOT = Path(__file__).resolve().parents[1]



def invoke(*args: str, env: dict[str, str] | None = None):
    runner = CliRunner()
    return runner.invoke(app, list(args), catch_exceptions=False, env={"GITHUB_ACTIONS": "", **(env or {})})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "payments-api.yaml").write_text(SERVICE)
    (tmp_path / "slas").mkdir()
    (tmp_path / "slas" / "gold.yaml").write_text(SLA)
    (tmp_path / "sources.yaml").write_text(PROBES)
    return tmp_path


def test_clean_repository_exits_0(repo: Path) -> None:
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no problems in 3 files (3 documents)"


def test_findings_exit_1_with_file_line_column_and_caret(repo: Path) -> None:
    (repo / "slas" / "gold.yaml").write_text(SLA.replace("[payments-api]", "[payments-apii]"))
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "slas/gold.yaml"
    assert lines[1].split() [:3] == ["slas/gold.yaml:6:14", "error", "ref-unknown"]
    assert "services 'payments-apii': no Service has this id" in lines[1]
    assert lines[2] == "    6 |   services: [payments-apii]"
    assert lines[3] == "      |              ^"
    assert lines[4] == "    hint: did you mean 'payments-api'?"
    assert lines[-1] == "1 error, 0 warnings in 3 files (3 documents)"


def test_warnings_exit_0_unless_fail_on_warning(repo: Path) -> None:
    (repo / "slas" / "gold.yaml").write_text(SLA.replace("status: active", "status: active\n  review: {cadence: monthly, last: 2020-01-01}"))
    assert invoke("validate", "--repo", str(repo)).exit_code == 0
    result = invoke("validate", "--repo", str(repo), "--fail-on", "warning")
    assert result.exit_code == 1
    assert "review-overdue" in result.output


def test_json_format_follows_spec_shape(repo: Path) -> None:
    (repo / "slas" / "gold.yaml").write_text(SLA.replace("source: probes", "source: probez"))
    result = invoke("validate", "--repo", str(repo), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert {"schema_version", "tool_version", "generated_at", "findings", "summary"} <= set(data)
    assert data["findings"] == [{
        "rule": "ref-unknown", "severity": "error", "message": "source 'probez': no DataSource has this id",
        "file": "slas/gold.yaml", "line": 11, "column": 59, "hint": "did you mean 'probes'?",
    }]
    assert {k: data["summary"][k] for k in ("files", "documents", "errors", "warnings")} == {
        "files": 3, "documents": 3, "errors": 1, "warnings": 0}


def test_paths_select_which_findings_are_reported(repo: Path) -> None:
    (repo / "slas" / "gold.yaml").write_text(SLA.replace("source: probes", "source: probez"))
    # references are resolved against the whole repository, findings only reported for the PATHs
    result = invoke("validate", "--repo", str(repo), str(repo / "services"))
    assert result.exit_code == 0
    assert result.output.strip() == "no problems in 1 file (1 document)"
    result = invoke("validate", "--repo", str(repo), str(repo / "slas" / "gold.yaml"))
    assert result.exit_code == 1


def test_missing_path_and_path_outside_repository_exit_2(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = invoke("validate", "--repo", str(repo), str(repo / "nope.yaml"))
    assert result.exit_code == 2
    assert "error: '" in result.output and "does not exist" in result.output
    outside = tmp_path_factory.mktemp("outside")
    result = invoke("validate", "--repo", str(repo), str(outside))
    assert result.exit_code == 2
    assert "is not inside the repository" in result.output


def test_missing_repository_exits_2(tmp_path: Path) -> None:
    result = invoke("validate", "--repo", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_global_repo_option(repo: Path) -> None:
    assert invoke("--repo", str(repo), "validate").exit_code == 0


def test_unreadable_config_exits_2(repo: Path) -> None:
    (repo / "slactl.toml").write_text("include = [\n")
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 2
    assert result.output.startswith("error: slactl.toml: cannot be read as TOML")
    (repo / "slactl.toml").write_text('includ = ["*.yaml"]\n')
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 2
    assert "unknown setting(s) includ" in result.output


def test_config_exclude_is_honoured(repo: Path) -> None:
    (repo / "drafts").mkdir()
    (repo / "drafts" / "broken.yaml").write_text("kind: [\n")
    assert invoke("validate", "--repo", str(repo)).exit_code == 1
    (repo / "slactl.toml").write_text('exclude = ["drafts/"]\n')
    assert invoke("validate", "--repo", str(repo)).exit_code == 0


def test_github_format_is_chosen_under_github_actions(repo: Path) -> None:
    (repo / "slas" / "gold.yaml").write_text(SLA.replace("source: probes", "source: probez"))
    result = invoke("validate", "--repo", str(repo), env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    assert result.output.startswith("::error file=slas/gold.yaml,line=11,col=59,title=ref-unknown::source 'probez'")
    result = invoke("validate", "--repo", str(repo), "--format", "json", env={"GITHUB_ACTIONS": "true"})
    assert json.loads(result.output)["summary"]["errors"] == 1


def test_output_file_is_written(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("out") / "reports" / "slactl.sarif"
    result = invoke("validate", "--repo", str(repo), "--format", "sarif", "--output", str(out))
    assert result.exit_code == 0
    assert result.output == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_suppression_comment(repo: Path) -> None:
    (repo / "slas" / "gold.yaml").write_text(
        SLA.replace("source: probes", "source: probez").replace("warning: 99.95}", "warning: 99.95}  # slactl: disable=ref-unknown"))
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 0
    assert result.output.strip() == "no problems in 3 files (3 documents); 1 suppressed by comments"


def test_base_outside_git_exits_2(repo: Path) -> None:
    result = invoke("validate", "--repo", str(repo), "--base", "main")
    assert result.exit_code == 2
    assert result.output.startswith("error: ")


def test_base_in_git_repository_checks_amendments(repo: Path) -> None:
    import git

    g = git.Repo.init(repo)
    with g.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    g.index.add(["services/payments-api.yaml", "slas/gold.yaml", "sources.yaml"])
    g.index.commit("first")
    (repo / "slas" / "gold.yaml").write_text(SLA.replace("target: 99.9,", "target: 99.5,").replace("warning: 99.95", "warning: 99.6"))
    g.index.add(["slas/gold.yaml"])
    g.index.commit("lower the target")
    result = invoke("validate", "--repo", str(repo), "--base", "HEAD~1", "--format", "json")
    rules = {f["rule"] for f in json.loads(result.output)["findings"]}
    assert "amend-version-not-raised" in rules
    assert result.exit_code == 1


def test_init_scaffolds_a_valid_repository(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = invoke("init", str(target))
    assert result.exit_code == 0, result.output
    kinds = set()
    for path in target.rglob("*.yaml"):
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=../schemas/"), path
        kinds.add(next(line.split(": ")[1] for line in text.splitlines() if line.startswith("kind:")))
    assert kinds == {"SLA", "OLA", "UC", "Service", "Calendar", "DataSource", "EscalationPolicy", "Improvement",
                     "Problem", "Policy", "Freeze"}
    ignored = (target / ".gitignore").read_text().splitlines()
    assert {".slactl/", "/reports/*", "!/reports/archive/"} <= set(ignored)
    assert (target / "slactl.toml").is_file()
    assert [p.name for p in (target / "improvements").glob("*.yaml")] and not (target / "csi").exists()
    result = invoke("csi", "add", "retry-payments", "title=Retry", "source=breach", "--repo", str(target))
    assert "in improvements/retry-payments.yaml" in result.output
    assert len(list((target / "data").rglob("*.csv"))) == len(list((target / "datasources").glob("*.yaml")))
    assert (target / "schemas" / "sla.json").is_file()
    result = invoke("validate", "--repo", str(target), "--fail-on", "warning", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["findings"] == []


def test_init_refuses_a_non_empty_folder_without_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2
    assert "is not empty" in result.output and "--force" in result.output
    assert invoke("init", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_schema_export_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = invoke("schema", "export", "--out", str(out))
    assert result.exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert "sla.json" in names and "escalationpolicy.json" in names and "slactl.json" in names
    assert invoke("schema", "export", "--out", str(out), "--check").exit_code == 0
    (out / "sla.json").write_text("{}\n")
    (out / "ola.json").unlink()
    result = invoke("schema", "export", "--out", str(out), "--check")
    assert result.exit_code == 1
    assert f"{out / 'sla.json'}: out of date" in result.output and f"{out / 'ola.json'}: missing" in result.output
    assert invoke("schema", "export", "--out", str(out)).output.startswith("2 schema file(s) written")


def test_exported_schemas_validate_the_scaffold(tmp_path: Path) -> None:
    import jsonschema
    from referencing import Registry, Resource

    from slactl.loader.yamlpos import new_yaml
    from slactl.schema_export import BASE_URI, build_schemas

    schemas = build_schemas()
    registry = Registry().with_resources(
        [(BASE_URI + name, Resource.from_contents(schema)) for name, schema in schemas.items()])
    validator = jsonschema.Draft202012Validator(schemas["slactl.json"], registry=registry)
    invoke("init", str(tmp_path / "r"))
    for path in (tmp_path / "r").rglob("*.yaml"):
        data = json.loads(json.dumps(new_yaml().load(path.read_text()), default=str))
        validator.validate(data)


def test_committed_schemas_match_the_models() -> None:
    assert stale_schemas(ROOT / "schemas") == [], "run: slactl schema export"


def test_rules_command_formats() -> None:
    text = invoke("rules").output
    assert "ref-unknown" in text and "yaml-syntax" in text
    data = json.loads(invoke("rules", "--format", "json").output)
    ids = {r["id"] for r in data["rules"]}
    assert {"ref-unknown", "hierarchy-cycle", "support-target", "schema-unknown-field"} <= ids
    assert set(data["rules"][0]) == {"id", "severity", "scope", "standard", "summary"}


def test_docs_rules_md_is_current() -> None:
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown(), \
        "docs/rules.md is stale: run slactl rules --format md > docs/rules.md"


@pytest.mark.parametrize("command", [["validate"], ["init"], ["rules"], ["schema", "export"]])
def test_help_has_an_example(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example: slactl" in result.output


def test_a_broken_file_does_not_cascade_into_unknown_references(repo: Path) -> None:
    (repo / "services" / "payments-api.yaml").write_text(SERVICE.replace("spec: {tier: critical}", "spec: {tier: critical"))
    result = invoke("validate", "--repo", str(repo), "--format", "json")
    assert result.exit_code == 1
    assert [(f["rule"], f["file"]) for f in json.loads(result.output)["findings"]] == [
        ("yaml-syntax", "services/payments-api.yaml")]


def test_paths_that_are_not_definition_files_are_passed_over(repo: Path) -> None:
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n")
    (repo / ".github").mkdir()
    (repo / ".github" / "ci.yml").write_text("on: push\n")
    result = invoke("validate", "--repo", str(repo), str(repo / ".pre-commit-config.yaml"), str(repo / ".github" / "ci.yml"))
    assert result.exit_code == 0
    assert result.output.strip() == "no problems in 0 files (0 documents)"


def test_init_takes_repo_like_every_command(tmp_path) -> None:
    from typer.testing import CliRunner

    from slactl.cli.main import app

    runner = CliRunner()
    assert runner.invoke(app, ["init", "--repo", str(tmp_path / "a")], catch_exceptions=False).exit_code == 0
    assert (tmp_path / "a" / "slactl.toml").exists()
    missing = runner.invoke(app, ["init"], catch_exceptions=False)
    assert missing.exit_code == 2 and "missing DIR" in missing.stderr


def test_a_folder_given_as_path_is_its_own_repository(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from slactl.cli.main import app

    service = "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: same}\nspec: {tier: high}\n"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "svc.yaml").write_text(service)
    monkeypatch.chdir(tmp_path)  # the current folder holds both: neither is read as part of the other
    runner = CliRunner()
    for args in (["validate", "a"], ["validate", str(tmp_path / "b")], ["validate", "a/svc.yaml"]):
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)


def test_a_file_path_in_a_repository_without_settings_reads_the_whole_repository(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from slactl.cli.main import app

    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "svc.yaml").write_text(
        "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: svc}\nspec: {tier: high, monitoring: [probes]}\n")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "probes.yaml").write_text(
        "apiVersion: slactl/v1\nkind: DataSource\nmetadata: {id: probes}\nspec: {type: probes, path: d/*.csv}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "services/svc.yaml"], catch_exceptions=False)
    assert result.exit_code == 0, result.output  # the DataSource in another folder is found


def test_paths_in_unrelated_places_are_a_usage_error(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from slactl.cli.main import app

    service = "apiVersion: slactl/v1\nkind: Service\nmetadata: {id: same}\nspec: {tier: high}\n"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "svc.yaml").write_text(service)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "a" / "svc.yaml"), "/proc/version"],
                                catch_exceptions=False)
    assert result.exit_code == 2 and "different places" in result.stderr


def test_init_and_schema_export_print_json_on_request(tmp_path: Path) -> None:
    made = CliRunner().invoke(app, ["init", str(tmp_path / "new"), "--format", "json"])
    assert made.exit_code == 0, made.output
    payload = json.loads(made.output)
    assert payload["schema_version"] and len(payload["written"]) > 10
    assert all(Path(p).is_file() for p in payload["written"])
    schemas = CliRunner().invoke(app, ["schema", "export", "--out", str(tmp_path / "s"), "--format", "json"])
    assert schemas.exit_code == 0 and json.loads(schemas.output)["written"]


def test_a_new_repository_passes_its_own_audit(tmp_path: Path) -> None:
    from datetime import date

    import git

    from slactl.scaffold import scaffold

    for day in ("2026-01-31", "2026-02-15", "2026-11-27", "2026-12-31"):
        root = tmp_path / day
        files = [p.relative_to(root).as_posix() for p in scaffold(root, today=date.fromisoformat(day))]
        repo = git.Repo.init(root)
        repo.index.add(files)
        repo.index.commit("init", author=git.Actor("A", "a@example.com"), committer=git.Actor("A", "a@example.com"))
        result = CliRunner().invoke(app, ["--repo", str(root), "audit", "--format", "json", "--as-of", day])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["findings"] == [], (day, result.stdout)
