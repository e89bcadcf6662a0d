"""The micro-batcher on its own: how it groups requests into model calls, and how it stops."""

from __future__ import annotations

import asyncio

from serve.batcher import MicroBatcher
from serve.metrics import Metrics


def _batcher(fake_checker, max_texts: int = 4, wait_s: float = 0.05) -> MicroBatcher:
    return MicroBatcher(fake_checker, wait_s=wait_s, max_texts=max_texts, metrics=Metrics())


def test_a_request_that_would_overflow_the_batch_goes_into_the_next_call(fake_checker):
    fake_checker.engine.delay_s = 0.05

    async def scenario():
        batcher = _batcher(fake_checker)
        batcher.start()
        first = asyncio.create_task(batcher.score(["第一"]))  # keeps the model busy while the rest queue up
        await asyncio.sleep(0.01)
        sizes = [3, 2, 1]
        waiting = [batcher.score([f"文本{n}-{i}" for i in range(n)]) for n in sizes]
        results = await asyncio.gather(first, *waiting)
        await batcher.stop()
        return results

    results = asyncio.run(scenario())
    assert [len(r.results) for r in results] == [1, 3, 2, 1]
    assert [len(batch) for batch in fake_checker.engine.batches] == [1, 3, 3]
    assert all(len(batch) <= 4 for batch in fake_checker.engine.batches)


def test_stop_finishes_what_is_queued_and_can_be_started_again(fake_checker):
    fake_checker.engine.delay_s = 0.05

    async def scenario():
        batcher = _batcher(fake_checker, max_texts=1)
        batcher.start()
        pending = [asyncio.create_task(batcher.score([f"第{i}"])) for i in range(3)]
        await asyncio.sleep(0.01)
        await batcher.stop()
        finished = [task.done() for task in pending]
        batcher.start()
        again = await batcher.score(["最好"])
        await batcher.stop()
        return finished, again

    finished, again = asyncio.run(scenario())
    assert finished == [True, True, True]
    assert again.results[0].spans[0].text == "最好"
