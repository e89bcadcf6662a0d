"""Graceful shutdown of `adlint serve`: on SIGTERM it stops accepting, finishes in-flight work and exits 0."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import start_server
from prometheus_client.parser import text_string_to_metric_families

LONG_TEXT = "这款面霜全网最好，三天见效。" * 1400


def in_flight(url: str) -> float:
    families = text_string_to_metric_families(httpx.get(f"{url}/metrics").text)
    return next(s.value for f in families for s in f.samples if s.name == "adlint_requests_in_flight")


def test_sigterm_finishes_the_request_in_flight_and_exits_0(rules_artifact, tmp_path):
    server = start_server(rules_artifact, tmp_path / "server.log", ADLINT_REQUEST_TIMEOUT_S="120")
    assert httpx.post(f"{server.url}/v1/check", json={"text": "全网最好"}).status_code == 200
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(httpx.post, f"{server.url}/v1/check", json={"texts": [LONG_TEXT] * 2}, timeout=120)
        deadline = time.monotonic() + 10
        while in_flight(server.url) < 1:
            assert time.monotonic() < deadline and not slow.done(), "the slow request never started"
            time.sleep(0.01)
        server.process.send_signal(signal.SIGTERM)
        response = slow.result()
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == 2
    assert server.process.wait(timeout=30) == 0, server.output()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/healthz", timeout=2)
