"""Load figures for a running adlint service at any URL, and the offline figures they are judged against.

Scenarios (issue 5): (a) one client sending 100-character texts one after another; (b) N concurrent clients
(default 16); (c) one 2,000-character text. With --model, the same texts are also scored in this process:
the raw onnxruntime session time for each 100-character input, and offline batch scoring throughput, so
the ratios can be printed. Every loop is bounded; the service must be started separately, e.g.
`adlint serve --port 8000 &` then `python bench/service_load.py --model model/artifact`.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import urllib.request
from pathlib import Path
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.corpus import load_authored  # noqa: E402

SHORT_CHARS = 100
LONG_CHARS = 2000
OFFLINE_BATCH = 64
ROUNDS = 5


def corpus_texts(chars: int, count: int) -> list[str]:
    """`count` texts of exactly `chars` characters, cut from the hand-authored corpus laid end to end."""
    stream = "。".join(e.text for e in load_authored())
    while len(stream) < chars * count:
        stream += "。" + stream
    return [stream[i * chars : (i + 1) * chars] for i in range(count)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(latencies_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in latencies_s]
    return {"p50_ms": round(percentile(ms, 50), 2), "p90_ms": round(percentile(ms, 90), 2),
            "p99_ms": round(percentile(ms, 99), 2), "mean_ms": round(statistics.fmean(ms), 2)}


class Connection:
    """A minimal HTTP/1.1 keep-alive client over one socket: requests are written whole and responses read by
    Content-Length, so the client's own parsing (http.client spends ~0.15 ms per response) stays out of the
    latency that is charged to the service."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.socket = socket.create_connection((parts.hostname, parts.port or 80), timeout=60)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.socket.makefile("rb")
        fixed = {"Host": parts.netloc, "Content-Type": "application/json"} | headers
        self.head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode()

    def post(self, path: str, body: bytes) -> int:
        """Sends one request and reads its whole response; returns the status."""
        request = b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n" % (path.encode(), self.head, len(body))
        self.socket.sendall(request + body)
        status = int(self.reader.readline().split()[1])
        length = 0
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        self.reader.read(length)
        return status

    def close(self) -> None:
        self.reader.close()
        self.socket.close()


def _client(url: str, headers: dict[str, str], texts: list[str], latencies: list[float], statuses: list[int]) -> None:
    """One keep-alive connection sending `texts` one after another."""
    connection = Connection(url, headers)
    for text in texts:
        body = json.dumps({"text": text}).encode()
        started = perf_counter()
        status = connection.post("/v1/check", body)
        latencies.append(perf_counter() - started)
        statuses.append(status)
    connection.close()


def run_clients(url: str, headers: dict[str, str], texts: list[str], clients: int) -> dict:
    """`clients` closed-loop clients (threads) share `texts` round-robin; latency, throughput and errors."""
    latencies: list[float] = []
    statuses: list[int] = []
    _client(url, headers, texts[:20], [], [])
    threads = [
        threading.Thread(target=_client, args=(url, headers, texts[i::clients], latencies, statuses))
        for i in range(clients)
    ]
    started = perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = perf_counter() - started
    errors = sum(1 for s in statuses if s != 200)
    return summary(latencies) | {"requests": len(statuses), "errors": errors,
                                 "texts_per_s": round(len(statuses) / wall, 1)}


def session_times(checker: Any, texts: list[str]) -> tuple[list[float], list[float]]:
    """Per text, in this process: the raw onnxruntime session call on its tokens, and the whole `Checker.check`."""
    import numpy as np

    engine = checker.engine
    session_s, check_s = [], []
    for text in texts:
        ids = engine.tokenizer.encode(text, add_special_tokens=False).ids[: engine.config.window]
        batch = np.array([[engine.cls_id, *ids, engine.sep_id]], dtype=np.int64)
        started = perf_counter()
        engine.run(batch, np.ones_like(batch))
        session_s.append(perf_counter() - started)
        started = perf_counter()
        checker.check([text])
        check_s.append(perf_counter() - started)
    return session_s, check_s


def sequential(url: str, headers: dict[str, str], texts: list[str], checker: Any | None) -> dict:
    """Scenario (a), in ROUNDS blocks; with a checker, each block of requests is followed by the same texts
    scored in-process, so that both sides of the ratio are measured in the same minutes of a shared machine."""
    latencies: list[float] = []
    statuses: list[int] = []
    session_s: list[float] = []
    check_s: list[float] = []
    _client(url, headers, texts[:20], [], [])
    for block in range(ROUNDS):
        part = texts[block::ROUNDS]
        _client(url, headers, part, latencies, statuses)
        if checker is not None:
            session, check = session_times(checker, part)
            session_s += session
            check_s += check
    report = {"service": summary(latencies) | {"requests": len(statuses),
                                               "errors": sum(1 for s in statuses if s != 200)}}
    if checker is not None:
        report |= {"session": summary(session_s), "check": summary(check_s)}
    return report


def offline_batch(checker: Any, short: list[str], long: str) -> dict:
    """In-process figures on the same texts: batch throughput and the long text's whole check."""
    started = perf_counter()
    for i in range(0, len(short), OFFLINE_BATCH):
        checker.check(short[i : i + OFFLINE_BATCH])
    batch_wall = perf_counter() - started
    long_s = []
    for _ in range(10):
        started = perf_counter()
        checker.check([long])
        long_s.append(perf_counter() - started)
    return {"batch_texts_per_s": round(len(short) / batch_wall, 1), "check_2000": summary(long_s)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the service's base URL")
    parser.add_argument("--api-key", help="bearer key, if the service sets ADLINT_API_KEY")
    parser.add_argument("--model", type=Path, help="artifact folder for the offline baselines (same as served)")
    parser.add_argument("--requests", type=int, default=1000, help="requests in scenario (a)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients in scenario (b)")
    parser.add_argument("--concurrent-requests", type=int, default=1600, help="requests in scenario (b)")
    parser.add_argument("--out", type=Path, default=Path("bench/out/service_load.json"))
    args = parser.parse_args()

    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    short = corpus_texts(SHORT_CHARS, max(args.requests, args.concurrent_requests))
    long = corpus_texts(LONG_CHARS, 1)[0]
    checker = None
    if args.model:
        from model.checker import Checker

        checker = Checker.load(args.model)
    with urllib.request.urlopen(urllib.request.Request(f"{args.url}/v1/model", headers=headers)) as response:
        report: dict = {"url": args.url, "service": json.load(response)}
    report["a_sequential_100"] = sequential(args.url, headers, short[: args.requests], checker)
    report["b_concurrent_100"] = run_clients(args.url, headers, short[: args.concurrent_requests], args.clients) | {
        "clients": args.clients
    }
    report["c_single_2000"] = run_clients(args.url, headers, [long] * 30, 1)
    if checker is not None:
        report["offline"] = offline_batch(checker, short[: args.concurrent_requests], long)
        a, b = report["a_sequential_100"], report["b_concurrent_100"]
        report["ratios"] = {
            "a_p50_over_session_p50": round(a["service"]["p50_ms"] / a["session"]["p50_ms"], 2),
            "b_throughput_over_offline_batch": round(b["texts_per_s"] / report["offline"]["batch_texts_per_s"], 2),
            "b_p99_over_p50": round(b["p99_ms"] / b["p50_ms"], 2),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "service"}, indent=2))


if __name__ == "__main__":
    main()
