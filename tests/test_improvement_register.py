"""The CSI register: list, show, add and set, editing YAML in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from improvement_repo import REGISTER, write_repo
from slactl.cli.main import app
from slactl.improvement.register import (
    RegisterError,
    add_improvement,
    list_entries,
    parse_assignments,
    sanitise_id,
    set_fields,
)
from slactl.loader import load_repository

runner = CliRunner()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path)


def run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_list_filters(repo: Path) -> None:
    load = load_repository(repo)
    assert [e.id for e in list_entries(load)] == ["faster-failover", "old-attempt", "report-cache"]
    assert [e.id for e in list_entries(load, status=["failed"])] == ["old-attempt"]
    assert [e.id for e in list_entries(load, service="reporting")] == ["report-cache"]
    assert [e.id for e in list_entries(load, agreement="payments-gold")] == ["faster-failover", "old-attempt"]


def test_set_keeps_comments_order_and_quotes(repo: Path) -> None:
    load = load_repository(repo)
    done = set_fields(repo, load, "faster-failover", parse_assignments(["status=validated", "outcome=Failover in 40s"]))
    text = (repo / "improvements/register.yaml").read_text()
    updated = done.changed["updated"].isoformat()
    expected = REGISTER.replace("status: implemented", "status: validated").replace(
        "  implemented: 2026-07-15\n", f"  implemented: 2026-07-15\n  outcome: Failover in 40s\n  updated: {updated}\n"
    )
    assert text == expected
    assert not list(repo.glob("improvements/.*.tmp"))


def test_set_refuses_failed_without_lessons(repo: Path) -> None:
    load = load_repository(repo)
    before = (repo / "improvements/register.yaml").read_text()
    with pytest.raises(RegisterError, match="lessons learned"):
        set_fields(repo, load, "report-cache", parse_assignments(["status=failed"]))
    assert (repo / "improvements/register.yaml").read_text() == before


def test_set_refuses_invalid_value_naming_line(repo: Path) -> None:
    load = load_repository(repo)
    with pytest.raises(RegisterError) as caught:
        set_fields(repo, load, "faster-failover", parse_assignments(["phase=later"]))
    assert "line 14, column 10: 'spec.phase'" in caught.value.message


def test_unknown_field_suggests(repo: Path) -> None:
    with pytest.raises(RegisterError) as caught:
        parse_assignments(["stauts=closed"])
    assert "did you mean 'status'" in (caught.value.hint or "")


def test_bad_date_and_number() -> None:
    with pytest.raises(RegisterError, match="not a date"):
        parse_assignments(["started=July"])
    with pytest.raises(RegisterError, match="not a number"):
        parse_assignments(["investment=lots"])


def test_add_new_file_and_warn_about_failed_predecessor(repo: Path) -> None:
    load = load_repository(repo)
    values = parse_assignments([
        "title=Retry payments", "source=breach", "services=payments-api",
        "expected.objective=payments-gold/availability", "score.impact=3", "score.recurrence=2", "score.cost=1",
    ])
    done = add_improvement(repo, load, "retry-payments", values)
    assert done.file == "improvements/retry-payments.yaml"
    assert len(done.warnings) == 1 and "Pool size was not the bottleneck" in done.warnings[0]
    reloaded = load_repository(repo)
    assert reloaded.get("Improvement", "retry-payments").model.spec.score.cost == 1
    assert not [f for f in reloaded.findings if f.file == done.file]


def test_add_appends_to_existing_file_keeping_it(repo: Path) -> None:
    load = load_repository(repo)
    add_improvement(repo, load, "more-cache", parse_assignments(["title=More cache", "source=review"]),
                    file="improvements/register.yaml")
    text = (repo / "improvements/register.yaml").read_text()
    assert text.startswith(REGISTER)
    assert text[len(REGISTER):].startswith("---\napiVersion: slactl/v1\nkind: Improvement\nmetadata:\n  id: more-cache\n")
    assert load_repository(repo).get("Improvement", "more-cache") is not None


def test_add_refusals(repo: Path) -> None:
    load = load_repository(repo)
    with pytest.raises(RegisterError, match="already exists"):
        add_improvement(repo, load, "faster-failover", {"title": "x", "source": "review"})
    with pytest.raises(RegisterError, match="not a valid id"):
        add_improvement(repo, load, "../Evil Id", {"title": "x", "source": "review"})
    with pytest.raises(RegisterError, match="outside the repository"):
        add_improvement(repo, load, "ok-id", {"title": "x", "source": "review"}, file="../elsewhere.yaml")
    with pytest.raises(RegisterError, match="required field"):
        add_improvement(repo, load, "no-title", {"source": "review"})
    with pytest.raises(RegisterError, match="service 'nope' is not defined"):
        add_improvement(repo, load, "bad-ref", {"title": "x", "source": "review", "services": ["nope"]})
    assert not (repo / "improvements/no-title.yaml").exists()


def test_set_keeps_header_comment_before_leading_marker(repo: Path) -> None:
    path = repo / "improvements/register.yaml"
    path.write_text("# owned by the CSI board\n---\n" + REGISTER, encoding="utf-8")
    set_fields(repo, load_repository(repo), "report-cache", parse_assignments(["phase=do"]))
    text = path.read_text()
    assert text.startswith("# owned by the CSI board\n---\n# The CSI register for payments\n")
    assert "  status: identified\n  phase: do\n" in text


def test_add_to_unreadable_or_folder_file(repo: Path) -> None:
    load = load_repository(repo)
    (repo / "improvements/latin1.yaml").write_bytes(b"# caf\xe9\n")
    with pytest.raises(RegisterError, match="not UTF-8"):
        add_improvement(repo, load, "x-one", {"title": "x", "source": "review"}, file="improvements/latin1.yaml")
    (repo / "improvements/dir.yaml").mkdir()
    with pytest.raises(RegisterError, match="not a file"):
        add_improvement(repo, load, "x-two", {"title": "x", "source": "review"}, file="improvements/dir.yaml")


def test_existing_error_elsewhere_in_the_file_does_not_block(repo: Path) -> None:
    path = repo / "improvements/register.yaml"
    path.write_text(REGISTER + "---\napiVersion: slactl/v1\nkind: Improvement\nmetadata: {id: broken}\n"
                    "spec: {title: x, source: rumour}\n", encoding="utf-8")
    set_fields(repo, load_repository(repo), "report-cache", parse_assignments(["phase=do"]))
    assert "phase: do" in path.read_text() and "source: rumour" in path.read_text()
    with pytest.raises(RegisterError, match="spec.phase"):
        set_fields(repo, load_repository(repo), "report-cache", parse_assignments(["phase=later"]))


def test_sanitise_id() -> None:
    assert sanitise_id("../Evil Id!") == "evil-id"
    assert sanitise_id("") == "improvement"
    assert len(sanitise_id("a" * 100)) == 63


def test_cli_list_show_add_set(repo: Path) -> None:
    result = run("csi", "list", "--repo", str(repo), "--status", "failed")
    assert result.exit_code == 0
    assert result.output.startswith("old-attempt")
    result = run("csi", "show", "faster-failover", "--repo", str(repo), "--format", "json")
    data = json.loads(result.output)
    assert data["improvement"]["expected"]["target"] == 99.5 and "schema_version" in data
    result = run("csi", "add", "retry-payments", "title=Retry", "source=breach", "services=payments-api",
                 "agreements=payments-gold", "--repo", str(repo))
    assert result.exit_code == 0
    assert "added retry-payments in improvements/retry-payments.yaml" in result.output
    assert "Pool size was not the bottleneck" in result.output  # the warning (stderr is mixed in)
    result = run("csi", "set", "retry-payments", "status=failed", "--repo", str(repo))
    assert result.exit_code == 2
    assert "error: a failed improvement must record its lessons learned" in result.output
    result = run("csi", "set", "retry-payments", "status=failed", "lessons_learned=Retries doubled load",
                 "--repo", str(repo), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["changed"]["status"] == "failed"
    result = run("csi", "show", "nope", "--repo", str(repo))
    assert result.exit_code == 2 and "no Improvement with id 'nope'" in result.output


def test_cli_bad_scoring_settings(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, toml="[scoring]\nweights = {impact = -1}\n")
    result = run("csi", "list", "--repo", str(repo))
    assert result.exit_code == 2
    assert "[scoring] weights.impact" in result.output


def test_cli_add_file_is_relative_to_the_current_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)
    result = run("csi", "add", "retry-payments", "title=Retry", "source=breach", "--repo", repo.name,
                 "--file", f"{repo.name}/improvements/more.yaml")
    assert result.exit_code == 0, result.output
    assert "in improvements/more.yaml" in result.output
    assert (repo / "improvements/more.yaml").is_file()
    result = run("csi", "add", "other", "title=Other", "source=breach", "--repo", repo.name, "--file", "x.yaml")
    assert result.exit_code == 2 and "outside the repository" in result.output


def test_cli_show_text_prints_lists_and_mappings_for_people(repo: Path) -> None:
    result = run("csi", "show", "faster-failover", "--repo", str(repo))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "  services: payments-api" in lines and "  agreements: payments-gold" in lines
    assert "  score:" in lines and "    impact: 4" in lines
    assert "  expected:" in lines and "    target: 99.5" in lines
    assert "[" not in result.output and "{" not in result.output


def test_concurrent_sets_each_keep_their_change(repo: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    load = load_repository(repo)
    changes = [f"kpi=K{n}" if n == 0 else f"business_outcome=B{n}" if n == 1 else f"outcome=O{n}" for n in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda change: set_fields(repo, load, "faster-failover", parse_assignments([change])), changes))
    text = (repo / "improvements/register.yaml").read_text()
    assert "kpi: K0" in text and "business_outcome: B1" in text and "outcome: O2" in text


def test_set_refuses_a_file_with_a_yaml_error_elsewhere_naming_it(repo: Path) -> None:
    load = load_repository(repo)
    path = repo / "improvements/register.yaml"
    path.write_text(path.read_text() + "---\napiVersion: slactl/v1\nkind: Improvement\nmetadata: {id: z}\n"
                    "spec:\n  title: A\n  title: B\n", encoding="utf-8")
    before = path.read_text()
    with pytest.raises(RegisterError) as caught:
        set_fields(repo, load, "faster-failover", parse_assignments(["kpi=K"]))
    assert str(caught.value).startswith("improvements/register.yaml:") and "duplicate key" in str(caught.value)
    assert path.read_text() == before


def test_set_refuses_an_id_defined_twice(repo: Path) -> None:
    (repo / "improvements/copy.yaml").write_text(
        (repo / "improvements/register.yaml").read_text(), encoding="utf-8")
    with pytest.raises(RegisterError, match="defined 2 times"):
        set_fields(repo, load_repository(repo), "faster-failover", parse_assignments(["kpi=K"]))


def test_add_refuses_a_file_the_settings_leave_out(repo: Path) -> None:
    (repo / "slactl.toml").write_text('exclude = ["notes/**"]\n', encoding="utf-8")
    with pytest.raises(RegisterError, match="is not read as definitions"):
        add_improvement(repo, load_repository(repo), "lost-one", parse_assignments(["title=X", "source=review"]),
                        file="notes/lost.yaml")
    assert not (repo / "notes").exists()


def test_listing_shows_control_characters_instead_of_sending_them_to_the_terminal(repo: Path) -> None:
    set_fields(repo, load_repository(repo), "faster-failover", parse_assignments(["title=A\x1b]0;pwned\x07B"]))
    result = run("csi", "list", "--repo", str(repo))
    assert "\x1b" not in result.output and "\\x1b]0;pwned\\x07" in result.output
    shown = run("csi", "show", "faster-failover", "--repo", str(repo))
    assert "\x1b" not in shown.output


def test_set_and_add_keep_crlf_line_ends_and_a_byte_order_mark(repo: Path) -> None:
    path = repo / "improvements/register.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    set_fields(repo, load_repository(repo), "faster-failover", parse_assignments(["kpi=K"]))
    add_improvement(repo, load_repository(repo), "another-one", parse_assignments(["title=X", "source=review"]),
                    file="improvements/register.yaml")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert b"\n" not in data.replace(b"\r\n", b"") and b"kpi: K\r\n" in data and b"another-one" in data
    assert load_repository(repo).get("Improvement", "another-one") is not None


def test_a_read_only_register_file_is_not_replaced(repo: Path) -> None:
    path = repo / "improvements/register.yaml"
    before = path.read_text()
    path.chmod(0o444)
    try:
        with pytest.raises(RegisterError, match="read-only"):
            set_fields(repo, load_repository(repo), "faster-failover", parse_assignments(["kpi=K"]))
    finally:
        path.chmod(0o644)
    assert path.read_text() == before


def test_an_empty_list_value_removes_the_field(repo: Path) -> None:
    set_fields(repo, load_repository(repo), "faster-failover", parse_assignments(["services=payments-api"]))
    assert "services" in load_repository(repo).get("Improvement", "faster-failover").raw["spec"]
    set_fields(repo, load_repository(repo), "faster-failover", parse_assignments(["services="]))
    assert "services" not in load_repository(repo).get("Improvement", "faster-failover").raw["spec"]
