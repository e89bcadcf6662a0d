"""The one error type, and the one place that turns every failure into `{"error": {"code", "message"}}`."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("adlint.serve")


class ApiError(HTTPException):
    """A failure with an HTTP status and a stable `code` clients can branch on.

    It is a Starlette HTTPException so that one raised while FastAPI reads the body passes through unchanged.
    """

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.code = code
        self.message = message


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": error.code, "message": error.message}},
        status_code=error.status_code,
        headers=error.headers,
    )


def _from_http_exception(exc: HTTPException) -> ApiError:
    """Starlette's own errors (404, 405) get a code named after their status."""
    if isinstance(exc, ApiError):
        return exc
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    return ApiError(exc.status_code, code, str(exc.detail), exc.headers)


def _from_validation_error(exc: RequestValidationError) -> ApiError:
    errors = exc.errors()
    if any(e["type"] == "json_invalid" for e in errors):
        return ApiError(400, "malformed_json", "the request body is not valid JSON")
    details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5])
    return ApiError(422, "invalid_request", details)


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(_from_http_exception(exc))


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(_from_validation_error(exc))


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(ApiError(500, "internal_error", "the server failed to handle this request"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(Exception, _handle_unexpected)
