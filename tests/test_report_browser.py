"""The HTML report in real headless Chromium: no console errors, charts drawn, hostile names inert."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from report_support import load, reports, write_definitions
from slactl.report.render import Renderer, render_text
from slactl.report.viewmodel import ReportInputs, build_view

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHECK_TEMPLATES = Path(__file__).parent / "fixtures" / "report_templates"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0"]

if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)


def chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def render(tmp_path: Path, view: str, name: str = "Payments platform, Gold customers",
           template: str | None = None) -> Path:
    repo = tmp_path / "repo"
    write_definitions(repo, name)
    history = reports()
    data = build_view(ReportInputs("2026-10", history[-1], load(repo), history[:-1]), view,
                      generated_at="2026-11-02T09:00:00+00:00", tool_version="0.1.0")
    renderer = Renderer(CHECK_TEMPLATES if template else None)
    page = tmp_path / f"{view}{'-check' if template else ''}.html"
    page.write_text(render_text(renderer, data, "html", template), encoding="utf-8")
    return page


def check_result(tmp_path: Path, page: Path) -> dict:
    run = chromium(tmp_path, page, "--virtual-time-budget=3000", "--dump-dom")
    match = re.search(r'<pre id="check">(.*?)</pre>', run.stdout, re.S)
    assert match, f"no check output; stderr: {run.stderr[-2000:]}"
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.parametrize("view", ["manager", "executive", "technical"])
def test_report_renders_without_console_errors(tmp_path: Path, view: str) -> None:
    page = render(tmp_path, view)
    run = chromium(tmp_path, page, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_messages(run.stderr) == []  # no script errors, no CSP violations, nothing fetched
    assert "<svg" in run.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{view}.png"
    run = chromium(tmp_path, page, "--window-size=1200,2400", "--hide-scrollbars", f"--screenshot={shot}")
    assert run.returncode == 0 and shot.stat().st_size > 10_000


def test_charts_are_present_and_visible(tmp_path: Path) -> None:
    result = check_result(tmp_path, render(tmp_path, "manager", template="check.html.j2"))
    assert result["errors"] == [] and result["alerts"] == 0
    ids = {c["id"] for c in result["charts"]}
    assert {"c-overall-trend", "c-trend-payments-gold_availability", "c-burn-payments-gold_availability",
            "c-spark-payments-gold_availability"} <= ids
    for chart in result["charts"]:
        assert chart["visible"] and chart["width"] > 0 and chart["height"] > 0, chart
        assert chart["title"], chart


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_hostile_agreement_name_runs_nothing(tmp_path: Path, name: str) -> None:
    result = check_result(tmp_path, render(tmp_path, "manager", name, template="check.html.j2"))
    assert result["alerts"] == 0
    assert result["title"] == "Service review 2026-10: Service manager's report"
    assert f"SLA payments-gold: {name}" in result["headings"]  # shown as text
