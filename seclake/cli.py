"""The ``seclake`` command line: one verb per step, plus lake inspection and the demo.

Every verb takes the same words as the config, the lake partitions and the Airflow params:
``--org``, ``--source``, ``--date``. The config comes from ``--config``, ``$SECLAKE_CONFIG`` or
``./seclake.yaml``. Exit codes: 0 done, 1 the step ran but something must be looked at (a file
unreadable, too many lines quarantined), 2 the request itself was wrong (bad config, unknown org).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from seclake import lake as lake_layout
from seclake.config import Config, ConfigError, load_config
from seclake.ingest import IngestResult, ingest
from seclake.storage import open_lake
from seclake.tables import PERIODS
from seclake.views import connect, views

app = typer.Typer(help="seclake: a security log lake for firewall and anti-virus logs.", no_args_is_help=True)
lake_app = typer.Typer(help="Inspect the lake.", no_args_is_help=True)
app.add_typer(lake_app, name="lake")
rules_app = typer.Typer(help="Detection rules: list, lint, test.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

console = Console()
errors = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="seclake.yaml (default: $SECLAKE_CONFIG or ./seclake.yaml)"),
]
OrgOption = Annotated[str, typer.Option("--org", help="Organisation id from the config.")]
DateOption = Annotated[str, typer.Option("--date", help="Day to process, YYYY-MM-DD.")]
SourceOption = Annotated[str | None, typer.Option("--source", help="Only this log source.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise _fail(str(exc)) from exc


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise _fail(f"--date {text!r} is not a date (YYYY-MM-DD)") from exc


def _last_sunday(today: dt.date | None = None) -> dt.date:
    """The last day of the latest whole Monday-to-Sunday week before ``today`` (UTC by default)."""
    today = today or dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday() + 1)


class _LinesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{task.completed:>12,.0f} lines  {speed or 0:>10,.0f} lines/s")


def _summary(results: list[IngestResult], threshold: float) -> Table:
    table = Table(title="ingest summary", title_justify="left")
    for column in ("org", "source", "date", "files", "lines", "events", "quarantined", "seconds", "status"):
        table.add_column(
            column,
            justify="right" if column in {"files", "lines", "events", "quarantined", "seconds"} else "left",
        )
    for result in results:
        share = f"{result.quarantined:,} ({result.quarantine_share:.1%})"
        status = "[red]FAILED[/]" if result.failed(threshold) else "[green]ok[/]"
        table.add_row(
            result.partition.org,
            result.partition.source,
            result.partition.date.isoformat(),
            str(len(result.inputs)),
            f"{result.lines_read:,}",
            f"{result.events:,}",
            share,
            f"{result.seconds:.1f}",
            status,
        )
    return table


def _report_problems(results: list[IngestResult], threshold: float) -> None:
    for result in results:
        for line in result.errors:
            errors.print(f"[red]error[/] {escape(line)}", highlight=False)
        if result.quarantine_share > threshold:
            errors.print(
                f"[red]error[/] {result.partition.key}: {result.quarantine_share:.1%} of lines quarantined "
                f"(threshold {threshold:.0%})",
                highlight=False,
            )
        for warning in result.warnings:
            errors.print(f"[yellow]warning[/] {escape(warning)}", highlight=False)
        for reason, count in result.reasons.most_common(5):
            console.print(
                f"  {result.partition.key}: quarantined {count:,} lines: {reason}",
                highlight=False,
                markup=False,
            )


def run_ingest(
    config: Config, jobs: list[tuple[str, dt.date]], source: str | None = None
) -> list[IngestResult]:
    """Ingest (org, date) jobs with a progress bar; print one summary and the problems; return the results."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        _LinesPerSecond(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        tasks: dict[str, int] = {}

        def advance(path: str, lines: int) -> None:
            if path not in tasks:
                tasks[path] = progress.add_task(Path(path).name, total=None)
            progress.advance(tasks[path], lines)

        results = []
        for org, date in jobs:
            try:
                results += ingest(config, org, date, source, progress=advance)
            except (KeyError, ValueError) as exc:  # unknown or unsafe org/source id
                raise _fail(exc.args[0]) from exc
    console.print(_summary(results, config.ingest.quarantine_threshold))
    _report_problems(results, config.ingest.quarantine_threshold)
    return results


@app.command("ingest")
def ingest_command(
    org: OrgOption, date: DateOption, source: SourceOption = None, config: ConfigOption = None
) -> None:
    """Parse one organisation's raw logs of one day into the lake."""
    cfg = _config(config)
    results = run_ingest(cfg, [(org, _date(date))], source)
    console.print(f"lake: {cfg.lake_root}", highlight=False)
    if any(r.failed(cfg.ingest.quarantine_threshold) for r in results):
        raise typer.Exit(1)


@lake_app.command("status")
def lake_status(
    config: ConfigOption = None, org: Annotated[str | None, typer.Option("--org")] = None
) -> None:
    """List the lake's partitions with their counts and whether the files match their manifest."""
    cfg = _config(config)
    root = open_lake(cfg)
    table = Table(title=f"lake {root.url}", title_justify="left")
    for column in (
        "org",
        "source",
        "date",
        "lines",
        "events",
        "quarantined",
        "files",
        "written (UTC)",
        "check",
    ):
        table.add_column(column)
    count = 0
    for partition in lake_layout.partitions(root):
        if org and partition.org != org:
            continue
        manifest = lake_layout.read_manifest(root, partition) or {}
        problems = lake_layout.verify_partition(root, partition)
        table.add_row(
            partition.org,
            partition.source,
            partition.date.isoformat(),
            f"{manifest.get('lines_read', 0):,}",
            f"{manifest.get('events_written', 0):,}",
            f"{manifest.get('lines_quarantined', 0):,}",
            str(len(manifest.get("inputs", []))),
            str(manifest.get("finished_at", ""))[:19],
            "ok" if not problems else escape("; ".join(problems)),
        )
        count += 1
    console.print(table)
    console.print(f"{count} partition(s)")


@app.command("sql")
def sql_command(
    query: Annotated[
        str | None, typer.Argument(help="SQL to run; without it, an interactive prompt.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """DuckDB with a view over every lake table (events, quarantine, manifests, ...)."""
    cfg = _config(config)
    con = connect(open_lake(cfg))
    if query is not None:
        _print_query(con, query)
        return
    console.print(
        f"views: {', '.join(views(con)) or '(lake is empty)'}; end a statement with ';', quit with Ctrl-D"
    )
    buffer = ""
    for line in sys.stdin:
        buffer += line
        if buffer.rstrip().endswith(";"):
            _print_query(con, buffer)
            buffer = ""


def _print_query(con: duckdb.DuckDBPyConnection, query: str) -> None:
    try:
        relation = con.sql(query)  # None for statements that return no rows
        # through Arrow: DuckDB's own Python conversion of TIMESTAMPTZ needs pytz
        first_batch = next(iter(relation.to_arrow_reader(1000)), None) if relation is not None else None
        rows = first_batch.to_pylist() if first_batch is not None else []
    except Exception as exc:  # any DuckDB error is the user's to read, not a crash
        errors.print(f"[red]{type(exc).__name__}:[/] {escape(str(exc))}", highlight=False)
        return
    if relation is None:
        return
    table = Table()
    for column in relation.columns:
        table.add_column(escape(column))
    for row in rows[:1000]:
        table.add_row(*(escape("" if v is None else str(v)) for v in row.values()))
    console.print(table)
    if len(rows) >= 1000:
        console.print("(first 1000 rows)")


RulesPath = Annotated[
    Path, typer.Argument(help="A rule file or a folder of rules (default: the project's rules/).")
]


def _rules_root(path: Path | None) -> Path:
    from seclake.detection.engine import RULES_DIR

    return path or RULES_DIR


@rules_app.command("lint")
def rules_lint(path: RulesPath = None) -> None:  # type: ignore[assignment]
    """Check every rule file; print each problem with file and line."""
    from seclake.detection.lint import lint

    problems = lint(_rules_root(path))
    for problem in problems:
        console.print(problem, markup=False, highlight=False)
    console.print(f"{len(problems)} problem(s)" if problems else "rules lint: clean")
    if problems:
        raise typer.Exit(1)


@rules_app.command("test")
def rules_test(path: RulesPath = None) -> None:  # type: ignore[assignment]
    """Run every rule's own test cases and print a table."""
    from seclake.detection.casetest import run_cases
    from seclake.detection.engine import load_rules

    rules, problems = load_rules(_rules_root(path))
    table = Table(title="rule tests", title_justify="left")
    for column in ("rule", "case", "result", "detail"):
        table.add_column(column)
    results = [result for _, rule in rules for result in run_cases(rule)]
    for result in results:
        table.add_row(
            result.rule_id,
            escape(result.case),
            "[green]pass[/]" if result.passed else "[red]FAIL[/]",
            escape(result.detail),
        )
    console.print(table)
    for problem in problems:
        errors.print(f"[red]rule file error[/] {escape(problem)}", highlight=False)
    failed = sum(not r.passed for r in results)
    console.print(
        f"{len(results) - failed} passed, {failed} failed"
        + (f", {len(problems)} rule file(s) broken" if problems else "")
    )
    if failed or problems:
        raise typer.Exit(1)


@rules_app.command("list")
def rules_list(config: ConfigOption = None, path: RulesPath = None) -> None:  # type: ignore[assignment]
    """Rules with severity, ATT&CK mapping, what they read, and alerts in the lake."""
    from seclake.detection.engine import load_rules

    rules, problems = load_rules(_rules_root(path))
    counts: dict[str, int] = {}
    try:
        con = connect(open_lake(_config(config)))
        if "alerts" in views(con):
            counts = dict(con.execute("SELECT rule_id, count(*) FROM alerts GROUP BY 1").fetchall())
    except typer.Exit:
        pass
    table = Table(title=f"{len(rules)} rules", title_justify="left")
    for column in ("id", "title", "severity", "mitre", "reads", "alerts"):
        table.add_column(column)
    for _, rule in rules:
        mitre = " ".join(rule.mitre.tactics + rule.mitre.techniques)
        table.add_row(
            rule.id,
            escape(rule.title),
            rule.severity,
            mitre,
            ", ".join(rule.reads),
            str(counts.get(rule.id, 0)),
        )
    console.print(table)
    for problem in problems:
        errors.print(f"[red]rule file error[/] {escape(problem)}", highlight=False)


@rules_app.command("import-sigma")
def rules_import_sigma(
    paths: Annotated[list[Path], typer.Argument(help="Sigma rule files or folders (searched recursively).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the rule files (default: rules/sigma/).")
    ] = None,
) -> None:
    """Convert Sigma rules into seclake rule files; report each rule that cannot be converted and why."""
    from seclake.sigma.convert import DEFAULT_OUT, import_sigma

    missing = [p for p in paths if not p.exists()]
    if missing:
        errors.print(f"[red]not found:[/] {escape(', '.join(map(str, missing)))}", highlight=False)
        raise typer.Exit(2)
    report = import_sigma(paths, out or DEFAULT_OUT)
    for converted in report.converted:
        console.print(f"converted {converted.source} -> {converted.rule_id}", markup=False, highlight=False)
        for note in converted.notes:
            console.print(f"  note: {note}", markup=False, highlight=False)
    for rejected in report.rejected:
        console.print(f"not converted {rejected.source}: {rejected.reason}", markup=False, highlight=False)
    console.print(
        f"{len(report.converted)} converted into {out or DEFAULT_OUT}, {len(report.rejected)} not converted"
    )


def run_detect(config: Config, jobs: list[tuple[str, dt.date]]) -> list:
    """Run detect for (org, date) jobs; print a summary and every failing rule; return the results."""
    from seclake.detection.engine import detect

    table = Table(title="detect summary", title_justify="left")
    for column in ("org", "date", "rules", "alerts", "suppressed", "failed rules"):
        table.add_column(column)
    results = []
    for org, date in jobs:
        result = detect(config, org, date)
        results.append(result)
        table.add_row(
            org,
            date.isoformat(),
            str(len(result.runs)),
            str(result.alerts.num_rows),
            str(result.suppressed),
            str(len(result.failed_rules)),
        )
    console.print(table)
    for result in results:
        for run in result.failed_rules:
            errors.print(
                f"[red]rule failed[/] {run.rule_id} ({run.path}) on {result.org} {result.date}: {escape(run.error)}",
                highlight=False,
            )
        for problem in result.rule_errors:
            errors.print(f"[red]rule file error[/] {escape(problem)}", highlight=False)
    return results


@app.command("detect")
def detect_command(org: OrgOption, date: DateOption, config: ConfigOption = None) -> None:
    """Run the detection rules over one organisation's events of one day."""
    cfg = _config(config)
    try:
        results = run_detect(cfg, [(org, _date(date))])
    except KeyError as exc:
        raise _fail(exc.args[0]) from exc
    if any(r.failed_rules or r.rule_errors for r in results):
        raise typer.Exit(1)


def run_analysis(config: Config, jobs: list[tuple[str, dt.date]]) -> None:
    """After detect, for (org, date) jobs in date order: incidents, downtime, metrics; print a summary."""
    from seclake.downtime import build_downtime
    from seclake.incidents import build_incidents
    from seclake.metrics import build_metrics

    table = Table(title="incidents and metrics", title_justify="left")
    for column in ("org", "date", "incidents", "not resolved", "downtime (min)", "breach-caused (min)"):
        table.add_column(column)
    for org, date in sorted(jobs, key=lambda job: (job[1], job[0])):
        incidents = build_incidents(config, org, date).incidents
        build_downtime(config, org, date)
        day = build_metrics(config, org, date).rows.to_pylist()[0]
        table.add_row(
            org,
            date.isoformat(),
            str(incidents.num_rows),
            str(sum(status != "resolved" for status in incidents["status"].to_pylist())),
            f"{day['downtime_minutes']:.0f}",
            f"{day['downtime_breach_minutes']:.0f}",
        )
    console.print(table)


def run_reports(config: Config, jobs: list[tuple[str, dt.date]], periods: tuple[str, ...] = PERIODS) -> Path:
    """Write each org's report of every period that holds one of its job days (as of the latest
    of them in that period: a run over a whole week leaves each day's report, not only the last
    one's), then the index."""
    from seclake.metrics import periods_of
    from seclake.report import write_index, write_report

    for org, period, date in periods_of(jobs, periods):
        files = write_report(config, org, period, date)
        console.print(f"report: {files.html}")
    index = write_index(config)
    console.print(f"reports: {index}")
    return index


@app.command("report")
def report_command(
    org: OrgOption,
    date: DateOption,
    period: Annotated[str, typer.Option("--period", help="day, week or month (containing --date).")] = "week",
    config: ConfigOption = None,
) -> None:
    """Write one organisation's report (HTML, JSON, Markdown) for a period, then the index."""
    cfg = _config(config)
    if period not in PERIODS:
        raise _fail(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    try:
        run_reports(cfg, [(cfg.organisation(org).id, _date(date))], (period,))
    except KeyError as exc:
        raise _fail(exc.args[0]) from exc


@app.command("incidents")
def incidents_command(org: OrgOption, date: DateOption, config: ConfigOption = None) -> None:
    """Group one organisation's alerts into incidents, compute its downtime and the day's metrics."""
    cfg = _config(config)
    try:
        run_analysis(cfg, [(cfg.organisation(org).id, _date(date))])
    except KeyError as exc:
        raise _fail(exc.args[0]) from exc


@app.command("run")
def run_command(
    date: DateOption,
    org: Annotated[str | None, typer.Option("--org", help="One organisation (default: all).")] = None,
    config: ConfigOption = None,
) -> None:
    """Every step for a day: ingest, detect, incidents, downtime, metrics, reports; one organisation or all."""
    cfg = _config(config)
    day = _date(date)
    jobs = [(o.id, day) for o in cfg.organisations if org in (None, o.id)]
    if not jobs:
        raise _fail(f"no organisation {org!r} in the config")
    ingested = run_ingest(cfg, jobs)
    detected = run_detect(cfg, jobs)
    run_analysis(cfg, jobs)
    run_reports(cfg, jobs)
    if any(r.failed(cfg.ingest.quarantine_threshold) for r in ingested) or any(
        r.failed_rules for r in detected
    ):
        raise typer.Exit(1)


@app.command("demo")
def demo_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo logs, config, lake and reports.")
    ] = Path("var/demo"),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 7,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="First day (default: the --days days ending last Sunday, so the week's report is whole).",
        ),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=2)] = 7,
    scale: Annotated[float, typer.Option("--scale", help="Multiplies the background volume.")] = 1.0,
) -> None:
    """Generate realistic logs with labelled attacks and outages, then run every step on them."""
    from seclake.demo import generate

    first = _date(start) if start else _last_sunday() - dt.timedelta(days=days - 1)
    console.print(f"generating {days} days of logs from {first} (seed {seed}) in {out} ...")
    demo = generate(out, seed=seed, start=first, days=days, scale=scale)
    lines = sum(f.lines for f in demo.files)
    console.print(
        f"{len(demo.files)} files, {lines:,} lines for {len(demo.orgs)} organisations: {', '.join(demo.orgs)}"
    )
    config = _config(demo.config)
    jobs = [(org, date) for org in demo.orgs for date in demo.dates]
    results = run_ingest(config, jobs)
    failed = [r for r in results if r.failed(config.ingest.quarantine_threshold)]
    detected = run_detect(config, jobs)
    run_analysis(config, jobs)
    index = run_reports(config, jobs)
    console.print(f"config:       {demo.config}")
    console.print(f"ground truth: {demo.ground_truth}")
    console.print(f"lake:         {config.lake_root}")
    console.print(
        f'explore:      .venv/bin/seclake sql --config {demo.config} "select * from incidents order by detected_at"'
    )
    console.print(f"report:       {index}")
    if failed or any(r.failed_rules for r in detected):
        raise typer.Exit(1)


def main() -> None:
    """Entry point for ``python -m seclake``."""
    app()
