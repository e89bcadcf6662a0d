"""Admission control: a bounded number of requests scored at once, a bounded queue, the rest refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from serve.errors import ApiError
from serve.metrics import Metrics

RETRY_AFTER_S = 1


class Gate:
    """Lets `concurrency` requests through and `queue` more wait; a request beyond both gets 429 at once."""

    def __init__(self, concurrency: int, queue: int, metrics: Metrics) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._queue = queue
        self._waiting = 0
        self._metrics = metrics

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        if self._slots.locked() and self._waiting >= self._queue:
            raise ApiError(
                429, "overloaded", "too many requests are waiting; retry shortly",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        self._waiting += 1
        self._metrics.queue_depth.inc()
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
            self._metrics.queue_depth.dec()
        self._metrics.in_flight.inc()
        try:
            yield
        finally:
            self._metrics.in_flight.dec()
            self._slots.release()
