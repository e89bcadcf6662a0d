"""The `adlint` command.

A subcommand is one function decorated with `@command(name, help, *arguments)`; it imports what it needs
inside its body, so `adlint --help` and every other subcommand start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.config import FUSION_POLICIES
from model.industries import INDUSTRIES
from serve.settings import Settings, env_name

Argument = tuple[tuple[str, ...], dict[str, Any]]
Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, tuple[Argument, ...], Command]] = {}


def arg(*flags: str, **options: Any) -> Argument:
    """One `add_argument` call, kept for later."""
    return flags, options


def command(name: str, help: str, *arguments: Argument) -> Callable[[Command], Command]:
    """Registers the decorated function as `adlint <name>`; it returns the process's exit code."""

    def register(run: Command) -> Command:
        COMMANDS[name] = (help, arguments, run)
        return run

    return register


def _setting_flags(exclude: tuple[str, ...]) -> tuple[Argument, ...]:
    """A --flag for each setting, overriding its environment variable (secrets stay in the environment)."""
    return tuple(
        arg(f"--{name.replace('_', '-')}", type=kind, default=None, help=f"overrides {env_name(name)}")
        for name, kind in Settings.field_types().items()
        if name not in exclude
    )


@command("serve", "Serve the HTTP API and the editor page (uvicorn)", *_setting_flags(exclude=("api_key",)))
def serve(args: argparse.Namespace) -> int:
    import signal

    import uvicorn

    from model.checker import Checker
    from serve.app import create_app

    # uvicorn shuts down gracefully on SIGTERM, then re-raises it to the previous handler; SIGTERM is how
    # orchestrators stop a service, so that handler ends the process with status 0 instead of dying of it.
    signal.signal(signal.SIGTERM, _exit_0)
    flags = {name: getattr(args, name) for name in Settings.field_types() if name in args}
    settings = Settings.from_env(**flags)
    checker = Checker.load(settings.model, settings.custom_lists, settings.threads)
    uvicorn.run(
        create_app(checker, settings),
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=int(settings.request_timeout_s) + 1,
    )
    return 0


def _exit_0(signum: int, frame: object) -> None:
    raise SystemExit(0)


@command(
    "check",
    "Check one text and print its findings (exit 1 if any)",
    arg("text", help="the copy to check; - reads standard input"),
    arg("--json", action="store_true", help="print the API's JSON response instead"),
    arg("--industry", choices=INDUSTRIES, help="the advertiser's industry (enables industry rules)"),
    arg("--model", type=Path, help=f"artifact folder (default: {env_name('model')}, else the shipped one)"),
    arg("--custom-lists", type=Path, help=f"allow/deny YAML (default: {env_name('custom_lists')})"),
)
def check(args: argparse.Namespace) -> int:
    from time import perf_counter

    from model.checker import Checker
    from serve.schemas import CheckResponse, Timings
    from serve.terminal import render

    settings = Settings.from_env(model=args.model, custom_lists=args.custom_lists)
    text = sys.stdin.read() if args.text == "-" else args.text
    checker = Checker.load(settings.model, settings.custom_lists, settings.threads)
    started = perf_counter()
    [prediction] = checker.engine.predict([text])
    predicted = perf_counter()
    result = checker.explain(text, prediction, args.industry)
    explained = perf_counter()
    if args.json:
        timings = Timings.from_seconds(
            queue=0.0, inference=predicted - started, explain=explained - predicted, total=explained - started
        )
        response = CheckResponse(model_version=checker.version, results=[result.to_dict()], timings_ms=timings)
        print(response.model_dump_json(indent=2))
    else:
        print(render(text, result, colour=sys.stdout.isatty()))
    return 1 if result.labels or result.spans else 0


@command(
    "data",
    "Build, validate or describe the labelled corpus under data/",
    arg("action", choices=("build", "validate", "stats"), help="build splits from data/authored, or check them"),
    arg("--json", action="store_true", help="stats: print JSON"),
)
def data(args: argparse.Namespace) -> int:
    import json

    from training.build import build_corpus
    from training.datacheck import stats, validate

    if args.action == "build":
        print(json.dumps(build_corpus()))
        return 0
    if args.action == "validate":
        problems = validate()
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problems" if problems else "corpus valid")
        return 1 if problems else 0
    report = stats()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for key in ("hand_authored", "total", "splits"):
            print(f"{key}: {report[key]}")
        for key, value in report["all"].items():
            print(f"{key}: {value}")
    return 0


@command(
    "train",
    "Fine-tune the classifier on data/ and/or your own examples (needs the train extra: torch)",
    arg("--config", type=Path, help="YAML or JSON training configuration; flags override it"),
    arg("--data", type=Path, action="append", help="JSONL or CSV of your reviewed examples (repeatable)"),
    arg("--no-corpus", action="store_true", help="train on --data only, without the shipped corpus"),
    arg("--base-model", help="m3e-small (embedded), or any Hugging Face id or local path"),
    arg("--output-dir", help="run folder (default runs/latest)"),
    arg("--epochs", type=int),
    arg("--batch-size", type=int),
    arg("--learning-rate", type=float),
    arg("--max-steps", type=int, help="stop after this many steps (smoke tests)"),
    arg("--seed", type=int),
    arg("--device", help="auto (default: a CUDA GPU when there is one), cpu, cuda or cuda:N"),
)
def train(args: argparse.Namespace) -> int:
    from training.config import TrainConfig
    from training.train import train as run_training

    overrides = {
        "base_model": args.base_model,
        "output_dir": args.output_dir,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "max_steps": args.max_steps,
        "seed": args.seed,
        "device": args.device,
        "data": [str(p) for p in args.data] if args.data else None,
        "include_corpus": False if args.no_corpus else None,
    }
    config = (
        TrainConfig.from_file(args.config, **overrides)
        if args.config
        else TrainConfig(**{k: v for k, v in overrides.items() if v is not None})
    )
    run = run_training(config)
    print(f"run written to {run}")
    return 0


@command(
    "export",
    "Export a training run to an ONNX artifact (graph-optimized, int8 when it keeps quality)",
    arg("run_dir", type=Path, metavar="RUN", help="run folder written by adlint train"),
    arg("--output", type=Path, required=True, help="artifact folder to write"),
    arg("--no-quantize", action="store_true", help="ship fp32"),
)
def export(args: argparse.Namespace) -> int:
    import json

    from training.export import export as run_export

    report = run_export(args.run_dir, args.output, quantize=not args.no_quantize)
    print(json.dumps(report, indent=2))
    return 0 if report["torch_onnx_parity"] else 1


@command(
    "evaluate",
    "Evaluate an artifact on a labelled split: model alone, rules alone and their fusions",
    arg("--model", type=Path, help="artifact folder (default: the shipped one)"),
    arg("--split", type=Path, default=Path("data/corpus/test.jsonl"), help="labelled JSONL split"),
    arg("--external", type=Path, help="unlabelled real copy (JSONL with `summary`) for the false-positive rate"),
    arg("--output", type=Path, default=Path("runs/evaluation"), help="folder for evaluation.json/.md"),
    arg("--record", action="store_true", help="record the fusion and its metrics in the artifact's config"),
    arg("--fusion", choices=FUSION_POLICIES, help="with --record: the policy to ship (default: the recommended one)"),
)
def evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import evaluate as run_evaluation

    report = run_evaluation(args.model, args.split, args.output, args.external, args.record, args.fusion)
    print((args.output / "evaluation.md").read_text(encoding="utf-8"))
    print(f"recommended fusion: {report['recommended_fusion']}")
    return 0


@command(
    "batch",
    "Score an archive (JSONL, CSV or Parquet): one output row per input row, resumable",
    arg("input", type=Path, help="archive to score"),
    arg("--output", type=Path, required=True, help="where to write results (format from the extension)"),
    arg("--input-format", choices=("jsonl", "csv", "parquet")),
    arg("--output-format", choices=("jsonl", "csv", "parquet")),
    arg("--text-field", default="text"),
    arg("--id-field", default="id", help="without it, the row number is the id"),
    arg("--max-chars", type=int, default=100_000, help="longer texts get an error row (they are never cut)"),
    arg("--industry", choices=INDUSTRIES),
    arg("--model", type=Path, help="artifact folder (default: the shipped one)"),
    arg("--workers", type=int, help="scoring threads (default: all cores)"),
    arg("--resume", action="store_true", help="continue an interrupted run"),
    arg("--quiet", action="store_true", help="no progress bar"),
    arg("--report", type=Path, help="write a self-contained HTML report"),
    arg("--group-by", help="input column to break the report down by (e.g. account, channel)"),
    arg("--engine", choices=("local", "ray"), default="local"),
    arg("--ray-address", help="Ray cluster address (default: RAY_ADDRESS, else a local Ray)"),
)
def batch(args: argparse.Namespace) -> int:
    import os

    from serve.batch import BatchOptions, run_batch

    options = BatchOptions(
        text_field=args.text_field,
        id_field=args.id_field,
        max_chars=args.max_chars,
        industry=args.industry,
        input_format=args.input_format,
        output_format=args.output_format,
        resume=args.resume,
        quiet=args.quiet,
        group_by=args.group_by,
        **({"workers": args.workers} if args.workers else {}),
    )
    if args.engine == "ray":
        from serve.batch_ray import run_ray_batch

        address = args.ray_address or os.environ.get("RAY_ADDRESS")
        summary = run_ray_batch(args.model, args.input, args.output, options, address)
    else:
        from model.checker import Checker

        checker = Checker.load(args.model, threads=1)
        summary = run_batch(checker, args.input, args.output, options)
    print(summary.text(), file=sys.stderr)
    if args.report:
        args.report.write_text(summary.html(f"adlint report: {args.input.name}"), encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adlint", description=__doc__.splitlines()[0])
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help, arguments, run) in COMMANDS.items():
        sub = subcommands.add_parser(name, help=help, description=help)
        for flags, options in arguments:
            sub.add_argument(*flags, **options)
        sub.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (`adlint check … | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
