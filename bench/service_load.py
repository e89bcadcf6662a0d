"""Load figures for a running adlint service at any URL, and the offline figures they are judged against.

Scenarios (issue 5): (a) one client sending 100-character texts one after another; (b) N concurrent clients
(default 16); (c) one 2,000-character text. With --model, the same texts are also scored in this process:
the raw onnxruntime session time for each 100-character input, and offline batch scoring throughput, so
the ratios can be printed. Every loop is bounded; the service must be started separately, e.g.
`adlint serve --port 8000 &` then `python bench/service_load.py --model model/artifact`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import urllib.request
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.corpus import load_authored  # noqa: E402

SHORT_CHARS = 100
LONG_CHARS = 2000
OFFLINE_BATCH = 64


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


def _client(url: str, headers: dict[str, str], texts: list[str], latencies: list[float], statuses: list[int]) -> None:
    """One keep-alive connection sending `texts` one after another (http.client: the lightest client there is)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    headers = headers | {"Content-Type": "application/json"}
    for text in texts:
        body = json.dumps({"text": text}).encode()
        started = perf_counter()
        connection.request("POST", "/v1/check", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(perf_counter() - started)
        statuses.append(response.status)
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


def offline(model: Path, short: list[str], long: str) -> dict:
    """In-process figures on the same texts: raw session time, full check time, batch throughput."""
    import numpy as np

    from model.checker import Checker

    checker = Checker.load(model)
    engine = checker.engine
    session_s, check_s = [], []
    for text in short:
        ids = engine.tokenizer.encode(text, add_special_tokens=False).ids[: engine.config.window]
        batch = np.array([[engine.cls_id, *ids, engine.sep_id]], dtype=np.int64)
        started = perf_counter()
        engine.run(batch, np.ones_like(batch))
        session_s.append(perf_counter() - started)
        started = perf_counter()
        checker.check([text])
        check_s.append(perf_counter() - started)
    started = perf_counter()
    for i in range(0, len(short), OFFLINE_BATCH):
        checker.check(short[i : i + OFFLINE_BATCH])
    batch_wall = perf_counter() - started
    long_s = []
    for _ in range(10):
        started = perf_counter()
        checker.check([long])
        long_s.append(perf_counter() - started)
    return {
        "session_100": summary(session_s),
        "check_100": summary(check_s),
        "batch_texts_per_s": round(len(short) / batch_wall, 1),
        "check_2000": summary(long_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the service's base URL")
    parser.add_argument("--api-key", help="bearer key, if the service sets ADLINT_API_KEY")
    parser.add_argument("--model", type=Path, help="artifact folder for the offline baselines (same as served)")
    parser.add_argument("--requests", type=int, default=300, help="requests in scenario (a)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients in scenario (b)")
    parser.add_argument("--concurrent-requests", type=int, default=1600, help="requests in scenario (b)")
    parser.add_argument("--out", type=Path, default=Path("bench/out/service_load.json"))
    args = parser.parse_args()

    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    short = corpus_texts(SHORT_CHARS, max(args.requests, args.concurrent_requests))
    long = corpus_texts(LONG_CHARS, 1)[0]
    with urllib.request.urlopen(urllib.request.Request(f"{args.url}/v1/model", headers=headers)) as response:
        report: dict = {"url": args.url, "service": json.load(response)}
    report["a_sequential_100"] = run_clients(args.url, headers, short[: args.requests], 1)
    report["b_concurrent_100"] = run_clients(args.url, headers, short[: args.concurrent_requests], args.clients) | {
        "clients": args.clients
    }
    report["c_single_2000"] = run_clients(args.url, headers, [long] * 30, 1)
    if args.model:
        report["offline"] = offline(args.model, short[: args.requests], long)
        report["ratios"] = {
            "a_p50_over_session_p50": round(
                report["a_sequential_100"]["p50_ms"] / report["offline"]["session_100"]["p50_ms"], 2
            ),
            "b_throughput_over_offline_batch": round(
                report["b_concurrent_100"]["texts_per_s"] / report["offline"]["batch_texts_per_s"], 2
            ),
            "b_p99_over_p50": round(report["b_concurrent_100"]["p99_ms"] / report["b_concurrent_100"]["p50_ms"], 2),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "service"}, indent=2))


if __name__ == "__main__":
    main()
