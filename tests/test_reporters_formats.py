"""Every reporter renders the same FindingsReport: text, json, github, junit and sarif."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from slactl.findings import Finding, Severity
from slactl.reporters import REPORTERS, FindingsReport, default_format
from slactl.rules.listing import all_rules

SOURCE = "apiVersion: slactl/v1\nkind: SLA\nspec:\n  services: [payments-apii]\n"


def report(**kwargs: object) -> FindingsReport:
    findings = [
        Finding("slas/gold.yaml", 4, 14, "ref-unknown", Severity.ERROR, "services 'payments-apii': no Service, has: this id",
                "did you mean 'payments-api'?"),
        Finding("slas/gold.yaml", 2, 7, "review-overdue", Severity.WARNING, "50% done\nsecond line"),
        Finding("services/x.yaml", 1, 1, "yaml-empty", Severity.INFO, "nothing <here> & 'there'"),
    ]
    defaults = dict(findings=sorted(findings), files=["services/x.yaml", "slas/gold.yaml", "slas/silver.yaml"],
                    documents=4, sources={"slas/gold.yaml": SOURCE})
    defaults.update(kwargs)
    return FindingsReport(**defaults)  # type: ignore[arg-type]


def test_registry_names_every_format() -> None:
    assert set(REPORTERS) == {"text", "json", "github", "junit", "sarif"}
    for name, cls in REPORTERS.items():
        assert cls.name == name and cls.description


def test_default_format() -> None:
    assert default_format(None, {}) == "text"
    assert default_format(None, {"GITHUB_ACTIONS": "true"}) == "github"
    assert default_format("json", {"GITHUB_ACTIONS": "true"}) == "json"


def test_text_groups_by_file_with_caret() -> None:
    text = REPORTERS["text"]().render(report())
    lines = text.splitlines()
    assert lines[0] == "services/x.yaml"
    assert lines[1].startswith("  services/x.yaml:1:1  info     yaml-empty  nothing <here>")
    gold = lines.index("slas/gold.yaml")
    assert lines[gold + 1].startswith("  slas/gold.yaml:2:7  warning  review-overdue  50% done")
    at = next(i for i, line in enumerate(lines) if "slas/gold.yaml:4:14" in line)
    assert lines[at + 1] == "    4 |   services: [payments-apii]"
    assert lines[at + 2] == "      |              ^"
    assert lines[at + 3] == "    hint: did you mean 'payments-api'?"
    assert lines[-1] == "1 error, 1 warning, 1 info in 3 files (4 documents)"
    assert "\x1b[" not in text


def test_text_with_color_and_markup_in_messages() -> None:
    findings = [Finding("a.yaml", 1, 1, "x", Severity.ERROR, "[bold]not markup[/bold]")]
    text = REPORTERS["text"]().render(FindingsReport(findings=findings, files=["a.yaml"]), color=True)
    assert "[bold]not markup[/bold]" in text
    assert "\x1b[" in text


def test_text_without_findings() -> None:
    assert REPORTERS["text"]().render(FindingsReport(findings=[], files=["a.yaml"], documents=2)) == \
        "no problems in 1 file (2 documents)\n"


def test_json_shape_and_envelope() -> None:
    data = json.loads(REPORTERS["json"]().render(report(wrap=lambda **kw: {"schema_version": "1.0", **kw})))
    assert data["schema_version"] == "1.0"
    assert data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 1
    assert data["summary"]["files"] == 3 and data["summary"]["documents"] == 4
    assert list(data["findings"][1]) == ["rule", "severity", "message", "file", "line", "column", "hint"]


def test_json_paths_stay_relative_to_the_repository() -> None:
    data = json.loads(REPORTERS["json"]().render(report(prefix="defs")))
    assert data["findings"][0]["file"] == "services/x.yaml"  # SPEC 4.1: relative to the repository root
    assert data["repository"] == "defs"


def test_github_workflow_commands_are_escaped() -> None:
    lines = REPORTERS["github"]().render(report()).splitlines()
    assert lines[0] == "::notice file=services/x.yaml,line=1,col=1,title=yaml-empty::nothing <here> & 'there'"
    assert lines[1] == "::warning file=slas/gold.yaml,line=2,col=7,title=review-overdue::50%25 done%0Asecond line"
    assert lines[2] == ("::error file=slas/gold.yaml,line=4,col=14,title=ref-unknown::services 'payments-apii': "
                        "no Service, has: this id%0Ahint: did you mean 'payments-api'?")
    assert REPORTERS["github"]().render(report(prefix="a,b:c")).splitlines()[0].startswith(
        "::notice file=a%2Cb%3Ac/services/x.yaml,")


def test_junit_is_well_formed_with_a_case_per_file() -> None:
    text = REPORTERS["junit"]().render(report())
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "3"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"services/x.yaml", "slas/gold.yaml", "slas/silver.yaml"}
    assert cases["slas/silver.yaml"].find("failure") is None
    failures = cases["slas/gold.yaml"].findall("failure")
    assert [f.get("type") for f in failures] == ["review-overdue", "ref-unknown"]
    assert "hint: did you mean 'payments-api'?" in (failures[1].text or "")
    assert "nothing <here> & 'there'" in cases["services/x.yaml"].find("failure").get("message")  # type: ignore[union-attr]


# The required structure of SARIF 2.1.0 (sarif-schema-2.1.0.json) for what slactl writes.
SARIF_SHAPE = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string"},
                                "shortDescription": {"$ref": "#/$defs/message"},
                                "fullDescription": {"$ref": "#/$defs/message"},
                                "help": {"$ref": "#/$defs/message"},
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"enum": ["none", "note", "warning", "error"]}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": {"$ref": "#/$defs/message"},
                        "locations": {"type": "array", "items": {"type": "object", "properties": {
                            "physicalLocation": {"type": "object", "properties": {
                                "artifactLocation": {"type": "object", "properties": {
                                    "uri": {"type": "string"}, "uriBaseId": {"type": "string"}}},
                                "region": {"type": "object", "properties": {
                                    "startLine": {"type": "integer", "minimum": 1},
                                    "startColumn": {"type": "integer", "minimum": 1}}},
                            }}}}},
                    }}},
            }}},
    },
    "$defs": {"message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
                          "properties": {"text": {"type": "string"}, "markdown": {"type": "string"}}}},
}


def test_sarif_matches_the_required_structure() -> None:
    sarif = json.loads(REPORTERS["sarif"]().render(report()))
    jsonschema.validate(sarif, SARIF_SHAPE)
    driver = sarif["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == [rule.id for rule in all_rules()]
    results = sarif["runs"][0]["results"]
    assert [r["level"] for r in results] == ["note", "warning", "error"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    unknown = driver["rules"][ids.index("ref-unknown")]
    assert "Bad:" in unknown["help"]["text"] and unknown["defaultConfiguration"]["level"] == "error"
    assert results[2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 14}


def test_sarif_lists_rules_of_other_commands_too() -> None:
    findings = [Finding("a.yaml", 1, 1, "custom-check", Severity.ERROR, "m")]
    sarif = json.loads(REPORTERS["sarif"]().render(FindingsReport(findings=findings, command="audit")))
    jsonschema.validate(sarif, SARIF_SHAPE)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["rules"][sarif["runs"][0]["results"][0]["ruleIndex"]]["id"] == "custom-check"


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_reporter_handles_no_findings(name: str) -> None:
    text = REPORTERS[name]().render(FindingsReport(findings=[], files=[]))
    assert text.endswith("\n")
