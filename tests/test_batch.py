"""Batch scoring: one output row per input row whatever the input, resumable, atomic, same on Ray."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from model.checker import Checker
from serve.batch import BatchOptions, journal_path, run_batch
from serve.batch_io import read_rows


@pytest.fixture(scope="module")
def checker(tiny_artifact):
    return Checker.load(tiny_artifact, threads=1)


def _write_jsonl(path, rows):
    path.write_bytes(
        b"".join(r if isinstance(r, bytes) else (json.dumps(r, ensure_ascii=False) + "\n").encode() for r in rows)
    )


def _batch_command(source, output, model, *flags):
    """`adlint batch` as a subprocess, the way a user runs it."""
    return [
        sys.executable,
        "-m",
        "serve.cli",
        "batch",
        str(source),
        "--output",
        str(output),
        "--model",
        str(model),
        "--quiet",
        *flags,
    ]


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_input_row_gets_exactly_one_output_row(checker, tmp_path):
    source = tmp_path / "in.jsonl"
    _write_jsonl(
        source,
        [
            {"id": "a", "text": "全网最低价，国家级品质", "account": "shop1"},
            {"id": "b", "text": 42},
            {"id": "c"},
            b"{not json\n",
            b"\xff\xfe broken bytes\n",
            {"id": "f", "text": "x" * 50},
            {"text": "没有 id 的一行"},
        ],
    )
    output = tmp_path / "out.jsonl"
    summary = run_batch(checker, source, output, BatchOptions(max_chars=40, quiet=True, workers=2))
    rows = _read_jsonl(output)
    assert [r["id"] for r in rows] == ["a", "b", "c", 3, 4, "f", 6]
    errors = {r["id"]: r["error"] for r in rows}
    assert errors["a"] is None and rows[0]["account"] == "shop1"
    assert "non-string" in errors["b"] and "missing" in errors["c"]
    assert errors[3].startswith("undecodable") and errors[4].startswith("undecodable")
    assert "max-chars" in errors["f"]
    assert errors[6] is None and set(rows[6]["scores"]) == {
        "absolute_term",
        "exaggerated_claim",
        "misleading_statement",
    }
    assert summary.rows == 7 and summary.errors == 5
    assert not journal_path(output).exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_csv_and_parquet_in_and_out(checker, tmp_path, fmt):
    texts = ["最近天气不错", "三天见效，无效退款", "这款卫衣面料柔软"]
    source = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        with source.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["post", "channel"])
            writer.writeheader()
            writer.writerows({"post": t, "channel": "wx"} for t in texts)
    else:
        pq.write_table(pa.table({"post": texts, "channel": ["wx"] * 3}), source)
    output = tmp_path / f"out.{fmt}"
    run_batch(checker, source, output, BatchOptions(text_field="post", quiet=True))
    rows = [r.fields for r in read_rows(output, fmt)]
    assert [str(r["id"]) for r in rows] == ["0", "1", "2"]
    assert all(r["channel"] == "wx" and r["error"] in (None, "") for r in rows)
    assert all(
        set(json.loads(r["scores"])) == {"absolute_term", "exaggerated_claim", "misleading_statement"} for r in rows
    )


def test_a_killed_run_resumes_without_losing_or_duplicating_rows(tiny_artifact, tmp_path):
    source = tmp_path / "archive.jsonl"
    _write_jsonl(source, [{"id": f"post-{i}", "text": f"第{i}条：全网最低价，三天见效。" * 8} for i in range(6000)])
    output = tmp_path / "scored.jsonl"
    command = _batch_command(source, output, tiny_artifact, "--workers", "1")
    process = subprocess.Popen(command)
    journal = journal_path(output)
    deadline = time.time() + 120
    while time.time() < deadline and (not journal.exists() or journal.stat().st_size < 200_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert journal.exists() and not output.exists(), "a killed run must not leave a finished-looking output"
    with journal.open("ab") as handle:
        handle.write(b'{"id": "torn')  # a line cut mid-write
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    ids = [r["id"] for r in _read_jsonl(output)]
    assert sorted(ids) == sorted(f"post-{i}" for i in range(6000))
    assert len(ids) == len(set(ids))


def test_rerun_without_resume_refuses_to_clobber_a_journal(checker, tmp_path):
    source = tmp_path / "in.jsonl"
    _write_jsonl(source, [{"id": 1, "text": "好物分享"}])
    output = tmp_path / "out.jsonl"
    journal_path(output).write_text("")
    with pytest.raises(FileExistsError, match="--resume"):
        run_batch(checker, source, output, BatchOptions(quiet=True))


def test_report_breaks_flags_down_by_group(checker, tmp_path):
    source = tmp_path / "in.jsonl"
    _write_jsonl(
        source,
        [
            {"id": i, "text": t, "account": a}
            for i, (t, a) in enumerate([("全网最低价", "店铺甲"), ("最近天气不错", "店铺乙")])
        ],
    )
    output, report = tmp_path / "out.jsonl", tmp_path / "report.html"
    subprocess.run(
        _batch_command(source, output, checker.engine.artifact_dir, "--report", str(report), "--group-by", "account"),
        check=True,
        capture_output=True,
    )
    page = report.read_text(encoding="utf-8")
    assert "店铺甲" in page and "店铺乙" in page and "<svg" in page and "http" not in page.replace("http-equiv", "")


@pytest.fixture(scope="module")
def ray_source(tiny_artifact, tmp_path_factory):
    """An input with a broken line, and what the local engine makes of it."""
    folder = tmp_path_factory.mktemp("ray")
    source, local = folder / "in.jsonl", folder / "local.jsonl"
    _write_jsonl(
        source,
        [
            {"id": f"r{i}", "text": t}
            for i, t in enumerate(["全网最低价", "最近天气不错", "三天见效", "央视推荐好物", "面料柔软"] * 4)
        ]
        + [b"{broken\n"],
    )
    run_batch(Checker.load(tiny_artifact, threads=1), source, local, BatchOptions(quiet=True))
    return source, _read_jsonl(local)


def _run_ray(source, output, model, *flags):
    env = {**os.environ, "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
    done = subprocess.run(
        _batch_command(source, output, model, "--engine", "ray", *flags),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_ray_engine_writes_the_same_output_as_the_local_engine(tiny_artifact, ray_source, tmp_path):
    source, expected = ray_source
    _run_ray(source, tmp_path / "ray.jsonl", tiny_artifact)
    assert _read_jsonl(tmp_path / "ray.jsonl") == expected


def test_ray_engine_resumes_from_the_journal_of_an_interrupted_run(tiny_artifact, ray_source, tmp_path):
    source, expected = ray_source
    output = tmp_path / "ray.jsonl"
    with journal_path(output).open("w", encoding="utf-8") as journal:  # 7 rows in, then killed mid-line
        journal.writelines(json.dumps(r | {"row": i}, ensure_ascii=False) + "\n" for i, r in enumerate(expected[:7]))
        journal.write('{"id": "r7", "la')
    _run_ray(source, output, tiny_artifact, "--resume")
    assert _read_jsonl(output) == expected
