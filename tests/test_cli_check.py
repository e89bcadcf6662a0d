"""`adlint check TEXT`: the API's result for one text, readable by default, JSON with --json."""

from __future__ import annotations

import io
import json

from model.findings import Finding
from serve.cli import main
from serve.terminal import ANSI_BY_LABEL, mark

VIOLATING = "这款面霜全网最好，三天见效"
CLEAN = "温和清洁，泡沫细腻，洗后不紧绷"


def test_readable_output_marks_words_and_explains_them(rules_artifact, capsys):
    assert main(["check", VIOLATING, "--model", str(rules_artifact), "--industry", "cosmetics"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "这款面霜【全网最好】，【三天见效】"
    assert "2 finding(s)" in out
    assert "basis:      广告法第9条第3项" in out
    assert out.count("suggestion: ") == 2


def test_clean_copy_exits_0(rules_artifact, capsys):
    assert main(["check", CLEAN, "--model", str(rules_artifact)]) == 0
    assert capsys.readouterr().out.splitlines() == [CLEAN, "", "OK: no findings"]


def test_json_is_the_api_response(rules_artifact, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(VIOLATING))
    assert main(["check", "-", "--json", "--model", str(rules_artifact)]) == 1
    body = json.loads(capsys.readouterr().out)
    assert set(body) == {"model_version", "results", "timings_ms"}
    [result] = body["results"]
    assert [(s["start"], s["end"], s["label"]) for s in result["spans"]] == [
        (4, 8, "absolute_term"), (9, 13, "exaggerated_claim"),
    ]
    assert all(s["source"] == "rule" and s["basis"] and s["suggestion"] for s in result["spans"])


def test_terminal_colours_by_label_and_merges_overlaps():
    spans = [
        Finding(start=4, end=8, text="全网最好", label="absolute_term", score=1.0, source="rule"),
        Finding(start=6, end=8, text="最好", label="absolute_term", score=1.0, source="model"),
        Finding(start=9, end=13, text="三天见效", label="exaggerated_claim", score=1.0, source="rule"),
    ]
    assert mark(VIOLATING, spans, colour=False) == "这款面霜【全网最好】，【三天见效】"
    coloured = mark(VIOLATING, spans, colour=True)
    assert coloured.count(ANSI_BY_LABEL["absolute_term"]) == 1
    assert ANSI_BY_LABEL["exaggerated_claim"] + "三天见效" in coloured


def test_a_reader_that_stops_early_gets_no_traceback(rules_artifact):
    """`adlint check … --json | head -1`: the pipe closes before the output is written."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "serve.cli", "check", VIOLATING, "--json", "--model", str(rules_artifact)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode()
    assert process.returncode == 141
