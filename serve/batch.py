"""`adlint batch`: score an archive with exactly one output row per input row, resumable, finalised atomically.

Results first go to a journal (`OUTPUT.partial.jsonl`, one JSON line per scored row, appended and flushed
chunk by chunk). `--resume` keeps the journal's complete lines and skips those rows; when every row is in,
the journal is converted to the requested format in a temporary file that replaces OUTPUT in one rename.
A killed run therefore never leaves a truncated OUTPUT that looks complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from tqdm import tqdm

from model.checker import Checker
from serve.batch_io import InputRow, RowWriter, count_rows, detect_format, read_rows
from serve.batch_summary import Summary

CHUNK_ROWS = 256


@dataclass
class BatchOptions:
    text_field: str = "text"
    id_field: str = "id"
    max_chars: int = 100_000
    industry: str | None = None
    input_format: str | None = None
    output_format: str | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    resume: bool = False
    quiet: bool = False
    group_by: str | None = None

    def __post_init__(self) -> None:
        if self.max_chars < 1 or self.workers < 1:
            raise ValueError("max_chars and workers must be positive")


def journal_path(output: Path) -> Path:
    return output.with_name(output.name + ".partial.jsonl")


def score_rows(checker: Checker, rows: list[InputRow], options: BatchOptions) -> list[dict[str, Any]]:
    """Output rows for a chunk: scored where the text is usable, otherwise an `error` saying why."""
    out: list[dict[str, Any]] = []
    texts, slots = [], []
    for row in rows:
        fields = dict(row.fields or {})
        record = {
            **{k: v for k, v in fields.items() if k not in (options.id_field, options.text_field)},
            "id": fields.get(options.id_field, row.number) if row.fields else row.number,
            "row": row.number,
            "labels": None,
            "scores": None,
            "spans": None,
            "error": row.error,
        }
        text = fields.get(options.text_field)
        if row.error is None:
            if not isinstance(text, str) or not text.strip():
                record["error"] = f"missing or non-string `{options.text_field}`"
            elif len(text) > options.max_chars:
                record["error"] = f"text longer than --max-chars ({len(text)} > {options.max_chars})"
            else:
                texts.append(text)
                slots.append(len(out))
        out.append(record)
    for slot, result in zip(slots, checker.check(texts, industry=options.industry) if texts else [], strict=True):
        out[slot].update(result.to_dict())
    return out


def _chunks(rows: Iterable[InputRow], size: int) -> Iterator[list[InputRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def open_journal(output: Path, resume: bool) -> tuple[Path, int]:
    """The run's journal and how many rows it already holds; without --resume a leftover journal is an error."""
    journal = journal_path(output)
    if journal.exists() and not resume:
        raise FileExistsError(f"{journal} exists from an interrupted run: pass --resume, or delete it")
    return journal, _resume_state(journal) if resume else 0


def _resume_state(journal: Path) -> int:
    """How many rows the journal already holds; a torn last line (killed mid-write) is cut off.

    Chunks are written in input order, so the journal is always a prefix of the input.
    """
    if not journal.exists():
        return 0
    done = keep = 0
    with journal.open("rb") as handle:
        for line in handle:
            try:
                json.loads(line)["row"]
            except (ValueError, KeyError):
                break
            done += 1
            keep += len(line)
    with journal.open("r+b") as handle:
        handle.truncate(keep)
    return done


def finalize(journal: Path, output: Path, fmt: str, summary: Summary) -> None:
    """Journal → OUTPUT via a temporary file and one atomic rename."""
    tmp = output.with_name(f".{output.name}.tmp")
    writer = RowWriter(tmp, fmt)
    with journal.open("rb") as handle:
        for line in handle:
            record = json.loads(line)
            record.pop("row")
            summary.add(record)
            writer.write(record)
    writer.close()
    os.replace(tmp, output)
    journal.unlink()


def run_batch(checker: Checker, source: Path, output: Path, options: BatchOptions) -> Summary:
    """Score `source` into `output` with all cores: chunks go to a thread pool over one ONNX session."""
    in_fmt = detect_format(source, options.input_format)
    out_fmt = detect_format(output, options.output_format)
    journal, done = open_journal(output, options.resume)
    total = count_rows(source, in_fmt)
    pending = islice(read_rows(source, in_fmt), done, None)
    summary = Summary(group_by=options.group_by)
    bar = tqdm(total=total, initial=done, unit="row", disable=True if options.quiet else None, desc="batch")
    with journal.open("a", encoding="utf-8") as handle, ThreadPoolExecutor(options.workers) as pool:
        chunks = _chunks(pending, CHUNK_ROWS)
        # Keep at most two chunks per worker in flight: constant memory, every core busy, output in order.
        in_flight = [pool.submit(score_rows, checker, chunk, options) for chunk in islice(chunks, 2 * options.workers)]
        while in_flight:
            records = in_flight.pop(0).result()
            handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
            handle.flush()
            bar.update(len(records))
            next_chunk = next(chunks, None)
            if next_chunk is not None:
                in_flight.append(pool.submit(score_rows, checker, next_chunk, options))
    bar.close()
    finalize(journal, output, out_fmt, summary)
    summary.finish()
    return summary
