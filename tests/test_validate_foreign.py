"""Other tools' YAML beside the definitions, folders that are not definitions repositories, `rules --repo`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.validate_fixtures import PROBES, SERVICE, SLA
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.loader.documents import foreign_api_version, load_text

OPENSLO = """apiVersion: openslo/v1
kind: SLO
metadata: {name: gold-availability}
spec: {service: payments-api, budgetingMethod: Occurrences}
---
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: legacy}
spec: {}
"""

SLO_GENERATOR = """apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: payments-availability}
spec: {goal: 0.999}
"""


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False, env={"GITHUB_ACTIONS": ""})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "services.yaml").write_text(SERVICE, encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(SLA, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(PROBES, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("api", ["openslo/v1", "openslo/v1alpha", "openslo/v2beta", "sre.google.com/v2",
                                 "sre.google.com/v1"])
def test_other_tools_api_versions_are_foreign(api: str) -> None:
    assert foreign_api_version({"apiVersion": api, "kind": "SLO"}) == api
    loaded = load_text(f"apiVersion: {api}\nkind: SLO\nmetadata: {{name: x}}\nspec: {{}}\n", "x.yaml")
    assert loaded.findings == [] and loaded.documents == []


@pytest.mark.parametrize(("line", "message"), [
    ("apiVersion: slactl/v2\n", "apiVersion is 'slactl/v2'; slactl reads 'slactl/v1'"),
    ("apiVersion: slacktl/v1\n", "apiVersion is 'slacktl/v1'; slactl reads 'slactl/v1'"),
    ("apiVersion: v1\n", "apiVersion is 'v1'; slactl reads 'slactl/v1'"),
    ("", "apiVersion is missing"),
])
def test_missing_or_mistyped_api_version_is_still_an_error(line: str, message: str) -> None:
    loaded = load_text(line + "kind: Service\nmetadata: {id: s}\nspec: {}\n", "s.yaml")
    assert [(f.rule, f.line, f.message) for f in loaded.findings] == [("schema-api-version", 1, message)]
    assert len(loaded.documents) == 1


def test_openslo_and_slo_generator_files_beside_definitions_are_skipped(repo: Path) -> None:
    (repo / "openslo").mkdir()
    (repo / "openslo" / "slos.yaml").write_text(OPENSLO, encoding="utf-8")
    (repo / "slo-generator.yaml").write_text(SLO_GENERATOR, encoding="utf-8")
    # a file mixing a foreign document with a slactl one: only the slactl one is read
    (repo / "mixed.yaml").write_text(SLO_GENERATOR + "---\n" + SERVICE.replace("payments-api", "ledger"),
                                     encoding="utf-8")
    result = invoke("validate", "--repo", str(repo), "--format", "json", "--fail-on", "warning")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert data["summary"]["documents"] == 4 and data["summary"]["files"] == 6
    assert "schema-api-version" not in result.stdout


def test_exported_openslo_files_do_not_break_validate(repo: Path) -> None:
    exported = invoke("export", "openslo", "--agreement", "gold", "--out", str(repo / "openslo"), "--repo", str(repo))
    assert exported.exit_code == 0, exported.output
    assert list((repo / "openslo").glob("*.yaml"))
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "(3 documents)" in result.stdout and "schema-api-version" not in result.stdout


def test_a_mistyped_api_version_beside_foreign_files_is_reported(repo: Path) -> None:
    (repo / "slos.yaml").write_text(OPENSLO, encoding="utf-8")
    (repo / "typo.yaml").write_text(SERVICE.replace("slactl/v1", "slacktl/v1").replace("payments-api", "x"),
                                    encoding="utf-8")
    result = invoke("validate", "--repo", str(repo))
    assert result.exit_code == 1
    assert "typo.yaml:1:13" in result.stdout and "schema-api-version" in result.stdout
    assert "slos.yaml" not in result.stdout


def test_folder_that_is_not_a_definitions_repository_exits_2(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n", encoding="utf-8")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "pipeline.yaml").write_text("- step: build\n", encoding="utf-8")
    (tmp_path / "slos.yaml").write_text(OPENSLO, encoding="utf-8")
    result = invoke("validate", "--repo", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == (f"error: '{tmp_path.resolve()}' does not look like a slactl definitions repository: "
                        "no slactl.toml, no [tool.slactl] in pyproject.toml, and none of the 3 YAML file(s) read "
                        "holds an 'apiVersion: slactl/v1' document")
    assert "--repo DIR" in lines[1] and "slactl.toml" in lines[1] and "slactl init" in lines[1]
    assert "docker-compose" not in result.stderr


def test_current_folder_that_is_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes.yaml").write_text("title: shopping\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 2 and "does not look like a slactl definitions repository" in result.stderr


def test_empty_folder_without_settings_is_not_a_repository(tmp_path: Path) -> None:
    result = invoke("validate", "--repo", str(tmp_path))
    assert result.exit_code == 2
    assert "it holds no YAML file with an 'apiVersion: slactl/v1' document" in result.stderr


def test_empty_folder_with_slactl_toml_is_clean(tmp_path: Path) -> None:
    (tmp_path / "slactl.toml").write_text("", encoding="utf-8")
    result = invoke("validate", "--repo", str(tmp_path))
    assert result.exit_code == 0, result.output


def test_pyproject_tool_slactl_marks_a_repository(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.slactl]\nstore = ".slactl/store"\n', encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("title: shopping\n", encoding="utf-8")
    result = invoke("validate", "--repo", str(tmp_path))
    assert result.exit_code == 1
    assert "notes.yaml:1:1" in result.stdout and "schema-api-version" in result.stdout


def test_pyproject_without_tool_slactl_does_not(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("title: shopping\n", encoding="utf-8")
    result = invoke("validate", "--repo", str(tmp_path))
    assert result.exit_code == 2 and "does not look like" in result.stderr


def test_one_slactl_document_among_foreign_files_makes_a_repository(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("title: shopping\n", encoding="utf-8")
    (tmp_path / "svc.yaml").write_text(SERVICE.replace("slactl/v1", "slactl/v2"), encoding="utf-8")
    result = invoke("validate", "--repo", str(tmp_path))
    assert result.exit_code == 1
    assert "notes.yaml:1:1" in result.stdout and "svc.yaml:1:13" in result.stdout


def test_rules_takes_repo(tmp_path: Path) -> None:
    result = invoke("rules", "--repo", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rules"]
    missing = invoke("rules", "--repo", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert invoke("--repo", str(tmp_path), "rules").exit_code == 0
