"""The report archive: versions never overwritten, manifests with hashes, verification that says what changed."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.report.archive import check_archive, git_state, input_files, verify_archive, write_archive

OUTPUTS = {"service-review-2026-10-manager.md": b"# review\n", "service-review-2026-10-manager.html": b"<html></html>"}


def archive_once(root: Path, **changes) -> Path:
    args = dict(period="2026-10", view="manager", outputs=OUTPUTS,
                inputs=[{"path": "slas/a.yaml", "role": "definition", "sha256": "0" * 64}],
                git={"commit": None, "dirty": None}, generator_version="0.1.0")
    args.update(changes)
    return write_archive(root, **args)


def writable(folder: Path) -> None:
    os.chmod(folder, 0o755)
    for path in folder.iterdir():
        os.chmod(path, 0o644)


def test_layout_manifest_and_read_only(tmp_path: Path) -> None:
    folder = archive_once(tmp_path / "archive")
    assert folder == tmp_path / "archive" / "2026-10" / "manager" / "v1"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2026-10" and manifest["view"] == "manager" and manifest["version"] == 1
    assert manifest["generator"] == {"name": "slactl", "version": "0.1.0"}
    assert manifest["definitions"] == {"commit": None, "dirty": None}
    assert manifest["inputs"][0]["path"] == "slas/a.yaml"
    assert {o["path"]: o["sha256"] for o in manifest["outputs"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in OUTPUTS.items()}
    assert "created_at" in manifest
    for path in folder.iterdir():
        assert not path.stat().st_mode & stat.S_IWUSR, path
    assert not folder.stat().st_mode & stat.S_IWUSR
    assert verify_archive(folder) == []


def test_second_run_is_a_new_version(tmp_path: Path) -> None:
    first = archive_once(tmp_path)
    before = (first / "manifest.json").read_bytes()
    second = archive_once(tmp_path, outputs={"r.md": b"changed"})
    assert second.name == "v2" and (first / "manifest.json").read_bytes() == before
    (tmp_path / "2026-10" / "manager" / "v3").mkdir()  # a folder someone made by hand is skipped, not reused
    assert archive_once(tmp_path).name == "v4"
    assert archive_once(tmp_path, view="executive").name == "v1"


def test_verify_reports_each_kind_of_change(tmp_path: Path) -> None:
    folder = archive_once(tmp_path)
    writable(folder)
    md = folder / "service-review-2026-10-manager.md"
    expected = hashlib.sha256(OUTPUTS[md.name]).hexdigest()
    md.write_bytes(b"# review, edited\n")
    actual = hashlib.sha256(b"# review, edited\n").hexdigest()
    (folder / "service-review-2026-10-manager.html").unlink()
    (folder / "notes.txt").write_text("added later", encoding="utf-8")
    assert verify_archive(folder) == [
        "service-review-2026-10-manager.html: file missing",
        f"service-review-2026-10-manager.md: file modified (expected sha256 {expected}, actual {actual})",
        "notes.txt: extra file not in the manifest",
    ]


def test_verify_a_whole_archive_names_the_version(tmp_path: Path) -> None:
    archive_once(tmp_path)
    second = archive_once(tmp_path)
    writable(second)
    (second / "manifest.json").write_text("{not json", encoding="utf-8")
    check = check_archive(tmp_path)
    assert check.folders == ["2026-10/manager/v1", "2026-10/manager/v2"]
    assert [p.kind for p in check.problems] == ["unreadable"]
    assert check.problems[0].message.startswith("2026-10/manager/v2/manifest.json: manifest unreadable")


def test_verify_unreadable_inputs(tmp_path: Path) -> None:
    assert verify_archive(tmp_path / "missing") == [f"{tmp_path / 'missing'}: does not exist"]
    assert "no manifest.json found" in verify_archive(tmp_path)[0]
    folder = archive_once(tmp_path)
    writable(folder)
    (folder / "manifest.json").write_text('{"period": "2026-10"}', encoding="utf-8")
    assert verify_archive(folder) == ["manifest.json: manifest unreadable (missing key 'outputs')"]


def test_cli_verify_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = archive_once(tmp_path)
    result = runner.invoke(app, ["report", "verify", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0 and "intact: 1 archived report(s) match their manifest" in result.output
    writable(folder)
    (folder / "service-review-2026-10-manager.md").write_bytes(b"tampered")
    result = runner.invoke(app, ["report", "verify", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "2026-10/manager/v1/service-review-2026-10-manager.md: file modified (expected sha256" in result.output
    assert "altered: 1 difference(s) from the manifest" in result.output
    result = runner.invoke(app, ["report", "verify", str(folder), "--format", "json"], catch_exceptions=False)
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["intact"] is False and data["problems"][0]["kind"] == "modified"
    assert {"schema_version", "tool_version", "generated_at"} <= set(data)
    result = runner.invoke(app, ["report", "verify", str(tmp_path / "nope")], catch_exceptions=False)
    assert result.exit_code == 2 and "does not exist" in result.output


def test_git_state_clean_dirty_and_absent(tmp_path: Path) -> None:
    assert git_state(tmp_path)["commit"] is None
    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    assert git_state(tmp_path)["commit"] is None  # no commit yet
    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    repo.index.add(["a.yaml"])
    commit = repo.index.commit("definitions").hexsha
    assert git_state(tmp_path) == {"commit": commit, "dirty": False}
    (tmp_path / "a.yaml").write_text("a: 2\n", encoding="utf-8")
    state = git_state(tmp_path)
    assert state["commit"] == commit and state["dirty"] is True and "uncommitted" in state["note"]


def test_reports_written_beside_the_definitions_do_not_make_them_uncommitted(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    repo.index.add(["sub/a.yaml"])
    repo.index.commit("definitions")
    (tmp_path / "sub" / "reports").mkdir()
    (tmp_path / "sub" / "reports" / "review.md").write_text("# review\n", encoding="utf-8")
    root = tmp_path / "sub"
    assert git_state(root, ["a.yaml"])["dirty"] is False  # an untracked report is no input
    assert git_state(root)["dirty"] is True  # without the inputs, anything untracked counts
    (root / "b.yaml").write_text("b: 1\n", encoding="utf-8")
    assert git_state(root, ["a.yaml", "b.yaml"])["dirty"] is True  # an untracked input does


def test_input_files_hash_definitions_and_data(tmp_path: Path) -> None:
    (tmp_path / "slas").mkdir()
    (tmp_path / "slas" / "a.yaml").write_bytes(b"x: 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p1.csv").write_bytes(b"time\n")
    (tmp_path / "data" / "p2.csv").write_bytes(b"time\n1\n")
    entries = input_files(tmp_path, ["slas/a.yaml", "slas/gone.yaml"], ["data/*.csv"])
    assert [(e["path"], e["role"]) for e in entries] == [
        ("data/p1.csv", "data"), ("data/p2.csv", "data"), ("slas/a.yaml", "definition")]
    assert entries[2]["sha256"] == hashlib.sha256(b"x: 1\n").hexdigest()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_archived_files_cannot_be_overwritten(tmp_path: Path) -> None:
    folder = archive_once(tmp_path)
    with pytest.raises(PermissionError):
        (folder / "service-review-2026-10-manager.md").write_text("overwrite", encoding="utf-8")


def test_cli_verify_reads_a_relative_path_from_the_current_folder(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    archive_once(tmp_path / "repo" / "archive")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--repo", "repo", "report", "verify", "repo/archive"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["--repo", "repo", "report", "verify", "archive"], catch_exceptions=False)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize("name", ["../../secret.txt", "SECRET_ABSOLUTE", "sub/../../secret.txt", "..\\secret.txt", ""])
def test_verify_refuses_manifest_paths_outside_the_version(tmp_path: Path, name: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n", encoding="utf-8")
    name = str(secret) if name == "SECRET_ABSOLUTE" else name
    folder = archive_once(tmp_path / "archive")
    writable(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"].append({"path": name, "sha256": hashlib.sha256(secret.read_bytes()).hexdigest()})
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    check = check_archive(folder)
    assert [(p.kind, p.path) for p in check.problems] == [("tampered", "manifest.json")]
    assert check.problems[0].message.startswith("manifest.json: manifest tampered: output '")
    assert check.problems[0].actual is None
    result = CliRunner().invoke(app, ["report", "verify", str(folder)], catch_exceptions=False)
    assert result.exit_code == 1 and "manifest tampered" in result.output and "hunter2" not in result.output


def test_verify_does_not_follow_links_out_of_the_archive(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n", encoding="utf-8")
    folder = archive_once(tmp_path / "archive")
    writable(folder)
    md = folder / "service-review-2026-10-manager.md"
    md.unlink()
    md.symlink_to(secret)
    (folder / "extra.txt").symlink_to(secret)
    check = check_archive(folder)
    assert sorted((p.kind, p.path, p.actual) for p in check.problems) == [
        ("extra", "extra.txt", None), ("tampered", "manifest.json", None)]
    assert "service-review-2026-10-manager.md" in next(p.message for p in check.problems if p.kind == "tampered")


def test_input_files_skip_data_outside_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "data" / "p1.csv").write_bytes(b"time\n")
    (tmp_path / "secret.csv").write_bytes(b"password\n")
    (root / "data" / "link.csv").symlink_to(tmp_path / "secret.csv")
    entries = input_files(root, [], ["data/*.csv", "../*.csv", str(tmp_path / "*.csv")])
    assert [e["path"] for e in entries] == ["data/p1.csv"]


def test_versions_written_at_once_get_their_own_numbers_and_leave_no_staging(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(_: int) -> Path:
        return write_archive(tmp_path / "arch", period="2026-10", view="manager", outputs={"r.md": b"# r\n"},
                             inputs=[], git={}, generator_version="t")

    with ThreadPoolExecutor(4) as pool:
        folders = list(pool.map(one, range(6)))
    assert sorted(f.name for f in folders) == [f"v{n}" for n in range(1, 7)]
    assert sorted(p.name for p in (tmp_path / "arch/2026-10/manager").iterdir()) == sorted(f.name for f in folders)
    assert verify_archive(tmp_path / "arch") == []
