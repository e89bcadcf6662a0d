"""Prometheus series for the service, and the ASGI middleware that counts requests by route and status."""

from __future__ import annotations

from time import perf_counter

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class Metrics:
    """The service's series, in a registry of their own so that each app (and each test) counts alone."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "adlint_requests", "HTTP requests by route and status", ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "adlint_request_duration_seconds", "Time from request to response", ["route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.queue_depth = Gauge(
            "adlint_queue_depth", "Requests waiting for a scoring slot", registry=self.registry
        )
        self.in_flight = Gauge(
            "adlint_requests_in_flight", "Requests holding a scoring slot", registry=self.registry
        )
        self.batch_size = Histogram(
            "adlint_batch_texts", "Texts per model call (one micro-batch)", buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.texts = Counter("adlint_texts_scored", "Texts scored", registry=self.registry)
        self.characters = Counter("adlint_characters_scored", "Characters scored", registry=self.registry)

    def exposition(self) -> tuple[bytes, str]:
        """The registry in Prometheus' text format, with its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class RequestMetrics:
    """Counts each HTTP request under its route template, so /v1/check?x=1 and /v1/check are one series."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(perf_counter() - started)
