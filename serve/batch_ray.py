"""`adlint batch --engine ray`: the same scoring as a Ray Data pipeline, for archives that outgrow one machine.

read (Ray Data readers) → map_batches with an actor pool, each actor holding one ONNX session → the driver
streams the ordered results into the same journal and atomic finalisation as the local engine, so both
engines write identical files and resume the same way (--resume skips the rows the journal already holds).
Point it at a cluster with --ray-address (or RAY_ADDRESS).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from serve.batch import BatchOptions, finalize, open_journal
from serve.batch_io import InputRow, detect_format
from serve.batch_summary import Summary

RAY_BATCH_ROWS = 256


class _Scorer:
    """A Ray actor: loads the checker once, then scores batches of raw rows into JSON records."""

    def __init__(self, model_dir: str | None, options: BatchOptions, jsonl: bool) -> None:
        from model.checker import Checker

        self.checker = Checker.load(model_dir, threads=1)
        self.options = options
        self.jsonl = jsonl

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        from serve.batch import score_rows

        columns = list(batch)
        size = len(batch[columns[0]]) if columns else 0
        rows = []
        for i in range(size):
            if self.jsonl:
                rows.append(_parse_line(batch["text"][i]))
            else:
                rows.append(InputRow(-1, {c: _plain(batch[c][i]) for c in columns}))
        return {"record": [json.dumps(r, ensure_ascii=False) for r in score_rows(self.checker, rows, self.options)]}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _parse_line(line: str) -> InputRow:
    try:
        fields = json.loads(line)
        if isinstance(fields, dict):
            return InputRow(-1, fields)
        return InputRow(-1, None, "undecodable line: not a JSON object")
    except ValueError as exc:
        return InputRow(-1, None, f"undecodable line: {str(exc)[:120]}")


def _default_actors() -> int:
    """One actor per CPU of the cluster, less one that the read tasks keep (else they starve)."""
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)) - 1)


def run_ray_batch(
    model_dir: str | None,
    source: Path,
    output: Path,
    options: BatchOptions,
    address: str | None = None,
    actors: int = 0,
) -> Summary:
    import ray

    in_fmt = detect_format(source, options.input_format)
    out_fmt = detect_format(output, options.output_format)
    journal, done = open_journal(output, options.resume)
    ray.init(address=address, ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    reader = {"jsonl": ray.data.read_text, "csv": ray.data.read_csv, "parquet": ray.data.read_parquet}[in_fmt]
    dataset = reader(str(source.resolve()))
    if done:
        # Results arrive in input order, so the journal is a prefix of the input: score only the rest.
        dataset = dataset.split_at_indices([done])[1]
    scored = dataset.map_batches(
        _Scorer,
        fn_constructor_args=(str(model_dir) if model_dir else None, options, in_fmt == "jsonl"),
        batch_size=RAY_BATCH_ROWS,
        compute=ray.data.ActorPoolStrategy(size=actors or _default_actors()),
        batch_format="numpy",
    )
    summary = Summary(group_by=options.group_by)
    number = done
    with journal.open("a", encoding="utf-8") as handle:
        for batch in scored.iter_batches(batch_size=RAY_BATCH_ROWS, batch_format="numpy"):
            for raw in batch["record"]:
                record = json.loads(raw)
                if record["id"] == -1:
                    record["id"] = number
                record["row"] = number
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                number += 1
    finalize(journal, output, out_fmt, summary)
    summary.finish()
    return summary
