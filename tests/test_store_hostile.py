"""Hostile data files: times beyond what the store can hold, impossible dates in `formats`, long
values and stray quotes all become problems by file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from store_helpers import Repo, problems

HEADER = "time,service,status\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def _times(repo: Repo) -> list[pd.Timestamp]:
    return repo.store.read("probes")["time"].tolist()


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:00+01:00", "1677-09-22T00:00:00Z"])
def test_time_beyond_the_store_with_offset_is_a_row_problem(repo: Repo, value: str) -> None:
    repo.source("probes", "probes", "data/*.csv")
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\n"
              f"{value},web,up\n"
              "2026-10-01T00:01:00Z,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-unparsable", "error")]
    message = report.problems[0].message  # a time the CSV reader parsed is shown as it read it
    assert f"value '{value[:10]}" in message and "is outside the years 1678 to 2261" in message
    assert report.rows_added == 2 and report.rows_skipped == 1
    assert _times(repo) == [pd.Timestamp("2026-10-01T00:00Z"), pd.Timestamp("2026-10-01T00:01Z")]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Asia/Tokyo", "America/New_York"])
def test_naive_time_beyond_the_store_with_timezone_is_a_row_problem(repo: Repo, zone: str) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone=zone)
    repo.data("data/a.csv", HEADER + "2026-10-01 00:00,web,up\n"
              "9999-12-31 23:59,web,up\n"
              "0001-01-01 00:00,web,up\n"
              "2262-04-11 23:00,web,up\n"   # fits in int64 as a wall time, not once moved by a zone
              "1677-09-21 00:30,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", line, "data-time-unparsable", "error") for line in (3, 4, 5, 6)]
    assert "'9999-12-31 23:59' is outside the years 1678 to 2261 slactl can hold; row skipped" in (
        report.problems[0].message)
    assert report.rows_added == 1 and report.rows_skipped == 4


def test_formats_time_beyond_the_store_is_a_row_problem(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="Europe/London",
                formats='{time: "%d/%m/%Y %H:%M"}')
    repo.data("data/a.csv", HEADER + "01/10/2026 10:00,web,up\n31/12/9999 23:59,web,up\n01/01/0001 00:00,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-unparsable", "error"),
                                ("data/a.csv", 4, "data-time-unparsable", "error")]
    assert "outside the years 1678 to 2261" in report.problems[0].message
    assert report.rows_added == 1 and report.rows_skipped == 2


def test_formats_with_offset_time_beyond_the_store_is_a_row_problem(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", formats='{time: "%d/%m/%Y %H:%M%z"}')
    repo.data("data/a.csv", HEADER + "01/10/2026 10:00+0100,web,up\n31/12/9999 23:59+0000,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-unparsable", "error")]
    assert "outside the years 1678 to 2261" in report.problems[0].message
    assert _times(repo) == [pd.Timestamp("2026-10-01T09:00Z")]


def test_formats_reject_impossible_dates_instead_of_rolling_over(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", formats='{time: "%d/%m/%Y %H:%M"}')
    repo.data("data/a.csv", HEADER + "1/9/2026 7:05,web,up\n"  # not zero-padded: valid
              "31/09/2026 10:00,web,up\n"     # no 31 September: not 1 October
              "29/02/2026 10:00,web,up\n"     # 2026 is no leap year: not 1 March
              "30/09/2026 10:00,web,up\n"
              "29/02/2028 10:00,web,up\n"     # 2028 is
              "31/04/2026 10:00,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", line, "data-time-unparsable", "error") for line in (3, 4, 7)]
    assert "'31/09/2026 10:00' is not a time in the format '%d/%m/%Y %H:%M'" in report.problems[0].message
    assert report.rows_added == 3 and report.rows_skipped == 3
    assert sorted(_times(repo)) == [pd.Timestamp("2026-09-01T07:05Z"), pd.Timestamp("2026-09-30T10:00Z"),
                                    pd.Timestamp("2028-02-29T10:00Z")]


@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("%Y-%m-%dT%H:%M:%S%z", "2026-09-30T10:00:00+02:00", "2026-09-31T10:00:00+02:00"),
    ("%d %b %Y %H:%M", "30 Sep 2026 10:00", "31 Sep 2026 10:00"),      # month by name: Python decides
    ("%d/%m/%y %H:%M:%S", "28/02/26 10:00:59", "28/02/26 10:00:60"),   # no second 60 either
])
def test_formats_reject_impossible_dates_in_other_formats(repo: Repo, fmt: str, good: str, bad: str) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", formats=f'{{time: "{fmt}"}}')
    repo.data("data/a.csv", HEADER + f"{good},web,up\n{bad},web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-unparsable", "error")]
    assert report.rows_added == 1


def test_unknown_service_message_and_hint_cut_long_values(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", HEADER + "2026-10-01 00:00," + "x" * 100_000 + ",up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 2, "data-unknown-service", "warning")]
    problem = report.problems[0]
    assert "'" + "x" * 39 + "…'" in problem.message
    assert len(problem.message) < 200 and len(problem.hint or "") < 200


def test_unterminated_quote_is_one_clear_problem_and_every_lost_row_counted(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", HEADER + "2026-10-01 00:00,web,up\n"
              '"2026-10-01 00:01,web,up\n'
              "2026-10-01 00:02,web,up\n"
              "2026-10-01 00:03,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-row-malformed", "error")]
    assert report.problems[0].message == ("a quoted cell starting here is never closed; "
                                          "the rest of the file (3 line(s)) could not be read")
    assert report.rows_added == 1 and report.rows_skipped == 3


def test_unterminated_quote_in_the_first_row_is_no_empty_file(repo: Repo) -> None:
    repo.source("changes", "changes", "data/*.csv", timezone="UTC")
    repo.data("data/c.csv", "id,service,type,planned_start,planned_end,outcome\n"
              '"MI-1,web,normal,2026-10-05T10:00:00Z,2026-10-05T11:00:00Z,successful\n'
              "MI-2,web,normal,2026-10-06T10:00:00Z,2026-10-06T11:00:00Z,successful\n")
    report = repo.ingest()
    assert problems(report) == [("data/c.csv", 2, "data-row-malformed", "error")]
    assert "(2 line(s)) could not be read" in report.problems[0].message
    assert report.rows_added == 0 and report.rows_skipped == 2


def test_unterminated_quote_in_the_last_cell_is_no_row(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", HEADER + "2026-10-01 00:00,web,up\n"
              '2026-10-01 00:01,web,"up\n'
              "2026-10-01 00:02,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-row-malformed", "error")]
    assert report.rows_added == 1 and report.rows_skipped == 2


def test_quoted_line_break_that_is_closed_is_still_fine(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", HEADER + '2026-10-01 00:00,web,"up\n"\n2026-10-01 00:01,web,up\n')
    report = repo.ingest()
    assert report.problems == [] and report.rows_added == 2
    assert repo.store.read("probes")["_line"].tolist() == [2, 4]


def test_quoted_source_lines_are_cut(tmp_path: Path) -> None:
    # `slactl changes check` (and validate) quote the line of each finding: never a 2 MB cell whole
    from slactl.reporters.base import QUOTE_CHARS, FindingsReport

    long_line = "MI-1,web,normal," + "y" * 5000
    report = FindingsReport(findings=[], sources={"data/c.csv": f"id,service\n{long_line}\nMI-2,web\n"})
    quoted = report.source_line("data/c.csv", 2)
    assert quoted is not None and len(quoted) == QUOTE_CHARS and quoted.endswith("…")
    assert report.source_line("data/c.csv", 3) == "MI-2,web" and report.source_line("data/c.csv", 9) is None


def test_a_glob_that_matches_nothing_is_a_warning_at_the_datasource(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC")
    repo.data("data/probes/a.csv", "time,service,status\n2026-10-01T00:00:00Z,web,up\n")
    assert repo.ingest().rows_added == 1
    repo.source("probes", "probes", "'data/probes/[.csv'", timezone="UTC")
    report = repo.ingest()
    (problem,) = [p for p in report.problems if p.rule == "data-path-empty"]
    assert (problem.file, problem.line, problem.severity) == ("sources/probes.yaml", 6, "warning")
    assert "the 1 file(s) ingested from it before are dropped" in problem.message
    assert report.files_removed == ["data/probes/a.csv"]


@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("%d/%m/%Y %T", "05/01/2026 10:00:00", "31/09/2026 10:00:00"),
    ("%e/%m/%Y %H:%M:%S", " 5/01/2026 10:00:00", "31/09/2026 10:00:00"),
    ("%d %h %Y %H:%M", "05 Jan 2026 10:00", "31 Sep 2026 10:00"),
    ("%d/%m/%C%y %R", "05/01/2026 10:00", None),  # %C: Python cannot check it, Arrow's reading stands
])
def test_formats_with_directives_python_lacks_keep_their_good_rows(repo: Repo, fmt: str, good: str,
                                                                   bad: str | None) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", formats=f'{{time: "{fmt}"}}')
    repo.data("data/a.csv", HEADER + f"{good},web,up\n" + (f"{bad},web,up\n" if bad else ""))
    report = repo.ingest()
    assert report.rows_added == 1, problems(report)
    assert [p[1] for p in problems(report)] == ([3] if bad else [])


def test_an_unclosed_quote_in_a_large_export_is_one_problem_not_a_crash(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    rows = [f"2026-10-01T{h:02d}:{m:02d}:00Z,web,up" for h in range(24) for m in range(60)] * 14  # 20,160 rows
    rows[4] = '"' + rows[4]  # line 6 opens a quote that never closes
    repo.data("data/a.csv", HEADER + "\n".join(rows) + "\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 6, "data-row-malformed", "error")]
    assert report.rows_added == 4 and report.rows_skipped == len(rows) - 4


def test_dates_with_month_names_that_do_not_exist_are_refused() -> None:
    import pyarrow as pa

    from slactl.store.timeparse import parse_times

    values = [f"{day:02d} {month} 2026 10:00" for day in range(1, 32) for month in ("January", "Feb", "sep", "OCT")]
    parsed = parse_times(pa.chunked_array([pa.array(values)]), "%d %B %Y %H:%M", "UTC")
    bad = {values[i] for i in range(len(values)) if parsed.bad[i]}
    assert bad == {"29 Feb 2026 10:00", "30 Feb 2026 10:00", "31 Feb 2026 10:00", "31 sep 2026 10:00"}

