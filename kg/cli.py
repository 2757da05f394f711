"""The ``kg`` command line: thin commands over :mod:`kg.extract`, :mod:`kg.build` and :mod:`kg.evaluate`.

Every run ends with an exit code of :class:`~kg.errors.ExitCode`; a failure is one ``kg: error: ...`` line and
a skipped record one ``kg: warning: FILE:LINE: ...`` line, whatever the input, parameters or environment.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tqdm import tqdm

from kg.errors import ConfigError, ExitCode, KGError, SkippedError, UsageError, one_line
from kg.evaluate import evaluate_files
from kg.extract import SAMPLE_DIR, Extraction, extract_papers, extract_records
from kg.ids import DEFAULT_BASE_IRI, check_base_iri
from kg.readers import read_papers
from kg.settings import MAX_PROCESSES, Settings, bounded_int
from kg.sinks.jsonl import read_triples, record_to_json, write_jsonl

if TYPE_CHECKING:
    from kg.build import Engine
    from kg.neo4j_server import Neo4jSettings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kg`` console script; returns the exit status (:class:`~kg.errors.ExitCode`).

    No traceback reaches the user: an unexpected exception is one error line too (``KG_DEBUG=1`` shows its
    traceback).
    """
    try:
        args = _parser().parse_args(argv)
        return int(args.handler(args) or ExitCode.OK)
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (kg query --list | head -1): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.ERROR
    except Exception as exc:  # noqa: BLE001 - every error is one line; a bug of kg too, its traceback on request
        if _raised_while_stopping(exc):  # e.g. the database driver closing a connection cut by Ctrl-C
            print("kg: interrupted", file=sys.stderr)
            return ExitCode.INTERRUPTED
        if isinstance(exc, KGError):
            if exc.detail:
                print(exc.detail.rstrip(), file=sys.stderr)
            print(f"kg: error: {one_line(str(exc))}", file=sys.stderr)
            return exc.exit_code
        if os.environ.get("KG_DEBUG"):
            raise
        print(f"kg: error: internal error ({type(exc).__name__}: {one_line(str(exc))[:300]}); please report it, "
              "with the traceback that KG_DEBUG=1 shows", file=sys.stderr)
        return ExitCode.ERROR


def _raised_while_stopping(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a KeyboardInterrupt was being handled (it replaced the interrupt)."""
    seen: set[int] = set()
    chain: list[BaseException] = [exc]
    while chain:
        cause = chain.pop()
        if isinstance(cause, KeyboardInterrupt):
            return True
        if id(cause) not in seen:
            seen.add(id(cause))
            chain += [c for c in (cause.__cause__, cause.__context__) if c is not None]
    return False


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one ``kg: error:`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"kg: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(ExitCode.USAGE)


def _processes(text: str) -> int:
    try:
        return bounded_int(text, name="--processes", low=1, high=MAX_PROCESSES)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--processes ")) from exc


def _version() -> str:
    try:
        return importlib.metadata.version("kg")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed: run from a source tree)"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg", description="Knowledge graphs of ML research from paper abstracts.",
                     epilog="exit codes: 0 all read, 1 error, 2 usage, 3 some records skipped (see the warnings), "
                            "130 interrupted")
    parser.add_argument("--version", action="version", version=f"kg {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("extract", help="extract entities, relations and claims; one record per paper")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="captures (.txt), JSON Lines or directories")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="records file (JSON Lines)")
    _common(p)
    p.set_defaults(handler=_extract_command)

    p = commands.add_parser("build", help="the whole job: records, triples, RDF, HTML site (and Neo4j with --neo4j)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="inputs; default: the bundled sample corpus")
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="output directory (default: out/)")
    _base_iri(p)
    p.add_argument("--rdf", type=_rdf_formats, default=["nt"], metavar="FORMATS",
                   help="RDF serializations, comma-separated from nt, ttl, jsonld (default: nt; nt is always written)")
    p.add_argument("--site", action=argparse.BooleanOptionalAction, default=None,
                   help="write the HTML site (default: for builds of at most 2,000 papers)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="where extraction runs: this machine's processes (default) or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster of "
                                                          "--processes workers)")
    p.add_argument("--neo4j", action="store_true", help="also load the graph into Neo4j (NEO4J_URI, NEO4J_USER, "
                                                        "NEO4J_PASSWORD)")
    p.add_argument("--neo4j-uri", metavar="URI", help="Bolt URI to load into (implies --neo4j)")
    p.add_argument("--prune", action="store_true", help="remove from Neo4j the papers not in this build (implies "
                                                        "--neo4j)")
    p.add_argument("--bulk", action="store_true", help="load an empty database through the bulk path (implies "
                                                       "--neo4j)")
    _common(p)
    p.set_defaults(handler=_build_command)

    p = commands.add_parser("eval", help="extract from annotated abstracts and score against the gold records")
    p.add_argument("--abstracts", type=Path, required=True, metavar="FILE", help="JSON Lines with id, title, abstract")
    p.add_argument("--gold", type=Path, required=True, metavar="FILE", help="gold records (JSON Lines)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="also write the predicted records here")
    _common(p)
    p.set_defaults(handler=_eval_command)

    p = commands.add_parser("train", help="rebuild every shipped model from annotated abstracts (needs .[train])")
    p.add_argument("--data", type=Path, metavar="DIR", help="annotation pairs (default: bench/annotations)")
    p.add_argument("--models", type=Path, metavar="DIR", help="where the models go (default: the package's)")
    p.add_argument("--only", nargs="+", metavar="MODEL",
                   help="rebuild only these: vectors ner entities proposed relations claims")
    p.add_argument("--corpus", type=Path, metavar="FILE", help="unlabelled abstracts for the word vectors "
                   "(default: ../shared/corpus_arxiv/arxiv_cs_30k.jsonl.gz)")
    p.add_argument("--max-epochs", type=int, metavar="N", help="cap the recognizer's epochs (a quick, weaker model)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(handler=_train_command)

    p = commands.add_parser("neo4j", help="start, stop or inspect the Neo4j server (Docker, else a local launcher)")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="data directory of the local server")
    p.add_argument("-q", "--quiet", action="store_true", help="no notes (a generated password, a fall-back)")
    p.set_defaults(handler=_neo4j_command)

    p = commands.add_parser("query", help="run a canned Cypher query (queries/*.cypher) against Neo4j")
    p.add_argument("name", nargs="?", metavar="NAME", help="the query; see --list")
    p.add_argument("--list", action="store_true", help="print every query's name and description")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output (json: a list of objects)")
    p.add_argument("--neo4j-uri", metavar="URI", help="Bolt URI (default: NEO4J_URI)")
    p.set_defaults(handler=_query_command)

    p = commands.add_parser("leaderboard", help="leaderboards of a build: ranked results per dataset, metric and "
                                                "setting (no filter: the list of leaderboards)")
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="the build directory (default: out/)")
    p.add_argument("--dataset", default="", metavar="D", help="dataset name, alias or key (ImageNet 256x256 also "
                                                              "filters the setting)")
    p.add_argument("--metric", default="", metavar="M", help="metric name or alias (FID score is FID)")
    p.add_argument("--task", default="", metavar="T", help="only results of papers that mention this task")
    p.add_argument("--setting", default="", metavar="S", help="setting or part of one: 256x256, 5-shot, val2017")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output (default: table)")
    p.set_defaults(handler=_leaderboard_command)

    p = commands.add_parser("sparql", help="run a canned SPARQL query (queries/*.rq) or a .rq file on a build's "
                                           "RDF, offline (pyoxigraph)")
    p.add_argument("name", nargs="?", metavar="NAME|FILE", help="the query; see --list")
    p.add_argument("--list", action="store_true", help="print every query's name and description")
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="the build directory (default: out/)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output (json: a list of objects)")
    p.set_defaults(handler=_sparql_command)

    p = commands.add_parser("export", help="re-export an existing build (DIR/triples.jsonl)")
    targets = p.add_subparsers(dest="target", required=True, metavar="TARGET")
    p = targets.add_parser("rdf", help="RDF in standard vocabularies: Turtle, N-Triples or JSON-LD")
    p.add_argument("--format", choices=("ttl", "nt", "jsonld"), default="ttl", help="serialization (default: ttl)")
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="the build directory (default: out/)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="output file (default: DIR/graph.FORMAT)")
    _base_iri(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    p.set_defaults(handler=_export_rdf_command)
    return parser


def _rdf_formats(text: str) -> list[str]:
    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = sorted(set(formats) - {"nt", "ttl", "jsonld"})
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"choose from nt, ttl, jsonld, not {text[:40]!r}")
    return ["nt", *(f for f in dict.fromkeys(formats) if f != "nt")]


def _base_iri(p: argparse.ArgumentParser) -> None:
    def checked(text: str) -> str:
        try:
            return check_base_iri(text)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    p.add_argument("--base-iri", type=checked, default=DEFAULT_BASE_IRI, metavar="IRI",
                   help=f"namespace of the RDF node IRIs (default: {DEFAULT_BASE_IRI})")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or per-record warnings")
    p.add_argument("--strict", action="store_true", help="a skipped record or file is an error (exit 1, nothing "
                                                         "written) instead of a warning (exit 3)")
    p.add_argument("--model", help="spaCy model package or path (default: KG_SPACY_MODEL or en_core_web_sm)")
    p.add_argument("--processes", type=_processes, metavar="N",
                   help=f"parser worker processes, 1 to {MAX_PROCESSES} (default: KG_PROCESSES or 2)")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in (("model", args.model), ("n_process", args.processes)) if v is not None}
    return replace(Settings(), **overrides)


def _run_extraction(args: argparse.Namespace, paths: list[Path]) -> Extraction:
    """Read and extract, printing a warning per skipped record; with ``--strict`` a skipped record is an error."""
    settings = _settings(args)
    read = read_papers(paths)
    _warn(args, [str(problem) for problem in read.problems])
    bar = tqdm(desc="papers", unit="paper", disable=True if args.quiet else None, file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        result = extract_papers(read, settings=settings, progress=progress)
    finally:
        bar.close()
    _warn(args, [str(problem) for problem in result.problems])
    return result


def _warn(args: argparse.Namespace, problems: list[str]) -> None:
    """Print a warning per skipped record; with ``--strict`` stop at the first batch of them."""
    if not args.quiet:
        for problem in problems:
            print(f"kg: warning: {problem}", file=sys.stderr)
    if problems and args.strict:
        raise SkippedError(f"{len(problems)} records or files skipped and --strict makes that an error; the outputs "
                           "are left as they were")


def _skipped(result: Extraction) -> int:
    return ExitCode.SKIPPED if result.read.problems or result.problems else ExitCode.OK


def _report(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _output_file(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"output {path} is a directory, not a file")


def _extract_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    _output_file(args.output)
    result = _run_extraction(args, args.paths)
    if not result.records:
        raise KGError(f"no paper could be processed ({result.summary()}); {args.output} is left as it was")
    count = write_jsonl(args.output, (record_to_json(r) for r in result.records))
    _report(args, f"kg: {result.summary()}; wrote {count} records to {args.output} "
                  f"in {time.perf_counter() - started:.1f}s")
    return _skipped(result)


def _build_command(args: argparse.Namespace) -> int:
    from kg.build import build, load_neo4j, staged  # noqa: PLC0415 - the build imports every sink

    started = time.perf_counter()
    neo4j = _neo4j_settings(args) if args.neo4j or args.neo4j_uri or args.prune or args.bulk else None
    settings = _settings(args)
    rejected: list[str] = []

    def reject(problem: str) -> None:
        rejected.append(problem)
        _warn(args, [problem])

    read = read_papers(args.paths or [SAMPLE_DIR])
    _warn(args, [str(problem) for problem in read.problems])
    with staged(args.out) as staging:
        with _progress_bar(args) as progress:
            report = build(read, staging, engine=_engine(args, settings, progress), settings=settings,
                           log=_logger(args), previous=args.out if args.out.is_dir() else None,
                           base_iri=args.base_iri, rdf=tuple(args.rdf), site=args.site)
        _warn(args, [str(problem) for problem in report.problems])
        if neo4j is not None:
            load_neo4j(report, staging, neo4j, log=_logger(args), skipped=reject, prune=args.prune, bulk=args.bulk)
    _report(args, f"kg: {report.summary()}" + (f"; {len(rejected)} rejected by Neo4j" if rejected else ""))
    for name, path in report.outputs.items():
        _report(args, f"  {name:10s} {args.out / path}")
    _report(args, f"kg: done in {time.perf_counter() - started:.1f}s")
    return ExitCode.SKIPPED if rejected or read.problems or report.problems else ExitCode.OK


@contextmanager
def _progress_bar(args: argparse.Namespace) -> Iterator[Callable[[int, int], None]]:
    bar = tqdm(desc="papers", unit="paper", disable=True if args.quiet else None, file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        bar.close()


def _engine(args: argparse.Namespace, settings: Settings, progress: Callable[[int, int], None]) -> Engine:
    """The extraction of papers the cache lacks: this machine's processes, or a Dask cluster."""
    if args.engine == "dask":
        from kg.dask_engine import dask_records  # noqa: PLC0415 - Dask is imported only when asked for

        return lambda papers: dask_records(papers, settings=settings, scheduler=args.scheduler, progress=progress,
                                           log=_logger(args))
    if args.scheduler:
        raise UsageError("--scheduler needs --engine dask")
    return lambda papers: extract_records(papers, settings=settings, progress=progress)


def _export_rdf_command(args: argparse.Namespace) -> int:
    from kg.sinks.rdf import serialize, to_graph  # noqa: PLC0415 - rdflib is needed by this command only

    started = time.perf_counter()
    from kg.build import earlier_file  # noqa: PLC0415

    output = args.output or args.out / f"graph.{args.format}"
    _output_file(output)
    triples = read_triples(earlier_file(args.out, "triples.jsonl") or args.out / "triples.jsonl")
    graph = to_graph(triples, base=args.base_iri)
    serialize(graph, output, args.format)
    _report(args, f"kg: wrote {len(graph)} RDF triples ({len(triples)} triples with their provenance) to {output} "
                  f"in {time.perf_counter() - started:.1f}s")
    return 0


def _eval_command(args: argparse.Namespace) -> int:
    if args.output:
        _output_file(args.output)
    result = _run_extraction(args, [args.abstracts])
    rows = [record_to_json(r) for r in result.records]
    if args.output:
        write_jsonl(args.output, rows)
    report = evaluate_files(args.gold, rows)
    print(report.format())
    return _skipped(result)


def _train_command(args: argparse.Namespace) -> int:
    from extractors.training.train import CORPUS, DATA_DIR, MODELS, train  # noqa: PLC0415 - training, only here
    from extractors.linear import MODELS_DIR  # noqa: PLC0415

    unknown = sorted(set(args.only or ()) - set(MODELS))
    if unknown:
        raise ConfigError(f"unknown model(s) {', '.join(unknown)}: choose from {', '.join(MODELS)}")
    train(data=args.data or DATA_DIR, models=args.models or MODELS_DIR, only=tuple(args.only or MODELS),
          max_epochs=args.max_epochs, corpus=args.corpus or CORPUS, log=_logger(args))
    return 0


def _neo4j_command(args: argparse.Namespace) -> int:
    from kg import neo4j_server  # noqa: PLC0415 - only this command needs the server module

    if args.action == "start":
        print(neo4j_server.start(data_dir=args.data_dir, log=_logger(args)))
    elif args.action == "stop":
        print("stopped" if neo4j_server.stop() else "not running")
    else:
        state = neo4j_server.status()
        print(f"{'running' if state.running else 'stopped'} {state.uri} mode={state.mode} pid={state.pid} "
              f"data={state.data_dir}")
        return 0 if state.running else 3
    return 0


def _query_command(args: argparse.Namespace) -> int:
    from kg import queries  # noqa: PLC0415 - only this command needs the query files

    if args.list:
        known = queries.available()
        width = max(map(len, known), default=0)
        for name, query in known.items():
            print(f"{name:{width}s}  {query.description}")
        return 0
    if not args.name:
        raise queries.QueryError("give a query NAME or --list")
    query = queries.get(args.name)
    rows = queries.run(query, queries.parse_assignments(args.param), _neo4j_settings(args))
    print(queries.to_json(rows) if args.format == "json" else queries.to_table(rows))
    return 0


def _leaderboard_command(args: argparse.Namespace) -> int:
    from kg import queries  # noqa: PLC0415 - output formats
    from kg.leaderboard import ANY, canonical_filters, largest_first, leaderboards, to_csv  # noqa: PLC0415
    from kg.build import earlier_file  # noqa: PLC0415

    triples = read_triples(earlier_file(args.out, "triples.jsonl") or args.out / "triples.jsonl")
    if any((args.dataset, args.metric, args.setting, args.task)):
        given = canonical_filters(dataset=args.dataset, metric=args.metric, setting=args.setting)
        boards = leaderboards(triples, dataset=given["dataset"], metric=given["metric"], setting=given["setting"],
                              task=args.task or ANY)
        rows = [row for board in boards for row in board.row_dicts()]
        if not rows:
            wanted = ", ".join(f"{k} {v}" for k, v in (*given.items(), ("task", args.task or ANY)) if v != ANY)
            print(f"kg: warning: no leaderboard has results for {wanted}; kg leaderboard --out {args.out} lists "
                  "them all", file=sys.stderr)
    else:
        rows = [board.summary() for board in largest_first(leaderboards(triples, min_rows=2))]
    formats = {"table": queries.to_table, "json": queries.to_json, "csv": to_csv}
    print(formats[args.format](rows))
    return 0


def _sparql_command(args: argparse.Namespace) -> int:
    from kg import queries, sparql  # noqa: PLC0415 - pyoxigraph is needed by this command only

    if args.list:
        known = sparql.available()
        width = max(map(len, known), default=0)
        for name, query in known.items():
            print(f"{name:{width}s}  {query.query.description}")
        return 0
    if not args.name:
        raise queries.QueryError("give a SPARQL query NAME or FILE, or --list")
    query = sparql.get(args.name)
    values = queries.parse_assignments(args.param)
    query.text(values)  # a bad parameter fails before the graph is read
    rows = sparql.run(query, values, sparql.open_store(args.out))
    print(queries.to_json(rows) if args.format == "json" else queries.to_table(rows))
    return 0


def _neo4j_settings(args: argparse.Namespace) -> Neo4jSettings:
    from kg.neo4j_server import Neo4jSettings  # noqa: PLC0415 - the driver is imported only when needed

    return Neo4jSettings.from_env(args.neo4j_uri)


def _logger(args: argparse.Namespace) -> Callable[[str], None]:
    return (lambda message: None) if args.quiet else (lambda message: print(f"kg: {message}", file=sys.stderr))

