"""Micro-batching: concurrent requests share one model call, so the cores do one large matrix job, not many.

Requests queue here; one worker takes everything queued (up to `max_texts`; under load after waiting up to
`wait_s` for more), runs `engine.predict` on the union in a thread (onnxruntime releases the GIL, so the event
loop keeps serving), then `checker.explain` on each text with its own request's industry and allow/deny lists.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from time import perf_counter
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
    future: asyncio.Future[Scored] = field(repr=False)


class MicroBatcher:
    """Scores requests in micro-batches on one worker thread; many tasks may call `score` at once."""

    def __init__(self, checker: Any, wait_s: float, max_texts: int, metrics: Metrics) -> None:
        self.checker = checker
        self.wait_s = wait_s
        self.max_texts = max_texts
        self.metrics = metrics
        self._pending: deque[_Job] = deque()
        self._arrived = asyncio.Event()
        self._thread: ThreadPoolExecutor | None = None
        self._worker: asyncio.Task[None] | None = None
        self._last_batch_jobs = 0

    def start(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="adlint-model")
        self._worker = asyncio.create_task(self._run_forever(self._thread), name="adlint-batcher")

    async def stop(self) -> None:
        """Stops taking batches and waits for the one in progress; `start` may be called again."""
        if self._worker is not None and self._thread is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._thread.shutdown(wait=True)

    async def score(
        self,
        texts: list[str],
        industry: str | None = None,
        allow: Sequence[str] = (),
        deny: Sequence[Any] = (),
    ) -> Scored:
        job = _Job(texts, industry, allow, deny, asyncio.get_running_loop().create_future())
        self._pending.append(job)
        self._arrived.set()
        return await job.future

    async def _run_forever(self, thread: ThreadPoolExecutor) -> None:
        loop = asyncio.get_running_loop()
        while True:
            jobs = await self._next_batch()
            if jobs:
                await loop.run_in_executor(thread, self._score_batch, jobs, loop)

    async def _next_batch(self) -> list[_Job]:
        """Whole waiting jobs up to `max_texts` texts.

        The window opens only while requests arrive together (the last batch held several): a lone client
        never waits for company that is not coming, while concurrent clients are gathered into one call.
        """
        while not self._pending:
            self._arrived.clear()
            await self._arrived.wait()
        if self._last_batch_jobs > 1:
            await self._gather_until(asyncio.get_running_loop().time() + self.wait_s)
        jobs = [self._pending.popleft()]
        n_texts = len(jobs[0].texts)
        while self._pending and n_texts + len(self._pending[0].texts) <= self.max_texts:
            jobs.append(self._pending.popleft())
            n_texts += len(jobs[-1].texts)
        self._last_batch_jobs = len(jobs)
        return [job for job in jobs if not job.future.done()]

    async def _gather_until(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while sum(len(job.texts) for job in self._pending) < self.max_texts and loop.time() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
            except asyncio.TimeoutError:
                return

    def _score_batch(self, jobs: list[_Job], loop: asyncio.AbstractEventLoop) -> None:
        """On the worker thread: one model call for all jobs, then each job's rules; results go back."""
        started = perf_counter()
        texts = [text for job in jobs for text in job.texts]
        try:
            predictions = iter(self.checker.engine.predict(texts))
        except Exception as e:
            for job in jobs:
                loop.call_soon_threadsafe(_settle, job.future, e)
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
                loop.call_soon_threadsafe(_settle, job.future, e)
                continue
            scored = Scored(results, started, inference_s, perf_counter() - explain_started)
            loop.call_soon_threadsafe(_settle, job.future, scored)


def _settle(future: asyncio.Future[Scored], outcome: Scored | Exception) -> None:
    """Hands a result or an error to a request that is still waiting (a timed-out one is not)."""
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
