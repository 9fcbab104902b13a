"""Metric gaming checks on ticket data, each with its evidence (ticket ids).

- deadline bunching: tickets closed in the last 5% of their threshold, against the 5% before it;
  honest work does not know where the deadline is, so the two bands should hold similar numbers.
- priority downgrades before breach: a ticket whose priority was lowered (an `original_priority`
  or `initial_priority` column, priority changes between rows of the same ticket, or a pause
  state containing "downgrad") once its original threshold had passed, or was about to.
- clock-stopping pauses: the share of ticket life spent paused, and pauses that begin in the last
  10% of the threshold.
- reopens: the same ticket id on several rows, or a true `reopened` column.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from slactl.compliance.engine import ns_array
from slactl.compliance.tickets import NAT, merge_pauses
from slactl.improvement.series import FrameReader
from slactl.loader.documents import LoadResult
from slactl.timeline.intervals import NS

LAST_BAND = 0.05
BUNCHING_RATIO = 2.0
MIN_EVIDENCE = 3
LATE_PAUSE_BAND = 0.10
PAUSED_SHARE_LIMIT = 0.30
REOPEN_LIMIT = 0.10
TRUE_VALUES = {"true", "yes", "1", "y"}


@dataclass
class GamingCheck:
    check: str
    objective: str | None
    flagged: bool
    measure: dict[str, Any]
    evidence: list[str] = field(default_factory=list)
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ticket_objectives(load: LoadResult) -> list[tuple[str, Any, Any]]:
    found = []
    for doc in load.agreements():
        for objective in doc.model.spec.objectives:
            if objective.indicator is None or objective.source is None or objective.threshold is None:
                continue
            if objective.indicator.value not in ("response_time", "resolution_time"):
                continue
            source = load.get("DataSource", objective.source)
            if source is not None and source.model.spec.type == "tickets":
                found.append((f"{doc.id}/{objective.id}", objective, source))
    return found


def _times(frame: pd.DataFrame, column: str) -> np.ndarray:
    return ns_array(frame[column]) if column in frame else np.full(len(frame), NAT, np.int64)


def ticket_elapsed(frame: pd.DataFrame, pauses: pd.DataFrame, indicator: str, pause_states: list[str]) -> pd.DataFrame:
    """Per ticket: stop time (epoch seconds, NaN while open) and wall-clock elapsed less its pauses.

    Pauses in `pause_states` are merged per ticket as the compliance engine merges them
    (`slactl.compliance.tickets.merge_pauses`), so overlapping pauses count once; a pause
    without an end runs to the ticket's stop.
    """
    if frame.empty:
        return pd.DataFrame({"id": [], "stop": [], "elapsed": []})
    ids = frame["id"].astype(str).to_numpy(object)
    opened = _times(frame, "opened_at")
    stop = _times(frame, "resolved_at")
    if indicator == "response_time" and "responded_at" in frame:
        responded = _times(frame, "responded_at")
        stop = np.where(responded != NAT, responded, stop)
    done = (stop != NAT) & (opened != NAT)
    elapsed = np.where(done, stop - opened, 0).astype(np.int64)
    if pause_states and not pauses.empty:
        chosen = pauses[pauses["state"].astype(str).isin(pause_states)]
        # every row of a ticket id gets the ticket's pauses (a reopened ticket has several rows)
        rows = pd.DataFrame({"ticket_id": ids, "row": np.arange(len(ids))})
        paired = chosen.assign(ticket_id=chosen["ticket_id"].astype(str)).merge(rows, on="ticket_id")
        p_idx = paired["row"].to_numpy(np.int64)
        p_start = _times(paired, "start")
        p_end = _times(paired, "end")
        p_end = np.where(p_end == NAT, np.iinfo(np.int64).max, p_end)
        p_idx, p_start, p_end = merge_pauses(p_idx, p_start, p_end)
        lo = np.maximum(p_start, opened[p_idx])
        hi = np.minimum(p_end, stop[p_idx])
        paused = np.where(done[p_idx], np.maximum(hi - lo, 0), 0)
        elapsed -= np.bincount(p_idx, weights=paused.astype(np.float64), minlength=len(ids)).astype(np.int64)
    return pd.DataFrame({
        "id": ids,
        "stop": np.where(done, stop / NS, np.nan),
        "elapsed": np.where(done, elapsed / NS, np.nan),
    })


def _stopped_in(frame: pd.DataFrame, clocks: pd.DataFrame, lo: float, hi: float) -> np.ndarray:
    stop = clocks["stop"].to_numpy(dtype=float)
    return (stop >= lo) & (stop < hi)


def _filtered(frame: pd.DataFrame, objective: Any) -> pd.DataFrame:
    if objective.service and "service" in frame:
        frame = frame[frame["service"] == objective.service]
    for column, value in objective.filter.items():
        if column in frame:
            frame = frame[frame[column].astype(str) == str(value)]
    return frame


def gaming_checks(load: LoadResult, reader: FrameReader, first: date, last: date) -> list[GamingCheck]:
    lo = datetime.combine(first, time(0), tzinfo=UTC).timestamp()
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC).timestamp()
    checks: list[GamingCheck] = []
    sources_seen: set[str] = set()
    thresholds_by_priority: dict[tuple[str, str], float] = {}
    for _ref, objective, source in _ticket_objectives(load):
        if objective.indicator.value == "resolution_time" and "priority" in objective.filter:
            thresholds_by_priority[(str(source.id), str(objective.filter["priority"]))] = objective.threshold
    for ref, objective, source in _ticket_objectives(load):
        all_tickets = reader.read(str(source.id))
        pauses = reader.read(source.model.spec.pauses) if source.model.spec.pauses else pd.DataFrame()
        tickets = _filtered(all_tickets, objective).reset_index(drop=True)
        clocks = ticket_elapsed(tickets, pauses, objective.indicator.value, objective.pause_states)
        in_period = _stopped_in(tickets, clocks, lo, hi)
        checks.append(_bunching(ref, objective.threshold, clocks[in_period]))
        if objective.pause_states:
            checks.append(_pauses(ref, objective, tickets[in_period], clocks[in_period], pauses))
        if str(source.id) not in sources_seen:
            sources_seen.add(str(source.id))
            opened = pd.to_datetime(all_tickets["opened_at"], utc=True) if not all_tickets.empty else pd.Series(dtype=float)
            window = all_tickets[(opened >= pd.Timestamp(lo, unit="s", tz="UTC")) & (opened < pd.Timestamp(hi, unit="s", tz="UTC"))] if not all_tickets.empty else all_tickets
            checks.append(_reopens(str(source.id), window))
            checks.append(_downgrades(str(source.id), window, pauses, thresholds_by_priority))
    return checks


def _bunching(ref: str, threshold: float, clocks: pd.DataFrame) -> GamingCheck:
    ratio = clocks["elapsed"].to_numpy(dtype=float) / threshold
    ids = clocks["id"].to_numpy()
    last = (ratio > 1 - LAST_BAND) & (ratio <= 1.0)
    previous = (ratio > 1 - 2 * LAST_BAND) & (ratio <= 1 - LAST_BAND)
    within = ratio <= 1.0
    n_last, n_prev, n_within = int(last.sum()), int(previous.sum()), int(within.sum())
    share = n_last / n_within if n_within else None
    flagged = n_last >= MIN_EVIDENCE and n_last > BUNCHING_RATIO * max(n_prev, 1)
    return GamingCheck(
        "deadline_bunching", ref, flagged,
        {"closed_in_last_5_percent": n_last, "closed_in_the_5_percent_before": n_prev, "within_threshold": n_within,
         "share_in_last_5_percent": share, "expected_share": (n_prev / n_within) if n_within else None},
        sorted(str(i) for i in ids[last]),
        f"{n_last} of {n_within} tickets within the threshold stopped in its last 5%, against {n_prev} in the 5% "
        f"before; flagged when at least {MIN_EVIDENCE} and more than {BUNCHING_RATIO:g} times the band before",
    )


def _pauses(ref: str, objective: Any, tickets: pd.DataFrame, clocks: pd.DataFrame, pauses: pd.DataFrame) -> GamingCheck:
    if tickets.empty or pauses.empty:
        return GamingCheck("clock_stopping_pauses", ref, False, {"tickets": int(len(tickets)), "paused_share": None},
                           [], "no tickets or no pause history in the period")
    chosen = pauses[pauses["state"].astype(str).isin(objective.pause_states)]
    opened = dict(zip(tickets["id"].astype(str), pd.to_datetime(tickets["opened_at"], utc=True), strict=True))
    stops = dict(zip(clocks["id"].astype(str), clocks["stop"].astype(float), strict=True))
    elapsed = dict(zip(clocks["id"].astype(str), clocks["elapsed"].astype(float), strict=True))
    paused_total, life_total, late = 0.0, 0.0, []
    for ticket, start_at in opened.items():
        stop = stops.get(ticket)
        if stop is None or np.isnan(stop):
            continue
        life = stop - start_at.timestamp()
        life_total += life
        paused_total += life - elapsed[ticket]
        own = chosen[chosen["ticket_id"].astype(str) == ticket].sort_values("start")
        used = 0.0
        for _, pause in own.iterrows():
            p_start = pd.Timestamp(pause["start"]).timestamp()
            running = p_start - start_at.timestamp() - used
            if (1 - LATE_PAUSE_BAND) * objective.threshold <= running <= objective.threshold:
                late.append(ticket)
            p_end = pause["end"]
            if not pd.isna(p_end):
                used += max(0.0, min(pd.Timestamp(p_end).timestamp(), stop) - max(p_start, start_at.timestamp()))
    share = paused_total / life_total if life_total else None
    flagged = (share is not None and share > PAUSED_SHARE_LIMIT) or len(set(late)) >= MIN_EVIDENCE
    return GamingCheck(
        "clock_stopping_pauses", ref, flagged,
        {"paused_share": share, "pauses_started_in_last_10_percent": len(late), "tickets": int(len(tickets))},
        sorted(set(late)),
        f"paused time is {0 if share is None else 100 * share:.1f}% of ticket life (flagged above "
        f"{100 * PAUSED_SHARE_LIMIT:g}%); {len(set(late))} ticket(s) paused in the last 10% before the deadline",
    )


def _reopens(source: str, tickets: pd.DataFrame) -> GamingCheck:
    if tickets.empty:
        return GamingCheck("reopens", None, False, {"source": source, "tickets": 0, "reopen_rate": None}, [], "no tickets")
    ids = tickets["id"].astype(str)
    repeated = set(ids[ids.duplicated(keep=False)])
    if "reopened" in tickets:
        flagged_column = tickets["reopened"].astype(str).str.strip().str.lower().isin(TRUE_VALUES)
        repeated |= set(ids[flagged_column.to_numpy()])
    distinct = ids.nunique()
    rate = len(repeated) / distinct if distinct else None
    return GamingCheck(
        "reopens", None, bool(rate is not None and rate > REOPEN_LIMIT),
        {"source": source, "tickets": int(distinct), "reopened": len(repeated), "reopen_rate": rate},
        sorted(repeated),
        f"{len(repeated)} of {distinct} tickets reopened (same id on several rows or reopened=true); "
        f"flagged above {100 * REOPEN_LIMIT:g}%: closing early to stop the clock shows up as reopens",
    )


def _downgrades(source: str, tickets: pd.DataFrame, pauses: pd.DataFrame,
                thresholds: dict[tuple[str, str], float]) -> GamingCheck:
    evidence: list[str] = []
    basis = "no priority history column and no 'downgraded' state: not checked"
    counted = 0
    column = next((c for c in ("original_priority", "initial_priority") if c in tickets), None)
    if column is None and not tickets.empty:
        # a history export: the same ticket on several rows, its priority changing from row to row
        ordered = tickets.sort_values("_line") if "_line" in tickets else tickets
        first = ordered.groupby(ordered["id"].astype(str))["priority"].transform("first").astype(str)
        if (first != ordered["priority"].astype(str)).any():
            tickets = ordered.assign(_first_priority=first)
            column = "_first_priority"
    if column and not tickets.empty:
        basis = "priority changes between rows of the same ticket" if column == "_first_priority" else f"column {column}"
        for _, row in tickets.iterrows():
            original, final = str(row[column]).strip(), str(row["priority"]).strip()
            if not original or original in ("nan", "None") or original == final:
                continue
            counted += 1
            limit = thresholds.get((source, original))
            stop = row["resolved_at"] if not pd.isna(row.get("resolved_at")) else None
            if limit is not None and stop is not None:
                elapsed = (pd.Timestamp(stop) - pd.Timestamp(row["opened_at"])).total_seconds()
                if elapsed > limit:
                    evidence.append(str(row["id"]))
    elif not pauses.empty:
        marked = pauses[pauses["state"].astype(str).str.lower().str.contains("downgrad")]
        if len(marked):
            basis = "pause states containing 'downgrad'"
            ids = set(tickets["id"].astype(str)) if not tickets.empty else set()
            opened = dict(zip(tickets["id"].astype(str), pd.to_datetime(tickets["opened_at"], utc=True), strict=True)) if ids else {}
            priority = dict(zip(tickets["id"].astype(str), tickets["priority"].astype(str), strict=True)) if ids else {}
            for _, row in marked.iterrows():
                ticket = str(row["ticket_id"])
                if ticket not in ids:
                    continue
                counted += 1
                limit = thresholds.get((source, priority.get(ticket, "")))
                age = (pd.Timestamp(row["start"]) - opened[ticket]).total_seconds()
                if limit is not None and age >= (1 - LATE_PAUSE_BAND * 2) * limit:
                    evidence.append(ticket)
    return GamingCheck(
        "priority_downgrades", None, len(evidence) >= 1,
        {"source": source, "downgraded": counted, "downgraded_near_or_past_breach": len(evidence), "basis": basis},
        sorted(set(evidence)),
        f"{counted} downgrade(s) ({basis}); {len(evidence)} made when the original priority's threshold had "
        "passed or was within its last 20%",
    )
