"""The `crm-dashboard` command: serve the app, make sample data, run queries, print KPIs."""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from dashboard.alerts import check as alerts
from dashboard.alerts import rules as alert_rules
from dashboard.analytics import kpis as kpi_report
from dashboard.analytics.changes import data as changes_data
from dashboard.analytics.changes import words as changes_words
from dashboard.analytics.digest import build as digest_build
from dashboard.analytics.digest import command as digest_command
from dashboard.analytics.digest import images as digest_images
from dashboard.analytics.digest import render as digest_render
from dashboard.analytics.health import config as health_config
from dashboard.core import access, queries, resources
from dashboard.core.filters import SCOPE_KEYS, Filters
from dashboard.engines import parquet_export
from dashboard.engines import settings as engine
from dashboard.ingest import answers, batch, kept, loader, profiles, remap, stages, uploads
from dashboard.ingest.errors import ImportProblem, plain_reason
from dashboard.ingest.fields import TABLES
from dashboard.ingest.formats import FAMILIES
from dashboard.ingest.vendors import VENDORS
from dashboard.store import handover, sample, warehouse

APP = resources.folder("dashboard.ui") / "app.py"
FILTER_DEFAULTS = Filters().params()


class UsageError(Exception):
    """A mistake on the command line, explained in one sentence."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    return _run(args, argv)


def _run(args: argparse.Namespace, argv: list[str] | None) -> int:
    """The command, its user errors as one sentence; argv None: never hand it to the app."""
    try:
        try:
            return args.handler(args)
        except warehouse.DatabaseLocked as locked:
            if argv is None:
                raise
            return _when_locked(args, argv, locked)
    except (
        UsageError,
        queries.QueryError,
        warehouse.WarehouseError,
        ImportProblem,
        handover.HandoverError,
    ) as exc:
        print(f"crm-dashboard {args.command}: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(
            f"crm-dashboard {args.command}: the database refused: {plain_reason(exc)}",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        # `crm-dashboard kpis | head`: the reader left; not an error worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-dashboard", description="CRM analytics dashboard on an embedded DuckDB warehouse."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="start the web app")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8501)))
    serve.add_argument(
        "--address",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1; 0.0.0.0 for all)",
    )
    _db_option(serve, who=False)
    serve.set_defaults(handler=_serve)

    smp = sub.add_parser("sample", help="generate the sample company into a database")
    smp.add_argument(
        "--scale",
        type=_positive_float,
        default=1.0,
        help="size multiplier: 1 = 2,000 accounts and 20,000 deals",
    )
    smp.add_argument("--seed", type=int, default=sample.DEFAULT_SEED)
    _db_option(smp)
    smp.set_defaults(handler=_sample)

    qry = sub.add_parser("query", help="run a query file by name and print its rows")
    qry.add_argument("name", help=f"one of: {', '.join(queries.available())}")
    qry.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help='a parameter; V is JSON when it parses (null, 5, ["a"]), else text. '
        "Filter parameters not given mean 'all'.",
    )
    qry.add_argument("--format", choices=("csv", "json"), default="csv")
    _db_option(qry)
    qry.set_defaults(handler=_query)
    _answered_by_app(qry)

    imp = sub.add_parser("import", help="import CRM exports (CSV, TSV, Excel, Parquet)")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="[FILE=]TABLE",
        help=f"target table (default: guessed): {', '.join(TABLES)}; FILE=TABLE for one of "
        "several files",
    )
    imp.add_argument(
        "--source",
        default="auto",
        choices=("auto", *VENDORS),
        help="which CRM wrote the file (default: recognised from the headers)",
    )
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="override one guess: amount=Amount, amount=Quantity*UnitPrice, "
        "owner= (unmap), 'entered:Closed Won=Won date'; FILE:FIELD=COLUMN for one of "
        "several files",
    )
    imp.add_argument(
        "--date-format",
        action="append",
        default=[],
        metavar="COLUMN=FORMAT",
        help=f"how to read a date column: {', '.join(FAMILIES)}",
    )
    imp.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="NAME=STATUS",
        help="what a deal stage means: won, lost or open ('Signed=won'); as the stage grid",
    )
    imp.add_argument(
        "--stage-order",
        metavar="A,B,C",
        help="pipeline order of the stages ('Lead,Demo,Proposal'); stages not named follow",
    )
    imp.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    imp.add_argument("--profile", help="use a saved mapping profile")
    imp.add_argument("--save-profile", metavar="NAME", help="save the mapping used as a profile")
    imp.add_argument("--dry-run", action="store_true", help="report only; load nothing")
    imp.add_argument(
        "--all-or-nothing", action="store_true", help="load nothing if any row would be rejected"
    )
    imp.add_argument(
        "--keep-sample",
        action="store_true",
        help="keep the sample data beside yours (default: remove it)",
    )
    _db_option(imp)
    imp.set_defaults(handler=_import)

    rmp = sub.add_parser(
        "remap", help="load a past import again with a changed mapping (undo brings it back)"
    )
    rmp.add_argument("load_id", type=int, metavar="LOAD_ID")
    rmp.add_argument("--table", choices=list(TABLES), help="load into another table")
    rmp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="change one field of the recorded mapping: created_at='Create Date', owner= (unmap)",
    )
    rmp.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="NAME=STATUS",
        help="say a stage is won, lost or open: 'C6:WON=won'",
    )
    rmp.add_argument(
        "--date-format",
        action="append",
        default=[],
        metavar="COLUMN=FORMAT",
        help=f"how to read a date column: {', '.join(FAMILIES)}",
    )
    rmp.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    _db_option(rmp)
    rmp.set_defaults(handler=_remap)

    lds = sub.add_parser("loads", help="list the load history")
    _db_option(lds)
    lds.set_defaults(handler=_loads)
    _answered_by_app(lds)

    und = sub.add_parser("undo", help="reverse one load")
    und.add_argument("load_id", type=int, metavar="LOAD_ID")
    _db_option(und)
    und.set_defaults(handler=_undo)

    ans = sub.add_parser(
        "answers", help="which pages and tiles the loaded data feeds, and what to map for the rest"
    )
    _db_option(ans)
    ans.set_defaults(handler=_answers)
    _answered_by_app(ans)

    exp = sub.add_parser(
        "export-parquet", help="write the canonical tables as partitioned Parquet (for Spark)"
    )
    exp.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    _db_option(exp)
    exp.set_defaults(handler=_export_parquet)

    kpi = sub.add_parser("kpis", help="print the headline KPIs")
    kpi.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD")
    kpi.add_argument("--to", dest="end", type=_date, help="last day, YYYY-MM-DD (inclusive)")
    kpi.add_argument("--segment", action="append", default=[], metavar="S")
    kpi.add_argument("--region", action="append", default=[], metavar="R")
    kpi.add_argument("--owner", action="append", default=[], metavar="O")
    kpi.add_argument(
        "--team", action="append", default=[], metavar="T", help="owners' team (owners table)"
    )
    kpi.add_argument("--format", choices=("json", "table"), default="json")
    kpi.add_argument("--preset", default=None, help="health preset (default engagement)")
    _db_option(kpi)
    kpi.set_defaults(handler=_kpis)
    _answered_by_app(kpi)

    rol = sub.add_parser("roles", help="check the roles file (what is wrong, for the operator)")
    rol.add_argument("action", choices=("check",))
    rol.add_argument(
        "--file", type=Path, default=None, help=f"roles file (default ${access.ROLES_ENV})"
    )
    rol.set_defaults(handler=_roles)
    _digest_parser(sub)

    chg = sub.add_parser("changes", help="what the latest load (or load N on) changed")

    chg.add_argument("--since-load", type=int, default=None, metavar="N")
    chg.add_argument("--format", choices=("json", "table"), default="json")
    _db_option(chg)
    chg.set_defaults(handler=_changes)
    _answered_by_app(chg)

    bch = sub.add_parser("bench", help="measure import, page queries and memory at a scale")
    bch.add_argument("--scale", type=_positive_float, default=1.0, help="1 = 20k deals")
    bch.add_argument("--runs", type=int, default=5, help="warm runs per page (median)")
    bch.add_argument("--json", action="store_true", help="print every figure as JSON")
    bch.add_argument("--dir", type=Path, default=None, help="keep the files here")
    bch.add_argument(
        "--engine",
        choices=engine.ENGINES,
        default="duckdb",
        help="spark: also run every page's calls on Spark local mode, beside DuckDB (needs a JVM)",
    )
    bch.add_argument(
        "--spark-master",
        default=None,
        metavar="URL",
        help=f"with --engine spark: local or local[N] (default {engine.DEFAULT_SPARK_URL})",
    )
    bch.add_argument(
        "--pages",
        default=None,
        metavar="PAGE,PAGE",
        help="measure only these pages at every step (default: every page): one page is "
        "enough to check a change to it",
    )
    bch.add_argument(
        "--no-server",
        action="store_true",
        help="skip timing the real server in headless Chromium (first render, filter change)",
    )
    bch.set_defaults(handler=_bench)
    _alerts_parser(sub)
    return parser


def _alerts_parser(sub: argparse._SubParsersAction) -> None:
    alr = sub.add_parser("alerts", help="alert rules (file in $CRM_DASHBOARD_ALERTS)")
    what = alr.add_subparsers(dest="alerts_command", required=True, metavar="check")
    chk = what.add_parser(
        "check", help="check every rule, send what new firings owe; exit 1 when any fires"
    )
    chk.add_argument("--format", choices=("json", "table"), default="table")
    chk.add_argument(
        "--if-changed", action="store_true", help="do nothing when no load happened since"
    )
    chk.add_argument("--rules", type=Path, help="the rules file (default $CRM_DASHBOARD_ALERTS)")
    _db_option(chk)
    chk.set_defaults(handler=_alerts_check)
    _answered_by_app(chk)


def _answered_by_app(parser: argparse.ArgumentParser) -> None:
    """This command only reads (or writes only the app's own state, like alert firings): while
    `crm-dashboard serve` holds the database, the app runs it and answers (store/handover.py).
    It must open the database before it prints or writes anything."""
    parser.set_defaults(answered_by_app=True)


def _command_name(args: argparse.Namespace) -> str:
    sub = getattr(args, "alerts_command", None)
    return f"{args.command} {sub}" if sub else args.command


def _when_locked(
    args: argparse.Namespace, argv: list[str], locked: warehouse.DatabaseLocked
) -> int:
    """The database is held: hand a reading command to the app holding it, print its answer as
    if this process had run it; refuse anything else in one sentence."""
    db = _db_path(args)
    pid = handover.app_pid(db)
    if pid is None:  # not an app that answers (another command, a plain `streamlit run`)
        raise locked
    if not getattr(args, "answered_by_app", False):
        raise UsageError(
            f"the app serving {db} (pid {pid}) holds it, and `crm-dashboard "
            f"{_command_name(args)}` changes the data or writes files, so the app does not run "
            f"it for the command line (only {', '.join(_answered_commands())} are): stop the "
            "app to run it, or import, undo and remap on the app's Import page."
        )
    person = getattr(args, "as_user", None) or os.environ.get("USER") or os.environ.get("USERNAME")
    request = handover.Request(
        argv=argv, db=str(db), cwd=os.getcwd(), person=person, settings=handover.settings()
    )
    answer = handover.ask(request)
    sys.stdout.write(answer.stdout)
    sys.stderr.write(answer.stderr)
    return answer.exit_code


def _answered_commands(
    parser: argparse.ArgumentParser | None = None, prefix: str = ""
) -> list[str]:
    """The commands the app answers for the command line, as typed ('kpis', 'alerts check')."""
    names = []
    for action in (parser or _parser())._actions:  # noqa: SLF001 - argparse's subcommand table
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                if sub.get_default("answered_by_app"):
                    names.append(prefix + name)
                names += _answered_commands(sub, f"{prefix}{name} ")
    return names


def run_for_app(request: handover.Request) -> handover.Answer:
    """In the serving process: run a handed-over command as the command line would have, its
    output captured (only this thread's), for its own user, database and working folder."""
    with handover.captured() as (out, err):
        code = _run_handed(request)
    return handover.Answer(code, out.getvalue(), err.getvalue())


def _run_handed(request: handover.Request) -> int:
    try:
        args = _parser().parse_args(request.argv)
    except SystemExit as exc:  # argparse has printed why
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "answered_by_app", False):
        print(
            f"crm-dashboard {_command_name(args)}: the app does not run this command for "
            "the command line; stop the app to run it.",
            file=sys.stderr,
        )
        return 2
    differing = handover.differing_settings(request.settings)
    if differing:
        print(
            f"crm-dashboard {_command_name(args)}: the app serving {request.db} runs this "
            f"command with its own settings, and this job sets {', '.join(differing)} "
            "otherwise: leave it unset (the app's applies) or give it the app's value, or "
            "stop the app.",
            file=sys.stderr,
        )
        return 2
    _absolute_paths(args, Path(request.cwd))
    args.db = Path(request.db)
    if hasattr(args, "as_user"):
        args.as_user = request.person
    try:
        return _run(args, None)
    except Exception:  # noqa: BLE001 - what the command line would print before exiting 1
        traceback.print_exc()
        return 1


def _absolute_paths(args: argparse.Namespace, cwd: Path) -> None:
    """Relative file options (--out, --rules) as the caller meant them, from its folder."""
    for name, value in vars(args).items():
        if isinstance(value, Path) and not value.expanduser().is_absolute():
            setattr(args, name, cwd / value)
        elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
            setattr(args, name, [v if v.expanduser().is_absolute() else cwd / v for v in value])


def _digest_parser(sub) -> None:
    dig = sub.add_parser(
        "digest", help="write a digest (KPI tiles, what changed, one chart per page) to a file"
    )
    dig.add_argument(
        "--period",
        choices=tuple(digest_build.PERIODS),
        default=None,
        help=f"counted back from the last day with data (default {digest_build.DEFAULT_PERIOD})",
    )
    dig.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD")
    dig.add_argument("--to", dest="end", type=_date, help="last day, YYYY-MM-DD (inclusive)")
    for flag in ("segment", "region", "owner", "team"):
        dig.add_argument(f"--{flag}", action="append", default=[], metavar=flag[0].upper())
    dig.add_argument("--format", choices=digest_render.FORMATS, required=True)
    dig.add_argument("--out", type=Path, required=True, metavar="FILE")
    dig.add_argument(
        "--base-url",
        default=None,
        help=f"the app's address for the links (default ${digest_build.BASE_URL_ENV} or "
        f"{digest_build.DEFAULT_BASE_URL})",
    )
    dig.add_argument(
        "--if-changed",
        action="store_true",
        help="write nothing when no load happened since the previous digest of this scope",
    )
    _db_option(dig)
    dig.set_defaults(handler=_digest)
    _answered_by_app(dig)


def _db_option(parser: argparse.ArgumentParser, who: bool = True) -> None:
    if who:
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USER",
            default=None,
            help=f"whose role and scope apply (default $USER; with ${access.ROLES_ENV} set)",
        )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"database file (default ${warehouse.DB_ENV_VAR} or {warehouse.default_db_path()})",
    )


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _db_path(args: argparse.Namespace) -> Path:
    return args.db.expanduser().resolve() if args.db else warehouse.default_db_path()


def _query_cursor(args: argparse.Namespace):
    """What `query` and `kpis` run on: the warehouse, or Spark when CRM_DASHBOARD_ENGINE=spark."""
    return engine.query_cursor(_open(args), _db_path(args))


def _open(args: argparse.Namespace, create: bool = False) -> duckdb.DuckDBPyConnection:
    """The warehouse; only `sample` and `import` may create it (a typo in --db must not
    quietly answer with an empty database)."""
    path = _db_path(args)
    if not create and not path.exists():
        raise UsageError(
            f"There is no database at {path}. Start the app once (it loads the sample), or run "
            "`crm-dashboard sample` or `crm-dashboard import FILE` first, or pass another --db."
        )
    return warehouse.connect(path)


def _access(args: argparse.Namespace, *, writes: bool = False) -> access.Access:
    """Who runs this command, from --as or $USER, through the same roles file as the app.
    Reading needs a role; writing (import, undo, sample) and the load history need analyst or
    admin. Without a roles file: the local single user, the admin, as before."""
    person = args.as_user or os.environ.get("USER") or os.environ.get("USERNAME")
    who = access.decide(person, "cli", access.configured_path())
    if not who.can_read:
        raise UsageError(f"no access: {who.reason} Ask an admin to add you to the roles file.")
    if writes and not who.can_import:
        raise UsageError(
            f"{who.person} is a {who.role.value}; importing, undoing loads and the load "
            "history are for analysts and admins."
        )
    return who


def _serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.db:
        env[warehouse.DB_ENV_VAR] = str(args.db.expanduser().resolve())
    command = [
        sys.executable,
        "-m",
        "dashboard.serving",  # Streamlit, and a desk that answers handed-over commands
        "run",
        str(APP),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        # st.dataframe's own "Download as CSV" would bypass safe_csv (formula cells); tables
        # are downloaded through the formula-safe buttons under them instead.
        "--client.disableDataExport",
        "true",
        # A failure shows a generic sentence, never a traceback with server paths (issue 21).
        "--client.showErrorDetails",
        "none",
        "--server.maxUploadSize",
        str(uploads.max_upload_mb()),
        # No full garbage collection after every run: 0.2-0.45 s holding the lock every
        # thread needs (the reply waits behind it) at a million deals; Python's own collector
        # still runs as objects pile up.
        "--runner.postScriptGC",
        "false",
        # No watching of source files for changes (a development feature): after every run
        # it resolved the path of each of the ~1,600 modules loaded (pandas, Plotly, DuckDB)
        # on the thread that serves every browser: ~1 s of its time in one sampled first render.
        "--server.fileWatcherType",
        "none",
    ]
    # Staged copies a crashed or killed server left behind (ingest/uploads.py).
    uploads.sweep(
        warehouse.import_dir(Path(env.get(warehouse.DB_ENV_VAR) or warehouse.default_db_path())),
        starting=True,
    )
    print(
        f"Serving on http://{args.address}:{args.port} "
        f"(database {env.get(warehouse.DB_ENV_VAR) or warehouse.default_db_path()})",
        flush=True,
    )
    os.execvpe(command[0], command, env)
    return 0  # not reached


def _sample(args: argparse.Namespace) -> int:
    _access(args, writes=True)
    con = _open(args, create=True)
    load_id = sample.load_sample(con, scale=args.scale, seed=args.seed)
    counts = {
        t: warehouse.scalar(
            con,
            f'select count(*) from "{t}" where load_id = $id',  # noqa: S608
            {"id": load_id},
        )
        for t in warehouse.CANONICAL_TABLES
    }
    print(
        f"Loaded the sample (scale {args.scale:g}) as load {load_id}: "
        + ", ".join(f"{n:,} {t}" for t, n in counts.items())
    )
    return 0


def _query(args: argparse.Namespace) -> int:
    who = _access(args)
    wanted = queries.parameters(args.name)
    params = {k: v for k, v in FILTER_DEFAULTS.items() if k in wanted}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param expects K=V, got {item!r}.")
        params[key] = _param_value(value)
    params = _within_scope(args.name, params, who)
    frame = queries.run(_query_cursor(args), args.name, params)
    if args.format == "json":
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        sys.stdout.write(frame.to_csv(index=False))
    return 0


def _within_scope(name: str, params: dict[str, object], who: access.Access) -> dict[str, object]:
    """The --param filter lists narrowed to the person's grant, exactly as the app does."""
    if who.scope.is_everything:
        return params
    if not set(SCOPE_KEYS) <= queries.parameters(name):
        raise UsageError(
            f"query {name!r} cannot be limited to your segments, regions and teams; ask an admin."
        )
    chosen = {key: _as_tuple(params.get(key)) for key in SCOPE_KEYS}
    narrowed = Filters(**chosen).within(who.scope).params()
    return {**params, **{key: narrowed[key] for key in SCOPE_KEYS}}


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _param_value(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _pairs(items: list[str], option: str, last: bool = False) -> dict[str, str]:
    """NAME=VALUE options; `last` splits at the last '=' (stage names may hold one)."""
    out = {}
    for item in items:
        key, sep, value = item.rpartition("=") if last else item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} expects NAME=VALUE, got {item!r}.")
        out[key.strip()] = value.strip()
    return out


def _import(args: argparse.Namespace) -> int:
    who = _access(args, writes=True)
    con = _open(args, create=True)
    overrides = _pairs(args.map, "--map")
    families = _pairs(args.date_format, "--date-format")
    for path in args.files:
        if not path.is_file():
            raise UsageError(f"{path} is not a file.")
    names = [path.name for path in args.files]
    statuses = {k: v.lower() for k, v in _pairs(args.stage, "--stage", last=True).items()}
    stage_order = [s.strip() for s in (args.stage_order or "").split(",") if s.strip()]
    # Inspect every file before loading any: a bad file leaves the database unchanged.
    inspections = []
    plans = {}  # file name -> (path, inspect options, stage map chosen on the command line)
    try:
        for path in args.files:
            table, mine = batch.options_for(path.name, names, args.table, overrides)
            options = {
                "table": table,
                "vendor": args.source,
                "overrides": mine,
                "profile": args.profile,
                "sheet": args.sheet,
                "date_families": families,
            }
            plans[path.name] = (path, options, None)
            inspections.append(loader.inspect(con, path, path.name, **options))
        if statuses or stage_order:
            _apply_stage_choices(con, inspections, plans, statuses, stage_order)

        def again(old: loader.Inspection, shared: dict[str, set[str]]) -> loader.Inspection:
            path, options, chosen = plans[old.name]
            return loader.inspect(con, path, path.name, stage_map=chosen, shared=shared, **options)

        # A column naming another file's people, products or accounts maps by its values.
        inspections[:] = batch.with_shared(con, inspections, again)
        for ins in inspections:
            refusal = ins.conversion.refusal()
            if refusal:
                raise ImportProblem(refusal, file=ins.name)
        # Several files are one export: dependency order, accounts linked, overlap shown.
        ordered, overlaps = batch.prepare(con, inspections)
        for ins in ordered:
            _print_inspection(con, ins)
        if overlaps:
            print("How these files fit together:")
            for overlap in overlaps:
                print(f"  {overlap.sentence()}")
        if args.dry_run:
            _print_answers(answers.before_loading(map(loader_file, inspections)), "these files")
            print("Dry run: nothing was loaded.")
            return 0
        results = batch.commit_all(
            con,
            ordered,
            all_or_nothing=args.all_or_nothing,
            remove_sample=not args.keep_sample,
            user=who.person,
        )
        for ins, result in zip(ordered, results, strict=True):
            print(result.message)
            if args.save_profile:
                profiles.save(
                    con, args.save_profile, ins.staged.headers, ins.mapping, ins.vendor.vendor
                )
                print(f"Saved the mapping as profile {args.save_profile!r}.")
        if any(result.load_id is not None for result in results):
            _print_lines(alerts.after_load(con, who.person))
    finally:
        for ins in inspections:
            loader.close(con, ins)
    return 0


def _apply_stage_choices(
    con: duckdb.DuckDBPyConnection,
    inspections: list[loader.Inspection],
    plans: dict[str, tuple],
    statuses: dict[str, str],
    stage_order: list[str],
) -> None:
    """--stage and --stage-order do what the page's stage grid does (the guessed stages,
    changed, applied), each on the deals files whose stages hold the name it gives."""
    deals = [i for i in inspections if len(inspections) == 1 or i.mapping.table == "deals"]
    if not deals:
        raise UsageError(
            "--stage and --stage-order apply to deals; none of "
            f"{', '.join(i.name for i in inspections)} is read as deals (pass --table FILE=deals"
            " for the one that holds deals)."
        )
    for ins in deals:
        if ins.conversion.stage_map is None:
            raise UsageError(
                f"--stage and --stage-order apply to deals; {ins.name} is read as"
                f" {ins.mapping.table} (pass --table deals if it holds deals)."
            )
    maps = {ins.name: ins.conversion.stage_map for ins in deals}
    for name, (mine, order) in stages.choices_per_file(maps, statuses, stage_order).items():
        k = next(k for k, ins in enumerate(inspections) if ins.name == name)
        chosen = stages.choose(inspections[k].conversion.stage_map, mine, order, name)
        path, options, _ = plans[name]
        plans[name] = (path, options, chosen)
        loader.close(con, inspections.pop(k))
        inspections.insert(k, loader.inspect(con, path, name, stage_map=chosen, **options))


def _print_inspection(con: duckdb.DuckDBPyConnection, ins: loader.Inspection) -> None:
    print(
        f"{ins.name}: {loader.describe_vendor(ins.vendor)} -> table "
        f"{loader.describe_table(ins.mapping)}"
    )
    for row in ins.mapping_rows().itertuples(index=False):
        if row.column:
            print(f"  {row.field:<22} <- {row.column}  ({row.confidence:.0%}, {row.why})")
    for note in ins.notes:
        print(f"  note: {note}")
    print(f"  {ins.rows_ok:,} rows will load, {ins.rows_rejected:,} rejected")
    rejected = ins.conversion.rejected(con, limit=20)
    for row in rejected.head(20).itertuples(index=False):
        print(
            f"  rejected: line {row.line}, column {row.column!r}, value {str(row.value)!r}: "
            f"{row.reason}"
        )
    if ins.rows_rejected > 20:
        print(f"  … and {ins.rows_rejected - 20:,} more rejected rows")
    if ins.already_loaded_as is not None:
        print(f"  already loaded as load {ins.already_loaded_as}: it will not be added again")


def loader_file(ins: loader.Inspection) -> answers.MappedFile:
    return answers.MappedFile(ins.name, ins.mapping, ins.staged.headers)


def _print_answers(found: list[answers.Answer], what: str) -> None:
    """Which pages and tiles the data feeds and which stay empty, with the fix (issue 17)."""
    print(f"What {what} can answer:")
    for line in answers.lines(found):
        print(f"  {line}")


def _remap(args: argparse.Namespace) -> int:
    who = _access(args, writes=True)
    con = _open(args)
    ins = remap.inspect(
        con,
        args.load_id,
        _pairs(args.map, "--map"),
        table=args.table,
        stages=_pairs(args.stage, "--stage"),
        date_families=_pairs(args.date_format, "--date-format"),
    )
    try:
        _print_inspection(con, ins)
        _print_answers(answers.before_loading([loader_file(ins)]), "the file so mapped")
        if args.dry_run:
            print("Dry run: nothing was changed.")
            return 0
        print(remap.commit(con, args.load_id, ins, who.person).message)
        _print_lines(alerts.after_load(con, who.person))
    finally:
        loader.close(con, ins)
    return 0


def _answers(args: argparse.Namespace) -> int:
    _access(args, writes=True)
    _print_answers(answers.after_loading(_open(args)), "the data loaded")
    return 0


# What `crm-dashboard loads` prints, oldest load first.
LOADS_COLUMNS = [
    "load_id",
    "source",
    "file_name",
    "vendor",
    "table_names",
    "rows_loaded",
    "rows_rejected",
    "user_name",
    "loaded_at",
    "undone_at",
    "state",  # in effect, undone, or remapped as load N
]


def _loads(args: argparse.Namespace) -> int:
    who = _access(args, writes=True)
    con = _open(args)
    history = warehouse.load_history(con, include_undone=True, scope=who.scope, table_separator=",")
    frame = history[LOADS_COLUMNS].rename(columns={"table_names": "tables"}).iloc[::-1]
    if frame.empty:
        print("No loads yet.")
        return 0
    print(frame.to_string(index=False))
    return 0


def _undo(args: argparse.Namespace) -> int:
    _access(args, writes=True)
    removed = warehouse.undo_load(_open(args), args.load_id)
    kept.forget(warehouse.import_dir(_db_path(args)), args.load_id)
    print(f"Undid load {args.load_id}: {removed:,} rows removed and what it replaced restored.")
    return 0


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line)


def _alerts_check(args: argparse.Namespace) -> int:
    """Exit 1 when any rule fires, 0 when none does (or nothing was checked), 2 on a broken
    rules file (each mistake on its own line)."""
    who = _access(args)
    path = args.rules or alert_rules.configured_path()
    if path is None:
        raise UsageError(
            f"no alerts file: set ${alert_rules.ENV_VAR} to your rules file or pass --rules FILE "
            "(see README, Alerts)."
        )
    try:
        rules = alert_rules.load(path.expanduser())
    except alert_rules.RulesError as error:
        for problem in error.problems:
            print(f"crm-dashboard alerts check: {problem}", file=sys.stderr)
        return 2
    result = alerts.run(_open(args), rules, who.person, if_changed=args.if_changed)
    if args.format == "json":
        print(json.dumps(_plain(alerts.as_json(result)), indent=2, ensure_ascii=False))
    else:
        _print_lines(alerts.summary(result))
    return 1 if result.fired else 0


def _export_parquet(args: argparse.Namespace) -> int:
    who = _access(args)  # every table, every row: no scope can narrow a file export
    if not who.can_import:
        raise UsageError(
            f"{who.person} is a {who.role.value}; exporting every table to Parquet is for "
            "analysts and admins."
        )
    result = parquet_export.export(_open(args), args.out)
    print(
        f"Exported data version {result.data_version} to {result.out}: "
        + ", ".join(f"{n:,} {t}" for t, n in result.rows.items())
    )
    return 0


def _chosen_filters(args: argparse.Namespace) -> Filters:
    """--from/--to and the repeated --segment/--region/--owner/--team, as one Filters."""
    if args.start and args.end and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}.")
    return Filters(
        args.start,
        args.end,
        tuple(args.segment),
        tuple(args.region),
        tuple(args.owner),
        teams=tuple(args.team),
    )


def _kpis(args: argparse.Namespace) -> int:
    chosen = _chosen_filters(args)
    who = _access(args)
    filters = chosen.within(who.scope)
    preset = args.preset or health_config.DEFAULT_PRESET
    try:
        presets = health_config.load()
    except health_config.HealthConfigError as error:  # one line per mistake, no traceback
        raise UsageError(
            "\n- ".join([f"the health config {error.source} has problems:", *error.problems])
        ) from error
    if preset not in presets:
        raise UsageError(f"--preset {preset!r} is not one of: {', '.join(presets)}.")
    report = kpi_report.report(_query_cursor(args), filters, preset)
    values = {k: _plain(v) for k, v in report.items()}
    if args.format == "json":
        print(json.dumps(values, indent=2))
    else:
        width = max(map(len, values))
        for key, value in values.items():
            print(f"{key:<{width}}  {_table_cell(value)}")
    return 0


def _roles(args: argparse.Namespace) -> int:
    """The roles file's problem in full (file, person, role), which the app only logs: when
    the file is broken nobody can be known as an admin, so the operator, who can read the
    file anyway, asks here. Valid: who has which role, counted."""
    path = args.file or access.configured_path()
    if path is None:
        raise UsageError(f"no roles file to check: set ${access.ROLES_ENV} or pass --file.")
    try:
        roles = access.load(path.expanduser())
    except access.RolesFileError as error:
        raise UsageError(str(error)) from None
    counts: dict[str, int] = {}
    for grant in roles.grants.values():
        counts[grant.role.value] = counts.get(grant.role.value, 0) + 1
    summary = ", ".join(f"{n} {role}{'s' if n > 1 else ''}" for role, n in sorted(counts.items()))
    print(f"{path}: valid, {len(roles.grants)} people ({summary}).")
    return 0


def _digest(args: argparse.Namespace) -> int:
    chosen = _chosen_filters(args)
    if args.period and (args.start or args.end):
        raise UsageError("give either --period or --from/--to, not both.")
    who = _access(args)
    try:
        outcome = digest_command.make(
            _open(args),
            chosen,
            who.scope,
            period=args.period,
            fmt=args.format,
            out=args.out,
            base_url=args.base_url,
            if_changed=args.if_changed,
            user=who.person,
        )
    except (digest_images.ImageError, OSError) as error:
        raise UsageError(str(error)) from error
    print(outcome.message)
    return 0


def _changes(args: argparse.Namespace) -> int:
    """What a load changed, within the person's grant (dashboard/analytics/changes)."""
    who = _access(args)
    try:
        result = changes_data.changes_since(_open(args), args.since_load, scope=who.scope)
    except changes_data.ChangesError as error:
        raise UsageError(str(error)) from error
    if args.format == "json":
        print(json.dumps(_plain(result), indent=2))
    else:
        print(changes_words.as_text(result))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from dashboard.bench import on_spark
    from dashboard.bench import run as bench

    if args.runs < 1:
        raise UsageError("--runs must be at least 1.")
    master = None
    if args.engine == "spark":
        master = args.spark_master or engine.DEFAULT_SPARK_URL
        if not on_spark.is_local_master(master):
            raise UsageError(f"--spark-master must be local or local[N], got {master!r}.")
        if importlib.util.find_spec("pyspark") is None:
            raise UsageError("--engine spark needs pyspark: pip install -e '.[spark]'.")
    elif args.spark_master is not None:
        raise UsageError("--spark-master needs --engine spark.")
    pages = bench.PAGES
    if args.pages is not None:
        pages = tuple(p.strip() for p in args.pages.split(",") if p.strip())
        unknown = sorted(set(pages) - set(bench.PAGES))
        if unknown or not pages:
            raise UsageError(
                f"--pages takes page names from {', '.join(bench.PAGES)}; got {args.pages!r}."
            )
    result = bench.run(
        args.scale,
        args.runs,
        args.dir,
        spark_master=master,
        server=not args.no_server,
        pages=pages,
    )
    print(json.dumps(result, indent=2) if args.json else bench.report(result))
    return 0


def _plain(value: object) -> object:
    """JSON-ready, recursively: numpy numbers become int/float, NaN becomes null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _table_cell(value: object) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value)
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else str(value)


if __name__ == "__main__":
    raise SystemExit(main())
