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
        for record in result.inputs:
            for warning in record.warnings:
                errors.print(f"[yellow]warning[/] {escape(warning)}", highlight=False)
        for reason, count in result.reasons.most_common(5):
            console.print(f"  quarantined {count:,} lines: {reason}", highlight=False, markup=False)


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
    root = Path(cfg.lake_root)
    table = Table(title=f"lake {root}", title_justify="left")
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
    con = connect(Path(cfg.lake_root))
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
        cursor = con.execute(query)
        rows = cursor.fetchmany(1000) if cursor.description else []
    except Exception as exc:  # any DuckDB error is the user's to read, not a crash
        errors.print(f"[red]{type(exc).__name__}:[/] {escape(str(exc))}", highlight=False)
        return
    if not cursor.description:
        return
    table = Table()
    for column in cursor.description:
        table.add_column(escape(column[0]))
    for row in rows:
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    console.print(table)
    if len(rows) == 1000:
        console.print("(first 1000 rows)")


def main() -> None:
    """Entry point for ``python -m seclake``."""
    app()
