"""The command line of every project: ``python -m <package> <command>`` hands over to :func:`main`.

Commands are thin: they parse arguments, call one library function and turn
the app's errors into a message and an exit status. A generated project's
console script and ``__main__`` call :func:`main` with the project's
distribution name, which gives ``--version`` and ``--help`` the project's own
version and description beside the engine's.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

from . import __doc__ as ABOUT_THE_ENGINE
from . import __version__
from .checks import Project, checklist, checks, datapackage, run_checks
from .checks.report import as_json, as_text
from .config import CONFIG_ENV, LoadedSettings, effective_settings, load_settings
from .errors import AppError
from .ingest import SourceReport, ingest
from .store import hide_password

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def show_config(args: argparse.Namespace) -> int:
    """Print the effective settings and where each value came from."""
    loaded: LoadedSettings = load_settings(args.config)
    rows = [
        (key, hide_password(value) if key == "database_url" else value, origin)
        for key, value, origin in effective_settings(loaded)
    ]
    if args.format == "json":
        payload = {
            "config_file": str(loaded.config_path),
            "settings": [{"key": key, "value": value, "source": origin} for key, value, origin in rows],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"Settings from {loaded.config_path}")
    print()
    key_width = max(len(key) for key, _, _ in rows)
    value_width = max(len(json.dumps(value, ensure_ascii=False)) for _, value, _ in rows)
    for key, value, origin in rows:
        shown = json.dumps(value, ensure_ascii=False)
        print(f"  {key:<{key_width}}  {shown:<{value_width}}  {origin}")
    return EXIT_OK


def run_ingest(args: argparse.Namespace) -> int:
    """Ingest the configured sources and report rows read, loaded and rejected for each."""
    loaded = load_settings(args.config)
    reports = ingest(loaded, only=args.source, force=args.force)
    for report in reports:
        print(describe(report, loaded.project_dir))
    return EXIT_OK if all(report.ok for report in reports) else EXIT_ERROR


def serve(args: argparse.Namespace) -> int:
    """Run the web app with uvicorn until interrupted."""
    import uvicorn

    from .store import open_store
    from .web import create_app

    loaded = load_settings(args.config)
    open_store(loaded.settings.database_url, loaded.project_dir).close()  # a bad database_url fails here, plainly
    print(f"Serving the app at http://{args.host}:{args.port}/ and its API at /api (press Ctrl+C to stop)", flush=True)
    uvicorn.run(
        create_app(loaded),
        host=args.host,
        port=args.port,
        server_header=False,
        log_level="info",
        # On SIGTERM or Ctrl+C, requests under way get their own deadline to finish, then the server stops.
        timeout_graceful_shutdown=math.ceil(loaded.settings.server.request_seconds) + 1,
    )
    return EXIT_OK


def export(args: argparse.Namespace) -> int:
    """Write the site as static files and say what was written."""
    from .export import export_site

    loaded = load_settings(args.config)
    report = export_site(loaded, Path(args.directory), force=args.force)
    print(f"Exported the site to {report.directory}:")
    print(
        f"  {report.pages:,} pages: {report.list_pages:,} of lists, {report.feature_pages:,} of records, "
        "the about, accessibility and privacy pages and 404.html"
    )
    print(f"  data files: {', '.join(report.data_files)}")
    print(f"  {report.static_files:,} static files (styles, script and Leaflet)")
    print(f"  {report.size / 1_000_000:,.1f} MB in all")
    for note in report.notes:
        print(f"  {note}")
    print(f"Open {report.directory / 'index.html'} in a browser, or publish the folder (see docs/deployment.md).")
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    """Run the design-to-scale checks and print their report; exit 1 if any failed."""
    report = run_checks(Project.find(args.config), only=args.only)
    print(as_json(report) if args.format == "json" else as_text(report))
    return EXIT_OK if report.ok else EXIT_ERROR


def write_datapackage(args: argparse.Namespace) -> int:
    """Write datapackage.json from place.toml and the theme's schema."""
    project = Project.find(args.config)
    path = datapackage.write(project)
    names = ", ".join(source.name for source in project.loaded.settings.sources) or "none"
    print(f"Wrote {path.name}: the sources in {project.config_path.name} ({names}) with the schema and licences.")
    return EXIT_OK


def write_checklist(args: argparse.Namespace) -> int:
    """Render design-to-scale.md from design-to-scale.yml."""
    project = Project.find(args.config)
    path, items = checklist.write(project.directory)
    unanswered = sum(item.status is None for item in items.items)
    print(f"Wrote {path.name} from {checklist.SOURCE}: {len(items.items)} items, {unanswered} not answered yet.")
    return EXIT_OK


def describe(report: SourceReport, project_dir: Path) -> str:
    """One source's outcome in words: its counts, or what went wrong and what is still serving."""
    shown = report.rejects_file
    if shown is not None and shown.is_relative_to(project_dir):
        shown = shown.relative_to(project_dir)
    if report.unchanged:
        return (
            f"{report.name}: unchanged since its last load (read {report.read:,}, loaded {report.loaded:,}, "
            f"rejected {report.rejected:,}), so not loaded again; --force loads it anyway\n"
            f"  That load, fetched at {report.unchanged.fetched_at}, is still serving."
        )
    if report.ok:
        line = f"{report.name}: read {report.read:,}, loaded {report.loaded:,}, rejected {report.rejected:,}"
        line += f" (reasons in {shown})" if shown else ""
        for name, column in report.near_misses:
            line += (
                f"\n  {name} is empty in every row, and the column {column!r} was kept as an extra property. If it "
                f"holds {name}, map it in this source's [sources.fields] table: {name} = {json.dumps(column)}"
            )
        return line
    if report.previous:
        kept = (
            f"The previous data is still serving: {report.previous.rows_loaded:,} rows "
            f"fetched at {report.previous.fetched_at}."
        )
    else:
        kept = "Nothing was loaded for it before, so it has no data yet."
    set_aside = f"\n  The rows read and why each was rejected: {shown}" if shown else ""
    return f"{report.name}: not loaded. {report.error}\n  {kept}{set_aside}"


def program_name() -> str:
    """How the user started the command line: a console script's name, or ``python -m <package>``."""
    started = Path(sys.argv[0])
    if started.name == "__main__.py":
        return f"python -m {started.parent.name}"
    return f"python -m {__package__}" if started.name in {"", "-c"} else started.name


def about(project: str | None) -> tuple[str, str]:
    """The version line and the description: the project's (from its installed metadata) beside the engine's."""
    engine = f"local-data-app {__version__}"
    if project is None:
        return engine, ABOUT_THE_ENGINE or engine
    try:
        found = metadata(project)
    except PackageNotFoundError:  # a project run from a source tree that is not installed
        return f"{project} (not installed), {engine}", ABOUT_THE_ENGINE or engine
    # The description is the project's own answer, so the app's name stays out of the code.
    return f"{found['Name']} {found['Version']}, {engine}", found["Summary"] or engine


def build_parser(project: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per command."""
    versions, description = about(project)
    parser = argparse.ArgumentParser(prog=program_name(), description=description)
    parser.add_argument("--version", action="version", version=versions)
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"the place.toml to use (default: ${CONFIG_ENV}, else ./place.toml)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    config = commands.add_parser(
        "config",
        help="print the effective settings and where each came from",
        description="Print every setting, its value and its source: place.toml, .env, the environment or the default.",
    )
    config.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    config.set_defaults(handler=show_config)

    ingest_command = commands.add_parser(
        "ingest",
        help="load the data sources in place.toml into the database",
        description=(
            "Read each source in place.toml, map it onto the dataset's schema and replace its data in the database. "
            "Rows that cannot be loaded are written, with their reasons, to data/rejects/<source>.csv. "
            "A source that fails keeps its previous data serving. A file that has not changed since its last load, "
            "with the same settings, is not loaded again."
        ),
    )
    ingest_command.add_argument("--source", metavar="NAME", help="ingest only this source (default: all)")
    ingest_command.add_argument(
        "--force", action="store_true", help="load every source, even a file unchanged since its last load"
    )
    ingest_command.set_defaults(handler=run_ingest)

    serve_command = commands.add_parser(
        "serve",
        help="run the web app: its pages and its OGC API - Features",
        description=(
            "Serve the ingested data: pages for people at / (see docs/pages.md), the OGC API - Features at /api "
            "(see docs/api.md) and a health check at /healthz. "
            "Behind a reverse proxy, keep the default host so that only the proxy can reach the app."
        ),
    )
    serve_command.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    serve_command.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    serve_command.set_defaults(handler=serve)

    export_command = commands.add_parser(
        "export",
        help="write the site as static files for any web server, or to open from disk",
        description=(
            "Write the pages (lists, a page per record, about and 404.html), each collection as GeoJSON and CSV, "
            "and the styles and scripts to DIR, with relative links, so that any static host serves the site "
            "with no Python running and it works opened from disk. Search needs the live app, so the exported "
            "pages have none. See docs/deployment.md."
        ),
    )
    export_command.add_argument("directory", metavar="DIR", help="the folder to write; it must be new or empty")
    export_command.add_argument(
        "--force", action="store_true", help="replace an earlier export in DIR (a folder export did not write is kept)"
    )
    export_command.set_defaults(handler=export)

    check_command = commands.add_parser(
        "check",
        help="check what stops the project from spreading to other areas (see docs/checks.md)",
        description=(
            "Run the design-to-scale checks: place-specific values in the code, licences and REUSE, "
            "publiccode.yml, datapackage.json, a dry run of each source, the checklist in design-to-scale.yml, and "
            "what must change before publication (placeholder addresses, a publiccode.yml url that is not a "
            "repository, a map centre outside the area's country, the sample data as the only source), which "
            "only warns until [service] published = true in place.toml. "
            "Each problem is reported with its file and line. Exits with status 1 if any check fails. "
            "docs/checks.md says what each check looks at and how to fix what it finds."
        ),
    )
    check_command.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    check_command.add_argument(
        "--only",
        action="append",
        choices=[item.id for item in checks()],
        metavar="CHECK",
        help=f"run only this check; repeat for more ({', '.join(item.id for item in checks())})",
    )
    check_command.set_defaults(handler=check)

    datapackage_command = commands.add_parser(
        "datapackage",
        help="write datapackage.json, the Data Package descriptor of the sources",
        description=(
            "Write datapackage.json, a Frictionless Data Package describing each source in place.toml: "
            "where its data is, the schema its rows are mapped onto and its licence. "
            "Run it after changing the sources or the dataset; `check` fails while the file is out of date."
        ),
    )
    datapackage_command.set_defaults(handler=write_datapackage)

    checklist_command = commands.add_parser(
        "checklist",
        help="render design-to-scale.md from the checklist in design-to-scale.yml",
        description=(
            "Render the design-to-scale checklist, design-to-scale.yml, as design-to-scale.md. "
            "Run it after answering or editing items; `check` fails while the two differ."
        ),
    )
    checklist_command.set_defaults(handler=write_checklist)
    return parser


def main(argv: Sequence[str] | None = None, *, project: str | None = None) -> int:
    """Run one command and return its exit status; ``project`` is the calling project's distribution name."""
    try:
        args = build_parser(project).parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except AppError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_ERROR
