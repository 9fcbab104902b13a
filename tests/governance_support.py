"""Real temporary git repositories for the governance tests: files, commits with authors, dates and trailers."""

from __future__ import annotations

from pathlib import Path

import git


class GitRepoBuilder:
    """A git working tree under `root` with helpers to write definitions and commit them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.repo = git.Repo.init(root, initial_branch="main")
        with self.repo.config_writer() as config:
            config.set_value("user", "name", "Test Runner")
            config.set_value("user", "email", "runner@example.com")
            config.set_value("commit", "gpgsign", "false")

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def move(self, old: str, new: str) -> None:
        target = self.root / new
        target.parent.mkdir(parents=True, exist_ok=True)
        self.repo.git.mv(old, new)

    def commit(
        self,
        message: str,
        author: str = "Alice Author",
        email: str = "alice@example.com",
        when: str = "2026-01-10T10:00:00+00:00",
    ) -> str:
        self.repo.git.add("-A")
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": when,
        }
        with self.repo.git.custom_environment(**env):
            self.repo.git.commit("--allow-empty", "-m", message)
        return self.repo.head.commit.hexsha

    def branch(self, name: str) -> None:
        self.repo.git.checkout("-b", name)

    def checkout(self, name: str) -> None:
        self.repo.git.checkout(name)

    def merge(self, branch: str, message: str, when: str = "2026-01-20T10:00:00+00:00") -> str:
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
               "GIT_AUTHOR_NAME": "Merge Bot", "GIT_AUTHOR_EMAIL": "bot@example.com",
               "GIT_COMMITTER_NAME": "Merge Bot", "GIT_COMMITTER_EMAIL": "bot@example.com"}
        with self.repo.git.custom_environment(**env):
            self.repo.git.merge("--no-ff", branch, "-m", message)
        return self.repo.head.commit.hexsha


def sla(
    *,
    version: int = 1,
    target: float = 99.9,
    status: str = "active",
    name: str = "Payments platform, Gold customers",
    approvers: tuple[str, ...] = ("Jane Doe", "Raj Patel"),
    changelog: str = "",
    id_: str = "payments-gold",
    extra_objective: str = "",
    credits: str = "",
    exclusions: str = "",
    review: str = "",
    expires: str = "",
) -> str:
    """An SLA document; `changelog` is the YAML of extra changelog items (indented 4 spaces)."""
    approver_lines = "".join(f"    - {a}\n" for a in approvers)
    return (
        "apiVersion: slactl/v1\n"
        "kind: SLA\n"
        "metadata:\n"
        f"  id: {id_}\n"
        f"  name: {name}\n"
        "  owner: team-payments\n"
        "spec:\n"
        "  level: customer\n"
        "  customer: Acme Retail\n"
        "  services: [payments-api]\n"
        f"  status: {status}\n"
        f"  version: {version}\n"
        "  effective: 2026-01-01\n"
        + (f"  expires: {expires}\n" if expires else "")
        + review
        + "  approvers:\n" + approver_lines
        + "  changelog:\n"
        "    - version: 1\n"
        "      date: 2026-01-01\n"
        "      summary: First version\n"
        "      approvals: [{by: Jane Doe, on: 2025-12-20}, {by: Raj Patel, on: 2025-12-21}]\n"
        + changelog
        + exclusions
        + "  objectives:\n"
        "    - id: availability\n"
        "      indicator: availability\n"
        "      source: probes\n"
        f"      target: {target}\n"
        + credits
        + extra_objective
    )


def changelog_entry(version: int, approvals: str = "[{by: Jane Doe, on: 2026-02-01}, {by: Raj Patel, on: 2026-02-02}]",
                    when: str = "2026-02-03") -> str:
    return (
        f"    - version: {version}\n"
        f"      date: {when}\n"
        f"      summary: Amendment {version}\n"
        f"      approvals: {approvals}\n"
    )


SUPPORT = """apiVersion: slactl/v1
kind: Service
metadata: {id: payments-api, owner: team-payments}
spec: {tier: critical}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: probes}
spec: {type: probes, path: data/probes/*.csv, timezone: UTC, interval: 60s}
"""
