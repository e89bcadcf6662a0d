"""Shared fixtures.

`FakeChecker` is a PLUMBING FAKE: it has `model.checker.Checker`'s interface and flags a few fixed words,
so the service's routing, limits, batching and errors can be tested without a model. It says nothing
about adlint's accuracy; the page and shutdown tests use the real Checker instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from model.config import ModelConfig
from model.findings import CheckResult, Finding
from model.labels import LABELS
from serve.app import create_app
from serve.settings import Settings

# PLUMBING FAKE vocabulary: word -> (label, severity).
FAKE_TERMS = {
    "最好": ("absolute_term", "block"),
    "第一": ("absolute_term", "block"),
    "三天见效": ("exaggerated_claim", "review"),
    "央视推荐": ("misleading_statement", "review"),
}


@dataclass
class FakePrediction:
    scores: dict[str, float]
    spans: list[Finding] = field(default_factory=list)


class FakeRules:
    def __init__(self) -> None:
        self.reloads = 0

    def reload_if_changed(self) -> bool:
        self.reloads += 1
        return False


class FakeEngine:
    """Scores 0.9 for a label whose fixed word appears; records each call's batch and can be made slow."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.delay_s = 0.0

    def predict(self, texts: list[str]) -> list[FakePrediction]:
        self.batches.append(list(texts))
        time.sleep(self.delay_s)
        return [
            FakePrediction({label: 0.9 if label in fake_terms(t).values() else 0.1 for label in LABELS})
            for t in texts
        ]


def fake_terms(text: str) -> dict[str, str]:
    """The fixed words in `text` and their labels."""
    return {word: label for word, (label, _) in FAKE_TERMS.items() if word in text}


def _deny_entry(item: str | dict) -> tuple[str, str, str]:
    """(term, label, severity) with the rule layer's defaults; blank terms are refused as the rule layer does."""
    fields = {"term": item} if isinstance(item, str) else item
    if not fields["term"].strip():
        raise ValueError(f"a custom term must be a non-empty string, got {fields['term']!r}")
    return fields["term"], fields.get("label", "misleading_statement"), fields.get("severity", "review")


class FakeChecker:
    """PLUMBING FAKE with Checker's interface: fixed words plus per-request allow/deny, no model."""

    version = "fake-0.0.0"

    def __init__(self) -> None:
        self.engine = FakeEngine()
        self.rules = FakeRules()

    def info(self) -> dict:
        return {
            "version": self.version, "labels": list(LABELS), "thresholds": dict.fromkeys(LABELS, 0.5),
            "fusion": "gated", "base_model": "none", "data_hash": "", "quantized": False,
            "max_length": 256, "stride": 192, "metrics": {},
        }

    def explain(
        self, text: str, prediction: FakePrediction, industry: str | None = None,
        allow: Sequence[str] = (), deny: Sequence[str | dict] = (),
    ) -> CheckResult:
        entries = [(word, label, severity) for word, (label, severity) in FAKE_TERMS.items()]
        entries += [_deny_entry(item) for item in deny]
        spans = [
            Finding(
                start=text.index(word), end=text.index(word) + len(word), text=word, label=label, score=0.9,
                source="rule", rule_id=f"fake:{word}", basis="广告法第9条第3项", suggestion="改为客观描述",
                severity=severity,
            )
            for word, label, severity in entries
            if word in text and word not in allow
        ]
        spans.sort(key=lambda f: f.start)
        return CheckResult(labels=sorted({s.label for s in spans}), scores=prediction.scores, spans=spans)

    def check(
        self, texts: Sequence[str], industry: str | None = None,
        allow: Sequence[str] = (), deny: Sequence[str | dict] = (),
    ) -> list[CheckResult]:
        predictions = self.engine.predict(list(texts))
        return [self.explain(t, p, industry, allow, deny) for t, p in zip(texts, predictions, strict=True)]


@pytest.fixture
def fake_checker() -> FakeChecker:
    return FakeChecker()


def wait_until_ready(client: TestClient, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the app never became ready"
        time.sleep(0.01)


@pytest.fixture
def make_client(fake_checker: FakeChecker) -> Iterator:
    """Builds a started, ready TestClient around the fake checker with the given settings."""
    clients: list[TestClient] = []

    def make(**settings: object) -> TestClient:
        client = TestClient(create_app(fake_checker, Settings(**settings)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        wait_until_ready(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory):
    """A tiny random-weight BERT with the real vocabulary (plumbing only)."""
    from tiny_models import build_tiny_base

    return build_tiny_base(tmp_path_factory.mktemp("tiny-base"))


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    from tiny_models import write_tiny_corpus

    return write_tiny_corpus(tmp_path_factory.mktemp("tiny-corpus"))


@pytest.fixture(scope="session")
def tiny_run(tiny_base, tiny_corpus, tmp_path_factory):
    """40 training steps of the tiny model on the tiny corpus."""
    from training.config import TrainConfig
    from training.train import train

    config = TrainConfig(
        base_model=str(tiny_base), corpus_dir=str(tiny_corpus), output_dir=str(tmp_path_factory.mktemp("run")),
        epochs=5, batch_size=4, max_steps=40, learning_rate=1e-3, head_learning_rate=5e-3, patience=10,
    )
    return train(config)


@pytest.fixture(scope="session")
def tiny_artifact(tiny_run, tiny_corpus, tmp_path_factory):
    """The tiny run exported the way the shipped model is: ONNX, optimized, int8 when it keeps quality."""
    from training.export import export

    output = tmp_path_factory.mktemp("artifact") / "tiny"
    export(tiny_run, output, dev_path=tiny_corpus / "dev.jsonl")
    return output


@pytest.fixture(scope="session")
def rules_artifact(tiny_artifact, tmp_path_factory) -> Path:
    """The tiny artifact with fusion "rules": the real Checker and rule layer decide, not random weights."""
    folder = tmp_path_factory.mktemp("rules-artifact") / "artifact"
    shutil.copytree(tiny_artifact, folder)
    config = ModelConfig.load(folder)
    config.fusion = "rules"
    config.save(folder)
    return folder


@dataclass
class LiveServer:
    """`adlint serve` in a subprocess, its output going to `log`."""

    process: subprocess.Popen
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(model_dir: Path, log: Path, timeout_s: float = 60.0, **env: str) -> LiveServer:
    """Starts `adlint serve` on a free port and waits until /readyz says the model answered."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).with_name("adlint")), "serve", "--model", str(model_dir), "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ | env)
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"adlint serve exited with {process.returncode}:\n{server.output()}"
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"adlint serve was not ready within {timeout_s} s:\n{server.output()}")


@pytest.fixture
def live_server(rules_artifact, tmp_path) -> Iterator[LiveServer]:
    server = start_server(rules_artifact, tmp_path / "server.log")
    yield server
    server.process.terminate()
    server.process.wait(timeout=30)
