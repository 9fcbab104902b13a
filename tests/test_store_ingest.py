"""Ingest of each DataSource type: normalised columns, time zones, mapping, and every data problem by line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from slactl.store import IngestError
from store_helpers import Repo, problems


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def test_probes_normalised_with_mapping_and_up_values(repo: Repo) -> None:
    repo.source("probes", "probes", "data/probes/*.csv", timezone="UTC",
                columns="{time: ts, service: svc, status: result}", up_values="[ok, 1]", interval="60s")
    repo.data("data/probes/a.csv", "ts,svc,result,extra\n"
              "2026-10-01T00:00:00Z,payments-api,OK ,x\n"
              "2026-10-01T00:01:00Z,payments-api,fail,y\n"
              "2026-10-01T00:02:00Z,web,1,z\n")
    report = repo.ingest()
    assert report.files_ingested == ["data/probes/a.csv"]
    assert report.rows_added == 3 and report.problems == []
    frame = repo.store.read("probes")
    assert list(frame.columns) == ["time", "service", "up", "_file", "_line"]
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    assert frame["up"].tolist() == [True, False, True]
    assert frame["service"].tolist() == ["payments-api", "payments-api", "web"]
    assert frame["_line"].tolist() == [2, 3, 4]
    assert frame["_file"].tolist() == ["data/probes/a.csv"] * 3


def test_time_zones_offsets_win_naive_take_declared_zone(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="Europe/London")
    repo.data("data/a.csv", "time,service,status\n"
              "2026-07-01T12:00:00+02:00,web,up\n"   # offset wins: 10:00 UTC
              "2026-07-01 12:00:00,web,up\n"          # naive, London summer time: 11:00 UTC
              "2026-12-01T12:00:00,web,up\n"          # naive, London winter: 12:00 UTC
              "2026-12-01T12:00:00Z,web,down\n")
    report = repo.ingest()
    assert report.problems == []
    times = repo.store.read("probes")["time"].dt.strftime("%Y-%m-%dT%H:%M").tolist()
    assert times == ["2026-07-01T10:00", "2026-07-01T11:00", "2026-12-01T12:00", "2026-12-01T12:00"]


def test_naive_time_without_zone_is_an_error_not_a_guess(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv")
    repo.data("data/a.csv", "time,service,status\n"
              "2026-10-01T00:00:00Z,web,up\n"
              "2026-10-01 00:01:00,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-naive", "error")]
    assert "declare `timezone:`" in report.problems[0].hint
    assert report.rows_added == 1 and report.rows_skipped == 1
    finding = report.findings()[0]
    assert (finding.file, finding.line, finding.column, finding.rule) == ("data/a.csv", 3, 1, "data-time-naive")


def test_day_first_formats_and_null_values(repo: Repo) -> None:
    repo.source("tickets", "tickets", "data/*.csv", timezone="Europe/London",
                formats='{opened_at: "%d/%m/%Y %H:%M", resolved_at: "%d/%m/%Y %H:%M"}',
                null_values='["-", "NULL"]')
    repo.data("data/t.csv", "id,service,priority,opened_at,resolved_at,category\n"
              "T1,web,P1,02/03/2026 09:00,02/03/2026 10:30,network\n"
              "T2,web,P2,13/07/2026 08:00,-,NULL\n")
    report = repo.ingest()
    assert report.problems == []
    frame = repo.store.read("tickets")
    assert frame["opened_at"].tolist() == [pd.Timestamp("2026-03-02T09:00Z"), pd.Timestamp("2026-07-13T07:00Z")]
    assert frame["resolved_at"].isna().tolist() == [False, True]
    assert frame["responded_at"].isna().all()
    assert frame["category"].tolist()[0] == "network" and pd.isna(frame["category"].tolist()[1])


def test_value_map_applies_before_up_values(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", up_values="[up]",
                value_map='{status: {"200": up, "503": down}, service: {"pay": payments-api}}')
    repo.data("data/a.csv", "time,service,status\n2026-10-01T00:00:00Z,pay,200\n2026-10-01T00:01:00Z,pay,503\n")
    report = repo.ingest()
    assert report.problems == []
    frame = repo.store.read("probes")
    assert frame["up"].tolist() == [True, False]
    assert frame["service"].tolist() == ["payments-api", "payments-api"]


def test_unparsable_time_and_missing_value_reported_by_line(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status\n"
              "2026-10-01T00:00:00Z,web,up\n"
              "yesterday,web,up\n"
              "2026-10-01T00:02:00Z,,up\n"
              "2026-10-01T00:03:00Z,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-unparsable", "error"),
                                ("data/a.csv", 4, "data-missing-value", "error")]
    assert "'yesterday'" in report.problems[0].message or "'yesterday'" in report.problems[1].message
    assert report.rows_skipped == 2 and report.rows_added == 2
    assert repo.store.read("probes")["_line"].tolist() == [2, 5]


def test_missing_columns_reject_the_file_with_headers_found(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", columns="{time: ts}")
    repo.data("data/a.csv", "timestamp,service,status\n2026-10-01T00:00:00Z,web,up\n")
    report = repo.ingest()
    assert report.files_rejected == ["data/a.csv"]
    [problem] = report.problems
    assert (problem.line, problem.rule, problem.severity) == (1, "data-missing-column", "error")
    assert "'ts' (for time)" in problem.message and "'timestamp'" in problem.message
    assert "columns" in problem.hint


def test_repeated_header_rejects_the_file_naming_the_header(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status,status\n2026-10-01T00:00:00Z,svc,up,up\n")
    repo.data("data/b.csv", "time,service,status\n2026-10-01T00:00:00Z,svc,up\n")
    report = repo.ingest()
    assert report.files_rejected == ["data/a.csv"]
    assert problems(report)[0] == ("data/a.csv", 1, "data-duplicate-column", "error")
    assert "'status'" in report.problems[0].message
    assert report.rows_added == 1


def test_semicolon_header_hints_at_the_delimiter(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time;service;status\n2026-10-01T00:00:00Z;svc;up\n")
    report = repo.ingest()
    [problem] = report.problems
    assert problem.rule == "data-missing-column" and report.files_rejected == ["data/a.csv"]
    assert 'set delimiter: ";" on the DataSource' in (problem.hint or "")


def test_duplicates_kept_once_and_reported(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status\n"
              "2026-10-01T00:00:00Z,web,up\n"
              "2026-10-01T00:01:00Z,web,up\n"
              "2026-10-01T00:00:00Z,web,up\n"      # same as line 2
              "2026-10-01T00:00:00Z,web,down\n")   # same instant, other status: not a duplicate
    report = repo.ingest()
    assert ("data/a.csv", 4, "data-duplicate", "warning") in problems(report)
    assert report.duplicates == 1 and report.rows_added == 3
    assert sorted(repo.store.read("probes")["_line"].tolist()) == [2, 3, 5]


def test_out_of_order_rows_warn_once_with_first_line(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status\n"
              "2026-10-01T00:00:00Z,web,up\n"
              "2026-10-01T00:00:00Z,payments-api,up\n"
              "2026-10-01T00:05:00Z,web,up\n"
              "2026-10-01T00:01:00Z,web,up\n"
              "2026-10-01T00:02:00Z,web,up\n"
              "2026-10-01T00:01:00Z,payments-api,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 5, "data-out-of-order", "warning")]
    assert report.rows_added == 6
    assert repo.store.read("probes")["time"].is_monotonic_increasing


def test_unknown_service_is_a_warning_and_rows_are_kept(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status\n"
              "2026-10-01T00:00:00Z,web,up\n"
              "2026-10-01T00:00:00Z,billing,up\n"
              "2026-10-01T00:01:00Z,billing,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-unknown-service", "warning")]
    assert "'billing'" in report.problems[0].message and "2 row(s)" in report.problems[0].message
    assert report.rows_added == 3


def test_end_before_start_and_negative_values_skip_rows(repo: Repo) -> None:
    repo.source("outages", "outages", "data/o.csv", timezone="UTC")
    repo.source("events", "events", "data/e.csv", timezone="UTC")
    repo.data("data/o.csv", "service,start,end,impact\n"
              "web,2026-10-01T10:00:00Z,2026-10-01T11:00:00Z,0.5\n"
              "web,2026-10-02T10:00:00Z,2026-10-02T09:00:00Z,\n"
              "web,2026-10-03T10:00:00Z,2026-10-03T11:00:00Z,2\n"
              "web,2026-10-04T10:00:00Z,2026-10-04T11:00:00Z,\n")
    repo.data("data/e.csv", "time,service,good,total,latency_ms\n"
              "2026-10-01T00:00:00Z,web,90,100,\n"
              "2026-10-01T00:01:00Z,web,,,-5\n"
              "2026-10-01T00:02:00Z,web,120,100,\n"
              "2026-10-01T00:03:00Z,web,,,\n"
              "2026-10-01T00:04:00Z,web,,,250\n"
              "2026-10-01T00:05:00Z,web,many,100,\n")
    report = repo.ingest()
    assert problems(report) == [
        ("data/e.csv", 3, "data-negative-duration", "error"),
        ("data/e.csv", 4, "data-value-invalid", "error"),
        ("data/e.csv", 5, "data-missing-value", "error"),
        ("data/e.csv", 7, "data-value-invalid", "error"),
        ("data/o.csv", 3, "data-end-before-start", "error"),
        ("data/o.csv", 4, "data-value-invalid", "error"),
    ]
    outages = repo.store.read("outages")
    assert outages["impact"].tolist() == [0.5, 1.0]  # default impact 1.0
    events = repo.store.read("events")
    assert events["_line"].tolist() == [2, 6]
    assert events["latency_ms"].isna().tolist() == [True, False]


def test_binary_and_non_utf8_files_are_rejected(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    repo.data("data/b.csv", b"time,service,status\n2026-10-01T00:00:00Z,web,up\n" + b"2026-10-01T00:01:00Z,w\xe9b,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 1, "data-binary", "error"), ("data/b.csv", 3, "data-encoding", "error")]
    assert sorted(report.files_rejected) == ["data/a.csv", "data/b.csv"]


def test_declared_encoding_is_used(repo: Repo) -> None:
    repo.source("complaints", "complaints", "data/*.csv", timezone="UTC", encoding="latin-1", delimiter='";"')
    repo.data("data/c.csv", "time;service;customer\n2026-10-01T00:00:00Z;web;Caf\xe9 Ltd\n".encode("latin-1"))
    report = repo.ingest()
    assert report.problems == []
    assert repo.store.read("complaints")["customer"].tolist() == ["Café Ltd"]


def test_empty_file_and_header_only_are_warnings(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "")
    repo.data("data/b.csv", "time,service,status\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 1, "data-empty-file", "warning"),
                                ("data/b.csv", 1, "data-empty-file", "warning")]
    assert sorted(report.files_ingested) == ["data/a.csv", "data/b.csv"]
    frame = repo.store.read("probes")
    assert frame.empty and list(frame.columns) == ["time", "service", "up", "_file", "_line"]
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"


def test_malformed_rows_and_quoted_newlines_keep_true_line_numbers(repo: Repo) -> None:
    repo.source("tickets", "tickets", "data/*.csv", timezone="UTC")
    repo.data("data/t.csv", 'id,service,priority,opened_at,summary\n'
              'T1,web,P1,2026-10-01T00:00:00Z,"two\nlines"\n'
              'T2,web,P1\n'
              'T3,web,P1,not-a-time,x\n')
    report = repo.ingest()
    assert problems(report) == [("data/t.csv", 4, "data-row-malformed", "error"),
                                ("data/t.csv", 5, "data-time-unparsable", "error")]
    frame = repo.store.read("tickets")
    assert frame["id"].tolist() == ["T1"] and frame["summary"].tolist() == ["two\nlines"]
    assert frame["_line"].tolist() == [2]


def test_many_bad_rows_are_summed_up(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    rows = "".join(f"bad-{i},web,up\n" for i in range(30))
    repo.data("data/a.csv", "time,service,status\n" + rows)
    report = repo.ingest()
    assert len(report.problems) == 21 and report.rows_skipped == 30
    assert report.problems[-1].message.startswith("10 more row(s)") and report.problems[-1].line == 22


def test_strict_fails_and_leaves_the_store_unchanged(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status\n2026-10-01T00:00:00Z,web,up\n")
    repo.ingest()
    before = repo.store.manifest()
    repo.data("data/b.csv", "time,service,status\n2026-10-01T00:00:00Z,web,up\nnope,web,up\n")
    with pytest.raises(IngestError) as caught:
        repo.ingest(strict=True)
    assert str(caught.value).startswith("data/b.csv:3: ")
    assert caught.value.report is not None and caught.value.report.errors
    assert repo.store.manifest() == before
    assert sorted((repo.store.root / "probes").rglob("*.parquet")) == sorted(
        repo.store.root / path for p in before["files"]["data/a.csv"]["parts"] for path in (p["path"], p["runs"]["path"]))


def test_every_type_reads_its_columns(repo: Repo) -> None:
    repo.source("pauses", "pauses", "data/pauses.csv", timezone="UTC")
    repo.source("csat", "csat", "data/csat.csv", timezone="UTC")
    repo.source("changes", "changes", "data/changes.csv", timezone="UTC")
    repo.data("data/pauses.csv", "ticket_id,state,start,end\nT1,awaiting-customer,2026-10-01T10:00:00Z,\n")
    repo.data("data/csat.csv", "time,service,score,segment\n2026-10-01T10:00:00Z,web,4,gold\n"
              "2026-10-01T11:00:00Z,web,7,gold\n")
    repo.data("data/changes.csv", "id,service,type,planned_start,planned_end,outcome,objectives_at_risk,cab_approvers,ticket\n"
              "C1,web,Normal,2026-10-01T10:00:00Z,2026-10-01T11:00:00Z,successful,a/b; c/d,ann;bob,X-1\n"
              "C2,web,weird,2026-10-01T10:00:00Z,2026-10-01T11:00:00Z,,,,\n")
    report = repo.ingest()
    assert problems(report) == [("data/changes.csv", 3, "data-value-invalid", "error"),
                                ("data/csat.csv", 3, "data-value-invalid", "error")]
    pauses = repo.store.read("pauses")
    assert list(pauses.columns) == ["ticket_id", "state", "start", "end", "_file", "_line"]
    assert pauses["end"].isna().all()
    csat = repo.store.read("csat")
    assert csat["score"].tolist() == [4.0] and csat["customer"].isna().all()
    changes = repo.store.read("changes")
    assert changes["type"].tolist() == ["normal"]
    assert changes["objectives_at_risk"].tolist() == [["a/b", "c/d"]]
    assert changes["cab_approvers"].tolist() == [["ann", "bob"]]
    assert changes["ticket"].tolist() == ["X-1"]
    assert changes["actual_start"].isna().all()


def test_outages_after_complete_until_warn(repo: Repo) -> None:
    repo.source("outages", "outages", "data/*.csv", timezone="UTC", complete_until="2026-10-15")
    repo.data("data/o.csv", "service,start,end\nweb,2026-10-01T10:00:00Z,2026-10-01T11:00:00Z\n"
              "web,2026-10-20T10:00:00Z,2026-10-20T11:00:00Z\n")
    report = repo.ingest()
    assert problems(report) == [("data/o.csv", 3, "data-after-complete-until", "warning")]


def test_unknown_source_and_files_without_one_source_are_usage_errors(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    with pytest.raises(IngestError) as caught:
        repo.ingest(sources=["nope"])
    assert caught.value.usage and "known: probes" in str(caught.value)
    with pytest.raises(IngestError):
        repo.ingest(files=[repo.root / "x.csv"])


def test_bad_time_after_the_first_rows_falls_back_to_text(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv")
    good = "".join(f"2026-10-01T{i // 60:02d}:{i % 60:02d}:00+00:00,web,up\n" for i in range(300))
    repo.data("data/a.csv", "time,service,status\n" + good + "2026-10-02 10:00:00,web,up\n,web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 302, "data-time-naive", "error"),
                                ("data/a.csv", 303, "data-missing-value", "error")]
    assert report.rows_added == 300


def test_clean_iso_file_with_empty_time_cell(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv")
    good = "".join(f"2026-10-01T00:{i:02d}:00Z,web,up\n" for i in range(50))
    repo.data("data/a.csv", "time,service,status\n" + good + ",web,up\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 52, "data-missing-value", "error")]


def test_byte_order_mark_and_windows_line_ends(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", b"\xef\xbb\xbftime,service,status\r\n2026-10-01T00:00:00Z,web,up\r\nlater,web,up\r\n")
    report = repo.ingest()
    assert problems(report) == [("data/a.csv", 3, "data-time-unparsable", "error")]
    assert repo.store.read("probes")["service"].tolist() == ["web"]


def test_naive_times_across_dst_changes(repo: Repo) -> None:
    repo.source("complaints", "complaints", "data/*.csv", timezone="Europe/London")
    repo.data("data/c.csv", "time,service\n"
              "2026-03-29 00:30:00,web\n"   # GMT: 00:30 UTC
              "2026-03-29 01:30:00,web\n"   # does not exist (01:00 -> 02:00): moves forward by the gap
              "2026-10-25 01:30:00,web\n"   # occurs twice: the first (BST) occurrence, 00:30 UTC
              "2026-10-25 02:30:00,web\n")  # GMT again: 02:30 UTC
    report = repo.ingest()
    assert report.problems == []
    times = repo.store.read("complaints")["time"].dt.strftime("%Y-%m-%dT%H:%M").tolist()
    assert times == ["2026-03-29T00:30", "2026-03-29T01:30", "2026-10-25T00:30", "2026-10-25T02:30"]


def test_strict_fails_on_rows_skipped_by_an_earlier_lenient_ingest(repo: Repo) -> None:
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", "time,service,status\n2026-10-01T00:00:00Z,web,up\nnope,web,up\n")
    assert repo.ingest().rows_skipped == 1  # compliance and report ingest leniently by themselves
    before = repo.store.manifest()
    with pytest.raises(IngestError) as caught:
        repo.ingest(strict=True)
    assert str(caught.value).startswith("data/a.csv:3: ")
    assert repo.store.manifest() == before
    assert repo.ingest().files_unchanged == ["data/a.csv"]  # without --strict it is not read again
