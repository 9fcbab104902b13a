"""Writes the metric exports under examples/data/ for Kittiwake Bank's example repository.

The data tells the story of the October 2026 service review (see examples/README.md): most
objectives met, online payments breached in September and October, the business portal at risk,
a watermelon mobile app (available but unloved), a failed card change during an outage, and the
awkward cases a service manager meets in real exports.

Deterministic: the same seed always writes the same bytes, so the committed CSVs can be
regenerated and compared. Standard library and numpy only. Every file is written atomically.

    python examples/tools/generate_data.py
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

SEED = 20261031
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MONTHS = [(2026, month) for month in range(5, 11)]  # 2026-05 .. 2026-10
STEP = timedelta(minutes=5)

# UK business hours (calendars/uk-business.yaml): weekday -> (start hour, end hour).
UK_HOURS = {0: (8, 18), 1: (8, 18), 2: (8, 18), 3: (8, 18), 4: (8, 17)}
UK_HOLIDAYS = {date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31)}

Interval = tuple[datetime, datetime]


# --- time helpers -------------------------------------------------------------------------------


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    """A local wall-clock time, as an aware datetime."""
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def month_bounds(year: int, month: int, tz: ZoneInfo = LONDON) -> Interval:
    """[start, end) of a local calendar month, in UTC."""
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_key(t: datetime) -> str:
    """The London month a row belongs to (exports are cut by UK month)."""
    return t.astimezone(LONDON).strftime("%Y-%m")


def iso(t: datetime, tz: ZoneInfo | timezone = LONDON) -> str:
    return t.astimezone(tz).isoformat()


def iso_z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uk_ticket_time(t: datetime) -> str:
    """The ITSM export's style: day-first, local UK time, no offset."""
    return t.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")


def unambiguous(t: datetime) -> datetime:
    """Moves a time out of 01:00-02:00 on 25 October (that hour happens twice in the UK).

    The ticket export writes local times without an offset, so a time in the repeated hour could
    not be told apart from the one an hour later; a real export has the same problem, and our
    story does not need it.
    """
    local = t.astimezone(LONDON)
    if local.date() == date(2026, 10, 25) and local.hour == 1:
        return t + timedelta(hours=1)
    return t


def sundays() -> Iterable[date]:
    day = date(2026, 5, 3)
    while day < date(2026, 11, 1):
        yield day
        day += timedelta(days=7)


def in_uk_business(t: datetime) -> bool:
    local = t.astimezone(LONDON)
    hours = UK_HOURS.get(local.weekday())
    return hours is not None and local.date() not in UK_HOLIDAYS and hours[0] <= local.hour < hours[1]


def add_uk_business(start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of UK business time have passed since `start` (minute steps)."""
    t = start.astimezone(UTC)
    left = seconds
    while left > 0:
        if in_uk_business(t):
            left -= 60
        t += timedelta(minutes=1)
    return t


def overlap(a: Interval, b: Interval) -> float:
    return max(0.0, (min(a[1], b[1]) - max(a[0], b[0])).total_seconds())


# --- atomic CSV writing -------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Writes a CSV through a temporary file in the same folder, then renames it into place."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return count


def write_monthly(out: Path, source: str, header: Sequence[str], rows: list[tuple[datetime, Sequence[object]]]) -> None:
    """One file per London month, rows sorted by their main time."""
    by_month: dict[str, list[tuple[datetime, Sequence[object]]]] = {f"{y}-{m:02d}": [] for y, m in MONTHS}
    for when, row in rows:
        key = month_key(when)
        if key in by_month:
            by_month[key].append((when, row))
    for key, items in by_month.items():
        items.sort(key=lambda item: (item[0], [str(c) for c in item[1]]))
        write_csv(out / source / f"{key}.csv", header, [row for _, row in items])


# --- the story: downtime ------------------------------------------------------------------------


def mobile_down() -> list[Interval]:
    """Mobile app downtime seen by the probes (UTC intervals)."""
    down: list[Interval] = []
    for sunday in sundays():
        if sunday == date(2026, 10, 11):
            # Patching overran: down from 02:15 to 04:15, the window closes at 04:00, so 15
            # minutes count against the SLA.
            down.append((at(2026, 10, 11, 2, 15), at(2026, 10, 11, 4, 15)))
        else:
            # Routine patching restarts the API for half an hour inside the 02:00-04:00 window.
            down.append((at(sunday.year, sunday.month, sunday.day, 2, 15), at(sunday.year, sunday.month, sunday.day, 2, 45)))
    down += [
        (at(2026, 5, 19, 9, 40), at(2026, 5, 19, 9, 45)),
        (at(2026, 6, 9, 18, 5), at(2026, 6, 9, 18, 15)),
        (at(2026, 8, 26, 12, 30), at(2026, 8, 26, 12, 40)),
        (at(2026, 9, 14, 7, 55), at(2026, 9, 14, 8, 0)),
    ]
    return down


PAYMENTS_UPGRADE: Interval = (at(2026, 10, 18, 1, 30), at(2026, 10, 18, 3, 0))  # inside the once window

PAYMENTS_FAILOVERS: list[Interval] = [
    (at(2026, 5, 14, 15, 20), at(2026, 5, 14, 15, 30)),
    (at(2026, 6, 23, 11, 5), at(2026, 6, 23, 11, 10)),
    (at(2026, 7, 28, 16, 40), at(2026, 7, 28, 17, 0)),  # first failover: 20 minutes
    (at(2026, 8, 12, 9, 15), at(2026, 8, 12, 9, 30)),
    (at(2026, 9, 3, 10, 5), at(2026, 9, 3, 10, 45)),  # September: three failovers, 100 minutes
    (at(2026, 9, 16, 19, 30), at(2026, 9, 16, 20, 5)),
    (at(2026, 9, 29, 8, 20), at(2026, 9, 29, 8, 45)),
    (at(2026, 10, 24, 13, 0), at(2026, 10, 24, 13, 30)),  # October: two more, 60 minutes
    (at(2026, 10, 29, 17, 45), at(2026, 10, 29, 18, 15)),
]


def payments_down() -> list[Interval]:
    return [*PAYMENTS_FAILOVERS, PAYMENTS_UPGRADE]


CARD_FAILED_CHANGE_MAY: Interval = (at(2026, 5, 12, 22, 5, NEW_YORK), at(2026, 5, 12, 22, 53, NEW_YORK))
CARD_FAILED_CHANGE_OCT: Interval = (at(2026, 10, 7, 21, 10, NEW_YORK), at(2026, 10, 7, 21, 28, NEW_YORK))


@dataclass
class Outage:
    incident: str
    service: str
    start: datetime
    end: datetime
    impact: float
    tz: ZoneInfo


def outages(rng: np.random.Generator) -> list[Outage]:
    found: list[Outage] = []
    # Card authorisation: network flaps shorter than two minutes every month (stand-in
    # processing absorbs them, and min_downtime ignores them), plus two failed changes.
    for year, month in MONTHS:
        for _ in range(3):
            day = int(rng.integers(1, 28))
            start = at(year, month, day, int(rng.integers(0, 24)), int(rng.integers(0, 60)), NEW_YORK)
            start += timedelta(seconds=int(rng.integers(0, 60)))
            found.append(Outage("", "card-authorisation", start, start + timedelta(seconds=int(rng.integers(35, 110))), 1.0, NEW_YORK))
    found += [
        Outage("", "card-authorisation", *CARD_FAILED_CHANGE_MAY, 1.0, NEW_YORK),
        Outage("", "card-authorisation", at(2026, 6, 17, 4, 12, NEW_YORK), at(2026, 6, 17, 4, 15, NEW_YORK), 1.0, NEW_YORK),
        Outage("", "card-authorisation", at(2026, 8, 21, 13, 2, NEW_YORK), at(2026, 8, 21, 13, 6, NEW_YORK), 0.5, NEW_YORK),
        Outage("", "card-authorisation", *CARD_FAILED_CHANGE_OCT, 0.6, NEW_YORK),
    ]
    # Business portal (UK business hours only).
    found += [
        Outage("", "business-portal", at(2026, 5, 20, 11, 0), at(2026, 5, 20, 11, 10), 1.0, LONDON),
        Outage("", "business-portal", at(2026, 7, 8, 15, 30), at(2026, 7, 8, 15, 50), 1.0, LONDON),
        Outage("", "business-portal", at(2026, 8, 15, 10, 0), at(2026, 8, 15, 12, 0), 1.0, LONDON),  # a Saturday: no service hours
        Outage("", "business-portal", at(2026, 9, 10, 9, 5), at(2026, 9, 10, 9, 20), 1.0, LONDON),
        Outage("", "business-portal", at(2026, 10, 14, 10, 12), at(2026, 10, 14, 10, 40), 1.0, LONDON),
        Outage("", "business-portal", at(2026, 10, 21, 14, 0), at(2026, 10, 21, 14, 40), 0.3, LONDON),  # slow, 30% failing
        Outage("", "business-portal", at(2026, 10, 22, 13, 5), at(2026, 10, 22, 14, 50), 1.0, LONDON),  # Storm Orla: excluded
    ]
    # General ledger (New York business hours; the month-start rollover runs 05:00-08:00).
    found += [
        Outage("", "general-ledger", at(2026, 6, 3, 14, 0, NEW_YORK), at(2026, 6, 3, 14, 10, NEW_YORK), 1.0, NEW_YORK),
        Outage("", "general-ledger", at(2026, 8, 19, 9, 30, NEW_YORK), at(2026, 8, 19, 9, 42, NEW_YORK), 1.0, NEW_YORK),
        # Rollover ran late: straddles the end of the maintenance window, 25 minutes count.
        Outage("", "general-ledger", at(2026, 10, 1, 7, 40, NEW_YORK), at(2026, 10, 1, 8, 25, NEW_YORK), 1.0, NEW_YORK),
    ]
    found.sort(key=lambda o: o.start)
    for number, outage in enumerate(found, start=7101):
        outage.incident = f"MI-{number}"
    return found


# --- sources ------------------------------------------------------------------------------------


def probes(out: Path) -> None:
    downs = {"mb": mobile_down(), "op": payments_down()}
    down_samples = {code: set() for code in downs}
    for code, intervals in downs.items():
        for start, end in intervals:
            t = start.astimezone(UTC)
            while t < end:
                down_samples[code].add(t)
                t += STEP
    for year, month in MONTHS:
        start, end = month_bounds(year, month)
        rows = []
        t = start
        while t < end:
            stamp = t.strftime("%Y-%m-%d %H:%M")
            for code in ("mb", "op"):
                rows.append((stamp, code, 0 if t in down_samples[code] else 1))
            t += STEP
        write_csv(out / "probes" / f"{year}-{month:02d}.csv", ["ts", "check", "result"], rows)


def payments_volume(t: datetime) -> float:
    """Expected payment requests in the hour starting at t: a daily curve, quieter at weekends."""
    local = t.astimezone(LONDON)
    daily = [0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.75, 0.95, 1.0, 1.0, 0.98,
             1.0, 0.97, 0.95, 0.93, 0.9, 0.9, 0.85, 0.75, 0.6, 0.45, 0.32, 0.2]
    weekend = 0.7 if local.weekday() >= 5 else 1.0
    return 42000 * daily[local.hour] * weekend


def events(rng: np.random.Generator, out: Path) -> None:
    failovers = PAYMENTS_FAILOVERS
    rows = []
    for year, month in MONTHS:
        start, end = month_bounds(year, month)
        t = start
        while t < end:
            hour = (t, t + timedelta(hours=1))
            total = int(rng.poisson(payments_volume(t)))
            # Gateway retries hide about half the failures during a database failover; during the
            # planned upgrade the gateway queues and rejects almost everything.
            p_fail = 0.0008
            p_fail += 0.5 * sum(overlap(hour, f) for f in failovers) / 3600
            p_fail += 0.9 * overlap(hour, PAYMENTS_UPGRADE) / 3600
            failed = int(rng.binomial(total, min(p_fail, 1.0)))
            rows.append((t, (iso_z(t), "online-payments", total - failed, total)))
            t += timedelta(hours=1)
    write_monthly(out, "events", ["time", "service", "good", "total"], rows)


def latency(rng: np.random.Generator, out: Path) -> None:
    rows = []
    for year, month in MONTHS:
        start, end = month_bounds(year, month)
        span = int((end - start).total_seconds())
        seconds = sorted(set(int(s) for s in rng.integers(0, span, size=620)))[:600]
        for offset in seconds:
            t = start + timedelta(seconds=offset)
            ms = int(round(float(rng.lognormal(np.log(125), 0.42))))
            rows.append((t, (iso_z(t), "mobile-banking", ms)))
    write_monthly(out, "latency", ["timestamp", "service", "duration_ms"], rows)


def outage_rows(found: list[Outage], out: Path) -> None:
    rows = []
    for o in found:
        impact = f"{o.impact:g}"
        rows.append((o.start, (o.incident, o.service, iso(o.start, o.tz), iso(o.end, o.tz), impact)))
    write_monthly(out, "outages", ["incident", "service", "started_at", "ended_at", "impact"], rows)


# --- tickets ------------------------------------------------------------------------------------

CI_NAMES = {
    "mobile-banking": "Mobile Banking App",
    "online-payments": "Online Payments",
    "card-authorisation": "Card Authorisation (NY)",
    "business-portal": "Business Portal",
    "general-ledger": "General Ledger",
}
PRIORITY_NAMES = {"P1": "1 - Critical", "P2": "2 - High", "P3": "3 - Moderate", "P4": "4 - Low"}
GROUPS = {
    "mobile-banking": "Retail Digital",
    "online-payments": "Payments Engineering",
    "card-authorisation": "Card Services NY",
    "business-portal": "Business Digital",
    "general-ledger": "Treasury Technology",
}
CATEGORIES = ["Login", "Payment", "Performance", "Data", "Access", "How-to"]
RETAIL = ["mobile-banking", "online-payments"]
BUSINESS = ["business-portal", "card-authorisation", "general-ledger"]
EXPORT_TAKEN = at(2026, 11, 2, 7, 0)


@dataclass
class Ticket:
    service: str
    priority: str
    opened: datetime
    responded: datetime | None
    resolved: datetime | None
    category: str = "Incident"
    pauses: list[tuple[str, datetime, datetime | None]] = field(default_factory=list)
    number: str = ""
    missing_response_marker: str = "NULL"


def random_time(rng: np.random.Generator, year: int, month: int, business: bool = False) -> datetime:
    start, end = month_bounds(year, month)
    while True:
        t = start + timedelta(minutes=int(rng.integers(0, int((end - start).total_seconds() // 60))))
        if business:
            if in_uk_business(t) and in_uk_business(t + timedelta(minutes=30)):
                return unambiguous(t)
            continue
        local = t.astimezone(LONDON)
        if 7 <= local.hour < 22 or rng.random() < 0.15:
            return unambiguous(t)


def scripted_tickets() -> list[Ticket]:
    """The tickets the story is about; each comment says what it shows."""
    m = timedelta(minutes=1)
    tickets = []
    # P1s raised for every payments failover, resolved once the database was promoted.
    for start, end in PAYMENTS_FAILOVERS:
        tickets.append(Ticket("online-payments", "P1", start + 4 * m, start + 12 * m, end + 25 * m, "Payment"))
    # The Sunday the mobile patching overran its window.
    tickets.append(Ticket("mobile-banking", "P1", at(2026, 10, 11, 4, 2), at(2026, 10, 11, 4, 9),
                          at(2026, 10, 11, 4, 40), "Login"))
    # Failed card changes (New York evening, London night).
    for start, end in (CARD_FAILED_CHANGE_MAY, CARD_FAILED_CHANGE_OCT):
        tickets.append(Ticket("card-authorisation", "P1", start + 3 * m, start + 9 * m, end + 20 * m, "Payment"))
    # Business portal outages.
    tickets.append(Ticket("business-portal", "P1", at(2026, 10, 14, 10, 15), at(2026, 10, 14, 10, 21),
                          at(2026, 10, 14, 11, 5), "Access"))
    tickets.append(Ticket("business-portal", "P1", at(2026, 10, 22, 13, 8), at(2026, 10, 22, 13, 15),
                          at(2026, 10, 22, 15, 20), "Access"))
    # A P1 paused across a weekend: raised on Friday evening, the customer could not be reached
    # to confirm which duplicate payments to reverse until Monday morning. 1h55m on the clock.
    tickets.append(Ticket("online-payments", "P1", at(2026, 10, 9, 17, 30), at(2026, 10, 9, 17, 42),
                          at(2026, 10, 12, 10, 10), "Payment",
                          pauses=[("awaiting-customer", at(2026, 10, 9, 18, 15), at(2026, 10, 12, 9, 0))]))
    # A P2 for a business client, on hold from Thursday to Tuesday waiting for the client's
    # corrected payroll file: 8h30m of business time instead of 36h30m.
    tickets.append(Ticket("business-portal", "P2", at(2026, 10, 15, 9, 0), at(2026, 10, 15, 9, 20),
                          at(2026, 10, 20, 16, 30), "Data",
                          pauses=[("awaiting-customer", at(2026, 10, 15, 11, 0), at(2026, 10, 20, 10, 0))]))
    # Still open at the end of October and already past its 16 business hours: it counts as
    # breached in October, and not again in November.
    tickets.append(Ticket("general-ledger", "P2", at(2026, 10, 27, 9, 20), at(2026, 10, 27, 9, 40), None,
                          "Data", missing_response_marker="-"))
    # Personal data breaches: the first response is the notification to the regulator, due
    # within 72 hours (GDPR Article 33; kittiwake-corporate/breach-notification).
    tickets.append(Ticket("online-payments", "P2", at(2026, 8, 18, 16, 40), at(2026, 8, 19, 11, 30),
                          at(2026, 8, 21, 15, 0), "Data breach"))
    tickets.append(Ticket("mobile-banking", "P2", at(2026, 10, 6, 8, 50), at(2026, 10, 7, 17, 15),
                          at(2026, 10, 9, 12, 0), "Data breach"))
    # A P3 still on hold with the supplier when the export was taken (open pause, no end).
    tickets.append(Ticket("card-authorisation", "P3", at(2026, 10, 28, 15, 10), at(2026, 10, 28, 16, 0), None,
                          "Data", pauses=[("awaiting-supplier", at(2026, 10, 29, 10, 0), None)]))
    return tickets


def random_tickets(rng: np.random.Generator) -> list[Ticket]:
    tickets = []
    m = timedelta(minutes=1)
    for year, month in MONTHS:
        # Other P1s: responded in 5-20 minutes, retail ones fixed well inside 3 hours.
        for _ in range(2):
            service = str(rng.choice(RETAIL + BUSINESS))
            opened = random_time(rng, year, month)
            responded = opened + int(rng.integers(5, 21)) * m
            resolved = opened + int(rng.integers(45, 171)) * m
            tickets.append(Ticket(service, "P1", opened, responded, resolved, str(rng.choice(CATEGORIES))))
        # Business P2s: opened in office hours, resolved within 1 to 12 business hours.
        for _ in range(14):
            service = str(rng.choice(BUSINESS))
            opened = random_time(rng, year, month, business=True)
            responded = opened + int(rng.integers(10, 61)) * m
            resolved = unambiguous(add_uk_business(opened, int(rng.integers(60, 721)) * 60))
            tickets.append(Ticket(service, "P2", opened, responded, resolved, str(rng.choice(CATEGORIES))))
        # Retail P2s and everybody's P3/P4s.
        for _ in range(10):
            service = str(rng.choice(RETAIL))
            opened = random_time(rng, year, month)
            tickets.append(Ticket(service, "P2", opened, opened + int(rng.integers(10, 90)) * m,
                                  unambiguous(opened + int(rng.integers(2 * 60, 30 * 60)) * m), str(rng.choice(CATEGORIES))))
        for _ in range(55):
            service = str(rng.choice(RETAIL + BUSINESS, p=[0.35, 0.25, 0.15, 0.15, 0.1]))
            priority = "P3" if rng.random() < 0.65 else "P4"
            opened = random_time(rng, year, month)
            responded: datetime | None = unambiguous(opened + int(rng.integers(15, 8 * 60)) * m)
            resolved: datetime | None = unambiguous(opened + int(rng.integers(2 * 60, 6 * 24 * 60)) * m)
            ticket = Ticket(service, priority, opened, responded, resolved, str(rng.choice(CATEGORIES)))
            if priority == "P4" and rng.random() < 0.25:
                ticket.responded = None  # resolved straight away, no separate response recorded
            if ticket.resolved is not None and rng.random() < 0.15:
                # On hold for part of its life, waiting for the customer.
                life = (ticket.resolved - opened).total_seconds()
                pause_start = opened + timedelta(seconds=int(life * 0.3))
                pause_end = opened + timedelta(seconds=int(life * 0.7))
                ticket.pauses.append(("awaiting-customer", pause_start, pause_end))
            tickets.append(ticket)
    return tickets


def ticket_state(ticket: Ticket) -> str:
    if ticket.resolved is not None:
        return "Closed" if ticket.resolved < EXPORT_TAKEN - timedelta(days=3) else "Resolved"
    if ticket.pauses and ticket.pauses[-1][2] is None:
        return "On Hold"
    return "In Progress"


def tickets_and_pauses(rng: np.random.Generator, out: Path) -> None:
    tickets = scripted_tickets() + random_tickets(rng)
    for ticket in tickets:
        # What had not happened yet when the export was taken is not in it.
        if ticket.resolved is not None and ticket.resolved > EXPORT_TAKEN:
            ticket.resolved = None
            ticket.missing_response_marker = "-"
        if ticket.responded is not None and ticket.responded > EXPORT_TAKEN:
            ticket.responded = None
    tickets.sort(key=lambda t: (t.opened, t.service, t.priority))
    for number, ticket in enumerate(tickets, start=40101):
        ticket.number = f"INC00{number}"
    rows = []
    pause_rows = []
    for t in tickets:
        responded = uk_ticket_time(t.responded) if t.responded else t.missing_response_marker
        resolved = uk_ticket_time(t.resolved) if t.resolved else t.missing_response_marker
        rows.append((t.opened, (
            t.number, CI_NAMES[t.service], PRIORITY_NAMES[t.priority], ticket_state(t),
            uk_ticket_time(t.opened), responded, resolved, t.category, GROUPS[t.service],
        )))
        for state, start, end in t.pauses:
            pause_rows.append((start, (t.number, state, iso(start), iso(end) if end else "")))
    write_monthly(out, "tickets", ["Number", "Configuration item", "Priority", "State", "Opened",
                              "First response", "Resolved", "Category", "Assignment group"], rows)
    write_monthly(out, "pauses", ["ticket", "state", "from", "to"], pause_rows)


# --- customer voice -----------------------------------------------------------------------------

BUSINESS_CLIENTS = ["Alder & Finch Ltd", "Brackenridge Foods", "Calloway Logistics", "Dunmore Dental Group",
                    "Ellery Architects LLP", "Fairholm Farms", "Greaves Engineering", "Holloway Print Co"]

# Answers per month and how many of them were 4 or 5, per service: mobile falls after the
# August redesign (release 8.0) while its availability and latency stay green.
CSAT_PLAN = {
    "mobile-banking": ("retail", 80, [69, 68, 67, 65, 50, 48]),
    "online-payments": ("retail", 70, [63, 63, 62, 61, 58, 60]),
    "business-portal": ("business", 40, [35, 34, 35, 34, 34, 32]),
    "card-authorisation": ("business", 20, [17, 17, 16, 17, 17, 16]),
}


def csat(rng: np.random.Generator, out: Path) -> None:
    rows = []
    for index, (year, month) in enumerate(MONTHS):
        start, end = month_bounds(year, month)
        span = int((end - start).total_seconds())
        for service, (segment, answers, good_plan) in CSAT_PLAN.items():
            good = good_plan[index]
            scores = [int(rng.choice([4, 5], p=[0.45, 0.55])) for _ in range(good)]
            scores += [int(rng.choice([1, 2, 3], p=[0.2, 0.35, 0.45])) for _ in range(answers - good)]
            offsets = sorted(set(int(s) for s in rng.integers(0, span, size=answers * 2)))
            picks = sorted(rng.choice(len(offsets), size=answers, replace=False))
            order = rng.permutation(answers)
            for k, pick in enumerate(picks):
                t = start + timedelta(seconds=offsets[int(pick)])
                customer = str(rng.choice(BUSINESS_CLIENTS)) if segment == "business" else ""
                rows.append((t, (iso_z(t), service, scores[int(order[k])], segment, customer)))
    write_monthly(out, "csat", ["submitted_at", "service", "rating", "segment", "customer"], rows)


COMPLAINTS_PLAN = {  # per month May..October
    "mobile-banking": [3, 2, 3, 5, 9, 12],
    "online-payments": [2, 1, 2, 3, 8, 6],
    "business-portal": [1, 0, 1, 1, 1, 3],
    "card-authorisation": [2, 1, 1, 0, 1, 2],
}


def complaints(rng: np.random.Generator, out: Path) -> None:
    rows = []
    for index, (year, month) in enumerate(MONTHS):
        for service, plan in COMPLAINTS_PLAN.items():
            for _ in range(plan[index]):
                t = random_time(rng, year, month, business=True)
                customer = str(rng.choice(BUSINESS_CLIENTS)) if service in BUSINESS else f"RC-{int(rng.integers(1_000_000, 9_999_999))}"
                rows.append((t, [iso(t), service, customer]))
    rows.sort(key=lambda item: item[0])
    numbered = [(t, (*row, f"CMP-2026-{n:04d}")) for n, (t, row) in enumerate(rows, start=311)]
    write_monthly(out, "complaints", ["received_at", "service", "customer", "case_ref"], numbered)


# --- changes ------------------------------------------------------------------------------------

CAB = {
    "mobile-banking": ["Sofia Brennan", "Ines Carvalho"],
    "online-payments": ["Gareth Mwangi", "Ines Carvalho"],
    "card-authorisation": ["Rachel Okafor", "Jonah Whitfield"],
    "business-portal": ["Amara Lindqvist", "Ines Carvalho"],
    "general-ledger": ["Tomasz Wierzbicki", "Rachel Okafor"],
}
SERVICE_TZ = {"card-authorisation": NEW_YORK, "general-ledger": NEW_YORK}
# Success criteria: the SLA targets a change must keep, as the impact assessment states them.
SUCCESS = {
    "mobile-banking": "availability stays >= 99.9% and latency (95% within 300 ms) holds",
    "online-payments": "availability stays >= 99.95% and success-ratio >= 99.5%",
    "card-authorisation": "availability stays >= 99.95%",
    "business-portal": "availability stays >= 99.5% in business hours",
    "general-ledger": "availability stays >= 99.5% of business-hour slices",
}
AT_RISK = {
    "mobile-banking": "mobile-banking-sla/availability;mobile-banking-sla/latency",
    "online-payments": "online-payments-sla/availability;online-payments-sla/success-ratio",
    "card-authorisation": "card-authorisation-sla/availability",
    "business-portal": "business-portal-sla/availability",
    "general-ledger": "general-ledger-sla/availability",
}


@dataclass
class Change:
    service: str
    type: str
    planned: Interval
    actual: Interval | None
    outcome: str
    impact: str
    at_risk: str
    rollback: str
    cab: list[str]
    pir: str = ""


def scripted_changes() -> list[Change]:
    h = timedelta(hours=1)
    m = timedelta(minutes=1)
    changes = []
    for sunday in sundays():
        start = at(sunday.year, sunday.month, sunday.day, 2, 0)
        actual_end = start + 2 * h - 10 * m
        pir = ""
        if sunday == date(2026, 10, 11):
            actual_end = start + 2 * h + 15 * m
            pir = "PIR-2026-044: node drain slower after the kernel upgrade; window overran by 15 minutes"
        changes.append(Change("mobile-banking", "standard", (start, start + 2 * h), (start + 5 * m, actual_end),
                              "successful", "Low: inside the Sunday maintenance window, which the SLA excludes", "none",
                              "Restore node images from Saturday snapshot",
                              [], pir))
    changes += [
        Change("card-authorisation", "normal", (at(2026, 5, 12, 21, 30, NEW_YORK), at(2026, 5, 12, 22, 30, NEW_YORK)),
               (at(2026, 5, 12, 21, 35, NEW_YORK), at(2026, 5, 12, 23, 5, NEW_YORK)), "failed",
               "Medium: authorisation service restarted node by node; success: " + SUCCESS["card-authorisation"],
               AT_RISK["card-authorisation"],
               "Redeploy release 5.9.2", CAB["card-authorisation"],
               "PIR-2026-017: schema migration locked the authorisation table; rollback took 48 minutes"),
        Change("online-payments", "normal", (at(2026, 8, 20, 20, 0), at(2026, 8, 20, 21, 0)),
               (at(2026, 8, 20, 20, 0), at(2026, 8, 20, 20, 40)), "successful",
               "Low: connection pool resized with a rolling restart; success: " + SUCCESS["online-payments"],
               AT_RISK["online-payments"],
               "Restore previous pool settings", CAB["online-payments"]),
        # The failed change that overlapped the October card outage.
        Change("card-authorisation", "normal", (at(2026, 10, 7, 21, 0, NEW_YORK), at(2026, 10, 7, 21, 30, NEW_YORK)),
               (at(2026, 10, 7, 21, 2, NEW_YORK), at(2026, 10, 7, 21, 48, NEW_YORK)), "failed",
               "Medium: authorisation latency may rise during the deployment; success: " + SUCCESS["card-authorisation"],
               AT_RISK["card-authorisation"],
               "Redeploy release 5.12.3 from the artefact store", CAB["card-authorisation"],
               "PIR-2026-041: new release's connection limit too low; soak check caught it, rolled back in 40 minutes"),
        # The database upgrade in the one-off maintenance window of the payments SLA.
        Change("online-payments", "normal", (at(2026, 10, 18, 1, 0), at(2026, 10, 18, 5, 0)),
               (at(2026, 10, 18, 1, 10), at(2026, 10, 18, 3, 5)), "successful",
               "High: payments unavailable inside the agreed one-off window; success: availability and "
               "success-ratio back to normal before 05:00", AT_RISK["online-payments"],
               "Fail back to the old cluster from the pre-upgrade snapshot", [*CAB["online-payments"], "Priya Raman"],
               "PIR-2026-043: upgrade done; automatic promotion still to be enabled"),
        # Emergency change to promote the standby by hand during the 24 October failover.
        Change("online-payments", "emergency", (at(2026, 10, 24, 13, 15), at(2026, 10, 24, 13, 30)),
               (at(2026, 10, 24, 13, 16), at(2026, 10, 24, 13, 28)), "successful",
               "High: payments already down; success: availability and success-ratio restored",
               AT_RISK["online-payments"], "None: the old primary had failed",
               ["Gareth Mwangi", "Marcus Oyelaran"], "PIR-2026-045: covered by problem payments-availability"),
    ]
    return changes


def random_changes(rng: np.random.Generator) -> list[Change]:
    changes = []
    h = timedelta(hours=1)
    freeze = (at(2026, 10, 29, 0, 0, NEW_YORK), at(2026, 11, 4, 0, 0, NEW_YORK))
    for year, month in MONTHS:
        for _ in range(10):
            service = str(rng.choice(RETAIL + BUSINESS))
            tz = SERVICE_TZ.get(service, LONDON)
            day = int(rng.integers(1, 29))
            start = at(year, month, day, int(rng.choice([19, 20, 21, 22])), 0, tz)
            if service == "general-ledger" and overlap((start, start + 2 * h), freeze) > 0:
                continue  # nobody plans ledger changes in the month-end freeze
            kind = "standard" if rng.random() < 0.4 else "normal"
            length = int(rng.integers(1, 3)) * h
            slip = timedelta(minutes=int(rng.integers(0, 15)))
            outcome = "successful" if rng.random() < 0.92 else "rolled_back"
            changes.append(Change(
                service, kind, (start, start + length), (start + slip, start + slip + length - timedelta(minutes=15)),
                outcome,
                "Low: no customer impact expected" if kind == "standard"
                else "Medium: rolling restart, brief slowdown possible; success: " + SUCCESS[service],
                "none" if kind == "standard" else AT_RISK[service],
                "Redeploy the previous release",
                [] if kind == "standard" else CAB[service],
                "" if outcome == "successful" else f"PIR-2026-0{int(rng.integers(10, 40))}: rolled back after smoke test failure",
            ))
    return changes


def changes(rng: np.random.Generator, out: Path) -> None:
    found = scripted_changes() + random_changes(rng)
    found.sort(key=lambda c: (c.planned[0], c.service))
    rows = []
    for number, c in enumerate(found, start=30301):
        tz = SERVICE_TZ.get(c.service, LONDON)
        rows.append((c.planned[0], (
            f"CHG00{number}", c.service, c.type, iso(c.planned[0], tz), iso(c.planned[1], tz),
            iso(c.actual[0], tz) if c.actual else "", iso(c.actual[1], tz) if c.actual else "",
            c.outcome, c.impact, c.at_risk, c.rollback, ";".join(c.cab), c.pir,
        )))
    write_monthly(out, "changes", ["number", "service", "type", "planned_start", "planned_end", "actual_start", "actual_end",
                              "outcome", "impact_assessment", "objectives_at_risk", "rollback_plan", "cab_approvers", "pir"],
                  rows)


def generate(out: Path = DATA) -> None:
    """Writes every source's monthly CSVs under `out` (examples/data/ by default)."""
    # One generator per source, so changing one source's story leaves the others' bytes alone.
    seeds = np.random.SeedSequence(SEED).spawn(8)
    rngs = [np.random.default_rng(s) for s in seeds]
    probes(out)
    events(rngs[0], out)
    latency(rngs[1], out)
    outage_rows(outages(rngs[2]), out)
    tickets_and_pauses(rngs[3], out)
    csat(rngs[4], out)
    complaints(rngs[5], out)
    changes(rngs[6], out)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write into (default: examples/data)")
    generate(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
