"""Micro-batching: concurrent requests share one model call, so the cores do one large matrix job, not many.

Requests go into a thread-safe queue; one model thread takes everything queued (up to `max_texts`; under load
after waiting up to `wait_s` for more), runs `engine.predict` on the union, then `checker.explain` on each text
with its own request's industry and allow/deny lists. The thread blocks on the queue itself, so a request
reaches the model without a turn of the event loop; onnxruntime releases the GIL, so the loop keeps serving.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import islice
from time import monotonic, perf_counter
from typing import Any

from serve.metrics import Metrics


@dataclass
class Scored:
    """One request's results and where its time went (seconds; `started` is a perf_counter reading)."""

    results: list[Any]
    started: float
    inference_s: float
    explain_s: float


@dataclass
class _Job:
    texts: list[str]
    industry: str | None
    allow: Sequence[str]
    deny: Sequence[Any]
    loop: asyncio.AbstractEventLoop = field(repr=False)
    future: asyncio.Future[Scored] = field(repr=False)

    def settle(self, outcome: Scored | Exception) -> None:
        """From the model thread: hand the outcome to the waiting request on its event loop."""
        with suppress(RuntimeError):  # raised when that loop has closed: nobody is waiting any more
            self.loop.call_soon_threadsafe(_settle, self.future, outcome)


class MicroBatcher:
    """Scores requests in micro-batches on one model thread; many tasks may call `score` at once."""

    def __init__(self, checker: Any, wait_s: float, max_texts: int, metrics: Metrics) -> None:
        self.checker = checker
        self.wait_s = wait_s
        self.max_texts = max_texts
        self.metrics = metrics
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._held: list[_Job | None] = []  # what ended the last gathering: a job that did not fit, or stop
        self._thread: threading.Thread | None = None
        self._last_batch_jobs = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run_forever, name="adlint-model", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Finishes the batch in progress and what is queued, then ends the thread; `start` may be called again."""
        if self._thread is not None:
            self._queue.put(None)
            await asyncio.to_thread(self._thread.join)
            self._thread = None

    async def score(
        self,
        texts: list[str],
        industry: str | None = None,
        allow: Sequence[str] = (),
        deny: Sequence[Any] = (),
    ) -> Scored:
        loop = asyncio.get_running_loop()
        job = _Job(texts, industry, allow, deny, loop, loop.create_future())
        self._queue.put(job)
        return await job.future

    def _run_forever(self) -> None:
        while (jobs := self._next_batch()) is not None:
            if jobs:
                self._score_batch(jobs)

    def _next_batch(self) -> list[_Job] | None:
        """Whole waiting jobs up to `max_texts` texts; None once `stop` was asked for and the queue is done.

        The window opens only while requests arrive together (the last batch held several): a lone client
        never waits for company that is not coming, while concurrent clients are gathered into one call.
        """
        first = self._held.pop() if self._held else self._queue.get()
        if first is None:
            return None
        jobs, n_texts = [first], len(first.texts)
        deadline = monotonic() + (self.wait_s if self._last_batch_jobs > 1 else 0.0)
        while n_texts < self.max_texts:
            wait = deadline - monotonic()
            try:
                job = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None or n_texts + len(job.texts) > self.max_texts:
                self._held.append(job)
                break
            jobs.append(job)
            n_texts += len(job.texts)
        self._last_batch_jobs = len(jobs)
        return [job for job in jobs if not job.future.done()]

    def _score_batch(self, jobs: list[_Job]) -> None:
        """One model call for all jobs, then each job's rules; results go back to each request's loop."""
        started = perf_counter()
        texts = [text for job in jobs for text in job.texts]
        try:
            predictions = iter(self.checker.engine.predict(texts))
        except Exception as e:
            for job in jobs:
                job.settle(e)
            return
        inference_s = perf_counter() - started
        self.metrics.batch_size.observe(len(texts))
        for job in jobs:
            own = list(islice(predictions, len(job.texts)))
            explain_started = perf_counter()
            try:
                self.checker.rules.reload_if_changed()
                results = [
                    self.checker.explain(text, prediction, job.industry, job.allow, job.deny)
                    for text, prediction in zip(job.texts, own, strict=True)
                ]
            except Exception as e:  # one request's invalid lists must not fail the others
                job.settle(e)
                continue
            job.settle(Scored(results, started, inference_s, perf_counter() - explain_started))


def _settle(future: asyncio.Future[Scored], outcome: Scored | Exception) -> None:
    """Hands a result or an error to a request that is still waiting (a timed-out one is not)."""
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
