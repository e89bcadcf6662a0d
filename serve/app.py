"""The HTTP service: `create_app(checker, settings)` wires routes, limits, batching, metrics and the page."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from time import perf_counter
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from serve.auth import bearer_key
from serve.batcher import MicroBatcher, Scored
from serve.body_limit import BodyLimit
from serve.errors import ApiError, install_error_handlers
from serve.gate import Gate
from serve.metrics import Metrics, RequestMetrics
from serve.schemas import CheckRequest, CheckResponse, ErrorBody, ModelInfo, Status, Timings
from serve.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
WARM_UP_TEXT = "全网销量第一的面霜，三天见效，央视推荐"
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Malformed JSON",
        401: "Missing or wrong API key",
        413: "Body, text or batch over its limit",
        422: "Request does not match the schema",
        429: "Queue full; retry after the Retry-After header's seconds",
        504: "Scoring took longer than ADLINT_REQUEST_TIMEOUT_S",
    }.items()
}

log = logging.getLogger("adlint.serve")


@dataclass
class Readiness:
    ready: bool = False
    detail: str = "warming up"


def create_app(checker: Any, settings: Settings) -> FastAPI:
    """The app around a loaded checker (`model.checker.Checker` or anything with its interface)."""
    metrics = Metrics()
    gate = Gate(settings.max_concurrency, settings.max_queue, metrics)
    batcher = MicroBatcher(checker, settings.batch_wait_s, settings.max_batch, metrics)
    readiness = Readiness()

    async def warm_up() -> None:
        """A real inference through the serving path before /readyz says yes."""
        try:
            await batcher.score([WARM_UP_TEXT])
        except Exception as e:
            log.exception("warm-up inference failed")
            readiness.detail = f"warm-up inference failed: {e}"
        else:
            readiness.ready, readiness.detail = True, f"model {checker.version}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        batcher.start()
        warming = asyncio.create_task(warm_up())
        yield
        warming.cancel()
        await batcher.stop()

    app = FastAPI(
        title="adlint",
        version=version("adlint"),
        description="Checks Chinese advertising copy against the PRC Advertising Law.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)

    @app.get("/healthz", response_model=Status, tags=["operations"])
    async def healthz() -> Status:
        """Alive: the process answers."""
        return Status(status="ok")

    @app.get("/readyz", response_model=Status, responses={503: {"model": Status}}, tags=["operations"])
    async def readyz(response: Response) -> Status:
        """Ready: the model is loaded and a real inference passed at start-up."""
        if not readiness.ready:
            response.status_code = 503
        return Status(status="ready" if readiness.ready else "not ready", detail=readiness.detail)

    @app.get("/metrics", response_class=Response, tags=["operations"])
    async def prometheus_metrics() -> Response:
        """Prometheus text format."""
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    @app.get("/", include_in_schema=False)
    async def editor_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    v1 = APIRouter(
        prefix="/v1",
        tags=["v1"],
        dependencies=[Depends(bearer_key(settings.api_key))] if settings.api_key else [],
        responses={401: ERROR_RESPONSES[401]} if settings.api_key else {},
    )

    @v1.post(
        "/check",
        response_model=CheckResponse,
        responses={s: r for s, r in ERROR_RESPONSES.items() if s != 401},
    )
    async def check(request: CheckRequest) -> Response:
        """Labels, per-label scores and explained spans for each text."""
        started = perf_counter()
        texts = request.all_texts
        _enforce_limits(texts, settings)
        deny = [item if isinstance(item, str) else item.model_dump(exclude_none=True) for item in request.deny]
        industry = request.industry.value if request.industry else None
        try:
            scored = await asyncio.wait_for(
                _score_when_admitted(gate, batcher, texts, industry, request.allow, deny),
                settings.request_timeout_s,
            )
        except asyncio.TimeoutError:
            raise ApiError(
                504, "timeout", f"scoring took longer than {settings.request_timeout_s:g} s"
            ) from None
        except ValueError as e:
            raise ApiError(422, "invalid_lists", str(e)) from None
        timings = Timings.from_seconds(
            queue=scored.started - started,
            inference=scored.inference_s,
            explain=scored.explain_s,
            total=perf_counter() - started,
        )
        metrics.texts.inc(len(texts))
        metrics.characters.inc(sum(len(t) for t in texts))
        body = CheckResponse(
            model_version=checker.version,
            results=[r.to_dict() for r in scored.results],
            timings_ms=timings,
        )
        # Validated once here; returning the model would make FastAPI validate and serialize it a second time.
        return Response(body.model_dump_json(), media_type="application/json", headers=timings.headers())

    @v1.get("/model", response_model=ModelInfo)
    async def model_info() -> dict:
        """The served artifact's version, labels, thresholds and evaluation metrics."""
        return checker.info()

    app.include_router(v1)
    return app


async def _score_when_admitted(
    gate: Gate, batcher: MicroBatcher, texts: list[str], industry: str | None, allow: list[str],
    deny: list[Any],
) -> Scored:
    async with gate.admit():
        return await batcher.score(texts, industry, allow, deny)


def _enforce_limits(texts: list[str], settings: Settings) -> None:
    if len(texts) > settings.max_batch:
        raise ApiError(413, "batch_too_large", f"at most {settings.max_batch} texts per request")
    longest = max(len(t) for t in texts)
    if longest > settings.max_text_chars:
        raise ApiError(
            413, "text_too_long", f"a text has {longest} characters; the limit is {settings.max_text_chars}"
        )
