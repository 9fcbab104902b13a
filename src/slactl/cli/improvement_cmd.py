"""`slactl csi ...`, `slactl problem`, `slactl gaps`, `slactl scorecard`, `slactl thresholds suggest`,
`slactl reconcile`: the improvement loop around the numbers."""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from slactl.cli.common import REPO_OPTION, OutputFormat, check_repo, echo_json, envelope, fail
from slactl.display import terminal_safe
from slactl.findings import ExitCode


class Granularity(str, Enum):
    day = "day"
    period = "period"


FORMAT_OPTION = typer.Option(OutputFormat.text, "--format", "-f", help="text or json.")

csi_app = typer.Typer(help="The CSI register: list, show, add, set, score, baseline, effect and roi.\n\n"
                           "Example: slactl csi list --status in_progress",
                      no_args_is_help=True, rich_markup_mode=None)
problem_app = typer.Typer(help="Problem records: root cause analyses with their breaches and improvements.\n\n"
                               "Example: slactl problem show db-failover-slow",
                          rich_markup_mode=None)
thresholds_app = typer.Typer(help="Alert thresholds from history.\n\nExample: slactl thresholds suggest probes",
                             no_args_is_help=True, rich_markup_mode=None)


# ---------------------------------------------------------------- shared plumbing


def _load(ctx: typer.Context, repo: Path | None) -> tuple[Path, Any, Any]:
    """Repository root, its load result and its scoring settings; unreadable settings exit 2."""
    from slactl.cli.definitions import require_repository
    from slactl.improvement.settings import SettingsError, scoring_settings
    from slactl.loader import load_config, load_repository
    from slactl.loader.repository import ConfigError

    root = check_repo(repo, ctx)
    try:
        config = load_config(root)
        settings = scoring_settings(config.scoring)
    except (ConfigError, SettingsError) as exc:
        fail(str(exc), "fix slactl.toml (see docs/improvement.md for the [scoring] keys)")
    result = load_repository(root, config)
    require_repository(config, result)
    return root, result, settings


def _reader(root: Path, load: Any) -> Any:
    """The data store, brought up to date with the repository's data files."""
    from slactl.loader import load_config

    try:
        from slactl.store import IngestError, Store
    except ImportError:
        fail("this installation of slactl has no data store", "reinstall slactl")
    from slactl.improvement.series import CachedReader

    store = Store(load_config(root).store_path)
    try:
        store.ensure_ingested(load, root)
    except IngestError as exc:
        fail(str(exc), "fix the data file named above, then run the command again")
    return CachedReader(store)


def _span(period: str) -> Any:
    from slactl.improvement.periods import PeriodError, parse_span

    try:
        return parse_span(period)
    except PeriodError as exc:
        fail(str(exc))


def _last_complete_month() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _register_error(exc: Any) -> None:
    fail(exc.message, exc.hint)


def _period_results(root: Path, load: Any, reader: Any, span: Any) -> list[Any]:
    """Objective results of the period, from the compliance engine (as `slactl compliance` gives them)."""
    from slactl.compliance.engine import ComplianceError
    from slactl.improvement.series import period_results

    try:
        return period_results(load, reader, span.label, root)
    except (ValueError, ComplianceError) as exc:
        fail(str(exc))


# ---------------------------------------------------------------- csi list / show


def csi_list(
    ctx: typer.Context,
    status: list[str] = typer.Option(None, "--status", help="Only these statuses (repeat the option)."),
    service: str = typer.Option(None, "--service", help="Only entries for this service."),
    agreement: str = typer.Option(None, "--agreement", help="Only entries for this agreement."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """List the CSI register, filtered by status, service or agreement.

    Example: slactl csi list --status in_progress --service payments-api
    """
    from slactl.improvement.register import list_entries

    _, load, _ = _load(ctx, repo)
    entries = list_entries(load, status=status or None, service=service, agreement=agreement)
    if format == OutputFormat.json:
        echo_json(envelope(improvements=[e.to_dict() for e in entries]))
        return
    if not entries:
        typer.echo("no improvements match")
        return
    for e in entries:
        scope = ", ".join(e.services + e.agreements) or "-"
        typer.echo(terminal_safe(f"{e.id:<28} {e.status:<12} {e.phase:<6} {e.title}  [{scope}]"))


def csi_show(
    ctx: typer.Context,
    improvement_id: str = typer.Argument(..., metavar="ID", help="Improvement id."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Show one register entry with every field.

    Example: slactl csi show faster-failover --format json
    """
    from slactl.improvement.register import RegisterError, get_improvement

    _, load, _ = _load(ctx, repo)
    try:
        doc = get_improvement(load, improvement_id)
    except RegisterError as exc:
        _register_error(exc)
    data = {"id": doc.id, "file": doc.file, "line": doc.line,
            **doc.model.metadata.model_dump(exclude_none=True, exclude={"id"}),
            **doc.model.spec.model_dump(mode="json", exclude_none=True)}
    if format == OutputFormat.json:
        echo_json(envelope(improvement=data))
        return
    typer.echo(f"{doc.id}  ({doc.file}:{doc.line})")
    for key, value in data.items():
        if key not in ("id", "file", "line"):
            for line in _field_lines(key, value, "  "):
                typer.echo(terminal_safe(line))


def _field_lines(key: str, value: Any, indent: str) -> list[str]:
    """One field for people: lists comma-separated, mappings as indented `key: value` lines, empty ones left out."""
    if isinstance(value, dict):
        if not value:
            return []
        return [f"{indent}{key}:"] + [line for k, v in value.items() for line in _field_lines(str(k), v, indent + "  ")]
    if isinstance(value, list):
        if not value:
            return []
        if all(not isinstance(item, (dict, list)) for item in value):
            return [f"{indent}{key}: {', '.join(str(item) for item in value)}"]
        return [f"{indent}{key}:"] + [
            f"{indent}  - " + (", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict) else str(item))
            for item in value]
    return [f"{indent}{key}: {value}"]


# ---------------------------------------------------------------- csi add / set


def csi_add(
    ctx: typer.Context,
    improvement_id: str = typer.Argument(..., metavar="ID", help="New Improvement id."),
    assignments: list[str] = typer.Argument(None, metavar="FIELD=VALUE...", help="Fields of the new entry."),
    file: str = typer.Option(None, "--file", help="Register file to add to, relative to the current folder "
                                                "(default improvements/<id>.yaml in the repository)."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Add an entry to the CSI register (validated before it is written; the write is atomic).

    Lists are comma-separated; dotted names reach score and expected. Warns when a failed entry
    targeted the same gap, quoting its lessons learned.

    \b
    Example: slactl csi add faster-failover title="Cut failover time" source=breach \\
        services=payments-api expected.objective=payments-gold/availability \\
        score.impact=4 score.recurrence=3 score.cost=2
    """
    from slactl.improvement.register import RegisterError, add_improvement, parse_assignments

    root, load, _ = _load(ctx, repo)
    if file is not None:  # like every path option, relative to the current folder
        inside = Path(file).resolve()
        if not inside.is_relative_to(root):
            fail(f"--file '{file}' is outside the repository '{root}'",
                 "give a register file inside the repository, e.g. --file improvements/register.yaml")
        file = inside.relative_to(root).as_posix()
    try:
        values = parse_assignments(assignments or [])
        done = add_improvement(root, load, improvement_id, values, file)
    except RegisterError as exc:
        _register_error(exc)
    _print_edit(done, "added", format)


def csi_set(
    ctx: typer.Context,
    improvement_id: str = typer.Argument(..., metavar="ID", help="Improvement id."),
    assignments: list[str] = typer.Argument(..., metavar="FIELD=VALUE...", help="Fields to change; an empty value removes."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Change fields of a register entry in place, keeping comments and layout of the file.

    A status change also sets `updated` to today. Status failed is refused without lessons_learned.

    Example: slactl csi set faster-failover status=failed lessons_learned="DNS TTLs, not the database, set the failover time"
    """
    from slactl.improvement.register import RegisterError, parse_assignments, set_fields

    root, load, _ = _load(ctx, repo)
    try:
        done = set_fields(root, load, improvement_id, parse_assignments(assignments))
    except RegisterError as exc:
        _register_error(exc)
    _print_edit(done, "updated", format)


def _print_edit(done: Any, verb: str, format: OutputFormat) -> None:
    if format == OutputFormat.json:
        changed = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in done.changed.items()}
        echo_json(envelope(id=done.id, file=done.file, changed=changed, warnings=done.warnings))
    else:
        typer.echo(f"{verb} {done.id} in {done.file}")
        for warning in done.warnings:
            typer.echo(f"warning: {warning}", err=True)


# ---------------------------------------------------------------- csi score


def csi_score(
    ctx: typer.Context,
    period: str = typer.Option(None, "--period", help="Period the recurrence look-back ends with (default: last month)."),
    gaps: bool = typer.Option(True, "--gaps/--no-gaps", help="Rank the period's service gaps too."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Rank open register entries (and the period's gaps no entry targets yet) by risk-based priority,
    every term explained.

    priority = 100 x sum(weight x (term - 1)) / (4 x sum(weights)); terms 1..5: impact, recurrence,
    ease (6 - cost). Weights from [scoring.weights] in slactl.toml.

    Example: slactl csi score --period 2026-10
    """
    from slactl.improvement.gaps import find_gaps
    from slactl.improvement.recurrence import build_recurrence
    from slactl.improvement.register import OPEN_STATUSES
    from slactl.improvement.scoring import rank, score_improvement

    root, load, settings = _load(ctx, repo)
    span = _span(period or _last_complete_month())
    reader = _reader(root, load)
    recurrence = build_recurrence(load, reader, span, settings.periods)
    items = [score_improvement(load, str(d.id), settings, recurrence)
             for d in load.of_kind("Improvement") if d.model.spec.status in OPEN_STATUSES]
    if gaps:
        found = find_gaps(_period_results(root, load, reader, span), load, settings, period=span.label,
                          recurrence=recurrence)
        # a gap an open register entry already targets is ranked through that entry
        items += [g.priority for g in found if g.priority is not None and not g.improvements]
    ranked = rank(items)
    if format == OutputFormat.json:
        echo_json(envelope(period=span.label, weights=settings.weights.model_dump(),
                           items=[p.to_dict() for p in ranked]))
        return
    if not ranked:
        typer.echo("nothing open to rank")
    for number, item in enumerate(ranked, start=1):
        typer.echo(f"{number:>2}. {item.score:5.1f}  {item.subject:<11} {item.id}: {item.title}")
        for term in item.terms:
            typer.echo(f"      {term.name:<10} {term.value}  weight {term.weight:g}  +{term.points:.1f}  {term.source}")


# ---------------------------------------------------------------- csi baseline / effect / roi


def csi_baseline(
    ctx: typer.Context,
    improvement_id: str = typer.Argument(..., metavar="ID", help="Improvement id."),
    periods: int = typer.Option(6, "--periods", min=1, max=36, help="Periods before the start to use."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """The baseline of an improvement's expected objective from the periods before it started.

    Example: slactl csi baseline faster-failover --periods 6
    """
    from slactl.improvement.series import SeriesError
    from slactl.improvement.statistics import AnalysisError, baseline

    root, load, _ = _load(ctx, repo)
    reader = _reader(root, load)
    try:
        result = baseline(load, improvement_id, reader, periods)
    except AnalysisError as exc:
        fail(exc.message, exc.hint)
    except SeriesError as exc:
        fail(str(exc))
    if format == OutputFormat.json:
        echo_json(envelope(baseline=result.to_dict()))
        return
    s = result.spread
    typer.echo(f"baseline of {result.objective} for {improvement_id} (target {result.target})")
    for row in result.periods:
        typer.echo(f"  {row['period']}  {_num(row['attained'])}")
    typer.echo(f"  n={s.n} mean={_num(s.mean)} median={_num(s.median)} stdev={_num(s.stdev)} "
               f"min={_num(s.min)} max={_num(s.max)} overall={_num(result.overall)}")
    if result.registered_baseline is not None:
        typer.echo(f"  register says baseline {result.registered_baseline:g}")


def csi_effect(
    ctx: typer.Context,
    improvement_id: str = typer.Argument(..., metavar="ID", help="Improvement id."),
    before: int = typer.Option(None, "--before", min=3, help="Intervals before `started` (default 30 days or 6 periods)."),
    after: int = typer.Option(None, "--after", min=3, help="Intervals after `implemented` (default 30 days or 3 periods)."),
    granularity: Granularity = typer.Option(Granularity.day, "--granularity", help="day or period."),
    alpha: float = typer.Option(None, "--alpha", min=0.0001, max=0.5, help="Significance level (default [scoring] alpha, 0.05)."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Did the remediation work? Attainment before `started` against after `implemented`.

    Mann-Whitney U test and a bootstrap confidence interval (fixed seed) on the difference of
    means and medians; verdict improved, no significant change, worse or insufficient data.

    Example: slactl csi effect faster-failover --before 30 --after 30 --granularity day
    """
    from slactl.improvement.series import SeriesError
    from slactl.improvement.statistics import AnalysisError, effect

    root, load, settings = _load(ctx, repo)
    reader = _reader(root, load)
    try:
        result = effect(load, improvement_id, reader, settings, before_count=before, after_count=after,
                        granularity=granularity.value, alpha=alpha)
    except AnalysisError as exc:
        fail(exc.message, exc.hint)
    except SeriesError as exc:
        fail(str(exc))
    if format == OutputFormat.json:
        echo_json(envelope(effect=result.to_dict()))
        return
    c = result.comparison
    typer.echo(f"effect of {improvement_id} on {result.objective} ({result.granularity}): {c.verdict}")
    for name, window in (("before", result.before), ("after", result.after)):
        s = window.spread
        typer.echo(f"  {name:<6} {window.first}..{window.last}  n={s.n} mean={_num(s.mean)} median={_num(s.median)} "
                   f"stdev={_num(s.stdev)} min={_num(s.min)} max={_num(s.max)}")
    if c.p_value is not None:
        typer.echo(f"  Mann-Whitney U={c.u:g} p={c.p_value:.4g} (alpha {c.alpha:g})")
        assert c.ci_mean is not None and c.ci_median is not None
        typer.echo(f"  mean difference {c.mean_difference:+.4f}, {100 * c.confidence:g}% CI "
                   f"[{c.ci_mean[0]:+.4f}, {c.ci_mean[1]:+.4f}]")
        typer.echo(f"  median difference {c.median_difference:+.4f}, {100 * c.confidence:g}% CI "
                   f"[{c.ci_median[0]:+.4f}, {c.ci_median[1]:+.4f}]")
    for note in c.notes:
        typer.echo(f"  note: {note}")


def csi_roi(
    ctx: typer.Context,
    improvement_id: str = typer.Argument(None, metavar="[ID]", help="One improvement (default: every implemented one)."),
    periods: int = typer.Option(6, "--periods", min=1, max=24, help="Length of the before and after windows."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Return on CSI investment: breaches, credits and complaints avoided against the investment.

    Example: slactl csi roi --periods 6
    """
    from slactl.improvement.roi import describe_periods, roi_report

    root, load, _ = _load(ctx, repo)
    if improvement_id and load.get("Improvement", improvement_id) is None:
        fail(f"no Improvement with id '{improvement_id}'", "`slactl csi list` shows the register")
    report = roi_report(load, _reader(root, load), improvement_id, periods)
    if format == OutputFormat.json:
        echo_json(envelope(roi=report.to_dict()))
        return
    for item in report.items:
        typer.echo(f"{item.improvement}: {item.title}")
        if item.before is None or item.after is None:
            typer.echo(f"  not measured: {'; '.join(item.notes)}")
            continue
        for name, window in (("before", item.before), ("after ", item.after)):
            if not window.periods:
                typer.echo(f"  {name} {describe_periods(window.missing)}: no data")
                continue
            complaints = "complaints unknown (no data)" if window.complaints is None else f"{window.complaints} complaint(s)"
            typer.echo(f"  {name} {describe_periods(window.periods)}: {window.breaches} breach(es), "
                       f"credits {window.credits:.2f}, {complaints}")
        if item.measurable:
            roi = "-" if item.roi is None else f"{100 * item.roi:.1f}%"
            complaints = "-" if item.complaints_avoided is None else str(item.complaints_avoided)
            typer.echo(f"  avoided: {item.breaches_avoided} breach(es), {item.credits_saved:.2f} credits, "
                       f"{complaints} complaint(s); investment {item.investment}; ROI {roi}")
        else:
            typer.echo(f"  ROI not measurable; investment {item.investment}")
        for note in item.notes:
            typer.echo(f"  note: {note}")
    total = "-" if report.total_roi is None else f"{100 * report.total_roi:.1f}%"
    typer.echo(f"total: investment {report.total_investment:.2f}, credits saved {report.total_credits_saved:.2f}, "
               f"breaches avoided {report.total_breaches_avoided}, complaints avoided "
               f"{report.total_complaints_avoided}, ROI {total}")


# ---------------------------------------------------------------- problem


@problem_app.callback(invoke_without_command=True)
def problem_main(ctx: typer.Context, repo: Path = REPO_OPTION, format: OutputFormat = FORMAT_OPTION) -> None:
    """Root cause analyses (five whys, fishbone) with their breaches and linked improvements.

    Example: slactl problem list --format json
    """
    if ctx.invoked_subcommand is None:
        _problem_list(ctx, repo, format)


def _problem_list(ctx: typer.Context, repo: Path | None, format: OutputFormat) -> None:
    from slactl.improvement.problems import problem_records

    _, load, _ = _load(ctx, repo)
    records = problem_records(load)
    if format == OutputFormat.json:
        echo_json(envelope(problems=[r.to_dict() for r in records]))
        return
    if not records:
        typer.echo("no problem records")
    for r in records:
        breaches = ", ".join(f"{b['objective']} {b['period']}" for b in r.breaches) or "-"
        links = ", ".join(f"{i['id']} ({i['status'] or 'missing'})" for i in r.improvements) or "-"
        typer.echo(terminal_safe(f"{r.id:<24} {r.status:<12} {r.technique or '-':<10} {r.title or ''}"))
        typer.echo(terminal_safe(f"    breaches: {breaches}; improvements: {links}"))


@problem_app.command("list")
def problem_list(ctx: typer.Context, repo: Path = REPO_OPTION, format: OutputFormat = FORMAT_OPTION) -> None:
    """List problem records.

    Example: slactl problem list
    """
    _problem_list(ctx, repo, format)


@problem_app.command("show")
def problem_show(
    ctx: typer.Context,
    problem_id: str = typer.Argument(..., metavar="ID", help="Problem id."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Show one root cause analysis: whys or fishbone, root cause, breaches, improvements.

    Example: slactl problem show db-failover-slow
    """
    from slactl.improvement.problems import problem_records

    _, load, _ = _load(ctx, repo)
    record = next((r for r in problem_records(load) if r.id == problem_id), None)
    if record is None:
        fail(f"no Problem with id '{problem_id}'", "`slactl problem list` shows the records")
    if format == OutputFormat.json:
        echo_json(envelope(problem=record.to_dict()))
        return
    typer.echo(f"{record.id}  ({record.file}:{record.line})  {record.status}")
    if record.title:
        typer.echo(f"  {record.title}")
    for b in record.breaches:
        typer.echo(f"  breach: {b['objective']} in {b['period']}")
    for n, why in enumerate(record.whys, start=1):
        typer.echo(f"  why {n}: {why}")
    for category, causes in record.fishbone.items():
        typer.echo(f"  {category}: {'; '.join(causes)}")
    typer.echo(f"  root cause: {record.root_cause or '(not yet found)'}")
    for i in record.improvements:
        typer.echo(f"  improvement: {i['id']} {i['status'] or '(not in the register)'} {i['title'] or ''}")
    for note in record.notes:
        typer.echo(f"  note: {note}")


# ---------------------------------------------------------------- gaps / scorecard


def gaps_cmd(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="Month (2026-10) or quarter (2026-Q4)."),
    gaming: bool = typer.Option(False, "--gaming", help="Also run the metric gaming checks on ticket data."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Service gaps of a period, ranked by risk-based priority, with what covers each one.

    Gaps: breached or at-risk objectives, OLA/UC shortfalls, watermelon services (met but
    customers unhappy). With --gaming: deadline bunching, priority downgrades, clock-stopping
    pauses and reopens, each with the ticket ids behind it.

    Example: slactl gaps --period 2026-10 --gaming
    """
    from slactl.improvement.csat import analyse, watermelons
    from slactl.improvement.gaming import gaming_checks
    from slactl.improvement.gaps import find_gaps, unmeasured
    from slactl.improvement.recurrence import build_recurrence

    root, load, settings = _load(ctx, repo)
    span = _span(period)
    reader = _reader(root, load)
    results = _period_results(root, load, reader, span)
    no_data = unmeasured(results, load, reader, span)
    melons = watermelons(analyse(load, reader, span, settings.csat, results))
    recurrence = build_recurrence(load, reader, span, settings.periods)
    found = find_gaps(results, load, settings, period=span.label, recurrence=recurrence, watermelons=melons)
    checks = gaming_checks(load, reader, span.first, span.last) if gaming else []
    if format == OutputFormat.json:
        payload: dict[str, Any] = {"period": span.label, "gaps": [g.to_dict() for g in found], "no_data": no_data,
                                   "has_data": len(no_data) < len(results)}
        if gaming:
            payload["gaming"] = [c.to_dict() for c in checks]
        echo_json(envelope(**payload))
        return
    if not results:
        typer.echo(f"no agreement is in force in {span.label}: no objectives to judge")
    elif len(no_data) == len(results) and not found:
        typer.echo(f"{span.label} has no data: none of the {len(results)} objective(s) could be measured, "
                   "so service gaps cannot be judged")
    elif not found:
        typer.echo(f"no service gaps in {span.label}")
    for number, gap in enumerate(found, start=1):
        score = "-" if gap.priority is None else f"{gap.priority.score:.1f}"
        typer.echo(f"{number:>2}. {score:>5}  {gap.kind:<14} {gap.detail}")
        cover = ", ".join([f"problem {p}" for p in gap.problems] + [f"improvement {i}" for i in gap.improvements])
        typer.echo(f"      covered by: {cover or 'nothing yet'}")
    if no_data and len(no_data) < len(results):
        typer.echo(f"note: no data in {span.label} for {len(no_data)} objective(s), not judged: {', '.join(no_data)}")
    for check in checks:
        mark = "FLAG" if check.flagged else "ok  "
        typer.echo(f"{mark} {check.check:<22} {check.objective or check.measure.get('source', '')}: {check.explanation}")
        if check.flagged and check.evidence:
            typer.echo(f"      tickets: {', '.join(check.evidence)}")


def scorecard_cmd(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="Month (2026-10) or quarter (2026-Q4)."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Balanced scorecard per customer agreement, with CSAT against attainment (watermelons).

    Technical (error budget left), financial (credits, remediation cost) and customer (CSAT,
    complaints) scores 0..100, weighted by [scoring.scorecard]; then per service the Spearman
    correlation of daily CSAT with daily attainment and the watermelon flags.

    Example: slactl scorecard --period 2026-10 --format json
    """
    from slactl.improvement.csat import analyse
    from slactl.improvement.scorecard import scorecard

    root, load, settings = _load(ctx, repo)
    span = _span(period)
    reader = _reader(root, load)
    results = _period_results(root, load, reader, span)
    rows = scorecard(load, reader, span, settings, results)
    customers = analyse(load, reader, span, settings.csat, results)
    if format == OutputFormat.json:
        echo_json(envelope(period=span.label, scorecard=[r.to_dict() for r in rows],
                           csat=[c.to_dict() for c in customers]))
        return
    typer.echo(f"balanced scorecard {span.label}      technical financial customer overall")
    for r in rows:
        typer.echo(f"  {r.agreement:<28} {_num(r.technical, 1):>9} {_num(r.financial, 1):>9} "
                   f"{_num(r.customer, 1):>8} {_num(r.overall, 1):>7}")
    typer.echo("customer satisfaction against attainment")
    for c in customers:
        corr = c.correlation
        rho = "-" if corr.get("rho") is None else f"{corr['rho']:+.2f} (p={corr['p_value']:.3g}, n={corr['n']})"
        flag = f"  {c.flag.upper().replace('_', ' ')}" if c.flag else ""
        typer.echo(f"  {c.service:<24} {c.satisfaction:<10} {c.reason}; rho {rho}{flag}")


# ---------------------------------------------------------------- thresholds / reconcile


@thresholds_app.command("suggest")
def thresholds_suggest(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="SOURCE", help="DataSource id."),
    service: str = typer.Option(None, "--service", help="Only this service's data."),
    metric: str = typer.Option(None, "--metric", help="latency_ms, availability or resolution_time (default: the source's)."),
    warning: float = typer.Option(0.95, "--warning-quantile", min=0.5, max=0.9999, help="Quantile for warning."),
    critical: float = typer.Option(0.99, "--critical-quantile", min=0.5, max=0.9999, help="Quantile for critical."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Warning and critical thresholds from the history's distribution, with seasonality, and the
    number of alerts they would have raised.

    Example: slactl thresholds suggest latency --service mobile-banking
    """
    from slactl.improvement.thresholds import ThresholdError, suggest

    if critical <= warning:
        fail("--critical-quantile must be above --warning-quantile")
    root, load, _ = _load(ctx, repo)
    try:
        found = suggest(load, _reader(root, load), source, service=service, metric=metric,
                        warning_q=warning, critical_q=critical)
    except ThresholdError as exc:
        fail(str(exc))
    if format == OutputFormat.json:
        echo_json(envelope(suggestions=[s.to_dict() for s in found]))
        return
    for s in found:
        typer.echo(f"{s.source} {s.service or ''} {s.metric} ({s.unit}, {s.direction.replace('_', ' ')}), "
                   f"seasonality {s.seasonality}, {s.samples} samples")
        for level, value in (("warning", s.warning), ("critical", s.critical)):
            if isinstance(value, dict):
                lows, highs = min(value.values()), max(value.values())
                typer.echo(f"  {level}: {lows:.3f}..{highs:.3f} by bucket (see --format json)")
            else:
                typer.echo(f"  {level}: {value:.3f}")
        typer.echo(f"  would have raised {s.alerts['warning']} warning and {s.alerts['critical']} critical alert(s); "
                   f"flat thresholds: {s.flat_alerts['warning']} and {s.flat_alerts['critical']}")
        typer.echo(f"  {s.explanation}")
        for note in s.notes:
            typer.echo(f"  note: {note}")


def reconcile_cmd(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="Month (2026-10) or quarter (2026-Q4)."),
    tolerance: float = typer.Option(0.5, "--tolerance", min=0.0, help="Allowed difference, percentage points."),
    tickets: str = typer.Option(None, "--tickets", metavar="PRIORITY",
                                help="Also count tickets of this priority (open to resolved) as outages, e.g. P1."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Compare availability from probes, events and outages (and tickets) per service and day.

    Exits 1 when sources disagree by more than the tolerance.

    Example: slactl reconcile --period 2026-10 --tolerance 0.5 --tickets P1
    """
    from slactl.improvement.reconcile import reconcile

    root, load, _ = _load(ctx, repo)
    span = _span(period)
    report = reconcile(load, _reader(root, load), span.label, span.first, span.last, tolerance, tickets)
    if format == OutputFormat.json:
        echo_json(envelope(reconcile=report.to_dict()))
    else:
        for service, values in report.services.items():
            shown = ", ".join(f"{label} {_num(v)}" for label, v in values.items())
            typer.echo(f"{service}: {shown}")
        for d in report.disagreements:
            typer.echo(f"  DISAGREE {d.service} {d.day}: {d.sources[0]} {d.values[0]:.4f} vs {d.sources[1]} "
                       f"{d.values[1]:.4f} ({d.difference:.4f} pp > {tolerance:g})")
        for note in report.notes if report.has_data else []:
            typer.echo(f"  note: {note}")
        if not report.has_data:
            typer.echo(f"{span.label} has no availability data: nothing to compare")
        elif not report.compared:
            typer.echo(f"nothing to compare in {span.label}: no service has two sources with data on the same days")
        elif not report.disagreements:
            typer.echo(f"sources agree within {tolerance:g} percentage points")
    if report.disagreements:
        raise typer.Exit(int(ExitCode.FINDINGS))


def register(app: typer.Typer) -> None:
    csi_app.command("list")(csi_list)
    csi_app.command("show")(csi_show)
    csi_app.command("add")(csi_add)
    csi_app.command("set")(csi_set)
    csi_app.command("score")(csi_score)
    csi_app.command("baseline")(csi_baseline)
    csi_app.command("effect")(csi_effect)
    csi_app.command("roi")(csi_roi)
    app.add_typer(csi_app, name="csi")
    app.add_typer(problem_app, name="problem")
    app.add_typer(thresholds_app, name="thresholds")
    app.command("gaps")(gaps_cmd)
    app.command("scorecard")(scorecard_cmd)
    app.command("reconcile")(reconcile_cmd)
