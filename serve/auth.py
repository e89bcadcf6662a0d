"""The optional bearer key guarding /v1/*: one secret from ADLINT_API_KEY, compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from serve.errors import ApiError

BEARER = HTTPBearer(auto_error=False, description="ADLINT_API_KEY, when the deployment sets one")


def bearer_key(api_key: str) -> Callable[..., Awaitable[None]]:
    """A FastAPI dependency that lets a request through only with `Authorization: Bearer <api_key>`."""
    expected = api_key.encode()

    async def require_key(credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]) -> None:
        if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), expected):
            raise ApiError(
                401, "unauthorized", "send the API key as `Authorization: Bearer <key>`",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return require_key
