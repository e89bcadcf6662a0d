"""Streaming readers and writers for archives: JSONL, CSV and Parquet, in constant memory.

A reader yields one `InputRow` per input row, bad rows included (an undecodable line becomes a row with an
error), so the batch run can keep its promise of exactly one output row per input row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("jsonl", "csv", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
PARQUET_BATCH = 4096
# Output columns that hold structures: native in JSONL, JSON strings in CSV and Parquet.
STRUCTURED = ("labels", "scores", "spans")


@dataclass
class InputRow:
    number: int
    fields: dict[str, Any] | None
    error: str | None = None


def detect_format(path: Path, explicit: str | None = None) -> str:
    fmt = explicit or _SUFFIXES.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {path}; pass --input-format/--output-format ({', '.join(FORMATS)})"
        )
    return fmt


def read_rows(path: Path, fmt: str) -> Iterator[InputRow]:
    if fmt == "jsonl":
        yield from _read_jsonl(path)
    elif fmt == "csv":
        yield from _read_csv(path)
    else:
        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
            for fields in batch.to_pylist():
                yield InputRow(number, fields)
                number += 1


def _read_jsonl(path: Path) -> Iterator[InputRow]:
    with path.open("rb") as handle:
        number = 0
        for raw in handle:
            if not raw.strip():
                continue
            try:
                fields = json.loads(raw.decode("utf-8"))
                if not isinstance(fields, dict):
                    raise ValueError("not a JSON object")
                yield InputRow(number, fields)
            except (UnicodeDecodeError, ValueError) as exc:
                yield InputRow(number, None, f"undecodable line: {str(exc)[:120]}")
            number += 1


def _read_csv(path: Path) -> Iterator[InputRow]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for number, fields in enumerate(csv.DictReader(handle)):
            if None in fields:
                yield InputRow(number, None, "undecodable line: more cells than header columns")
            elif "\ufffd" in "".join(v or "" for v in fields.values()):
                yield InputRow(number, None, "undecodable line: invalid UTF-8")
            else:
                yield InputRow(number, fields)


def count_rows(path: Path, fmt: str) -> int | None:
    """Rows in the input, for the progress bar's ETA (cheap next to scoring)."""
    if fmt == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if fmt == "csv" else lines


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, ensure_ascii=False) if k in STRUCTURED or isinstance(v, dict | list) else v
        for k, v in row.items()
    }


class RowWriter:
    """Writes output rows in one format; CSV and Parquet take their columns from the first row."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.fmt = fmt
        self.handle = None if fmt == "parquet" else path.open("w", encoding="utf-8", newline="")
        self.path = path
        self.columns: list[str] | None = None
        self.csv: csv.DictWriter | None = None
        self.parquet: pq.ParquetWriter | None = None
        self.pending: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        flat = _flat(row)
        if self.columns is None:
            self.columns = list(flat)
        flat = {c: flat.get(c) for c in self.columns}
        if self.fmt == "csv":
            if self.csv is None:
                self.csv = csv.DictWriter(self.handle, fieldnames=self.columns)
                self.csv.writeheader()
            self.csv.writerow(flat)
            return
        self.pending.append({k: None if v is None else str(v) for k, v in flat.items()})
        if len(self.pending) >= PARQUET_BATCH:
            self._flush_parquet()

    def _flush_parquet(self) -> None:
        if not self.pending:
            return
        schema = pa.schema([(c, pa.string()) for c in self.columns])
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.path, schema)
        self.parquet.write_table(pa.Table.from_pylist(self.pending, schema=schema))
        self.pending = []

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            if self.parquet is None:
                pq.write_table(pa.table({"id": pa.array([], pa.string())}), self.path)
            else:
                self.parquet.close()
        else:
            self.handle.close()
